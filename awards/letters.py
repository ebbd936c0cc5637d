"""The award letter (협약 통지서) as a Korean PDF, rendered by WeasyPrint with the Noto CJK fonts."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from awards import selectors
from awards.models import Award


def award_letter_pdf(award: Award) -> bytes:
    from weasyprint import HTML  # imported here: Pango loads only when a letter is asked for

    with translation.override("ko"):
        html = render_to_string(
            "awards/letter.html",
            {
                "award": award,
                "stages": list(award.stages.all()),
                "members": list(award.members.select_related("province")),
                "years": selectors.year_totals(award),
                "balances": selectors.award_balances(award.pk),
            },
        )
    return HTML(string=html).write_pdf()
