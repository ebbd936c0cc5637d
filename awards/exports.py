"""The awards dashboard's tables as one xlsx workbook (a sheet per table)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

MONEY_FORMAT = "#,##0"


def _text(value) -> object:
    # A cell a spreadsheet would run as a formula is written as text (titles come from users).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def dashboard_xlsx(data: dict) -> bytes:
    money = [_("awarded"), _("disbursed"), _("outstanding")]
    keys = ["awarded_krw", "disbursed_krw", "outstanding_krw"]
    sheets = [
        (_("By year"), [_("calendar year")], ["year"], data["by_year"]),
        (_("By call and track"), [_("call"), _("track")], ["call", "track"], data["by_track"]),
        (_("By region"), [_("region")], ["region"], data["by_region"]),
    ]
    book = Workbook()
    book.remove(book.active)
    for title, head, fields, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append([*head, *money])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_text(row[f]) for f in fields] + [row[k] for k in keys])
            for cell in sheet[sheet.max_row][len(fields) :]:
                cell.number_format = MONEY_FORMAT
    sheet = book.create_sheet(_("Awards needing attention")[:31])
    sheet.append(
        [
            _("award"),
            _("consortium"),
            _("overdue reports"),
            _("pending approvals"),
            _("low grade"),
            _("recoveries due"),
        ]
    )
    for a in data["attention"]:
        sheet.append(
            [
                _text(a.title),
                _text(a.consortium.name),
                a.overdue_reports,
                bool(a.pending_requests or a.pending_changes),
                a.low_grade,
                a.recoveries_open,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
