"""The one error shape of the API: {"detail": message, "fields": {field: [messages]}}.

Services raise DomainError subclasses; page views feed `fields` to form.add_error().
"""

import logging

from django.conf import settings
from django.core.exceptions import (
    ObjectDoesNotExist,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from config.josa import josa

logger = logging.getLogger("django.request")


class DomainError(Exception):
    """A rule of the domain was broken; the message and field messages are for the user."""

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None):
        # Korean messages carry both particle forms ("%(org)s이(가)"): pick the one the word takes.
        message = josa(str(message))
        super().__init__(message)
        self.message = message
        self.fields = {k: [josa(str(m)) for m in v] for k, v in (fields or {}).items()}


def fields_from_django(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if k == "__all__" else k): [str(m) for e in v for m in e.messages]
            for k, v in error.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in error.messages]}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested serializer errors -> {"a.b.0.c": [msg]} so every 400 has one shape."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list):
        if all(not isinstance(v, dict | list) for v in detail):
            out[prefix or "non_field_errors"] = [str(v) for v in detail]
        else:
            for i, value in enumerate(detail):
                if value:
                    out.update(_flatten(value, f"{prefix}.{i}" if prefix else str(i)))
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        body = {"detail": exc.message, "fields": exc.fields}
        # A refusal by the call's rules also lists each failure with its rule code (as /check/ does).
        if (failures := getattr(exc, "failures", None)) is not None:
            body["failures"] = [f.as_dict() for f in failures]
        return Response(body, status=400)
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": _("Invalid input."), "fields": fields_from_django(exc)}, status=400)
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            {"detail": _("Invalid input."), "fields": _flatten(exc.detail)},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, OverflowError | DataError):
        # A number beyond the database's integer range that a bound did not catch first: a bound
        # is missing somewhere, so say where in the log.
        logger.warning("Out-of-range value reached the database", exc_info=exc)
        return Response({"detail": _("A number is out of range."), "fields": {}}, status=400)
    if isinstance(exc, RequestDataTooBig):
        limit = {"mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20}
        return Response(
            {"detail": _("The request body is larger than %(mb)d MB.") % limit, "fields": {}}, status=400
        )
    if isinstance(exc, TooManyFieldsSent):
        return Response({"detail": _("The request is too large."), "fields": {}}, status=400)
    if isinstance(exc, SuspiciousOperation):
        return Response({"detail": _("Bad request."), "fields": {}}, status=400)
    if isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        # Anything else is our bug: logged with its traceback, answered in the one shape, no details.
        request = context.get("request")
        logger.error("Internal Server Error: %s", getattr(request, "path", "?"), exc_info=exc)
        return Response({"detail": _("Server error."), "fields": {}}, status=500)
    if isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"]), "fields": {}}
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request_response(request: HttpRequest, message: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": message, "fields": {}}, status=400)
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: errors outside DRF's views (middleware, URL resolution) in the API's shape too."""
    if _is_api(request):
        return JsonResponse({"detail": _("Server error."), "fields": {}}, status=500)
    return defaults.server_error(request)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: an API path no route matches (e.g. a negative id) answers in the one shape too."""
    if _is_api(request):
        return JsonResponse({"detail": _("Not found."), "fields": {}}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400 (SuspiciousOperation, a body over DATA_UPLOAD_MAX_MEMORY_SIZE) for the API."""
    if _is_api(request):
        return JsonResponse({"detail": _("Bad request."), "fields": {}}, status=400)
    return defaults.bad_request(request, exception)
