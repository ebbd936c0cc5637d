import datetime as dt
import logging

from django.conf import settings
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from programs import selectors
from programs.models import Call, WorkerHeartbeat

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    calls = list(selectors.open_calls()[:5])
    return render(request, "programs/home.html", {"calls": calls, "now": timezone.now()})


def open_calls(request: HttpRequest) -> HttpResponse:
    rows = [(call, selectors.eligible_provinces(call)) for call in selectors.open_calls()]
    upcoming = selectors.calls_with_rules().filter(opens_at__gt=timezone.now()).order_by("opens_at")
    return render(
        request,
        "programs/open_calls.html",
        {"rows": rows, "upcoming": [(c, selectors.eligible_provinces(c)) for c in upcoming]},
    )


def call_guideline(request: HttpRequest, pk: int) -> FileResponse:
    """Guidelines are public announcements: anyone may download them."""
    call = get_object_or_404(Call, pk=pk)
    if not call.guideline:
        raise Http404
    return FileResponse(
        call.guideline.open("rb"),
        as_attachment=True,
        filename=f"{call.title}.pdf",
        content_type="application/pdf",
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for docker-compose: 503 if the database does not answer; "degraded" (still 200,
    the web works) when no worker has recorded a heartbeat within WORKER_STALE_SECONDS.

    Public, so it names no exception, host or version: failures go to the log only.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        beat = WorkerHeartbeat.objects.filter(name="worker").first()
    except Exception:  # any database failure (down, unmigrated) means unhealthy
        logger.exception("healthz: the database does not answer")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    stale_before = timezone.now() - dt.timedelta(seconds=settings.WORKER_STALE_SECONDS)
    if beat is None:
        worker = "never seen"
    elif beat.last_seen_at < stale_before:
        worker = "stale"
    else:
        worker = "ok"
    return JsonResponse(
        {
            "status": "ok" if worker == "ok" else "degraded",
            "database": connection.vendor,
            "worker": worker,
            "worker_last_seen": beat.last_seen_at.isoformat() if beat else None,
        }
    )
