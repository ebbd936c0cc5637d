"""Production: secrets from the environment, HTTPS enforced (HSTS, redirect, secure cookies).

Behind a TLS-terminating proxy the proxy must set `X-Forwarded-Proto: https` (and strip it
from clients); Django then sees the request as secure. Plain-http setups (docker compose on
localhost) turn the HTTPS settings off by env, as docker-compose.yml does. `manage.py check
--deploy` is clean with the defaults (tests/security/test_deployment.py).
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # no default: production must set it
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The container healthcheck asks http://localhost:8000/healthz without a proxy in front.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)  # one year; 0 turns HSTS off
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
