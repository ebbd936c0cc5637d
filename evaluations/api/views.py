"""Thin views: find what the user may see (404 otherwise), call a service, serialise.

Officers reach panels of their programs; reviewers only their own reachable assignments
(pledged, not conflicted); applicants only their own results. Guessed ids give 404.
"""

from __future__ import annotations

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.inputs import is_ascii_digits
from consortia.api.serializers import ApplicationDetailOut
from evaluations import selectors, services
from evaluations.api import serializers as s
from evaluations.models import Assignment, Objection, Panel, PanelMember, Result
from programs.models import Call, Region


def _panel(user, pk: int) -> Panel:
    panel = selectors.panels_for(user).filter(pk=pk).first() if user.is_authenticated else None
    if panel is None:
        raise NotFound
    return panel


class PanelListCreateApi(APIView):
    @extend_schema(responses=s.PanelOut(many=True))
    def get(self, request: Request) -> Response:
        return Response(s.PanelOut(selectors.panels_for(request.user).order_by("pk"), many=True).data)

    @extend_schema(request=s.PanelIn, responses={201: s.PanelOut})
    def post(self, request: Request) -> Response:
        data = s.PanelIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        call = Call.objects.filter(pk=v.pop("call"), program__officers=request.user).first()
        if call is None:
            raise NotFound
        track = call.tracks.filter(code=v.pop("track")).first()
        if track is None:
            raise NotFound
        region_code = v.pop("region", None)
        region = None
        if region_code:
            region = Region.objects.filter(scheme=call.region_scheme_id, code=region_code).first()
            if region is None:
                raise NotFound
        if v.get("cutoff_score") is None:
            v.pop("cutoff_score", None)
        panel = services.create_panel(actor=request.user, call=call, track=track, region=region, **v)
        return Response(s.PanelOut(_panel(request.user, panel.pk)).data, status=status.HTTP_201_CREATED)


class PanelDetailApi(APIView):
    @extend_schema(responses=s.PanelOut)
    def get(self, request: Request, pk: int) -> Response:
        panel = _panel(request.user, pk)
        return Response({**s.PanelOut(panel).data, "progress": selectors.panel_progress(panel)})


class PanelMembersApi(APIView):
    @extend_schema(request=s.PanelMemberIn, responses={201: None})
    def post(self, request: Request, pk: int) -> Response:
        panel = _panel(request.user, pk)
        data = s.PanelMemberIn(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.add_panel_member(
            actor=request.user,
            panel_id=panel.pk,
            reviewer_id=data.validated_data["reviewer"],
            is_chair=data.validated_data["is_chair"],
        )
        return Response(
            {"reviewer": member.reviewer_id, "is_chair": member.is_chair}, status=status.HTTP_201_CREATED
        )


class PanelConflictsApi(APIView):
    @extend_schema(responses=s.ConflictOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.ConflictOut(selectors.conflicts_for(_panel(request.user, pk)), many=True).data)


class PanelWaiversApi(APIView):
    @extend_schema(responses=s.WaiverOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.WaiverOut(_panel(request.user, pk).waivers.all(), many=True).data)

    @extend_schema(request=s.WaiverIn, responses={201: s.WaiverOut})
    def post(self, request: Request, pk: int) -> Response:
        panel = _panel(request.user, pk)
        data = s.WaiverIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        waiver = services.waive_conflict(
            actor=request.user,
            panel_id=panel.pk,
            application_id=v["application"],
            reviewer_id=v["reviewer"],
            reason=v["reason"],
        )
        return Response(s.WaiverOut(waiver).data, status=status.HTTP_201_CREATED)


class PanelAssignmentsApi(APIView):
    @extend_schema(responses=s.AssignmentOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        panel = _panel(request.user, pk)
        return Response(s.AssignmentOut(panel.assignments.order_by("pk"), many=True).data)

    @extend_schema(request=s.AssignmentIn, responses={201: s.AssignmentOut})
    def post(self, request: Request, pk: int) -> Response:
        panel = _panel(request.user, pk)
        data = s.AssignmentIn(data=request.data)
        data.is_valid(raise_exception=True)
        a = services.assign_reviewer(
            actor=request.user,
            panel_id=panel.pk,
            application_id=data.validated_data["application"],
            reviewer_id=data.validated_data["reviewer"],
        )
        return Response(s.AssignmentOut(a).data, status=status.HTTP_201_CREATED)


class WithdrawAssignmentApi(APIView):
    @extend_schema(request=s.ReasonIn, responses=s.AssignmentOut)
    def post(self, request: Request, pk: int) -> Response:
        a = Assignment.objects.filter(pk=pk, panel__in=selectors.panels_for(request.user)).first()
        if a is None:
            raise NotFound
        data = s.ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        a = services.unassign_reviewer(
            actor=request.user, assignment_id=a.pk, reason=data.validated_data["reason"]
        )
        return Response(s.AssignmentOut(a).data)


class PanelScoresApi(APIView):
    """Every score sheet of the panel, for its officers."""

    @extend_schema(responses=s.ScoreOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.ScoreOut(selectors.officer_scores(_panel(request.user, pk)), many=True).data)


class PanelResultsApi(APIView):
    @extend_schema(responses=s.ResultRowOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        panel = _panel(request.user, pk)
        results = selectors.panel_results(panel)
        proposed = selectors.proposed_selection(panel, results)
        confirmed = {e.application_id: e for e in panel.selection.all()}
        rows = []
        for r in results:
            row = s.result_row(r)
            entry = confirmed.get(r.application_id)
            row.update(
                proposed=r.application_id in proposed,
                selected=entry.selected if entry else None,
                reason=entry.reason if entry else "",
            )
            rows.append(row)
        return Response(rows)


class PanelSelectionApi(APIView):
    @extend_schema(request=s.SelectionIn, responses={200: None})
    def post(self, request: Request, pk: int) -> Response:
        panel = _panel(request.user, pk)
        data = s.SelectionIn(data=request.data)
        data.is_valid(raise_exception=True)
        reasons = {}
        for k, v in data.validated_data["reasons"].items():
            if not is_ascii_digits(str(k)) or len(str(k)) > 18:
                raise ValidationError({"reasons": [_("Reasons are keyed by application id.")]})
            reasons[int(k)] = v
        entries = services.confirm_selection(
            actor=request.user, panel_id=panel.pk, selected=data.validated_data["selected"], reasons=reasons
        )
        return Response(
            [
                {
                    "application": e.application_id,
                    "selected": e.selected,
                    "proposed": e.proposed,
                    "reason": e.reason,
                }
                for e in entries
            ]
        )


class ClosePanelApi(APIView):
    @extend_schema(request=None, responses=s.PanelOut)
    def post(self, request: Request, pk: int) -> Response:
        panel = services.close_panel(actor=request.user, panel_id=_panel(request.user, pk).pk)
        return Response(s.PanelOut(_panel(request.user, panel.pk)).data)


class NotifyResultsApi(APIView):
    @extend_schema(request=None, responses=s.ResultOut(many=True))
    def post(self, request: Request, pk: int) -> Response:
        results = services.notify_results(actor=request.user, panel_id=_panel(request.user, pk).pk)
        return Response(s.ResultOut(Result.objects.filter(pk__in=[r.pk for r in results]), many=True).data)


class AnswerObjectionApi(APIView):
    @extend_schema(request=s.AnswerIn, responses=s.ObjectionOut)
    def post(self, request: Request, pk: int) -> Response:
        objection = Objection.objects.filter(
            pk=pk, result__panel__in=selectors.panels_for(request.user)
        ).first()
        if objection is None:
            raise NotFound
        data = s.AnswerIn(data=request.data)
        data.is_valid(raise_exception=True)
        objection = services.answer_objection(
            actor=request.user, objection_id=objection.pk, **data.validated_data
        )
        return Response(s.ObjectionOut(objection).data)


class PanelObjectionsApi(APIView):
    @extend_schema(responses=s.ObjectionOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        panel = _panel(request.user, pk)
        return Response(s.ObjectionOut(Objection.objects.filter(result__panel=panel), many=True).data)


# --- the reviewer -------------------------------------------------------------------------------


def _review(user, pk: int) -> Assignment:
    a = selectors.reviewer_assignments(user).filter(pk=pk).first() if user.is_authenticated else None
    if a is None:
        raise NotFound
    return a


class PledgeApi(APIView):
    """The reviewer signs the panel's security and impartiality pledge (보안·공정 서약)."""

    @extend_schema(request=None, responses={200: None})
    def post(self, request: Request, pk: int) -> Response:
        seated = PanelMember.objects.filter(panel=pk, reviewer__user_id=request.user.pk)
        if not request.user.is_authenticated or not seated.exists():
            raise NotFound
        member = services.sign_pledge(actor=request.user, panel_id=pk)
        return Response({"panel": pk, "pledged_at": member.pledged_at})


class ReviewQueueApi(APIView):
    @extend_schema(operation_id="reviews_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise NotFound
        rows = selectors.reviewer_queue(request.user)
        return Response(
            [
                {
                    "id": a.pk,
                    "panel": a.panel_id,
                    "panel_name": a.panel.name,
                    "application": a.application_id,
                    "title": a.application.title,
                    "due": a.due,
                    "d_day": a.d_day,
                    "progress": a.progress,
                }
                for a in rows
            ]
        )


class ReviewApi(APIView):
    """The application beside the reviewer's own sheet; PUT saves a draft."""

    serializer_class = s.ScoreOut

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        a = _review(request.user, pk)
        sheet = selectors.review_sheet(a)
        score = sheet["score"]
        return Response(
            {
                "application": ApplicationDetailOut(sheet["application"], context={"request": request}).data,
                "budget": sheet["budget"],
                "criteria": s.CriterionOut(sheet["criteria"], many=True).data,
                "score": s.ScoreOut(score).data if score else None,
                "closes_at": a.panel.closes_at,
            }
        )

    @extend_schema(request=s.ScoreIn, responses=s.ScoreOut)
    def put(self, request: Request, pk: int) -> Response:
        a = _review(request.user, pk)
        data = s.ScoreIn(data=request.data)
        data.is_valid(raise_exception=True)
        score = services.save_score(actor=request.user, assignment_id=a.pk, **data.validated_data)
        return Response(s.ScoreOut(selectors.score_sheet(score.assignment_id)).data)


class SubmitReviewApi(APIView):
    @extend_schema(request=s.ScoreIn, responses=s.ScoreOut)
    def post(self, request: Request, pk: int) -> Response:
        a = _review(request.user, pk)
        data = s.ScoreIn(data=request.data)
        data.is_valid(raise_exception=True)
        score = services.save_score(
            actor=request.user, assignment_id=a.pk, submit=True, **data.validated_data
        )
        return Response(s.ScoreOut(selectors.score_sheet(score.assignment_id)).data)


class DeclareConflictApi(APIView):
    @extend_schema(request=s.DeclareIn, responses={204: None})
    def post(self, request: Request, pk: int) -> Response:
        a = _review(request.user, pk)
        data = s.DeclareIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.declare_conflict(
            actor=request.user, assignment_id=a.pk, reason=data.validated_data["reason"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReviewDocumentApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request: Request, pk: int, doc_id: int) -> FileResponse:
        a = _review(request.user, pk)
        document = a.application.documents.filter(pk=doc_id).first()
        if document is None:
            raise NotFound
        return FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.original_name,
            content_type=document.content_type,
        )


# --- the applicant ------------------------------------------------------------------------------


class MyResultsApi(APIView):
    @extend_schema(responses=s.ResultOut(many=True))
    def get(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise NotFound
        return Response(s.ResultOut(selectors.applicant_results(request.user), many=True).data)


class FileObjectionApi(APIView):
    @extend_schema(request=s.ObjectionIn, responses={201: s.ObjectionOut})
    def post(self, request: Request, pk: int) -> Response:
        result = (
            selectors.applicant_results(request.user).filter(pk=pk).first()
            if request.user.is_authenticated
            else None
        )
        if result is None:
            raise NotFound
        data = s.ObjectionIn(data=request.data)
        data.is_valid(raise_exception=True)
        objection = services.file_objection(
            actor=request.user, result_id=result.pk, text=data.validated_data["text"]
        )
        return Response(s.ObjectionOut(objection).data, status=status.HTTP_201_CREATED)


# --- assignment runs ----------------------------------------------------------------------------


def _run(user, pk: int):
    from evaluations.models import AssignmentRun

    run = (
        AssignmentRun.objects.filter(pk=pk, panel__in=selectors.panels_for(user)).first()
        if user.is_authenticated
        else None
    )
    if run is None:
        raise NotFound
    return run


class PanelAssignmentRunsApi(APIView):
    @extend_schema(responses=s.RunOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.RunOut(_panel(request.user, pk).assignment_runs.all(), many=True).data)

    @extend_schema(request=None, responses={202: s.RunOut})
    def post(self, request: Request, pk: int) -> Response:
        run = services.start_assignment_run(actor=request.user, panel_id=_panel(request.user, pk).pk)
        return Response(s.RunOut(_run(request.user, run.pk)).data, status=status.HTTP_202_ACCEPTED)


class AssignmentRunApi(APIView):
    """A run's progress, then its proposal (pairs with affinity) or its explanation."""

    @extend_schema(responses=s.RunOut)
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.RunOut(_run(request.user, pk)).data)


class ApplyAssignmentRunApi(APIView):
    @extend_schema(request=None, responses=s.RunOut)
    def post(self, request: Request, pk: int) -> Response:
        services.apply_assignment_run(actor=request.user, run_id=_run(request.user, pk).pk)
        return Response(s.RunOut(_run(request.user, pk)).data)


class CancelAssignmentRunApi(APIView):
    @extend_schema(request=None, responses=s.RunOut)
    def post(self, request: Request, pk: int) -> Response:
        services.cancel_assignment_run(actor=request.user, run_id=_run(request.user, pk).pk)
        return Response(s.RunOut(_run(request.user, pk)).data)
