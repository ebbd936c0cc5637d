"""The conflict rules as SQL (one INSERT … SELECT, one DELETE) find the same conflicts as the rules
read into Python did, on a generated panel where every rule has rows, and again after changes."""

import datetime as dt
from collections import defaultdict

import pytest
from django.db.models import F, Q
from django.utils import timezone

from consortia.models import ApplicationPerson
from evaluations import services
from evaluations.dataset import generate_panel
from evaluations.models import (
    Conflict,
    Panel,
    PanelMember,
    Reviewer,
    ReviewerAffiliation,
    ReviewerRelative,
    Sanction,
)
from evaluations.selectors import conflict_window, panel_applications
from programs.deadlines import add_months

pytestmark = pytest.mark.django_db


def old_computed_conflicts(panel: Panel) -> set[tuple[int, int, str, str]]:
    """The rules as they were computed in Python before they became one INSERT … SELECT (kept
    verbatim as the reference: the database must find the same conflicts)."""
    day = timezone.localdate(panel.opens_at)
    apps = panel_applications(panel)
    app_ids = apps.values("pk")
    reviewers = PanelMember.objects.filter(panel=panel).values("reviewer_id")
    active_on_day = Q(since__lte=day) & (Q(until__isnull=True) | Q(until__gte=day))
    K = Conflict.Kind
    out: set[tuple[int, int, str, str]] = set()

    # One of its researchers.
    for a, r, name in ApplicationPerson.objects.filter(
        application__in=app_ids, person__reviewer__in=reviewers
    ).values_list("application_id", "person__reviewer__id", "person__name"):
        out.add((a, r, K.RESEARCHER, name))
    # A declared relative of one of its researchers.
    for a, r, name in ApplicationPerson.objects.filter(
        application__in=app_ids, person__reviewer_relatives__reviewer__in=reviewers
    ).values_list("application_id", "person__reviewer_relatives__reviewer_id", "person__name"):
        out.add((a, r, K.RELATIVE, name))
    # Same lowest-level department as its 연구책임자 (the director and every member's PI), on the day.
    lead = "organisation__affiliations__"
    for a, r, org, dept in (
        ReviewerAffiliation.objects.filter(active_on_day, reviewer__in=reviewers)
        .exclude(department="")
        # One filter() call: every condition on the same affiliation and role rows.
        .filter(
            Q(**{f"{lead}until__isnull": True}) | Q(**{f"{lead}until__gte": day}),
            **{
                f"{lead}since__lte": day,
                f"{lead}department": F("department"),
                f"{lead}person__application_roles__application__in": app_ids,
                f"{lead}person__application_roles__role__in": ApplicationPerson.LEAD_ROLES,
            },
        )
        .values_list(
            f"{lead}person__application_roles__application_id",
            "reviewer_id",
            "organisation__name",
            "department",
        )
    ):
        out.add((a, r, K.SAME_DEPARTMENT, f"{org} {dept}"))
    # ... and the department the application names for the member of a 연구책임자.
    for a, r, org, dept in (
        ReviewerAffiliation.objects.filter(active_on_day, reviewer__in=reviewers)
        .exclude(department="")
        .filter(
            organisation__memberships__department=F("department"),
            organisation__memberships__people__application__in=app_ids,
            organisation__memberships__people__role__in=ApplicationPerson.LEAD_ROLES,
        )
        .values_list(
            "organisation__memberships__people__application_id",
            "reviewer_id",
            "organisation__name",
            "department",
        )
    ):
        out.add((a, r, K.SAME_DEPARTMENT, f"{org} {dept}"))
    # Same institution as any member, now or within the window (where the program widens it).
    if panel.conflict_same_institution:
        start, end = conflict_window(panel)
        for a, r, org in (
            ReviewerAffiliation.objects.filter(reviewer__in=reviewers, since__lte=end)
            .filter(Q(until__isnull=True) | Q(until__gte=start))
            .filter(organisation__memberships__consortium__applications__in=app_ids)
            .values_list(
                "organisation__memberships__consortium__applications__id", "reviewer_id", "organisation__name"
            )
        ):
            out.add((a, r, K.SAME_INSTITUTION, org))
    # Reciprocal: reviewer R is a researcher of application B of the same call, and a researcher of
    # A is a reviewer of this call's panels who could review B.
    out |= _reciprocal(panel, app_ids, reviewers)
    # Ministry or agency officials; sanctions in the last 3 years: every application of the panel.
    officials = Reviewer.objects.filter(pk__in=reviewers, is_official=True).values_list("pk", flat=True)
    three_years = add_months(day, -36)
    sanctioned = dict(
        Reviewer.objects.filter(
            pk__in=reviewers, sanctions__decided_on__gt=three_years, sanctions__decided_on__lte=day
        ).values_list("pk", "sanctions__decided_on")
    )
    if officials or sanctioned:
        ids = list(apps.values_list("pk", flat=True))
        for r in officials:
            out.update((a, r, K.OFFICIAL, "") for a in ids)
        for r, on in sanctioned.items():
            out.update((a, r, K.SANCTION, on.isoformat()) for a in ids)
    # Same province as the lead local government, when the call says so.
    if panel.conflict_lead_province:
        for a, r, province in (
            Reviewer.objects.filter(pk__in=reviewers, province__isnull=False)
            .filter(province__organisations__represented_consortia__applications__in=app_ids)
            .values_list(
                "province__organisations__represented_consortia__applications__id", "pk", "province__name"
            )
        ):
            out.add((a, r, K.LEAD_PROVINCE, province))
    return out


def _reciprocal(panel: Panel, app_ids, reviewers) -> set[tuple[int, int, str, str]]:
    """(A, R1) when R1 is a researcher of B and R2 a researcher of A, both reviewers in the call,
    A ≠ B in the call: each would review the other's application."""
    call_reviewers = PanelMember.objects.filter(panel__call=panel.call_id).values("reviewer_id")
    # R → the call's applications they work on (B); A → the call's reviewers who work on it (R2).
    on_b = ApplicationPerson.objects.filter(
        application__call=panel.call_id, person__reviewer__in=reviewers
    ).values_list("person__reviewer__id", "application_id")
    r_to_b: dict[int, set[int]] = defaultdict(set)
    for r, b in on_b:
        r_to_b[r].add(b)
    if not r_to_b:
        return set()
    on_a = ApplicationPerson.objects.filter(
        application__in=app_ids, person__reviewer__in=call_reviewers
    ).values_list("application_id", "person__reviewer__id")
    a_to_r2: dict[int, set[int]] = defaultdict(set)
    for a, r2 in on_a:
        a_to_r2[a].add(r2)
    out = set()
    # Only reviewers who are researchers in the call take part: few by construction.
    for r1, bs in r_to_b.items():
        for a, r2s in a_to_r2.items():
            if a not in bs and r2s - {r1}:
                out.add((a, r1, Conflict.Kind.RECIPROCAL, ",".join(str(b) for b in sorted(bs))))
    return out


def stored(panel):
    return {
        (a, r, k): (pk, d, at)
        for pk, a, r, k, d, at in Conflict.objects.filter(panel=panel)
        .exclude(kind=Conflict.Kind.DECLARED)
        .values_list("pk", "application_id", "reviewer_id", "kind", "detail", "found_at")
    }


def assert_same(panel, before=None):
    before = before or {}
    reference = defaultdict(set)
    for a, r, k, d in old_computed_conflicts(panel):
        reference[(a, r, k)].add(d[:400])
    # Of a reviewer's sanctions in the window the Python rule kept whichever row came last; the
    # database keeps the latest decision.
    day = timezone.localdate(panel.opens_at)
    for (_a, r, k), details in reference.items():
        if k == Conflict.Kind.SANCTION:
            details.clear()
            details.add(
                Sanction.objects.filter(reviewer=r, decided_on__gt=add_months(day, -36), decided_on__lte=day)
                .latest("decided_on")
                .decided_on.isoformat()
            )
    rows = stored(panel)
    assert set(rows) == set(reference)
    for key, (pk, detail, at) in rows.items():
        if key in before:
            # A reason that still holds keeps its row as it was (id, detail, found_at).
            assert (pk, detail, at) == before[key]
        else:
            assert detail in reference[key], (key, detail, reference[key])
    return rows


def test_the_database_finds_the_same_conflicts_as_the_python_rules():
    panel, _officer = generate_panel(40, 60, seed=3, varied=True)
    services.recompute_conflicts(panel_id=panel.pk)
    rows = assert_same(panel)
    # Every rule has rows here, so each one is compared.
    assert {k for _a, _r, k in rows} == set(Conflict.Kind) - {Conflict.Kind.DECLARED}
    declared = next(iter(rows))
    Conflict.objects.create(
        panel=panel, application_id=declared[0], reviewer_id=declared[1], kind=Conflict.Kind.DECLARED
    )

    # Changes: affiliations ended, a relative declared, an official, a member leaves the panel.
    ReviewerAffiliation.objects.filter(
        pk__in=list(ReviewerAffiliation.objects.order_by("pk").values_list("pk", flat=True))[::3]
    ).update(until=dt.date(2000, 1, 1), since=dt.date(1999, 1, 1))
    reviewers = list(
        PanelMember.objects.filter(panel=panel).order_by("reviewer_id").values_list("reviewer_id", flat=True)
    )
    person = ApplicationPerson.objects.filter(application__in=panel_applications(panel)).first().person
    ReviewerRelative.objects.get_or_create(
        reviewer_id=reviewers[-1], person=person, defaults={"relation": "자녀"}
    )
    Reviewer.objects.filter(pk=reviewers[-2]).update(is_official=True)
    PanelMember.objects.filter(panel=panel, reviewer=reviewers[0]).delete()
    services.recompute_conflicts(panel_id=panel.pk)
    after = assert_same(panel, before=rows)
    assert set(after) - set(rows) and set(rows) - set(after)
    assert Conflict.objects.filter(panel=panel, kind=Conflict.Kind.DECLARED).count() == 1


def test_a_second_recompute_changes_nothing():
    panel, _officer = generate_panel(20, 40, seed=5, varied=True)
    services.recompute_conflicts(panel_id=panel.pk)
    before = stored(panel)
    services.recompute_conflicts(panel_id=panel.pk)
    assert stored(panel) == before
