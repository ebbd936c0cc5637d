from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from knox import views as knox_views
from rest_framework import exceptions, serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import issue_api_token


class LoginLocked(exceptions.Throttled):
    default_detail = "Too many failed logins."


class ObtainTokenApi(APIView):
    """`POST /api/token/` with username and password: an expiring token for `Authorization: Token …`.

    Failures count towards django-axes' lockout like the login pages'.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=AuthTokenSerializer,
        responses=inline_serializer(
            "TokenOut", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        valid = serializer.is_valid()
        # axes marks the request when the account or the source is locked, even for a right password.
        if getattr(request, "axes_locked_out", False):
            locked = LoginLocked(
                detail=_("Too many failed logins: try again in %(minutes)d minutes.")
                % {"minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
            )
            # Retry-After says the seconds; the message already says the minutes (DRF would
            # append "available in 900 seconds" to it if `wait` were passed to the constructor).
            locked.wait = settings.AXES_COOLOFF_TIME.total_seconds()
            raise locked
        if not valid:
            raise exceptions.ValidationError(serializer.errors)
        token, expiry = issue_api_token(user=serializer.validated_data["user"])
        return Response({"token": token, "expiry": expiry})


@extend_schema(request=None, responses={204: None})
class RevokeTokenApi(knox_views.LogoutView):
    """`POST /api/token/logout/`: revokes the token that authenticates this request."""
