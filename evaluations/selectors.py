"""Reads of the evaluation: panel applications and regions, conflicts (computed in the database),
the reviewer's queue, progress, results and the proposed selection."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from fractions import Fraction

from django.db import connection
from django.db.models import CharField, Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from consortia.models import (
    Application,
    ApplicationPerson,
    ConsortiumMember,
    OrganisationProvinceChange,
)
from evaluations import aggregation
from evaluations.models import (
    ApplicationBonus,
    Assignment,
    Conflict,
    CriterionScore,
    Panel,
    PanelMember,
    Reviewer,
    ReviewerAffiliation,
    Score,
    Waiver,
)
from programs.deadlines import add_months
from programs.models import Region

# Applications a panel reviews, and keeps once decided (results, objections).
PANEL_STATES = (
    Application.State.UNDER_REVIEW,
    Application.State.SELECTED,
    Application.State.NOT_SELECTED,
)


# --- regions ------------------------------------------------------------------------------------


def lead_provinces(applications: Iterable[Application], *, on: dt.date) -> dict[int, int]:
    """{application: province id} of the representative local government: the snapshot taken at
    submission (ApplicationLeadProvince), else its province as it was on `on` (the call's opening
    date), so that a later move to a successor province never counts."""
    from consortia.models import ApplicationLeadProvince

    apps = list(applications)
    snapshot = dict(
        ApplicationLeadProvince.objects.filter(
            application__in=[a.pk for a in apps], is_representative=True
        ).values_list("application_id", "province_id")
    )
    org_ids = {a.consortium.representative_id for a in apps if a.pk not in snapshot}
    earliest_later_move: dict[int, int] = {}
    for change in (
        OrganisationProvinceChange.objects.filter(organisation__in=org_ids, effective_on__gt=on)
        .order_by("organisation_id", "effective_on", "id")
        .values("organisation_id", "from_province_id")
    ):
        earliest_later_move.setdefault(change["organisation_id"], change["from_province_id"])
    return {
        a.pk: snapshot.get(a.pk)
        or earliest_later_move.get(a.consortium.representative_id, a.consortium.representative.province_id)
        for a in apps
    }


def application_regions(applications: Iterable[Application], *, call) -> dict[int, Region | None]:
    """{application: region of the call's scheme} holding its representative LG's province as of
    the call's opening date (a super-regional application competes there)."""
    apps = list(applications)
    provinces = lead_provinces(apps, on=call.opening_date)
    by_province: dict[int, Region] = {}
    for region in Region.objects.filter(scheme=call.region_scheme_id).prefetch_related("provinces"):
        for p in region.provinces.all():
            by_province.setdefault(p.pk, region)
    return {a.pk: by_province.get(provinces[a.pk]) for a in apps}


# --- panels -------------------------------------------------------------------------------------


def panel_applications(panel: Panel) -> QuerySet[Application]:
    """The applications a panel reviews: its track's under review (and decided), its region's if set."""
    qs = Application.objects.filter(call=panel.call_id, track=panel.track_id, state__in=PANEL_STATES)
    if panel.region_id:
        # Regions hold provinces of every period: a successor province stays in its region.
        qs = qs.filter(consortium__representative__province__regions=panel.region_id)
    return qs


def conflict_window(panel: Panel) -> tuple[dt.date, dt.date]:
    day = timezone.localdate(panel.opens_at)
    return add_months(day, -12 * panel.conflict_window_years), day


def computed_conflicts(panel: Panel) -> set[tuple[int, int, str, str]]:
    """Every (application, reviewer, kind, detail) the decree and the panel's options give, for the
    panel's members × applications, read back (the service writes them without leaving the database)."""
    out: set[tuple[int, int, str, str]] = set()
    with connection.cursor() as cursor:
        for sql, params in conflict_rules(panel):
            cursor.execute(sql, params)
            out.update((a, r, k, d) for a, r, k, d in cursor.fetchall())
    return out | reciprocal_conflicts(panel)


def _kind(kind: str) -> Value:
    return Value(str(kind), output_field=CharField())


def _sql(qs: QuerySet) -> tuple[str, tuple]:
    sql, params = qs.order_by().query.sql_with_params()
    return sql, tuple(params)


def conflict_rules(panel: Panel) -> list[tuple[str, tuple]]:
    """Each reason as one SELECT (sql, params) of columns (a, r, k, d): application, reviewer, kind,
    detail, over the panel's members × applications. Joins in the database, never a pair loop: the
    service inserts them with one INSERT … SELECT. Reciprocal reviews are apart (`reciprocal_conflicts`)."""
    day = timezone.localdate(panel.opens_at)
    apps = panel_applications(panel)
    app_ids = apps.values("pk")
    reviewers = PanelMember.objects.filter(panel=panel).values("reviewer_id")
    active_on_day = Q(since__lte=day) & (Q(until__isnull=True) | Q(until__gte=day))
    K = Conflict.Kind
    rules: list[QuerySet] = []

    # One of its researchers.
    rules.append(
        ApplicationPerson.objects.filter(application__in=app_ids, person__reviewer__in=reviewers).values(
            a=F("application_id"), r=F("person__reviewer__id"), k=_kind(K.RESEARCHER), d=F("person__name")
        )
    )
    # A declared relative of one of its researchers.
    rules.append(
        ApplicationPerson.objects.filter(
            application__in=app_ids, person__reviewer_relatives__reviewer__in=reviewers
        ).values(
            a=F("application_id"),
            r=F("person__reviewer_relatives__reviewer_id"),
            k=_kind(K.RELATIVE),
            d=F("person__name"),
        )
    )
    # Same lowest-level department as its 연구책임자 (the director and every member's PI), on the day.
    lead = "organisation__affiliations__"
    org_dept = Concat("organisation__name", Value(" "), "department", output_field=CharField())
    rules.append(
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
        .values(
            a=F(f"{lead}person__application_roles__application_id"),
            r=F("reviewer_id"),
            k=_kind(K.SAME_DEPARTMENT),
            d=org_dept,
        )
    )
    # ... and the department the application names for the member of a 연구책임자.
    rules.append(
        ReviewerAffiliation.objects.filter(active_on_day, reviewer__in=reviewers)
        .exclude(department="")
        .filter(
            organisation__memberships__department=F("department"),
            organisation__memberships__people__application__in=app_ids,
            organisation__memberships__people__role__in=ApplicationPerson.LEAD_ROLES,
        )
        .values(
            a=F("organisation__memberships__people__application_id"),
            r=F("reviewer_id"),
            k=_kind(K.SAME_DEPARTMENT),
            d=org_dept,
        )
    )
    # Same institution as any member, now or within the window (where the program widens it).
    if panel.conflict_same_institution:
        start, end = conflict_window(panel)
        rules.append(
            ReviewerAffiliation.objects.filter(reviewer__in=reviewers, since__lte=end)
            .filter(Q(until__isnull=True) | Q(until__gte=start))
            .filter(organisation__memberships__consortium__applications__in=app_ids)
            .values(
                a=F("organisation__memberships__consortium__applications__id"),
                r=F("reviewer_id"),
                k=_kind(K.SAME_INSTITUTION),
                d=F("organisation__name"),
            )
        )
    # Same province as the lead local government, when the call says so.
    if panel.conflict_lead_province:
        rules.append(
            Reviewer.objects.filter(pk__in=reviewers, province__isnull=False)
            .filter(province__organisations__represented_consortia__applications__in=app_ids)
            .values(
                a=F("province__organisations__represented_consortia__applications__id"),
                r=F("pk"),
                k=_kind(K.LEAD_PROVINCE),
                d=F("province__name"),
            )
        )
    out = [_sql(qs) for qs in rules]
    # Ministry or agency officials; sanctions in the last 3 years: every application of the panel,
    # a cross join of the panel's applications with those reviewers.
    every_app = _sql(apps.values(x=F("pk")))
    officials = _sql(
        Reviewer.objects.filter(pk__in=reviewers, is_official=True).values(y=F("pk"), d=Value(""))
    )
    three_years = add_months(day, -36)
    sanctioned = _sql(
        Reviewer.objects.filter(
            pk__in=reviewers, sanctions__decided_on__gt=three_years, sanctions__decided_on__lte=day
        )
        .values(y=F("pk"))
        .annotate(d=Cast(Max("sanctions__decided_on"), CharField()))
    )
    for kind, (sql, params) in ((K.OFFICIAL, officials), (K.SANCTION, sanctioned)):
        out.append(
            (
                f"SELECT apps.x AS a, who.y AS r, %s AS k, who.d AS d FROM ({every_app[0]}) apps "
                f"CROSS JOIN ({sql}) who",
                (str(kind), *every_app[1], *params),
            )
        )
    return out


def reciprocal_conflicts(panel: Panel) -> set[tuple[int, int, str, str]]:
    """(A, R1) when R1 is a researcher of B and R2 a researcher of A, both reviewers in the call,
    A ≠ B in the call: each would review the other's application."""
    app_ids = panel_applications(panel).values("pk")
    reviewers = PanelMember.objects.filter(panel=panel).values("reviewer_id")
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


def blocked_pairs(panel: Panel):
    """(application, reviewer) pairs that may not be assigned: a conflict not waived, or one that
    cannot be waived. A numpy array (n, 2) for the solver (rows may repeat): the conflicts read
    as they are stored, the panel's few waivers taken off here (no join for a stale plan to spoil)."""
    import numpy as np

    table = connection.ops.quote_name(Conflict._meta.db_table)
    unwaivable = tuple(str(k) for k in Conflict.UNWAIVABLE)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT application_id, reviewer_id, CASE WHEN kind IN ({', '.join(['%s'] * len(unwaivable))}) "
            f"THEN 1 ELSE 0 END FROM {table} WHERE panel_id = %s",
            (*unwaivable, panel.pk),
        )
        rows = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 3)
    waived = np.array(
        Waiver.objects.filter(panel=panel).values_list("application_id", "reviewer_id"), np.int64
    )
    if len(waived) and len(rows):
        width = int(max(rows[:, 1].max(), waived[:, 1].max())) + 1
        off = np.isin(rows[:, 0] * width + rows[:, 1], waived[:, 0] * width + waived[:, 1])
        rows = rows[(rows[:, 2] == 1) | ~off]
    return rows[:, :2]


def blocking_conflicts(panel_id: int) -> QuerySet[Conflict]:
    """The panel's conflicts that block an assignment (not waived, or unwaivable)."""
    waived = Waiver.objects.filter(
        panel=OuterRef("panel"), application=OuterRef("application"), reviewer=OuterRef("reviewer")
    )
    return Conflict.objects.filter(panel=panel_id).filter(~Exists(waived) | Q(kind__in=Conflict.UNWAIVABLE))


def is_blocked(panel_id: int, application_id: int, reviewer_id: int) -> bool:
    return blocking_conflicts(panel_id).filter(application=application_id, reviewer=reviewer_id).exists()


def conflicts_for(panel: Panel) -> QuerySet[Conflict]:
    """The panel's conflicts with reviewer, application and waiver state (one query)."""
    waived = Waiver.objects.filter(
        panel=OuterRef("panel"), application=OuterRef("application"), reviewer=OuterRef("reviewer")
    )
    return (
        Conflict.objects.filter(panel=panel)
        .select_related("reviewer__user", "application")
        .annotate(waived=Exists(waived))
        .order_by("application_id", "reviewer_id", "kind")
    )


# --- the reviewer -------------------------------------------------------------------------------


def reviewer_assignments(user) -> QuerySet[Assignment]:
    """The user's own active assignments on panels whose pledge they signed and which are not
    blocked by a conflict: the only way a reviewer reaches an application."""
    pledged = PanelMember.objects.filter(
        panel=OuterRef("panel"), reviewer=OuterRef("reviewer"), pledged_at__isnull=False
    )
    conflicted = blocking_conflicts_any()
    return (
        Assignment.objects.filter(reviewer__user=user, withdrawn_at__isnull=True)
        .filter(Exists(pledged))
        .exclude(Exists(conflicted))
        .select_related("panel__call", "panel__track", "application__consortium", "reviewer__user")
        .prefetch_related(Prefetch("score", queryset=Score.objects.all()))
        .order_by("panel__closes_at", "application__title", "pk")
    )


def blocking_conflicts_any() -> QuerySet[Conflict]:
    waived = Waiver.objects.filter(
        panel=OuterRef("panel"), application=OuterRef("application"), reviewer=OuterRef("reviewer")
    )
    return Conflict.objects.filter(
        panel=OuterRef("panel"), application=OuterRef("application"), reviewer=OuterRef("reviewer")
    ).filter(~Exists(waived) | Q(kind__in=Conflict.UNWAIVABLE))


def reviewer_queue(user) -> list[Assignment]:
    """The reviewer's queue with due time (Asia/Seoul), D-day and progress on each row."""
    today = timezone.localdate()
    rows = list(reviewer_assignments(user).filter(panel__closed_at__isnull=True))
    for a in rows:
        due = timezone.localtime(a.panel.closes_at)
        a.due = due
        a.d_day = (due.date() - today).days
        score = getattr(a, "score", None)
        a.progress = score.state if score else "todo"
    return rows


def unsigned_panels(user) -> QuerySet[PanelMember]:
    return PanelMember.objects.filter(reviewer__user=user, pledged_at__isnull=True).select_related(
        "panel__call"
    )


# --- progress and results -----------------------------------------------------------------------


def panel_progress(panel: Panel) -> dict[str, int]:
    """Assigned, scored (submitted), drafts and overdue (unsubmitted after the close)."""
    active = Assignment.objects.filter(panel=panel, withdrawn_at__isnull=True)
    counts = active.aggregate(
        assigned=Count("pk"),
        scored=Count("pk", filter=Q(score__state=Score.State.SUBMITTED)),
        drafts=Count("pk", filter=Q(score__state=Score.State.DRAFT)),
    )
    counts["overdue"] = (counts["assigned"] - counts["scored"]) if panel.is_closed else 0
    return counts


def panel_results(panel: Panel) -> list[aggregation.ApplicationResult]:
    """Every application of the panel with totals, aggregate, bonus, pass, spread, z-score and rank
    within its (track, region); the region is on `extra["region"]`. Five queries whatever the size."""
    apps = list(panel_applications(panel).select_related("consortium__representative").order_by("pk"))
    regions = application_regions(apps, call=panel.call)
    submitted = list(
        Score.objects.filter(
            assignment__panel=panel, assignment__withdrawn_at__isnull=True, state=Score.State.SUBMITTED
        ).values_list("assignment__application_id", "assignment__reviewer_id", "total")
    )
    totals: dict[int, list[Fraction]] = defaultdict(list)
    by_reviewer: dict[int, dict[int, Fraction]] = defaultdict(dict)
    for a, r, total in submitted:
        totals[a].append(Fraction(total))
        by_reviewer[r][a] = Fraction(total)
    tie: dict[int, list[Fraction]] = defaultdict(list)
    if panel.tie_break_criterion_id:
        for a, points in CriterionScore.objects.filter(
            criterion=panel.tie_break_criterion_id,
            score__state=Score.State.SUBMITTED,
            score__assignment__withdrawn_at__isnull=True,
        ).values_list("score__assignment__application_id", "points"):
            tie[a].append(Fraction(points))
    bonus: dict[int, list] = defaultdict(list)
    for a, points in ApplicationBonus.objects.filter(item__panel=panel).values_list(
        "application_id", "points"
    ):
        bonus[a].append(points)
    z = aggregation.zscores(by_reviewer)
    z_by_app: dict[int, list[float]] = defaultdict(list)
    for by_app in z.values():
        for a, value in by_app.items():
            z_by_app[a].append(value)
    results = []
    for app in apps:
        r = aggregation.result(
            application_id=app.pk,
            totals=totals.get(app.pk, []),
            method=panel.aggregation,
            bonus_points=bonus.get(app.pk, []),
            bonus_cap=panel.bonus_cap,
            cutoff=panel.cutoff_score,
            cutoff_before_bonus=panel.cutoff_before_bonus,
            disagreement=panel.disagreement_threshold,
            tie_break_points=tie.get(app.pk, []),
            submitted_at=app.submitted_at,
        )
        zs = z_by_app.get(app.pk)
        r.normalised = sum(zs) / len(zs) if zs else None
        r.extra = {"application": app, "region": regions.get(app.pk)}
        results.append(r)
    out = []
    by_region: dict[int | None, list] = defaultdict(list)
    for r in results:
        region = r.extra["region"]
        by_region[region.pk if region else None].append(r)
    for group in by_region.values():
        out.extend(aggregation.ranked(group))
    out.sort(
        key=lambda r: (
            (r.extra["region"].order, r.extra["region"].code) if r.extra["region"] else (999, ""),
            r.rank,
        )
    )
    return out


def proposed_selection(panel: Panel, results: list[aggregation.ApplicationResult] | None = None) -> set[int]:
    """The system's proposal: per region, up to the track's quota among those at or above the cut-off."""
    results = results if results is not None else panel_results(panel)
    groups: dict[int | None, list] = defaultdict(list)
    for r in results:
        groups[r.extra["region"].pk if r.extra["region"] else None].append(r)
    quota = panel.track.quota_per_region
    return {a for group in groups.values() for a in aggregation.propose(group, quota)}


def score_sheet(assignment_id: int) -> Score | None:
    return (
        Score.objects.filter(assignment=assignment_id)
        .prefetch_related(Prefetch("items", queryset=CriterionScore.objects.select_related("criterion")))
        .first()
    )


def members_of(application: Application) -> QuerySet[ConsortiumMember]:
    return application.consortium.members.select_related("organisation__province")


def panels_for(user) -> QuerySet[Panel]:
    """Panels of the user's programs (all for an administrator)."""
    from programs.permissions import is_admin

    qs = Panel.objects.select_related(
        "call__program", "track", "region", "tie_break_criterion"
    ).prefetch_related("criteria", "bonus_items")
    return qs if is_admin(user) else qs.filter(call__program__officers=user).distinct()


def officer_scores(panel: Panel) -> QuerySet[Score]:
    """Every score sheet of the panel with its items (officers read them; reviewers never do)."""
    return (
        Score.objects.filter(assignment__panel=panel)
        .select_related("assignment__reviewer__user", "assignment__application")
        .prefetch_related(Prefetch("items", queryset=CriterionScore.objects.select_related("criterion")))
        .order_by("assignment__application_id", "assignment__reviewer_id")
    )


def review_sheet(assignment: Assignment) -> dict:
    """What the reviewer reads beside the form: the application with members, budget per year with
    its ratios, KPI targets, milestones and documents; and their own sheet (six queries)."""
    from consortia.selectors import application_detail, budget_totals_by_year

    application = application_detail(assignment.application_id)
    years = budget_totals_by_year([application.pk]).get(application.pk, {})
    budget = []
    for year, row in sorted(years.items()):
        public = row["national_krw"] + row["local_cash_krw"]
        total = sum(row.values())
        budget.append(
            {
                "year": year,
                **row,
                "total_krw": total,
                # Display only, two decimals: the rules compare in exact integers (programs.models).
                "local_share_percent": round(100 * row["local_cash_krw"] / public, 2) if public else None,
                "private_share_of_national_percent": (
                    round(
                        100 * (row["private_cash_krw"] + row["private_in_kind_krw"]) / row["national_krw"], 2
                    )
                    if row["national_krw"]
                    else None
                ),
            }
        )
    return {
        "application": application,
        "budget": budget,
        "criteria": list(assignment.panel.criteria.all()),
        "score": score_sheet(assignment.pk),
    }


def applicant_results(user) -> QuerySet:
    from evaluations.models import Result

    return (
        Result.objects.filter(application__consortium__contacts=user)
        .select_related("panel", "application")
        .prefetch_related("objections")
        .order_by("-notified_at")
    )


# --- assignment runs ----------------------------------------------------------------------------

PROPOSAL_ROWS = 500  # an officer reviews a page; the rest is applied with it all the same


def run_proposal(run) -> dict:
    """A proposed (or applied) run by application: its reviewers with their affinity, best first;
    with the totals the officer checks before applying (2 queries whatever the size)."""
    by_app: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for a, r, f in run.proposal.get("pairs", []):
        by_app[int(a)].append((int(r), float(f)))
    shown = sorted(by_app)[:PROPOSAL_ROWS]
    titles = dict(Application.objects.filter(pk__in=shown).values_list("pk", "title"))
    reviewer_ids = {r for a in shown for r, _f in by_app[a]}
    names = {r.pk: str(r) for r in Reviewer.objects.filter(pk__in=reviewer_ids).select_related("user")}
    rows = [
        {
            "application_id": a,
            "title": titles.get(a, f"#{a}"),
            "reviewers": [
                {"name": names.get(r, f"#{r}"), "affinity": f"{f:.2f}"}
                for r, f in sorted(by_app[a], key=lambda x: -x[1])
            ],
        }
        for a in shown
    ]
    pairs = sum(len(v) for v in by_app.values())
    mean = sum(f for v in by_app.values() for _r, f in v) / pairs if pairs else 0.0
    return {
        "rows": rows,
        "applications": len(by_app),
        "pairs": pairs,
        "reviewers": len({r for v in by_app.values() for r, _f in v}),
        "mean_affinity": f"{mean:.2f}",
        "truncated": len(by_app) > PROPOSAL_ROWS,
    }


def run_explanation(run) -> dict:
    """An infeasible run's explanation with names instead of ids and reasons as labels: the
    capacity short, the applications lacking eligible reviewers (and whom conflicts removed), and
    a group of applications that together lack reviewers (Hall's condition)."""
    ex = run.explanation or {}
    lacking = ex.get("lacking", [])[:50]
    hall = ex.get("hall") or {}
    app_ids = {int(row["application"]) for row in lacking} | {
        int(a) for a in hall.get("applications", [])[:20]
    }
    reviewer_ids = {int(c["reviewer"]) for row in lacking for c in row.get("removed", [])}
    reviewer_ids |= {int(r) for r in hall.get("reviewers", [])[:20]}
    titles = dict(Application.objects.filter(pk__in=app_ids).values_list("pk", "title"))
    names = {r.pk: str(r) for r in Reviewer.objects.filter(pk__in=reviewer_ids).select_related("user")}
    kinds = dict(Conflict.Kind.choices)
    rows = []
    for row in lacking:
        removed: dict[int, list[str]] = defaultdict(list)
        for c in row.get("removed", []):
            removed[int(c["reviewer"])].append(str(kinds.get(c["reason"], c["reason"])))
        rows.append(
            {
                "title": titles.get(int(row["application"]), f"#{row['application']}"),
                "eligible": row["eligible"],
                "needed": row["needed"],
                "removed": [
                    {"name": names.get(r, f"#{r}"), "reasons": ", ".join(sorted(set(why)))}
                    for r, why in sorted(removed.items())
                ],
            }
        )
    out = {
        "needed": ex.get("needed"),
        "capacity": ex.get("capacity"),
        "capacity_short": ex.get("capacity_short", 0),
        "lacking": rows,
        "lacking_total": len(ex.get("lacking", [])),
        "hall": None,
    }
    if hall:
        out["hall"] = {
            "size": hall["size"],
            "need": hall["need"],
            "reviewer_capacity": hall["reviewer_capacity"],
            "short": hall["need"] - hall["reviewer_capacity"],
            "applications": [titles.get(int(a), f"#{a}") for a in hall.get("applications", [])[:20]],
            "reviewers": [names.get(int(r), f"#{r}") for r in hall.get("reviewers", [])[:20]],
            "reviewer_count": len(hall.get("reviewers", [])),
        }
    return out
