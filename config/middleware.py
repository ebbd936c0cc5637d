from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


class KoreanFirstMiddleware:
    """The UI speaks Korean unless the user picks English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; ministry users on
    English-language browsers still expect Korean, so only the switch's cookie decides.
    API clients keep Accept-Language: a program asking for English messages gets them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RejectNulMiddleware:
    """A NUL character in the query string or path is a 400 before any view reads it.

    PostgreSQL cannot store or compare text holding NUL: a search for "%00" would be a 500.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query or "\x00" in request.path_info:
            from config.errors import bad_request_response

            return bad_request_response(request, _("The address must not contain NUL characters."))
        return self.get_response(request)
