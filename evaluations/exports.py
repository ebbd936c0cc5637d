"""The officers' xlsx exports: a panel's results table, and one application's score sheet.

User text is written as text, never as a formula (a cell starting with =, +, - or @ is quoted).
"""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from evaluations import aggregation, selectors
from evaluations.models import Panel

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _num(value):
    shown = aggregation.display(value) if value is not None else None
    return None if shown is None else float(shown)


def _response(wb: Workbook, filename: str) -> HttpResponse:
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def results_response(panel: Panel) -> HttpResponse:
    results = selectors.panel_results(panel)
    proposed = selectors.proposed_selection(panel, results)
    confirmed = {e.application_id: e for e in panel.selection.all()}
    wb = Workbook()
    ws = wb.active
    ws.title = _("results")[:31]
    headers = [
        "ID",
        _("title"),
        _("region"),
        _("rank"),
        _("reviewer totals"),
        _("score (before bonus)"),
        _("dropped (lowest, highest)"),
        _("bonus"),
        _("final score"),
        _("normalised (mean z)"),
        _("spread"),
        _("disagreement"),
        _("at or above the cut-off"),
        _("proposed"),
        _("selected"),
        _("reason"),
    ]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in results:
        entry = confirmed.get(r.application_id)
        region = r.extra["region"]
        ws.append(
            [
                r.application_id,
                _text(r.extra["application"].title),
                region.name if region else "",
                r.rank,
                ", ".join(str(aggregation.display(t)) for t in r.totals),
                _num(r.score),
                ", ".join(str(aggregation.display(x)) for x in r.dropped) if r.dropped else "",
                _num(r.bonus),
                _num(r.final),
                None if r.normalised is None else round(r.normalised, 3),
                _num(r.spread),
                "⚠" if r.flagged else "",
                "O" if r.passes else "X",
                "O" if r.application_id in proposed else "",
                "" if entry is None else ("O" if entry.selected else "X"),
                _text(entry.reason) if entry else "",
            ]
        )
    return _response(wb, f"panel-{panel.pk}-results.xlsx")


def score_sheet_response(panel: Panel, application_id: int) -> HttpResponse:
    criteria = list(panel.criteria.all())
    scores = selectors.officer_scores(panel).filter(assignment__application_id=application_id)
    wb = Workbook()
    ws = wb.active
    ws.title = _("score sheet")[:31]
    ws.append(
        [
            _("reviewer"),
            _("state"),
            *[f"{c.name} ({c.max_points.normalize():f})" for c in criteria],
            _("total"),
            _("overall comment"),
        ]
    )
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for score in scores:
        items = {i.criterion_id: i for i in score.items.all()}
        ws.append(
            [
                _text(str(score.assignment.reviewer)),
                score.get_state_display(),
                *[float(items[c.pk].points) if c.pk in items else None for c in criteria],
                float(score.total),
                _text(score.comment),
            ]
        )
    return _response(wb, f"panel-{panel.pk}-application-{application_id}.xlsx")
