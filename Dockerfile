# syntax=docker/dockerfile:1
#
# Megaproject image: one image for the web (gunicorn), worker and beat services of
# docker-compose.yml; each service picks its process with `command:`.
#
#   docker build -t megaproject .
#   docker run --rm -e SECRET_KEY=... -e DATABASE_URL=... -e REDIS_URL=... -p 8000:8000 megaproject

# --- build stage: dependencies, compiled translations, collected static files -------------
FROM python:3.11-slim AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# msgfmt for compilemessages (Korean is the default UI language); not needed at runtime.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so this layer is reused until the
# dependency list changes (with no package directories copied yet the wheel is empty).
COPY pyproject.toml ./
RUN pip install . && rm -rf build *.egg-info

# Then the project itself (no dev extra).
COPY . .
RUN pip install --no-deps . && rm -rf build *.egg-info

# Build-time only: production settings refuse to load without SECRET_KEY, so a dummy is
# passed to these commands and never stored in the image's environment. VAR_DIR points to
# a scratch directory so the embedded-broker folders settings create are not shipped.
ENV DJANGO_SETTINGS_MODULE=config.settings.production \
    STATIC_ROOT=/app/staticfiles \
    PYTHONPATH=/app
RUN export SECRET_KEY=build-time-dummy-not-used-at-runtime MEGAPROJECT_VAR_DIR=/tmp/build-var \
    && python manage.py compilemessages \
    && python manage.py collectstatic --noinput \
    && python -m compileall -q /app \
    && rm -rf /tmp/build-var

# --- runtime stage ----------------------------------------------------------------------
FROM python:3.11-slim

# PYTHONPATH=/app: import config/programs/... from the source tree, not from the copy
# `pip install .` put in site-packages, because settings locate templates/, static/ and
# locale/ relative to config/settings/base.py (BASE_DIR).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    STATIC_ROOT=/app/staticfiles \
    MEGAPROJECT_VAR_DIR=/app/var \
    MEDIA_ROOT=/app/var/media \
    EMAIL_FILE_PATH=/app/var/mail

# Award letters are rendered to PDF by WeasyPrint (Pango) in Korean (Noto CJK fonts).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app

COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app

# Code stays root-owned (read-only for the app user); only var/ is writable. Named volumes
# mounted on var/media and var/mail start with this ownership.
RUN mkdir -p /app/var/media /app/var/mail \
    && chown -R app:app /app/var

WORKDIR /app
USER app

EXPOSE 8000

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-"]
