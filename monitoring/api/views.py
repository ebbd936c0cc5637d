"""Thin views: find what the user may see (404 otherwise), call a service, serialise."""

from __future__ import annotations

from celery.result import AsyncResult
from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from awards.models import Award
from config.inputs import is_ascii_digits
from monitoring import selectors, services
from monitoring.api import serializers as s
from monitoring.models import KpiReport, KpiRollup, Milestone
from monitoring.permissions import can_view_monitoring, visible_program_ids
from programs.permissions import is_officer


def _is_id(value: str) -> bool:
    return is_ascii_digits(value) and len(value) <= 18


def _milestone(user, pk: int) -> Milestone:
    milestone = Milestone.objects.select_related("award").filter(pk=pk).first()
    if milestone is None or not can_view_monitoring(user, milestone.award):
        raise NotFound
    return milestone


def _report(user, pk: int) -> KpiReport:
    report = KpiReport.objects.select_related("award").filter(pk=pk).first()
    if report is None or not can_view_monitoring(user, report.award):
        raise NotFound
    return report


class MilestoneListApi(generics.ListAPIView):
    serializer_class = s.AwardMilestoneOut

    def get_queryset(self):
        qs = selectors.milestones_visible_to(self.request.user)
        if (award := self.request.query_params.get("award", "")) and _is_id(award):
            qs = qs.filter(award_id=int(award))
        if state := self.request.query_params.get("state"):
            qs = qs.filter(state=state)
        return qs


class MilestoneDetailApi(APIView):
    @extend_schema(responses=s.AwardMilestoneOut)
    def get(self, request: Request, pk: int) -> Response:
        milestone = _milestone(request.user, pk)
        data = s.AwardMilestoneOut(milestone).data
        data["submissions"] = s.SubmissionOut(milestone.submissions.all()[:50], many=True).data
        data["timeline"] = selectors.milestone_timeline(milestone_id=pk)
        return Response(data)


class SubmitMilestoneApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=s.SubmitIn, responses=s.AwardMilestoneOut)
    def post(self, request: Request, pk: int) -> Response:
        _milestone(request.user, pk)
        body = s.SubmitIn(data=request.data)
        body.is_valid(raise_exception=True)
        services.submit_milestone(
            actor=request.user,
            milestone_id=pk,
            upload=body.validated_data["file"],
            note=body.validated_data["note"],
        )
        return Response(s.AwardMilestoneOut(Milestone.objects.get(pk=pk)).data)


class DecideMilestoneApi(APIView):
    step = "accept"

    @extend_schema(request=s.MonitoringReasonIn, responses=s.AwardMilestoneOut)
    def post(self, request: Request, pk: int) -> Response:
        _milestone(request.user, pk)
        if self.step == "accept":
            services.accept_milestone(actor=request.user, milestone_id=pk)
        else:
            body = s.MonitoringReasonIn(data=request.data)
            body.is_valid(raise_exception=True)
            services.return_milestone(
                actor=request.user, milestone_id=pk, reason=body.validated_data["reason"]
            )
        return Response(s.AwardMilestoneOut(Milestone.objects.get(pk=pk)).data)


class KpiReportListCreateApi(generics.ListAPIView):
    serializer_class = s.KpiReportOut
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        qs = selectors.kpi_reports_visible_to(self.request.user)
        if (award := self.request.query_params.get("award", "")) and _is_id(award):
            qs = qs.filter(award_id=int(award))
        if state := self.request.query_params.get("state"):
            qs = qs.filter(state=state)
        return qs

    @extend_schema(request=s.KpiReportIn, responses={201: s.KpiReportOut})
    def post(self, request: Request) -> Response:
        body = s.KpiReportIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        award = Award.objects.filter(pk=data["award"]).first()
        if award is None or not can_view_monitoring(request.user, award):
            raise NotFound
        report = services.report_kpi(
            actor=request.user,
            award_id=award.pk,
            indicator=data["indicator"],
            year=data["year"],
            value=data["value"],
            note=data["note"],
            evidence=data.get("evidence"),
        )
        return Response(s.KpiReportOut(report).data, status=201)


class DecideKpiReportApi(APIView):
    step = "validate"

    @extend_schema(request=s.MonitoringReasonIn, responses=s.KpiReportOut)
    def post(self, request: Request, pk: int) -> Response:
        _report(request.user, pk)
        if self.step == "validate":
            report = services.validate_kpi(actor=request.user, report_id=pk)
        else:
            body = s.MonitoringReasonIn(data=request.data)
            body.is_valid(raise_exception=True)
            report = services.return_kpi(
                actor=request.user, report_id=pk, reason=body.validated_data["reason"]
            )
        return Response(s.KpiReportOut(report).data)


class RollupListApi(APIView):
    """Officers' rollups (their programs'; administrators all), one level at a time."""

    @extend_schema(responses=s.RollupOut(many=True))
    def get(self, request: Request) -> Response:
        if not is_officer(request.user):
            raise PermissionDenied
        level = request.query_params.get("level", KpiRollup.Level.PROGRAM)
        if level not in KpiRollup.Level.values:
            raise NotFound
        rows = selectors.rollup_rows(
            program_ids=visible_program_ids(request.user),
            level=level,
            indicator=request.query_params.get("indicator") or None,
        )
        return Response(s.RollupOut(rows, many=True).data)


class RebuildRollupsApi(APIView):
    """Starts a full recomputation (officers); its progress is at /api/monitoring/tasks/<id>/."""

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        if not is_officer(request.user):
            raise PermissionDenied
        from monitoring.tasks import rebuild_kpi_rollups

        result = rebuild_kpi_rollups.delay()
        return Response({"task_id": result.id}, status=202)


class TaskProgressApi(APIView):
    """A long task's state from its own meta: PENDING, PROGRESS {current,total}, SUCCESS or FAILURE."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, task_id: str) -> Response:
        if not is_officer(request.user):
            raise PermissionDenied
        result = AsyncResult(task_id)
        state = result.state
        body = {"state": state}
        if state == "PROGRESS":
            body.update(result.info or {})
        elif state == "FAILURE":
            body["error"] = str(result.result)
        elif state == "SUCCESS":
            body["result"] = result.result
        return Response(body)
