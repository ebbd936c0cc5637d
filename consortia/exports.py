"""The officers' xlsx export of applications: one row each, with budget totals per plan year and source.

It is the `applications` kind of the export machinery (consortia.export_jobs): the request only
records what to export (`request_application_export`), the worker streams the rows into a
write-only workbook in chunks, so memory stays bounded however many rows, and records its progress
on the Export row that the officer's page polls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from config.xlsx import text_safe_cell
from consortia.models import Application, BudgetLine, Export
from consortia.selectors import SOURCES, applications_with_region, budget_totals_by_year
from programs.permissions import is_admin

KST = ZoneInfo("Asia/Seoul")
MONEY_FORMAT = "#,##0"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
CHUNK = 500  # rows read and written per step: bounds memory and the size of each IN (...)


def source_label(source: str) -> str:
    return str(BudgetLine._meta.get_field(source).verbose_name)


def year_header(year: int, source: str | None) -> str:
    """'Y1 national grant', or 'Y1 total' for source None."""
    if source is None:
        return _("Year %(year)d: total") % {"year": year}
    return _("Year %(year)d: %(source)s") % {"year": year, "source": source_label(source)}


def total_header(source: str | None) -> str:
    if source is None:
        return _("Total: all sources")
    return _("Total: %(source)s") % {"source": source_label(source)}


def _field_label(name: str) -> str:
    return str(Application._meta.get_field(name).verbose_name)


def base_headers() -> list[str]:
    return [
        _field_label("receipt_number"),
        _field_label("title"),
        _field_label("call"),
        _field_label("track"),
        _field_label("consortium"),
        _("representative local government"),
        _("province"),
        _("region"),
        _field_label("state"),
        _field_label("submitted_at"),
    ]


def _local(at: dt.datetime | None) -> dt.datetime | None:
    # Excel has no time zones: write the Seoul wall-clock time.
    return timezone.localtime(at, KST).replace(tzinfo=None) if at else None


def _cell(ws, value: Any, number_format: str | None = None, font: Font | None = None) -> WriteOnlyCell:
    """Every cell of the export is made here, so user text is never a formula (config.xlsx)."""
    return text_safe_cell(ws, value, number_format=number_format, font=font)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _rows(ids: list[int]) -> list[Application]:
    qs = applications_with_region(
        Application.objects.filter(pk__in=ids).select_related(
            "call", "track", "consortium__representative__province"
        )
    )
    by_id = {a.pk: a for a in qs}
    return [by_id[pk] for pk in ids if pk in by_id]  # the list's order, as the officer saw it


def write_applications_xlsx(
    application_ids: list[int], path: Path, progress: Callable[[int], None] | None = None
) -> int:
    """Streams the applications into an .xlsx at `path`, CHUNK rows at a time; returns the row count."""
    years: set[int] = set()
    for ids in _chunks(application_ids):
        years |= set(BudgetLine.objects.filter(application__in=ids).values_list("year", flat=True).distinct())
    years_sorted = sorted(years)

    base = base_headers()
    money_headers = [year_header(y, s) for y in years_sorted for s in (*SOURCES, None)]
    money_headers += [total_header(s) for s in (*SOURCES, None)]

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(_("applications"))[:31])
    ws.freeze_panes = "A2"
    widths = [16, 40, 30, 16, 24, 20, 12, 12, 14, 18]
    for i, width in enumerate(widths + [16] * len(money_headers), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    bold = Font(bold=True)
    ws.append([_cell(ws, h, font=bold) for h in base + money_headers])

    done = 0
    for ids in _chunks(application_ids):
        rows = _rows(ids)
        totals = budget_totals_by_year([a.pk for a in rows])
        for app in rows:
            per_year = totals.get(app.pk, {})
            rep = app.consortium.representative
            money: list[int] = []
            source_totals = dict.fromkeys(SOURCES, 0)
            for year in years_sorted:
                amounts = per_year.get(year, dict.fromkeys(SOURCES, 0))
                money += [amounts[s] for s in SOURCES]
                money.append(sum(amounts.values()))
                for s in SOURCES:
                    source_totals[s] += amounts[s]
            money += [source_totals[s] for s in SOURCES]
            money.append(sum(source_totals.values()))
            text = [
                app.receipt_number,
                app.title,
                app.call.title,
                app.track.name,
                app.consortium.name,
                str(rep),
                app.lead_province_name,  # as submitted
                app.region_name or "",
                app.get_state_display(),
            ]
            ws.append(
                [
                    *(_cell(ws, v) for v in text),
                    _cell(ws, _local(app.submitted_at), DATETIME_FORMAT),
                    *(_cell(ws, m, MONEY_FORMAT) for m in money),
                ]
            )
        done += len(rows)
        if progress:
            progress(done)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return done


# --- the export as a job: requested by an officer, built by a worker (consortia.export_jobs) ----


def request_application_export(*, actor, application_ids: list[int]) -> Export:
    """Records what to export (the list as the officer filtered it) and queues the worker's task."""
    from consortia.export_jobs import request_export

    return request_export(actor=actor, kind=Export.Kind.APPLICATIONS, application_ids=application_ids)


def build_applications(export: Export, path: Path, progress: Callable[..., None]) -> int:
    """The applications kind's builder: the ids the officer's list showed, less any that left the
    officer's programs since (scope is checked when the file is built, not only when asked)."""
    ids = list(export.application_ids)
    user = export.requested_by
    if not is_admin(user):
        allowed: set[int] = set()
        for chunk in _chunks(ids):
            allowed |= set(
                Application.objects.filter(pk__in=chunk, call__program__officers=user).values_list(
                    "pk", flat=True
                )
            )
        ids = [pk for pk in ids if pk in allowed]
    return write_applications_xlsx(ids, path, progress)
