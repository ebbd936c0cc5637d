"""The officers' xlsx exports: a panel's results table, and one application's score sheet.

The results table is the `panel_results` kind of the export machinery (consortia.export_jobs),
built by a worker. User text is written as text, never as a formula (config.xlsx).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from config.xlsx import append_row, text_safe_cell
from evaluations import aggregation, selectors
from evaluations.models import Panel

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 200  # rows between two progress updates


def _num(value):
    shown = aggregation.display(value) if value is not None else None
    return None if shown is None else float(shown)


def result_headers() -> list[str]:
    return [
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


def write_results_xlsx(panel: Panel, path: Path, progress: Callable[..., None] | None = None) -> int:
    """The panel's results as the panel page ranks them (selectors.panel_results); returns the rows."""
    results = selectors.panel_results(panel)
    proposed = selectors.proposed_selection(panel, results)
    confirmed = {e.application_id: e for e in panel.selection.all()}
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("results")[:31])
    bold = Font(bold=True)
    ws.append([text_safe_cell(ws, h, font=bold) for h in result_headers()])
    total = len(results)
    if progress:
        progress(0, total)
    for done, r in enumerate(results, start=1):
        entry = confirmed.get(r.application_id)
        region = r.extra["region"]
        values = [
            r.application_id,
            r.extra["application"].title,
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
            entry.reason if entry else "",
        ]
        ws.append([text_safe_cell(ws, v) for v in values])
        if progress and done % CHUNK == 0:
            progress(done, total)
    wb.save(path)
    if progress:
        progress(total, total)
    return total


def build_panel_results(export, path: Path, progress: Callable[..., None]) -> int:
    """The panel_results kind's builder (its permission, can_export_panel_results, was checked)."""
    panel = Panel.objects.select_related("call__program", "track").get(pk=export.params["panel_id"])
    return write_results_xlsx(panel, path, progress)


def _response(wb: Workbook, filename: str) -> HttpResponse:
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Synchronous, in the request: one application's sheet is one row per reviewer of its panel (a
# handful), so it does not need the export machinery's worker and progress page.
def score_sheet_response(panel: Panel, application_id: int) -> HttpResponse:
    criteria = list(panel.criteria.all())
    scores = selectors.officer_scores(panel).filter(assignment__application_id=application_id)
    wb = Workbook()
    ws = wb.active
    ws.title = _("score sheet")[:31]
    append_row(
        ws,
        [
            _("reviewer"),
            _("state"),
            *[f"{c.name} ({c.max_points.normalize():f})" for c in criteria],
            _("total"),
            _("overall comment"),
        ],
    )
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for score in scores:
        items = {i.criterion_id: i for i in score.items.all()}
        append_row(
            ws,
            [
                str(score.assignment.reviewer),
                score.get_state_display(),
                *[float(items[c.pk].points) if c.pk in items else None for c in criteria],
                float(score.total),
                score.comment,
            ],
        )
    return _response(wb, f"panel-{panel.pk}-application-{application_id}.xlsx")
