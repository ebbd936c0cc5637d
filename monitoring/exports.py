"""The monitoring xlsx: one sheet per rollup level, overdue milestones and pending KPI reports.
Every cell goes through config.xlsx (formula-safe)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from config.xlsx import append_row
from monitoring import selectors
from monitoring.indicators import unit_of
from monitoring.models import KpiRollup


def monitoring_xlsx(*, program_ids: list[int] | None) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for level, label in KpiRollup.Level.choices:
        ws = book.create_sheet(str(label)[:31])
        append_row(
            ws,
            [
                str(label),
                _("calendar year"),
                _("indicator"),
                _("unit"),
                _("actual"),
                _("target"),
                _("achievement"),
            ],
        )
        for r in selectors.rollup_rows(program_ids=program_ids, level=level):
            append_row(
                ws,
                [
                    r["subject"],
                    r["year"],
                    r["indicator"],
                    unit_of(r["indicator"]),
                    r["actual"],
                    r["target"],
                    selectors.format_achievement(r["achievement"]),
                ],
            )
    ws = book.create_sheet(_("overdue milestones")[:31])
    append_row(ws, [_("award"), _("consortium"), _("milestone"), _("due on"), _("state")])
    overdue = selectors.overdue_milestones(program_ids=program_ids, on=timezone.localdate())
    for m in overdue[: selectors.MAX_ROWS * 20]:
        append_row(ws, [m.award.title, m.award.consortium.name, m.title, m.due_on, m.get_state_display()])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
