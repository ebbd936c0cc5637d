"""The back office's home page: what is waiting for the signed-in user, one card per queue.

Each card is a count and a link to the list that holds the work (already filtered), shown only
when the user may open that list: an officer sees their programs' queues, a reviewer their own
reviews, an administrator everything plus the notices that failed. One COUNT per card, so the page
costs the same whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.money import format_krw
from programs.permissions import is_admin, is_officer, officer_program_ids


@dataclass(frozen=True)
class Card:
    title: str
    value: str
    link: str
    icon: str
    hint: str = ""
    urgent: bool = False


def _link(name: str, **query) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


def _scoped(qs: QuerySet, program_ids: list[int] | None, path: str) -> QuerySet:
    return qs if program_ids is None else qs.filter(**{f"{path}__in": program_ids})


def officer_cards(user) -> list[Card]:
    from awards.models import Award, AwardChange, Bucket, Disbursement, LedgerEntry
    from consortia.models import Application
    from evaluations.models import Objection, Panel
    from monitoring.models import KpiReport, Milestone

    program_ids = officer_program_ids(user)
    today = timezone.localdate()
    now = timezone.now()
    apps = _scoped(Application.objects.all(), program_ids, "call__program_id")
    submitted = apps.filter(state="submitted").count()
    screening = apps.filter(state="screening").count()
    panels = Panel.objects.filter(opens_at__lte=now, closes_at__gt=now)
    scoring = _scoped(panels, program_ids, "call__program_id")
    objections = _scoped(
        Objection.objects.filter(answered_at__isnull=True), program_ids, "result__panel__call__program_id"
    )
    overdue_answers = objections.filter(answer_due__lt=today).count()
    disbursements = _scoped(Disbursement.objects.all(), program_ids, "tranche__award__program_id")
    requested = disbursements.filter(state=Disbursement.State.REQUESTED).count()
    approved = disbursements.filter(state=Disbursement.State.APPROVED).count()
    changes = _scoped(
        AwardChange.objects.filter(state=AwardChange.State.PENDING), program_ids, "award__program_id"
    ).count()
    stop_pending = _scoped(
        Award.objects.filter(state=Award.State.STOP_PENDING), program_ids, "program_id"
    ).count()
    owed = _scoped(Milestone.objects.filter(state__in=Milestone.OWED), program_ids, "award__program_id")
    overdue = owed.filter(due_on__lt=today).count()
    to_accept = _scoped(
        Milestone.objects.filter(state=Milestone.State.SUBMITTED), program_ids, "award__program_id"
    ).count()
    kpis = _scoped(
        KpiReport.objects.filter(state=KpiReport.State.SUBMITTED), program_ids, "award__program_id"
    ).count()
    paid = _scoped(
        LedgerEntry.objects.filter(bucket=Bucket.PAID), program_ids, "award__program_id"
    ).aggregate(total=Sum("amount_krw"))["total"]

    cards = [
        Card(
            _("Applications to screen"),
            str(submitted),
            _link("admin:consortia_application_changelist", state__exact="submitted"),
            "inbox",
            _("%(n)d in screening") % {"n": screening} if screening else "",
            urgent=submitted > 0,
        ),
        Card(
            _("Panels scoring now"),
            str(scoring.count()),
            _link("admin:evaluations_panel_changelist"),
            "gavel",
        ),
        Card(
            _("Objections to answer"),
            str(objections.count()),
            _link("admin:evaluations_objection_changelist"),
            "report",
            _("%(n)d past the answer deadline") % {"n": overdue_answers} if overdue_answers else "",
            urgent=overdue_answers > 0,
        ),
        Card(
            _("Disbursements to approve"),
            str(requested),
            _link("admin:awards_disbursement_changelist", state__exact="requested"),
            "payments",
            _("%(n)d approved, to pay") % {"n": approved} if approved else "",
            urgent=requested > 0,
        ),
        Card(
            _("Award changes to approve"),
            str(changes),
            _link("admin:awards_award_changelist"),
            "edit_document",
            _("%(n)d awards in a stop objection period") % {"n": stop_pending} if stop_pending else "",
        ),
        Card(
            _("Overdue milestones"),
            str(overdue),
            _link("admin:monitoring_dashboard"),
            "flag",
            _("%(n)d submitted, to accept") % {"n": to_accept} if to_accept else "",
            urgent=overdue > 0,
        ),
        Card(
            _("KPI reports to validate"),
            str(kpis),
            _link("admin:monitoring_kpireport_changelist", state__exact="submitted"),
            "monitoring",
        ),
        Card(
            _("Paid so far"),
            format_krw(int(paid or 0)),
            _link("admin:awards_dashboard"),
            "account_balance_wallet",
            _("the awards dashboard"),
        ),
    ]
    if is_admin(user):
        from consortia.models import Notice

        failed = Notice.objects.filter(status=Notice.Status.FAILED).count()
        cards.append(
            Card(
                _("Emails that failed"),
                str(failed),
                _link("admin:consortia_notice_changelist", status__exact="failed"),
                "mail",
                urgent=failed > 0,
            )
        )
    return cards


def reviewer_cards(user) -> list[Card]:
    from evaluations import selectors

    reviews = selectors.reviewer_assignments(user)
    open_reviews = reviews.filter(~Q(score__state="submitted"), panel__closes_at__gt=timezone.now())
    todo = open_reviews.count()
    first = open_reviews.order_by("panel__closes_at").select_related("panel").first()
    hint = ""
    unsigned = selectors.unsigned_panels(user).count()
    if unsigned:
        hint = _("%(n)d panels wait for your pledge") % {"n": unsigned}
    elif first is not None:
        hint = _("next due %(when)s") % {
            "when": f"{timezone.localtime(first.panel.closes_at):%Y-%m-%d %H:%M}"
        }
    return [
        Card(
            _("Reviews to score"),
            str(todo),
            _link("admin:evaluations_review_changelist"),
            "rate_review",
            hint,
            urgent=todo > 0,
        )
    ]


def home_cards(request) -> list[Card]:
    user = request.user
    cards: list[Card] = []
    if is_admin(user) or is_officer(user):
        cards += officer_cards(user)
    if _is_reviewer(user):
        cards += reviewer_cards(user)
    return cards


def _is_reviewer(user) -> bool:
    from evaluations.models import Reviewer

    return user.is_authenticated and Reviewer.objects.filter(user=user).exists()


def dashboard_callback(request, context: dict) -> dict:
    """unfold's DASHBOARD_CALLBACK: the cards beside the usual app list."""
    context["home_cards"] = home_cards(request)
    return context
