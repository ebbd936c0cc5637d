"""Thin views: fetch what the user may see (404 otherwise), call a service, serialise.

An object the user may not see is a 404 whether it exists or not, so guessed ids learn
nothing; an object the user may see but not change is the service's 403.
"""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.idempotency import idempotent_create, schema_parameter
from consortia import permissions, selectors, services
from consortia.api.serializers import (
    ApplicationBasicsIn,
    ApplicationDetailOut,
    ApplicationIn,
    ApplicationListOut,
    BudgetIn,
    CheckOut,
    ConsortiumIn,
    ConsortiumOut,
    DecideIn,
    DocumentIn,
    DocumentOut,
    EventOut,
    KpiTargetsIn,
    MemberIn,
    MemberOut,
    MilestonesIn,
    OrganisationIn,
    OrganisationOut,
    PeopleIn,
    RefusalOut,
    WithdrawIn,
)
from consortia.choices import OrganisationType
from consortia.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Consortium,
    ConsortiumMember,
    Organisation,
)
from consortia.rules import check_application

IDEMPOTENCY_KEY = schema_parameter()

# --- lookups: 404 for what the user may not see ------------------------------------------------


def _visible_consortium(user, pk: int) -> Consortium:
    consortium = Consortium.objects.select_related("representative__province").filter(pk=pk).first()
    if consortium is None or not permissions.can_view_consortium(user, consortium):
        raise NotFound
    return consortium


def _visible_application(user, pk: int) -> Application:
    application = Application.objects.select_related("call").filter(pk=pk).first()
    if application is None or not permissions.can_view_application(user, application):
        raise NotFound
    return application


def _visible_document(user, pk: int, doc_id: int) -> ApplicationDocument:
    application = _visible_application(user, pk)
    document = ApplicationDocument.objects.filter(pk=doc_id, application=application).first()
    if document is None:
        raise NotFound
    return document


def _detail_response(request: Request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    application = selectors.application_detail(pk)
    totals = selectors.budget_totals_by_year([pk]).get(pk, {})
    out = ApplicationDetailOut(application, context={"request": request, "totals": totals})
    return Response(out.data, status=code)


# --- organisations ----------------------------------------------------------------------------


class OrganisationFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label="Name, English name or business number")
    type = filters.ChoiceFilter(choices=OrganisationType.choices)

    class Meta:
        model = Organisation
        fields = ["type"]

    def filter_q(self, queryset, name, value):
        return selectors.organisation_search(value, queryset=queryset)


class OrganisationListCreateApi(generics.ListCreateAPIView):
    """Without `q` or `type`: the organisations the user is staff of. With them: a search of every
    organisation (to add members)."""

    serializer_class = OrganisationOut
    filterset_class = OrganisationFilter

    def get_queryset(self):
        qs = Organisation.objects.select_related("province").order_by("name", "id")
        if getattr(self, "swagger_fake_view", False):
            return qs.none()
        params = self.request.query_params
        if not (params.get("q") or params.get("type")):
            qs = qs.filter(staff=self.request.user)
        return qs

    @extend_schema(request=OrganisationIn, responses={201: OrganisationOut}, parameters=[IDEMPOTENCY_KEY])
    @idempotent_create
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = OrganisationIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        org = services.create_organisation(actor=request.user, **serializer.validated_data)
        org = Organisation.objects.select_related("province").get(pk=org.pk)
        return Response(OrganisationOut(org).data, status=status.HTTP_201_CREATED)


# --- consortia -------------------------------------------------------------------------------


class ConsortiumListCreateApi(generics.ListCreateAPIView):
    """The consortia the user is a contact of."""

    serializer_class = ConsortiumOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Consortium.objects.none()
        return selectors.consortia_for(self.request.user)

    @extend_schema(request=ConsortiumIn, responses={201: ConsortiumOut}, parameters=[IDEMPOTENCY_KEY])
    @idempotent_create
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = ConsortiumIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        consortium = services.create_consortium(actor=request.user, **serializer.validated_data)
        consortium = selectors.consortia_for(request.user).get(pk=consortium.pk)
        return Response(ConsortiumOut(consortium).data, status=status.HTTP_201_CREATED)


class ConsortiumDetailApi(APIView):
    @extend_schema(responses=ConsortiumOut)
    def get(self, request: Request, pk: int) -> Response:
        consortium = _visible_consortium(request.user, pk)
        prefetch_related_objects(
            [consortium],
            Prefetch("members", queryset=ConsortiumMember.objects.select_related("organisation__province")),
        )
        return Response(ConsortiumOut(consortium).data)


class AddMemberApi(APIView):
    @extend_schema(request=MemberIn, responses={201: MemberOut}, parameters=[IDEMPOTENCY_KEY])
    @idempotent_create
    def post(self, request: Request, pk: int) -> Response:
        consortium = _visible_consortium(request.user, pk)
        serializer = MemberIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = services.add_member(
            actor=request.user, consortium_id=consortium.pk, **serializer.validated_data
        )
        member = ConsortiumMember.objects.select_related("organisation__province").get(pk=member.pk)
        return Response(MemberOut(member).data, status=status.HTTP_201_CREATED)


class RemoveMemberApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int, member_id: int) -> Response:
        consortium = _visible_consortium(request.user, pk)
        if not consortium.members.filter(pk=member_id).exists():
            raise NotFound
        services.remove_member(actor=request.user, member_id=member_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- applications ----------------------------------------------------------------------------


class ApplicationFilter(filters.FilterSet):
    call = filters.NumberFilter(field_name="call_id")
    track = filters.NumberFilter(field_name="track_id")
    state = filters.ChoiceFilter(choices=Application.State.choices)

    class Meta:
        model = Application
        fields = ["call", "track", "state"]


class ApplicationListCreateApi(generics.ListCreateAPIView):
    """Applications of the user's consortia, or of their programs' calls (officers)."""

    serializer_class = ApplicationListOut
    filterset_class = ApplicationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        return selectors.applications_for(self.request.user)

    @extend_schema(request=ApplicationIn, responses={201: ApplicationDetailOut}, parameters=[IDEMPOTENCY_KEY])
    @idempotent_create
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = ApplicationIn(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        consortium = data.pop("consortium")
        application = services.create_application(actor=request.user, consortium_id=consortium.pk, **data)
        return _detail_response(request, application.pk, status.HTTP_201_CREATED)


class ApplicationDetailApi(APIView):
    @extend_schema(responses=ApplicationDetailOut)
    def get(self, request: Request, pk: int) -> Response:
        _visible_application(request.user, pk)
        return _detail_response(request, pk)

    @extend_schema(request=ApplicationBasicsIn, responses=ApplicationDetailOut)
    def patch(self, request: Request, pk: int) -> Response:
        _visible_application(request.user, pk)
        serializer = ApplicationBasicsIn(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.update_application(actor=request.user, application_id=pk, **serializer.validated_data)
        return _detail_response(request, pk)


class _RowsApi(APIView):
    """PUT {"rows": [...]}: replaces one part of a draft through its service."""

    serializer_class: type = BudgetIn
    service = staticmethod(services.set_budget)

    def put(self, request: Request, pk: int) -> Response:
        _visible_application(request.user, pk)
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = [dict(row) for row in serializer.validated_data["rows"]]
        self.service(actor=request.user, application_id=pk, rows=rows)
        return _detail_response(request, pk)


@extend_schema(request=BudgetIn, responses=ApplicationDetailOut)
class SetBudgetApi(_RowsApi):
    serializer_class = BudgetIn
    service = staticmethod(services.set_budget)


@extend_schema(request=KpiTargetsIn, responses=ApplicationDetailOut)
class SetKpiTargetsApi(_RowsApi):
    serializer_class = KpiTargetsIn
    service = staticmethod(services.set_kpi_targets)


@extend_schema(request=MilestonesIn, responses=ApplicationDetailOut)
class SetMilestonesApi(_RowsApi):
    serializer_class = MilestonesIn
    service = staticmethod(services.set_milestones)


@extend_schema(request=PeopleIn, responses=ApplicationDetailOut)
class SetPeopleApi(_RowsApi):
    serializer_class = PeopleIn
    service = staticmethod(services.set_people)


class UploadDocumentApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": DocumentIn}, responses={201: DocumentOut})
    def post(self, request: Request, pk: int) -> Response:
        _visible_application(request.user, pk)
        serializer = DocumentIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = services.upload_document(
            actor=request.user,
            application_id=pk,
            kind=serializer.validated_data["kind"],
            upload=serializer.validated_data["file"],
        )
        return Response(DocumentOut(document).data, status=status.HTTP_201_CREATED)


class DownloadDocumentApi(APIView):
    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, pk: int, doc_id: int) -> FileResponse:
        document = _visible_document(request.user, pk, doc_id)
        return FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.original_name,
            content_type=document.content_type,
        )


class DeleteDocumentApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int, doc_id: int) -> Response:
        document = _visible_document(request.user, pk, doc_id)
        services.delete_document(actor=request.user, document_id=document.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CheckApplicationApi(APIView):
    """Every rule of the call the application breaks now (what submit would refuse)."""

    @extend_schema(responses=CheckOut)
    def get(self, request: Request, pk: int) -> Response:
        _visible_application(request.user, pk)
        application = Application.objects.select_related("track", "consortium__representative").get(pk=pk)
        failures = check_application(application)
        return Response(CheckOut({"ok": not failures, "failures": [f.as_dict() for f in failures]}).data)


class SubmitApplicationApi(APIView):
    @extend_schema(request=None, responses={200: ApplicationDetailOut, 400: RefusalOut})
    def post(self, request: Request, pk: int) -> Response:
        _visible_application(request.user, pk)
        services.submit_application(actor=request.user, application_id=pk)
        return _detail_response(request, pk)


class WithdrawApplicationApi(APIView):
    @extend_schema(request=WithdrawIn, responses=ApplicationDetailOut)
    def post(self, request: Request, pk: int) -> Response:
        _visible_application(request.user, pk)
        serializer = WithdrawIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.withdraw_application(actor=request.user, application_id=pk, **serializer.validated_data)
        return _detail_response(request, pk)


class DecideApplicationApi(APIView):
    """An officer's step: start_screening, start_review, select or reject (the last two need a reason)."""

    @extend_schema(request=DecideIn, responses=ApplicationDetailOut)
    def post(self, request: Request, pk: int) -> Response:
        _visible_application(request.user, pk)
        serializer = DecideIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.decide_application(actor=request.user, application_id=pk, **serializer.validated_data)
        return _detail_response(request, pk)


class ApplicationEventsApi(generics.ListAPIView):
    """The timeline: each state change with who, when and why."""

    serializer_class = EventOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApplicationEvent.objects.none()
        application = _visible_application(self.request.user, self.kwargs["pk"])
        return ApplicationEvent.objects.filter(application=application).select_related("actor")
