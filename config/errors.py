"""The one error shape of the API: {"detail": message, "fields": {field: [messages]}}.

Services raise DomainError subclasses; page views feed `fields` to form.add_error().
"""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class DomainError(Exception):
    """A rule of the domain was broken; the message and field messages are for the user."""

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message, self.fields = message, fields or {}


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
    if isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"]), "fields": {}}
    return response
