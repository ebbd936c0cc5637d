"""The API schema tells the truth: every operation declares the errors it can answer with.

Every 4xx has the one error shape ({"detail", "code", "fields"}, config/errors.py). Authentication is
required everywhere (401), permissions may refuse (403), a path naming a row may not find it or
hide it (404), and input or query parameters may be refused (400).
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorOut(serializers.Serializer):
    detail = serializers.CharField(help_text="For people: what was refused and why, in their language.")
    code = serializers.CharField(
        help_text=(
            "For programs: the refusal's stable code. A broken domain rule names its area and rule "
            "(application.rules_broken, call.rules_locked, disbursement.invalid_amount, "
            "ledger.already_reversed, score.refused, assignment.conflict_of_interest …; refusals by "
            "the call's or an award's rules list each rule under `failures`). Others: invalid "
            "(field messages under `fields`), out_of_range, too_large, bad_request, "
            "not_authenticated, authentication_failed, permission_denied, not_found, "
            "method_not_allowed, not_acceptable, unsupported_media_type, throttled, parse_error, "
            "server_error. A code never changes meaning; a new rule gets a new code."
        )
    )
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


ERRORS = {
    400: OpenApiResponse(ErrorOut, description="Invalid input or a broken rule: detail and messages."),
    401: OpenApiResponse(ErrorOut, description="Not authenticated."),
    403: OpenApiResponse(ErrorOut, description="Not allowed."),
    404: OpenApiResponse(ErrorOut, description="Not found (or not visible to this user)."),
}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction: str = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        wanted = [401, 403]
        if self.method in ("POST", "PUT", "PATCH", "DELETE") or self._get_filter_parameters():
            wanted.append(400)
        if "{" in self.path:
            wanted += [400, 404]  # a malformed or unknown code or id in the path
        for code in wanted:
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    ERRORS[code], str(code), direction=direction
                )
        return dict(sorted(responses.items()))
