"""The Content-Security-Policy per part of the site (django-csp).

The portal, the public pages and the API carry the strict policy of settings.CONTENT_SECURITY_POLICY:
scripts and styles from this origin only, nothing inline. The admin (django-unfold, officers'
and reviewers' back office, staff only behind login) renders its theme colours as an inline
style and drives its components with Alpine.js, which evaluates expressions written in
attributes; under /admin/ alone the policy therefore also allows inline code and eval. It
still allows nothing from another origin and no framing.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase

ADMIN_PREFIX = "/admin/"
ADMIN_DIRECTIVES = {
    "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
    "style-src": ["'self'", "'unsafe-inline'"],
}


class SiteCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(ADMIN_PREFIX):
            parts.replace = {**ADMIN_DIRECTIVES, **(parts.replace or {})}
        return parts
