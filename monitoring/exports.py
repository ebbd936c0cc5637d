"""The monitoring xlsx: one sheet per rollup level, and the overdue milestones.

The `monitoring_dashboard` kind of the export machinery (consortia.export_jobs): built by a worker
from the dashboard's selectors, for the requesting officer's programs. Every cell goes through
config.xlsx (formula-safe).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from config.xlsx import text_safe_cell
from monitoring import selectors
from monitoring.indicators import unit_of
from monitoring.models import KpiRollup
from programs.permissions import officer_program_ids

DATE_FORMAT = "yyyy-mm-dd"


def write_monitoring_xlsx(
    *, program_ids: list[int] | None, path: Path, progress: Callable[..., None] | None = None
) -> int:
    """Writes the rollups of every level and the overdue milestones to `path`; returns the rows."""
    levels = [
        (label, selectors.rollup_rows(program_ids=program_ids, level=level))
        for level, label in KpiRollup.Level.choices
    ]
    overdue = list(
        selectors.overdue_milestones(program_ids=program_ids, on=timezone.localdate())[
            : selectors.MAX_ROWS * 20
        ]
    )
    total = sum(len(rows) for _label, rows in levels) + len(overdue)
    done = 0
    bold = Font(bold=True)
    book = Workbook(write_only=True)
    for label, rows in levels:
        ws = book.create_sheet(str(label)[:31])
        head = [
            str(label),
            _("calendar year"),
            _("indicator"),
            _("unit"),
            _("actual"),
            _("target"),
            _("achievement"),
        ]
        ws.append([text_safe_cell(ws, h, font=bold) for h in head])
        for r in rows:
            values = [
                r["subject"],
                r["year"],
                r["indicator"],
                unit_of(r["indicator"]),
                r["actual"],
                r["target"],
                selectors.format_achievement(r["achievement"]),
            ]
            ws.append([text_safe_cell(ws, v) for v in values])
        done += len(rows)
        if progress:
            progress(done, total)
    ws = book.create_sheet(_("overdue milestones")[:31])
    head = [_("award"), _("consortium"), _("milestone"), _("due on"), _("state")]
    ws.append([text_safe_cell(ws, h, font=bold) for h in head])
    for m in overdue:
        ws.append(
            [
                text_safe_cell(ws, m.award.title),
                text_safe_cell(ws, m.award.consortium.name),
                text_safe_cell(ws, m.title),
                text_safe_cell(ws, m.due_on, number_format=DATE_FORMAT),
                text_safe_cell(ws, m.get_state_display()),
            ]
        )
    done += len(overdue)
    book.save(path)
    if progress:
        progress(done, total)
    return done


def build_dashboard(export, path: Path, progress: Callable[..., None]) -> int:
    """The monitoring_dashboard kind's builder: the requesting officer's programs."""
    return write_monitoring_xlsx(
        program_ids=officer_program_ids(export.requested_by), path=path, progress=progress
    )
