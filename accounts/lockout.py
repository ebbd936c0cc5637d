"""What a locked-out login sees (django-axes' AXES_LOCKOUT_CALLABLE)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials
) -> HttpResponse:  # noqa: E501
    """The login page's lockout notice, a 429 with Retry-After, in the user's language."""
    cooloff = settings.AXES_COOLOFF_TIME
    response = render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": int(cooloff.total_seconds() // 60)},
        status=429,
    )
    response["Retry-After"] = str(int(cooloff.total_seconds()))
    return response
