import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import DomainError
from programs import selectors, services
from programs.api.serializers import (
    CallIO,
    GuidelineIn,
    ProgramOut,
    ProvinceOut,
    RegionSchemeOut,
)
from programs.models import Call, Program, Province


class ProgramListApi(generics.ListAPIView):
    serializer_class = ProgramOut
    queryset = Program.objects.order_by("name")


class CallFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Call.Status.choices, method="filter_status")
    program = filters.CharFilter(field_name="program__code", help_text="Program code")
    year = filters.NumberFilter()

    class Meta:
        model = Call
        fields = ["program", "year", "stage"]

    def filter_status(self, queryset, name, value):
        return queryset.with_status_at(value, timezone.now())


class CallListCreateApi(generics.ListCreateAPIView):
    serializer_class = CallIO
    filterset_class = CallFilter

    def get_queryset(self):
        return selectors.calls_with_rules().order_by("-opens_at", "pk")

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        program = data.pop("program")
        call = services.create_call(actor=request.user, program=program, **data)
        out = CallIO(selectors.calls_with_rules().get(pk=call.pk))
        return Response(out.data, status=status.HTTP_201_CREATED)


class CallDetailApi(generics.RetrieveAPIView):
    """One call by its code. PATCH changes it; tracks are matched by their code and updated in place."""

    serializer_class = CallIO
    lookup_field = "code"

    def get_queryset(self):
        return selectors.calls_with_rules()

    def patch(self, request: Request, code: str) -> Response:
        call = get_object_or_404(Call, code=code)
        serializer = CallIO(call, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.update_call(actor=request.user, call_id=call.pk, changes=dict(serializer.validated_data))
        return Response(CallIO(selectors.calls_with_rules().get(pk=call.pk)).data)


class CallGuidelineApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": GuidelineIn}, responses=CallIO)
    def put(self, request: Request, code: str) -> Response:
        call = get_object_or_404(Call, code=code)
        serializer = GuidelineIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.attach_guideline(
            actor=request.user, call_id=call.pk, upload=serializer.validated_data["guideline"]
        )
        return Response(CallIO(selectors.calls_with_rules().get(pk=call.pk)).data)


class ProvinceListApi(generics.ListAPIView):
    """Provinces in force on `on` (YYYY-MM-DD, Asia/Seoul; default today), or all with `all=1`."""

    serializer_class = ProvinceOut

    @extend_schema(
        parameters=[
            OpenApiParameter("on", str, description="Date, YYYY-MM-DD"),
            OpenApiParameter("all", bool, description="Every row, ended ones too"),
        ]
    )
    def get(self, request, *args, **kwargs):
        params = request.query_params
        errors = {k: [_("Unknown query parameter.")] for k in set(params) - {"on", "all", "page", "format"}}
        if params.get("all", "0") not in ("0", "1", "true", "false"):
            errors["all"] = [_("Use 1 or 0.")]
        if errors:
            raise DomainError(_("Invalid query parameters."), fields=errors)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        qs = Province.objects.prefetch_related("successors").order_by("code", "effective_from")
        if self.request.query_params.get("all") in ("1", "true"):
            return qs
        return qs.in_force_on(_date_param(self.request))


class ProvinceSuccessorsApi(APIView):
    """What a province became, as of `on` (default today)."""

    @extend_schema(responses=ProvinceOut(many=True), parameters=[OpenApiParameter("on", str)])
    def get(self, request: Request, code: str) -> Response:
        # The row of that code in force on `on`, else its latest (an ended province).
        province = selectors.province_by_code(code, on=_date_param(request))
        if province is None:
            raise NotFound
        found = selectors.province_successors(province=province, on=_date_param(request))
        return Response(ProvinceOut(found, many=True).data)


class RegionSchemeListApi(generics.ListAPIView):
    serializer_class = RegionSchemeOut

    def get_queryset(self):
        return selectors.region_schemes()


def _date_param(request: Request) -> dt.date:
    raw = request.query_params.get("on")
    if not raw:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise DomainError(_("Invalid date."), fields={"on": [_("Use YYYY-MM-DD.")]}) from None
