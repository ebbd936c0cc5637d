"""The officers' xlsx export of applications: one row each, with budget totals per plan year and source."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from config.xlsx import append_row
from consortia.models import Application, BudgetLine
from consortia.selectors import SOURCES, applications_with_region, budget_totals_by_year

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KST = ZoneInfo("Asia/Seoul")
MONEY_FORMAT = "#,##0"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def applications_for_export(applications: QuerySet[Application]) -> QuerySet[Application]:
    """The rows of the export, everything a row shows preloaded in the same query."""
    return applications_with_region(
        applications.select_related("call", "track", "consortium__representative__province")
    )


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
        "ID",
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


def applications_workbook(applications: QuerySet[Application]) -> Workbook:
    """A workbook of `applications` in two queries, however many rows: rows, then budget sums."""
    rows = list(applications_for_export(applications))
    totals = budget_totals_by_year([a.pk for a in rows])
    years = sorted({year for per_year in totals.values() for year in per_year})

    base = base_headers()
    money_headers = [year_header(y, s) for y in years for s in (*SOURCES, None)]
    money_headers += [total_header(s) for s in (*SOURCES, None)]

    wb = Workbook()
    ws = wb.active
    ws.title = str(_("applications"))[:31]
    append_row(ws, base + money_headers)
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
    ws.freeze_panes = "A2"

    for app in rows:
        per_year = totals.get(app.pk, {})
        rep = app.consortium.representative
        money: list[int] = []
        source_totals = dict.fromkeys(SOURCES, 0)
        for year in years:
            amounts = per_year.get(year, dict.fromkeys(SOURCES, 0))
            money += [amounts[s] for s in SOURCES]
            money.append(sum(amounts.values()))
            for s in SOURCES:
                source_totals[s] += amounts[s]
        money += [source_totals[s] for s in SOURCES]
        money.append(sum(source_totals.values()))
        append_row(
            ws,
            [
                app.pk,
                app.title,
                app.call.title,
                app.track.name,
                app.consortium.name,
                str(rep),
                app.lead_province_name,  # as submitted
                app.region_name or "",
                app.get_state_display(),
                _local(app.submitted_at),
                *money,
            ],
        )

    first_money_col = len(base) + 1
    for row in ws.iter_rows(min_row=2, min_col=first_money_col):
        for cell in row:
            cell.number_format = MONEY_FORMAT
    submitted_col = base.index(_field_label("submitted_at")) + 1
    for (cell,) in ws.iter_rows(min_row=2, min_col=submitted_col, max_col=submitted_col):
        cell.number_format = DATETIME_FORMAT
    widths = [8, 40, 30, 16, 24, 20, 12, 12, 14, 18]
    for i, width in enumerate(widths + [16] * len(money_headers), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    return wb


def applications_xlsx(applications: QuerySet[Application]) -> bytes:
    """The export as the bytes of an .xlsx file."""
    out = io.BytesIO()
    applications_workbook(applications).save(out)
    return out.getvalue()


def export_filename() -> str:
    return f"applications-{timezone.localdate():%Y%m%d}.xlsx"
