"""The awards dashboard's tables as one xlsx workbook (a sheet per table).

The `awards_dashboard` kind of the export machinery (consortia.export_jobs): built by a worker,
from the same selector as the dashboard page and for the same programs (the requesting officer's).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from awards import selectors
from config.xlsx import text_safe_cell
from programs.permissions import officer_program_ids

MONEY_FORMAT = "#,##0"


def write_dashboard_xlsx(data: dict, path: Path, progress: Callable[..., None] | None = None) -> int:
    """Writes `selectors.dashboard`'s tables to `path`; returns the number of data rows."""
    money = [_("awarded"), _("disbursed"), _("outstanding")]
    keys = ["awarded_krw", "disbursed_krw", "outstanding_krw"]
    sheets = [
        (_("By year"), [_("calendar year")], ["year"], data["by_year"]),
        (_("By call and track"), [_("call"), _("track")], ["call", "track"], data["by_track"]),
        (_("By region"), [_("region")], ["region"], data["by_region"]),
    ]
    total = sum(len(rows) for *_head, rows in sheets) + len(data["attention"])
    done = 0
    bold = Font(bold=True)
    book = Workbook(write_only=True)
    for title, head, fields, rows in sheets:
        ws = book.create_sheet(title[:31])
        ws.append([text_safe_cell(ws, h, font=bold) for h in [*head, *money]])
        for row in rows:
            ws.append(
                [text_safe_cell(ws, row[f]) for f in fields]
                + [text_safe_cell(ws, row[k], number_format=MONEY_FORMAT) for k in keys]
            )
        done += len(rows)
        if progress:
            progress(done, total)
    ws = book.create_sheet(_("Awards needing attention")[:31])
    head = [
        _("award"),
        _("consortium"),
        _("overdue reports"),
        _("pending approvals"),
        _("low grade"),
        _("recoveries due"),
    ]
    ws.append([text_safe_cell(ws, h, font=bold) for h in head])
    for a in data["attention"]:
        values = [
            a.title,
            a.consortium.name,
            a.overdue_reports,
            bool(a.pending_requests or a.pending_changes),
            a.low_grade,
            a.recoveries_open,
        ]
        ws.append([text_safe_cell(ws, v) for v in values])
    done += len(data["attention"])
    book.save(path)
    if progress:
        progress(done, total)
    return done


def build_dashboard(export, path: Path, progress: Callable[..., None]) -> int:
    """The awards_dashboard kind's builder: the dashboard of the requesting officer's programs."""
    data = selectors.dashboard(
        program_ids=officer_program_ids(export.requested_by),
        on=timezone.localdate(),
        call_id=export.params.get("call_id"),
    )
    return write_dashboard_xlsx(data, path, progress)
