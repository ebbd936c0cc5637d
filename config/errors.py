"""The one error shape of the API: {"detail": message, "code": stable code, "fields": {field: [messages]}}.

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
    """A rule of the domain was broken; the message and field messages are for the user.

    `code` is the refusal's stable code in the API (`{"code": …}`): each subclass names its own,
    a raise may name a finer one, and integrations key on it, never on the message.
    """

    code = "rule"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None, code: str | None = None):
        # Korean messages carry both particle forms ("%(org)s이(가)"): pick the one the word takes.
        message = josa(str(message))
        super().__init__(message)
        self.message = message
        self.fields = {k: [josa(str(m)) for m in v] for k, v in (fields or {}).items()}
        if code is not None:
            self.code = str(code)


# The codes of refusals that are not a domain rule (DRF's own codes for auth, 403, 404 …).
INVALID = "invalid"
OUT_OF_RANGE = "out_of_range"
TOO_LARGE = "too_large"
BAD_REQUEST = "bad_request"
SERVER_ERROR = "server_error"


def fields_from_django(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if k == "__all__" else k): [josa(str(m)) for e in v for m in e.messages]
            for k, v in error.error_dict.items()
        }
    return {"non_field_errors": [josa(str(m)) for m in error.messages]}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested serializer errors -> {"a.b.0.c": [msg]} so every 400 has one shape."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list):
        if all(not isinstance(v, dict | list) for v in detail):
            out[prefix or "non_field_errors"] = [josa(str(v)) for v in detail]
        else:
            for i, value in enumerate(detail):
                if value:
                    out.update(_flatten(value, f"{prefix}.{i}" if prefix else str(i)))
    else:
        out[prefix or "non_field_errors"] = [josa(str(detail))]
    return out


def _error(detail: str, code: str, fields: dict | None = None, status: int = 400) -> Response:
    return Response({"detail": detail, "code": code, "fields": fields or {}}, status=status)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        body = {"detail": exc.message, "code": exc.code, "fields": exc.fields}
        # A refusal by the call's rules also lists each failure with its rule code (as /check/ does).
        if (failures := getattr(exc, "failures", None)) is not None:
            body["failures"] = [f.as_dict() for f in failures]
        return Response(body, status=400)
    if isinstance(exc, DjangoValidationError):
        return Response(
            {"detail": _("Invalid input."), "code": INVALID, "fields": fields_from_django(exc)}, status=400
        )
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            {"detail": _("Invalid input."), "code": INVALID, "fields": _flatten(exc.detail)},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, OverflowError | DataError):
        # A number beyond the database's integer range that a bound did not catch first: a bound
        # is missing somewhere, so say where in the log.
        logger.warning("Out-of-range value reached the database", exc_info=exc)
        return _error(_("A number is out of range."), OUT_OF_RANGE)
    if isinstance(exc, RequestDataTooBig):
        limit = {"mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20}
        return _error(_("The request body is larger than %(mb)d MB.") % limit, TOO_LARGE)
    if isinstance(exc, TooManyFieldsSent):
        return _error(_("The request is too large."), TOO_LARGE)
    if isinstance(exc, SuspiciousOperation):
        return _error(_("Bad request."), BAD_REQUEST)
    if isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        # Anything else is our bug: logged with its traceback, answered in the one shape, no details.
        request = context.get("request")
        logger.error("Internal Server Error: %s", getattr(request, "path", "?"), exc_info=exc)
        return Response({"detail": _("Server error."), "code": SERVER_ERROR, "fields": {}}, status=500)
    if isinstance(response.data, dict) and "detail" in response.data:
        # DRF's own code: not_authenticated, authentication_failed, permission_denied, not_found,
        # method_not_allowed, not_acceptable, unsupported_media_type, throttled, parse_error.
        code = getattr(response.data["detail"], "code", None) or getattr(exc, "default_code", "error")
        response.data = {"detail": str(response.data["detail"]), "code": str(code), "fields": {}}
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request_response(request: HttpRequest, message: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": message, "code": BAD_REQUEST, "fields": {}}, status=400)
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: errors outside DRF's views (middleware, URL resolution) in the API's shape too."""
    if _is_api(request):
        return JsonResponse({"detail": _("Server error."), "code": SERVER_ERROR, "fields": {}}, status=500)
    return defaults.server_error(request)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: an API path no route matches (e.g. a negative id) answers in the one shape too."""
    if _is_api(request):
        return JsonResponse({"detail": _("Not found."), "code": "not_found", "fields": {}}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400 (SuspiciousOperation, a body over DATA_UPLOAD_MAX_MEMORY_SIZE) for the API."""
    if _is_api(request):
        return JsonResponse({"detail": _("Bad request."), "code": BAD_REQUEST, "fields": {}}, status=400)
    return defaults.bad_request(request, exception)
