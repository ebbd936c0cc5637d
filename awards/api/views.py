"""Thin views: find what the user may see (404 otherwise), call a service, serialise.

Every endpoint that moves money or writes an award's record takes an `Idempotency-Key`.
"""

from __future__ import annotations

import hashlib

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from awards import selectors, services
from awards.api import serializers as s
from awards.exceptions import AwardError
from awards.idempotency import idempotent
from awards.models import (
    Award,
    AwardChange,
    AwardStage,
    CarryOver,
    Disbursement,
    Grade,
    LedgerEntry,
    Recovery,
    StopObjection,
    Tranche,
)
from awards.permissions import can_view_award
from consortia.models import Application

KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)


def visible_award(user, pk: int) -> Award:
    award = Award.objects.select_related("program", "consortium", "lead_province").filter(pk=pk).first()
    if award is None or not can_view_award(user, award):
        raise NotFound
    return award


def _award_tranche(award: Award, tranche_id: int, field: str = "tranche") -> int:
    if not Tranche.objects.filter(pk=tranche_id, award=award).exists():
        raise AwardError(_("Unknown tranche."), fields={field: [_("Not a tranche of this award.")]})
    return tranche_id


def _detail(award_id: int) -> dict:
    award = (
        selectors.with_balances(Award.objects.filter(pk=award_id))
        .select_related("program", "consortium", "lead_province")
        .prefetch_related("stages", "members__province")
        .get()
    )
    context = {"tranches": list(selectors.tranches_of(award_id)), "years": selectors.year_totals(award_id)}
    return s.AwardDetailOut(award, context=context).data


class AwardListCreateApi(APIView):
    @extend_schema(responses=s.AwardOut(many=True))
    def get(self, request: Request) -> Response:
        return Response(s.AwardOut(selectors.visible_awards(request.user), many=True).data)

    @extend_schema(request=s.AwardIn, responses={201: s.AwardDetailOut}, parameters=[KEY])
    def post(self, request: Request) -> Response:
        data = _valid(s.AwardIn, request)

        # An id in the body that names nothing is bad input (a 400), as an unknown tranche is.
        if not Application.objects.filter(pk=data["application"]).exists():
            raise AwardError(_("Unknown application."), fields={"application": [_("No such application.")]})

        def run():
            award = services.create_award(
                actor=request.user,
                application_id=data["application"],
                notified_on=data["notified_on"],
                starts_on=data.get("starts_on"),
                stage_years=data.get("stage_years"),
            )
            return status.HTTP_201_CREATED, _detail(award.pk)

        return idempotent(request, "award:create", run)


def _valid(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class AwardDetailApi(APIView):
    @extend_schema(responses=s.AwardDetailOut)
    def get(self, request: Request, pk: int) -> Response:
        visible_award(request.user, pk)
        return Response(_detail(pk))


class LedgerApi(generics.ListAPIView):
    serializer_class = s.LedgerEntryOut
    queryset = LedgerEntry.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LedgerEntry.objects.none()
        return selectors.ledger_of(visible_award(self.request.user, self.kwargs["pk"]))


class DisbursementListRequestApi(APIView):
    @extend_schema(responses=s.DisbursementOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        award = visible_award(request.user, pk)
        return Response(s.DisbursementOut(selectors.disbursements_of(award), many=True).data)

    @extend_schema(request=s.DisbursementIn, responses={201: s.DisbursementOut}, parameters=[KEY])
    def post(self, request: Request, pk: int) -> Response:
        award = visible_award(request.user, pk)
        data = _valid(s.DisbursementIn, request)

        def run():
            d = services.request_disbursement(
                actor=request.user,
                tranche_id=_award_tranche(award, data["tranche"]),
                amount_krw=data["amount_krw"],
                note=data["note"],
            )
            return status.HTTP_201_CREATED, s.DisbursementOut(d).data

        return idempotent(request, f"award:{pk}:disbursement", run)


def _visible_disbursement(user, pk: int) -> Disbursement:
    d = Disbursement.objects.select_related("tranche").filter(pk=pk).first()
    if d is None:
        raise NotFound
    visible_award(user, d.tranche.award_id)
    return d


class DisbursementStepApi(APIView):
    """POST …/disbursements/<id>/approve/, /pay/, /reject/."""

    step = ""

    @extend_schema(request=s.PayIn, responses=s.DisbursementOut, parameters=[KEY])
    def post(self, request: Request, pk: int) -> Response:
        _visible_disbursement(request.user, pk)
        if self.step == "pay":
            data = _valid(s.PayIn, request)
        elif self.step == "reject":
            data = _valid(s.ReasonIn, request)
        else:
            data = {}

        def run():
            if self.step == "approve":
                d = services.approve_disbursement(actor=request.user, disbursement_id=pk)
            elif self.step == "pay":
                d = services.pay_disbursement(
                    actor=request.user,
                    disbursement_id=pk,
                    paid_on=data["paid_on"],
                    reference=data["reference"],
                )
            else:
                d = services.reject_disbursement(
                    actor=request.user, disbursement_id=pk, reason=data["reason"]
                )
            return status.HTTP_200_OK, s.DisbursementOut(Disbursement.objects.get(pk=d.pk)).data

        return idempotent(request, f"disbursement:{pk}:{self.step}", run)


class GradeListCreateApi(APIView):
    @extend_schema(responses=s.GradeOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        award = visible_award(request.user, pk)
        return Response(s.GradeOut(Grade.objects.filter(award=award), many=True).data)

    @extend_schema(request=s.GradeIn, responses={201: s.GradeOut}, parameters=[KEY])
    def post(self, request: Request, pk: int) -> Response:
        visible_award(request.user, pk)
        data = _valid(s.GradeIn, request)

        def run():
            grade = services.record_grade(actor=request.user, award_id=pk, **data)
            return status.HTTP_201_CREATED, s.GradeOut(grade).data

        return idempotent(request, f"award:{pk}:grade", run)


class StopApi(APIView):
    @extend_schema(request=s.StopIn, responses=s.AwardOut, parameters=[KEY])
    def post(self, request: Request, pk: int) -> Response:
        visible_award(request.user, pk)
        data = _valid(s.StopIn, request)

        def run():
            if data["action"] == "confirm":
                services.confirm_stop(actor=request.user, award_id=pk)
            else:
                services.resume_award(actor=request.user, award_id=pk, reason=data["reason"])
            return status.HTTP_200_OK, _detail(pk)

        return idempotent(request, f"award:{pk}:stop", run)


class ChangeListCreateApi(APIView):
    @extend_schema(responses=s.ChangeOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        award = visible_award(request.user, pk)
        return Response(
            s.ChangeOut(AwardChange.objects.filter(award=award).prefetch_related("items"), many=True).data
        )

    @extend_schema(request=s.ChangeIn, responses={201: s.ChangeOut}, parameters=[KEY])
    def post(self, request: Request, pk: int) -> Response:
        visible_award(request.user, pk)
        data = _valid(s.ChangeIn, request)

        def run():
            change = services.file_change(
                actor=request.user, award_id=pk, reason=data["reason"], items=data["items"]
            )
            return status.HTTP_201_CREATED, s.ChangeOut(change).data

        return idempotent(request, f"award:{pk}:change", run)


class DecideChangeApi(APIView):
    @extend_schema(request=s.AwardDecideIn, responses=s.ChangeOut, parameters=[KEY])
    def post(self, request: Request, pk: int) -> Response:
        change = AwardChange.objects.filter(pk=pk).first()
        if change is None:
            raise NotFound
        visible_award(request.user, change.award_id)
        data = _valid(s.AwardDecideIn, request)

        def run():
            c = services.decide_change(actor=request.user, change_id=pk, **data)
            return status.HTTP_200_OK, s.ChangeOut(c).data

        return idempotent(request, f"change:{pk}:decide", run)


class CarryOverListCreateApi(APIView):
    @extend_schema(responses=s.CarryOverOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        award = visible_award(request.user, pk)
        return Response(s.CarryOverOut(CarryOver.objects.filter(from_tranche__award=award), many=True).data)

    @extend_schema(request=s.CarryOverIn, responses={201: s.CarryOverOut}, parameters=[KEY])
    def post(self, request: Request, pk: int) -> Response:
        award = visible_award(request.user, pk)
        data = _valid(s.CarryOverIn, request)

        def run():
            c = services.carry_over(
                actor=request.user,
                from_tranche_id=_award_tranche(award, data["from_tranche"], "from_tranche"),
                amount_krw=data["amount_krw"],
                reason=data["reason"],
            )
            return status.HTTP_201_CREATED, s.CarryOverOut(c).data

        return idempotent(request, f"award:{pk}:carry-over", run)


class RecoveryListCreateApi(APIView):
    @extend_schema(responses=s.RecoveryOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        award = visible_award(request.user, pk)
        return Response(s.RecoveryOut(Recovery.objects.filter(award=award), many=True).data)

    @extend_schema(request=s.RecoveryIn, responses={201: s.RecoveryOut}, parameters=[KEY])
    def post(self, request: Request, pk: int) -> Response:
        award = visible_award(request.user, pk)
        data = _valid(s.RecoveryIn, request)

        def run():
            r = services.notify_recovery(
                actor=request.user,
                tranche_id=_award_tranche(award, data["tranche"]),
                amount_krw=data["amount_krw"],
                reason=data["reason"],
                notified_on=data.get("notified_on"),
            )
            return status.HTTP_201_CREATED, s.RecoveryOut(r).data

        return idempotent(request, f"award:{pk}:recovery", run)


class RecoveryPayApi(APIView):
    @extend_schema(request=s.RecoveryPayIn, responses=s.RecoveryOut, parameters=[KEY])
    def post(self, request: Request, pk: int) -> Response:
        recovery = Recovery.objects.filter(pk=pk).first()
        if recovery is None:
            raise NotFound
        visible_award(request.user, recovery.award_id)
        data = _valid(s.RecoveryPayIn, request)

        def run():
            r = services.record_recovery_payment(actor=request.user, recovery_id=pk, paid_on=data["paid_on"])
            return status.HTTP_200_OK, s.RecoveryOut(r).data

        return idempotent(request, f"recovery:{pk}:pay", run)


class SettlementListApi(APIView):
    @extend_schema(responses=s.StageOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        award = visible_award(request.user, pk)
        return Response(s.StageOut(award.stages.all(), many=True).data)


class SettlementSubmitApi(APIView):
    @extend_schema(request=s.SettlementIn, responses=s.StageOut, parameters=[KEY])
    def post(self, request: Request, pk: int) -> Response:
        stage = AwardStage.objects.filter(pk=pk).first()
        if stage is None:
            raise NotFound
        visible_award(request.user, stage.award_id)
        data = _valid(s.SettlementIn, request)

        def run():
            st = services.submit_settlement(actor=request.user, stage_id=pk, unspent_krw=data["unspent_krw"])
            return status.HTTP_200_OK, s.StageOut(st).data

        return idempotent(request, f"stage:{pk}:settlement", run)


# --- the award letter, the signed agreement ----------------------------------------------------------


class AwardLetterApi(APIView):
    """The award letter (협약 통지서) as a Korean PDF: the award's contacts and officers only."""

    def perform_content_negotiation(self, request: Request, force: bool = False):
        # The body is a PDF whatever the client accepts; errors fall back to JSON, never a 406.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The award letter (PDF)."
            )
        }
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        from awards.letters import award_letter_pdf

        award = visible_award(request.user, pk)
        response = HttpResponse(award_letter_pdf(award), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="award-letter-{award.pk}.pdf"'
        return response


class AgreementUploadApi(APIView):
    """The signed agreement back from the consortium (or an officer): a PDF, checked by content."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": s.AgreementIn},
        responses={200: s.AwardOut, 400: s.AwardRefusalOut},
        parameters=[KEY],
    )
    def post(self, request: Request, pk: int) -> Response:
        visible_award(request.user, pk)
        data = _valid(s.AgreementIn, request)
        upload = data["file"]
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)

        def run():
            award = services.upload_signed_agreement(
                actor=request.user, award_id=pk, upload=upload, signed_on=data["signed_on"]
            )
            return status.HTTP_200_OK, s.AwardOut(
                selectors.with_balances(Award.objects.filter(pk=award.pk)).get()
            ).data

        # The file's digest is part of the request: one key never stores two different files.
        return idempotent(request, f"award:{pk}:agreement:{digest.hexdigest()}", run)


# --- the ledger ----------------------------------------------------------------------------------------


class ReverseEntryApi(APIView):
    """An officer's correction of one ledger entry: a new entry with the opposite amount."""

    @extend_schema(
        request=s.ReverseIn, responses={201: s.LedgerEntryOut, 400: s.AwardRefusalOut}, parameters=[KEY]
    )
    def post(self, request: Request, pk: int) -> Response:
        award_id = LedgerEntry.objects.filter(pk=pk).values_list("award_id", flat=True).first()
        if award_id is None:
            raise NotFound
        visible_award(request.user, award_id)
        data = _valid(s.ReverseIn, request)

        def run():
            reversal = services.reverse_entry(actor=request.user, entry_id=pk, reason=data["reason"])
            return status.HTTP_201_CREATED, s.LedgerEntryOut(reversal).data

        return idempotent(request, f"ledger:{pk}:reverse", run)


# --- objections to a stop ----------------------------------------------------------------------------


class StopObjectionListFileApi(APIView):
    @extend_schema(responses=s.StopObjectionOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        award = visible_award(request.user, pk)
        rows = StopObjection.objects.filter(award=award).select_related("grade")
        return Response(s.StopObjectionOut(rows, many=True).data)

    @extend_schema(
        request=s.StopObjectionIn,
        responses={201: s.StopObjectionOut, 400: s.AwardRefusalOut},
        parameters=[KEY],
    )
    def post(self, request: Request, pk: int) -> Response:
        visible_award(request.user, pk)
        data = _valid(s.StopObjectionIn, request)

        def run():
            objection = services.file_stop_objection(actor=request.user, award_id=pk, text=data["text"])
            return status.HTTP_201_CREATED, s.StopObjectionOut(objection).data

        return idempotent(request, f"award:{pk}:objection", run)


class StopObjectionDecideApi(APIView):
    @extend_schema(
        request=s.StopObjectionDecideIn,
        responses={200: s.StopObjectionOut, 400: s.AwardRefusalOut},
        parameters=[KEY],
    )
    def post(self, request: Request, pk: int) -> Response:
        award_id = StopObjection.objects.filter(pk=pk).values_list("award_id", flat=True).first()
        if award_id is None:
            raise NotFound
        visible_award(request.user, award_id)
        data = _valid(s.StopObjectionDecideIn, request)

        def run():
            objection = services.decide_stop_objection(actor=request.user, objection_id=pk, **data)
            return status.HTTP_200_OK, s.StopObjectionOut(StopObjection.objects.get(pk=objection.pk)).data

        return idempotent(request, f"objection:{pk}:decide", run)
