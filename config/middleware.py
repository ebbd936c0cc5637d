from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


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
