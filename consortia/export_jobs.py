"""Every xlsx export of the back office is one machinery: a job row, a worker, a progress page.

An officer's button calls `request_export(actor, kind, params)`: it checks the kind's permission and
its params' schema, records an `Export` and queues `consortia.tasks.build_export` after commit. The
worker (`build_export`) claims the row, runs the kind's builder into a temporary file (a
write-only workbook whose cells go through config.xlsx, so user text is never a formula), stores
it under MEDIA_ROOT/exports/<id>/ and marks the row DONE, or FAILED with the error for the page.
The officer's page (consortia.admin.ExportAdmin) polls the row and offers the file to whoever
asked for it (another user gets a 404).

A builder is `builder(export, path, progress) -> rows written`; it calls `progress(done, total)`
as it goes. It reads the officer's program scope from `export.requested_by` when it runs (the
scope the dashboards use, `officer_program_ids`), never from the params.

To add a kind: a value in `Export.Kind`, a builder in the app's exports.py, a `can_request`
predicate and an entry in KINDS.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from config.celery import enqueue_after_commit
from config.errors import DomainError
from consortia.models import Export
from programs.permissions import is_admin, is_officer

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Progress = Callable[..., None]  # progress(done: int, total: int | None = None)


class ExportRefused(DomainError):
    """The params of an export request do not fit its kind."""

    code = "export.refused"


@dataclass(frozen=True)
class ExportKind:
    builder: str  # dotted path of builder(export, path, progress) -> int
    can_request: str  # dotted path of can_request(user, params) -> bool
    filename: Callable[[Export], str]
    back_url: Callable[[Export], str]  # where the page's "back" link goes
    # The model whose section the progress page belongs to (the admin header's breadcrumb).
    section: str = "consortia.Application"
    # The params' schema: name -> type; a param may be absent or None.
    params: dict[str, type] = field(default_factory=dict)


def _dated(prefix: str) -> Callable[[Export], str]:
    return lambda export: f"{prefix}-{timezone.localdate(export.created_at):%Y%m%d}.xlsx"


KINDS: dict[str, ExportKind] = {
    Export.Kind.APPLICATIONS: ExportKind(
        builder="consortia.exports.build_applications",
        can_request="consortia.export_jobs.can_request_officer_export",
        filename=_dated("applications"),
        back_url=lambda e: reverse("admin:consortia_application_changelist"),
    ),
    Export.Kind.AWARDS_DASHBOARD: ExportKind(
        builder="awards.exports.build_dashboard",
        can_request="consortia.export_jobs.can_request_officer_export",
        filename=_dated("awards-dashboard"),
        back_url=lambda e: (
            reverse("admin:awards_dashboard")
            + (f"?call={e.params['call_id']}" if e.params.get("call_id") else "")
        ),
        section="awards.Award",
        params={"call_id": int},
    ),
    Export.Kind.MONITORING_DASHBOARD: ExportKind(
        builder="monitoring.exports.build_dashboard",
        can_request="consortia.export_jobs.can_request_officer_export",
        filename=_dated("monitoring"),
        back_url=lambda e: reverse("admin:monitoring_dashboard"),
        section="monitoring.Milestone",
    ),
    Export.Kind.PANEL_RESULTS: ExportKind(
        builder="evaluations.exports.build_panel_results",
        can_request="evaluations.permissions.can_export_panel_results",
        filename=lambda e: f"panel-{e.params['panel_id']}-results.xlsx",
        back_url=lambda e: reverse("admin:evaluations_panel_change", args=[e.params["panel_id"]]),
        section="evaluations.Panel",
        params={"panel_id": int},
    ),
}


# --- who may ask, who may see -----------------------------------------------------------------


def can_request_officer_export(user, params: dict) -> bool:
    """The list and the dashboards: any officer (the builder scopes the rows to their programs)."""
    return is_officer(user)


def can_request_export(user, kind: str, params: dict) -> bool:
    return kind in KINDS and import_string(KINDS[kind].can_request)(user, params)


def can_download_export(user, export: Export) -> bool:
    """Only the officer who asked for it, or an administrator."""
    return is_admin(user) or (user.is_authenticated and export.requested_by_id == user.pk)


def _clean_params(kind: ExportKind, params: dict) -> dict:
    """The schema check of params (JSON nothing else validates): known names, values of their type."""
    unknown = set(params) - set(kind.params)
    if unknown:
        raise ExportRefused(_("Unknown export filter: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    clean = {}
    for name, typ in kind.params.items():
        value = params.get(name)
        if value is None:
            continue
        if type(value) is not typ:  # bool is an int subclass: not an id
            raise ExportRefused(_("Invalid export filter: %(name)s.") % {"name": name})
        clean[name] = value
    return clean


# --- the request: a row and a queued task -----------------------------------------------------


def request_export(
    *, actor, kind: str, params: dict | None = None, application_ids: list[int] | None = None
) -> Export:
    """Records an export of `kind` for `actor` and queues its worker after commit."""
    if kind not in KINDS:
        raise ExportRefused(_("Unknown export."))
    clean = _clean_params(KINDS[kind], params or {})
    if not can_request_export(actor, kind, clean):
        raise PermissionDenied
    from consortia.tasks import build_export as build_export_task

    ids = [int(pk) for pk in application_ids or []]
    with transaction.atomic():
        export = Export.objects.create(
            requested_by=actor, kind=kind, params=clean, application_ids=ids, rows_total=len(ids)
        )
        # After commit: a worker cannot see an uncommitted row. A broker that is down is logged,
        # not raised: the row stays QUEUED and the beat sweep (requeue_stale_exports) queues it.
        enqueue_after_commit(build_export_task, export.pk)
    return export


# --- the worker ---------------------------------------------------------------------------------


def _claimable(now: dt.datetime) -> Q:
    # A RUNNING row whose worker died (acks_late redelivers its message) is claimed again once its
    # lease is over; a live worker's export of the largest list takes well under the lease.
    lease_start = now - dt.timedelta(seconds=settings.EXPORT_LEASE_SECONDS)
    return Q(status=Export.Status.QUEUED) | Q(status=Export.Status.RUNNING, started_at__lt=lease_start)


def build_export(*, export_id: int) -> None:
    """Builds a queued export's file once, recording progress; DONE and FAILED rows are left alone,
    so a redelivered or requeued task does nothing."""
    now = timezone.now()
    claimed = Export.objects.filter(_claimable(now), pk=export_id).update(
        status=Export.Status.RUNNING, started_at=now, rows_done=0, error=""
    )
    if not claimed:
        return
    export = Export.objects.select_related("requested_by").get(pk=export_id)
    kind = KINDS[export.kind]

    def progress(done: int, total: int | None = None) -> None:
        fields = {"rows_done": done} if total is None else {"rows_done": done, "rows_total": total}
        Export.objects.filter(pk=export_id, status=Export.Status.RUNNING).update(**fields)

    try:
        # Asked again when it runs: an officer taken off the program since gets nothing.
        if not can_request_export(export.requested_by, export.kind, export.params):
            raise PermissionDenied
        filename = kind.filename(export)
        # The worker has no request: headers and labels in the site's language.
        with translation.override(settings.LANGUAGE_CODE), tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / filename
            rows = import_string(kind.builder)(export, path, progress)
            with path.open("rb") as fh:
                # Through the storage: MEDIA_ROOT/exports/<id>/ on disk, streamed in chunks.
                name = default_storage.save(f"exports/{export.pk}/{filename}", File(fh))
    except Exception as exc:  # whatever failed is recorded for the officer's page
        Export.objects.filter(pk=export_id).update(
            status=Export.Status.FAILED, error=_failure_text(exc)[:2000], finished_at=timezone.now()
        )
        logger.exception("export %s (%s) failed", export_id, export.kind)
        return
    Export.objects.filter(pk=export_id).update(
        status=Export.Status.DONE, file=name, rows_done=rows, rows_total=rows, finished_at=timezone.now()
    )


def _failure_text(exc: Exception) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        if isinstance(exc, DomainError):
            return exc.message
        if isinstance(exc, PermissionDenied):
            return str(_("You may no longer export this."))
        return f"{type(exc).__name__}: {exc}"


def exports_to_requeue(*, now: dt.datetime | None = None) -> list[int]:
    """Exports whose task should have run by now: queued past the grace period (the broker was
    down when they were asked for) or running past the lease (their worker died)."""
    now = now or timezone.now()
    grace_start = now - dt.timedelta(seconds=settings.EXPORT_REQUEUE_GRACE_SECONDS)
    return list(
        Export.objects.filter(_claimable(now), created_at__lte=grace_start)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
