"""Writes of the evaluation. Each service owns its transaction and checks its own permission.

Admin, API and pages call these and repeat none of their checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.errors import fields_from_django
from consortia.models import Application, Organisation
from evaluations import permissions, selectors
from evaluations.exceptions import (
    AssignmentRefused,
    ConflictOfInterest,
    InvalidPanel,
    ObjectionRefused,
    ScoringRefused,
    SelectionRefused,
)
from evaluations.models import (
    ApplicationBonus,
    Assignment,
    AssignmentRun,
    BonusItem,
    Conflict,
    Criterion,
    CriterionScore,
    Objection,
    Panel,
    PanelMember,
    Result,
    Reviewer,
    ReviewerAffiliation,
    Score,
    SelectionEntry,
    Waiver,
)
from programs.deadlines import due_after_days
from programs.permissions import is_admin, is_officer_of

RUBRIC_TOTAL = Decimal("100")
OBJECTION_DAYS, ANSWER_DAYS, AGREEMENT_DAYS, REVISION_DAYS = 10, 30, 30, 20


def _full_clean(obj, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidPanel(
            _("The input has errors; nothing was saved."),
            fields=fields_from_django(exc),
            code="panel.invalid_input",
        ) from None


def _panel_for_officer(actor, panel_id: int, *, lock: bool = False) -> Panel:
    qs = Panel.objects.select_related("call", "track")
    if lock:
        qs = qs.select_for_update(of=("self",))
    panel = qs.get(pk=panel_id)
    if not permissions.can_manage_panel(actor, panel):
        raise PermissionDenied
    return panel


def _points(value: Any) -> Decimal | None:
    try:
        d = Decimal(str(value)).normalize() if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        return None
    if d is not None and (not d.is_finite() or d.as_tuple().exponent < -2):
        return None
    return d


# --- reviewer pool ------------------------------------------------------------------------------


def _tokenise_reviewer(reviewer: Reviewer) -> None:
    from evaluations.affinity import reviewer_tokens

    reviewer.expertise_tokens = " ".join(reviewer_tokens(reviewer.expertise, reviewer.expertise_text))


@transaction.atomic
def save_reviewer(*, actor, reviewer: Reviewer) -> Reviewer:
    """Creates or updates a pool profile; tokenises its expertise once, here; recomputes conflicts."""
    if not is_admin(actor) and not is_officer_of_any(actor):
        raise PermissionDenied
    _tokenise_reviewer(reviewer)
    _full_clean(reviewer, exclude=["user"] if reviewer.user_id else None)
    reviewer.save()
    recompute_conflicts_for_reviewer(reviewer_id=reviewer.pk)
    return reviewer


def is_officer_of_any(user) -> bool:
    from programs.permissions import is_officer

    return is_officer(user)


@transaction.atomic
def set_reviewer_affiliations(
    *, actor, reviewer_id: int, rows: list[dict[str, Any]]
) -> list[ReviewerAffiliation]:
    """Replaces a reviewer's affiliation history ({organisation, department, since, until})."""
    if not is_admin(actor) and not is_officer_of_any(actor):
        raise PermissionDenied
    reviewer = Reviewer.objects.select_for_update().get(pk=reviewer_id)
    reviewer.affiliations.all().delete()
    out = []
    for row in rows:
        aff = ReviewerAffiliation(reviewer=reviewer, **row)
        _full_clean(aff)
        aff.save()
        out.append(aff)
    recompute_conflicts_for_reviewer(reviewer_id=reviewer.pk)
    return out


# --- panels -------------------------------------------------------------------------------------


def _check_rubric(criteria: list[dict[str, Any]], bonus_items: list[dict[str, Any]]) -> None:
    errors: dict[str, list[str]] = {}
    total = Decimal(0)
    codes = set()
    for i, c in enumerate(criteria):
        points = _points(c.get("max_points"))
        if points is None or points <= 0:
            errors.setdefault(f"criteria.{i}.max_points", []).append(
                _("Points must be positive, two decimals at most.")
            )
        else:
            total += points
        if not c.get("code") or c["code"] in codes:
            errors.setdefault(f"criteria.{i}.code", []).append(_("Each criterion needs its own code."))
        codes.add(c.get("code"))
    if not criteria:
        errors.setdefault("criteria", []).append(_("A rubric needs at least one criterion."))
    elif total != RUBRIC_TOTAL and not errors:
        errors.setdefault("criteria", []).append(
            _("The criteria sum to %(total)s points; they must sum to 100.")
            % {"total": f"{total.normalize():f}"}
        )
    for i, b in enumerate(bonus_items):
        points = _points(b.get("max_points"))
        if points is None or points < 0:
            errors.setdefault(f"bonus_items.{i}.max_points", []).append(_("Points must be zero or more."))
    if errors:
        only = next(iter(errors.values()))[0] if len(errors) == 1 else None
        raise InvalidPanel(
            only or _("The rubric has errors; nothing was saved."), fields=errors, code="panel.rubric_invalid"
        )


@transaction.atomic
def create_panel(
    *,
    actor,
    call,
    track,
    name: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    criteria: list[dict[str, Any]],
    bonus_items: list[dict[str, Any]] = (),
    tie_break: str | None = None,
    members: Iterable[int] = (),
    chair: int | None = None,
    **settings: Any,
) -> Panel:
    """A panel of a call's track (optionally a region) with its rubric, bonus items, settings and
    members (one of them the chair); computes the members' conflicts."""
    if not is_officer_of(actor, call.program_id):
        raise PermissionDenied
    if track.call_id != call.pk:
        raise InvalidPanel(
            _("The track is not this call's."),
            fields={"track": [_("Not this call's track.")]},
            code="panel.track_not_in_call",
        )
    if settings.get("region") is not None and settings["region"].scheme_id != call.region_scheme_id:
        raise InvalidPanel(
            _("The region is not of the call's scheme."),
            fields={"region": [_("Not in the call's scheme.")]},
            code="panel.region_not_in_scheme",
        )
    _check_window(opens_at, closes_at)
    _check_rubric(list(criteria), list(bonus_items))
    seats = _check_members(members, chair)
    settings.setdefault("cutoff_score", call.cutoff_score)
    panel = Panel(call=call, track=track, name=name, opens_at=opens_at, closes_at=closes_at, **settings)
    _full_clean(panel, exclude=["tie_break_criterion"])
    panel.save()
    _write_rubric(panel, criteria, bonus_items, tie_break)
    if seats:
        _write_members(panel, seats)
        recompute_conflicts(panel_id=panel.pk)
    return panel


def _check_window(opens_at: dt.datetime, closes_at: dt.datetime) -> None:
    # Before full_clean: the check constraint's own message names no field.
    if closes_at <= opens_at:
        raise InvalidPanel(
            _("Scoring must close after it opens."),
            fields={"closes_at": [_("After the opening.")]},
            code="panel.window_invalid",
        )


def _check_members(members: Iterable[int], chair: int | None) -> dict[int, bool]:
    """{reviewer id: is chair} of pool reviewers; the chair is a member; unknown ids refused."""
    seats = {int(r): False for r in members}
    if chair is not None:
        seats[int(chair)] = True
    known = set(Reviewer.objects.filter(pk__in=list(seats)).values_list("pk", flat=True))
    if unknown := sorted(set(seats) - known):
        raise InvalidPanel(
            _("Not reviewers of the pool: %(ids)s.") % {"ids": ", ".join(map(str, unknown))},
            fields={"members": [_("Unknown reviewer.")]},
            code="panel.reviewers_not_in_pool",
        )
    return seats


def _write_members(panel: Panel, seats: dict[int, bool]) -> None:
    # Seats stay (pledges signed on them); only the chair flag moves, the old chair first
    # (one_chair_per_panel is checked on each UPDATE).
    PanelMember.objects.filter(panel=panel, is_chair=True).exclude(
        reviewer__in=[r for r, c in seats.items() if c]
    ).update(is_chair=False)
    have = dict(PanelMember.objects.filter(panel=panel).values_list("reviewer_id", "is_chair"))
    PanelMember.objects.bulk_create(
        [PanelMember(panel=panel, reviewer_id=r, is_chair=c) for r, c in seats.items() if r not in have]
    )
    for r, c in seats.items():
        if r in have and have[r] != c:
            PanelMember.objects.filter(panel=panel, reviewer_id=r).update(is_chair=c)


# Settings an officer may change while no score is submitted (call and track stay: applications,
# conflicts and assignments hang on them).
EDITABLE_SETTINGS = frozenset(
    {
        "name",
        "stage",
        "region",
        "aggregation",
        "cutoff_score",
        "cutoff_before_bonus",
        "bonus_cap",
        "reviewers_per_application",
        "max_per_reviewer",
        "min_per_reviewer",
        "opens_at",
        "closes_at",
        "disclose_reviewer_names",
        "disagreement_threshold",
        "conflict_same_institution",
        "conflict_window_years",
        "conflict_lead_province",
    }
)


@transaction.atomic
def update_panel(
    *,
    actor,
    panel_id: int,
    criteria: list[dict[str, Any]],
    bonus_items: list[dict[str, Any]] = (),
    tie_break: str | None = None,
    members: Iterable[int] = (),
    chair: int | None = None,
    **settings: Any,
) -> Panel:
    """Changes a panel's settings, rubric and members until its first submitted score; the
    rubric only while no score exists at all; recomputes its conflicts."""
    if unknown := set(settings) - EDITABLE_SETTINGS:
        raise TypeError(f"not editable: {sorted(unknown)}")
    panel = _panel_for_officer(actor, panel_id, lock=True)
    scores = Score.objects.filter(assignment__panel=panel)
    if panel.selection_confirmed_at or scores.filter(state=Score.State.SUBMITTED).exists():
        raise InvalidPanel(
            _("A score has been submitted: the panel can no longer be edited."), code="panel.score_submitted"
        )
    region = settings.get("region", panel.region)
    if region is not None and region.scheme_id != panel.call.region_scheme_id:
        raise InvalidPanel(
            _("The region is not of the call's scheme."),
            fields={"region": [_("Not in the call's scheme.")]},
            code="panel.region_not_in_scheme",
        )
    if region != panel.region and panel.assignments.filter(withdrawn_at__isnull=True).exists():
        # The region decides which applications the panel reviews: its assignments would dangle.
        raise InvalidPanel(
            _("The panel has assignments: its region can no longer change."),
            fields={"region": [_("Assignments exist.")]},
            code="panel.region_locked",
        )
    _check_window(settings.get("opens_at", panel.opens_at), settings.get("closes_at", panel.closes_at))
    criteria, bonus_items = list(criteria), list(bonus_items)
    _check_rubric(criteria, bonus_items)
    if _rubric_of(panel) != _rubric_rows(criteria, bonus_items) and scores.exists():
        raise InvalidPanel(
            _("Reviewers have started scoring: the rubric can no longer change."),
            fields={"criteria": [_("Scoring has started.")]},
            code="panel.rubric_locked",
        )
    seats = _check_members(members, chair)
    busy = set(
        Assignment.objects.filter(panel=panel, withdrawn_at__isnull=True)
        .exclude(reviewer__in=list(seats))
        .values_list("reviewer_id", flat=True)
    )
    if busy:
        names = ", ".join(sorted(str(r) for r in Reviewer.objects.filter(pk__in=busy).select_related("user")))
        raise InvalidPanel(
            _("Reviewers with assignments cannot leave the panel: %(names)s.") % {"names": names},
            fields={"members": [names]},
            code="panel.members_assigned",
        )
    for field, value in settings.items():
        setattr(panel, field, value)
    _full_clean(panel, exclude=["tie_break_criterion"])
    panel.save()
    panel.criteria.exclude(code__in=[c["code"] for c in criteria]).delete()
    panel.bonus_items.exclude(code__in=[b["code"] for b in bonus_items]).delete()
    if not tie_break:
        Panel.objects.filter(pk=panel.pk).update(tie_break_criterion=None)
        panel.tie_break_criterion = None
    _write_rubric(panel, criteria, bonus_items, tie_break)
    PanelMember.objects.filter(panel=panel).exclude(reviewer__in=list(seats)).delete()
    _write_members(panel, seats)
    recompute_conflicts(panel_id=panel.pk)
    return panel


def _rubric_rows(criteria, bonus_items) -> tuple:
    return (
        tuple(sorted((c["code"], _points(c["max_points"])) for c in criteria)),
        tuple(sorted((b["code"], _points(b["max_points"])) for b in bonus_items)),
    )


def _rubric_of(panel: Panel) -> tuple:
    return (
        tuple(sorted((c.code, c.max_points.normalize()) for c in panel.criteria.all())),
        tuple(sorted((b.code, b.max_points.normalize()) for b in panel.bonus_items.all())),
    )


def _write_rubric(panel: Panel, criteria, bonus_items, tie_break: str | None) -> None:
    # Updated in place by code: scores point at criteria (PROTECT).
    for order, c in enumerate(criteria):
        Criterion.objects.update_or_create(
            panel=panel,
            code=c["code"],
            defaults={
                "name": c.get("name", c["code"]),
                "max_points": _points(c["max_points"]),
                "order": order,
            },
        )
    for b in bonus_items:
        BonusItem.objects.update_or_create(
            panel=panel,
            code=b["code"],
            defaults={"name": b.get("name", b["code"]), "max_points": _points(b["max_points"])},
        )
    if tie_break:
        criterion = panel.criteria.filter(code=tie_break).first()
        if criterion is None:
            raise InvalidPanel(
                _("The tie-break criterion is not in the rubric."),
                fields={"tie_break": [_("Unknown criterion.")]},
                code="panel.tie_break_not_in_rubric",
            )
        Panel.objects.filter(pk=panel.pk).update(tie_break_criterion=criterion)
        panel.tie_break_criterion = criterion


@transaction.atomic
def set_rubric(*, actor, panel_id: int, criteria, bonus_items=(), tie_break: str | None = None) -> Panel:
    """Replaces the rubric before any score exists (criteria updated in place by code)."""
    panel = _panel_for_officer(actor, panel_id, lock=True)
    if Score.objects.filter(assignment__panel=panel).exists():
        raise InvalidPanel(
            _("The rubric cannot change once scoring has started."), code="panel.rubric_locked"
        )
    _check_rubric(list(criteria), list(bonus_items))
    codes = [c["code"] for c in criteria]
    panel.criteria.exclude(code__in=codes).delete()
    panel.bonus_items.exclude(code__in=[b["code"] for b in bonus_items]).delete()
    _write_rubric(panel, criteria, bonus_items, tie_break)
    return panel


@transaction.atomic
def add_panel_member(*, actor, panel_id: int, reviewer_id: int, is_chair: bool = False) -> PanelMember:
    """Seats a pool reviewer on the panel (one chair) and computes their conflicts."""
    panel = _panel_for_officer(actor, panel_id, lock=True)
    reviewer = Reviewer.objects.get(pk=reviewer_id)
    if is_chair and panel.panel_members.filter(is_chair=True).exclude(reviewer=reviewer).exists():
        raise InvalidPanel(
            _("The panel already has a chair."),
            fields={"is_chair": [_("One chair per panel.")]},
            code="panel.chair_exists",
        )
    member, _created = PanelMember.objects.update_or_create(
        panel=panel, reviewer=reviewer, defaults={"is_chair": is_chair}
    )
    recompute_conflicts(panel_id=panel.pk)
    return member


@transaction.atomic
def sign_pledge(*, actor, panel_id: int) -> PanelMember:
    """The reviewer signs the security and impartiality pledge (보안·공정 서약) for the panel; kept once."""
    member = PanelMember.objects.select_for_update().get(panel=panel_id, reviewer__user=actor)
    if member.pledged_at is None:
        member.pledged_at = timezone.now()
        member.save(update_fields=["pledged_at"])
    return member


@transaction.atomic
def close_panel(*, actor, panel_id: int) -> Panel:
    """Closes scoring now: nothing changes afterwards."""
    panel = _panel_for_officer(actor, panel_id, lock=True)
    if panel.closed_at is None:
        panel.closed_at = min(timezone.now(), panel.closes_at)
        panel.save(update_fields=["closed_at"])
    return panel


@transaction.atomic
def set_bonus(*, actor, panel_id: int, application_id: int, item_code: str, points: Any) -> ApplicationBonus:
    panel = _panel_for_officer(actor, panel_id, lock=True)
    if panel.selection_confirmed_at:
        raise InvalidPanel(
            _("The selection is confirmed: bonuses no longer change."), code="bonus.selection_confirmed"
        )
    item = panel.bonus_items.get(code=item_code)
    value = _points(points)
    if value is None or value < 0 or value > item.max_points:
        raise InvalidPanel(
            _("Bonus points are between 0 and %(max)s.") % {"max": f"{item.max_points.normalize():f}"},
            fields={"points": [_("Out of bounds.")]},
            code="bonus.out_of_range",
        )
    application = selectors.panel_applications(panel).get(pk=application_id)
    bonus, _c = ApplicationBonus.objects.update_or_create(
        item=item, application=application, defaults={"points": value}
    )
    return bonus


# --- conflicts of interest ----------------------------------------------------------------------


def _notify_officers_of_withdrawal(panel: Panel, withdrawn: list[Assignment]) -> None:
    from evaluations import notices

    notices.assignments_withdrawn(panel=panel, assignments=withdrawn)


@transaction.atomic
def recompute_conflicts(*, panel_id: int) -> list[Assignment]:
    """Rewrites the panel's computed conflicts (declared ones stay); withdraws every active
    assignment that is now blocked, voids its score, and tells the officers. Returns the withdrawn."""
    panel = Panel.objects.select_for_update(of=("self",)).select_related("call", "track").get(pk=panel_id)
    if panel.selection_confirmed_at:
        return []  # history: a confirmed selection keeps the conflicts it was made under
    _write_computed_conflicts(panel)
    _write_reciprocal_conflicts(panel)
    return _withdraw_blocked(panel, reason=_("conflict of interest"))


def _write_computed_conflicts(panel: Panel) -> None:
    """Every rule's rows go from the database to the database. The panel's stored rows and the
    rules' rows are grouped by (application, reviewer, kind): a key only stored is stale (deleted
    by id), a key only found is new (inserted, with the least of its details); a key in both keeps
    its row as it is. Grouping, never a join of the two: no plan can turn it quadratic when the
    planner's statistics predate the rows (they do right after a big insert)."""
    rules = selectors.conflict_rules(panel)
    found = " UNION ALL ".join(sql for sql, _p in rules)
    table = connection.ops.quote_name(Conflict._meta.db_table)
    both = (
        f"SELECT id AS i, application_id AS a, reviewer_id AS r, kind AS k, NULL AS d, 1 AS e FROM {table} "
        "WHERE panel_id = %s AND kind NOT IN (%s, %s) "
        f"UNION ALL SELECT NULL, found.a, found.r, found.k, found.d, 0 FROM ({found}) found"
    )
    apart = (Conflict.Kind.DECLARED.value, Conflict.Kind.RECIPROCAL.value)  # kept or diffed elsewhere
    params = (panel.pk, *apart, *(p for _s, rule_params in rules for p in rule_params))
    stored = Conflict.objects.filter(panel=panel).exclude(kind__in=apart)
    with connection.cursor() as cursor:
        stale = []
        if stored.exists():  # the first computation has nothing to compare
            cursor.execute(
                f"SELECT MIN(u.i) FROM ({both}) u GROUP BY u.a, u.r, u.k HAVING MIN(u.e) = 1", params
            )
            stale = [pk for (pk,) in cursor.fetchall()]
        # WHERE true: SQLite would read the ON of ON CONFLICT as a join's.
        cursor.execute(
            f"INSERT INTO {table} (panel_id, application_id, reviewer_id, kind, detail, found_at) "
            f"SELECT %s, u.a, u.r, u.k, SUBSTR(MIN(u.d), 1, 400), %s FROM ({both}) u WHERE true "
            "GROUP BY u.a, u.r, u.k HAVING MAX(u.e) = 0 "
            "ON CONFLICT (panel_id, application_id, reviewer_id, kind) DO NOTHING",
            (panel.pk, connection.ops.adapt_datetimefield_value(timezone.now()), *params),
        )
    if stale:
        Conflict.objects.filter(pk__in=stale).delete()


def _write_reciprocal_conflicts(panel: Panel) -> None:
    """Reciprocal reviews (few: only reviewers who are researchers in the call take part), diffed here."""
    kind = Conflict.Kind.RECIPROCAL
    wanted = {(a, r): d for a, r, _k, d in selectors.reciprocal_conflicts(panel)}
    existing = {
        (a, r): pk
        for pk, a, r in Conflict.objects.filter(panel=panel, kind=kind).values_list(
            "pk", "application_id", "reviewer_id"
        )
    }
    stale = [pk for key, pk in existing.items() if key not in wanted]
    Conflict.objects.filter(pk__in=stale).delete()
    _insert_conflicts(
        panel, [(a, r, kind, d[:400]) for (a, r), d in wanted.items() if (a, r) not in existing]
    )


def _insert_conflicts(panel: Panel, rows: list[tuple[int, int, str, str]]) -> None:
    """Many rows at once: PostgreSQL's COPY (tens of thousands in a blink), bulk INSERTs elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        now = timezone.now()
        table = Conflict._meta.db_table
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY {table} (panel_id, application_id, reviewer_id, kind, detail, found_at) FROM STDIN"
            ) as copy,
        ):
            for a, r, k, d in rows:
                copy.write_row((panel.pk, a, r, k, d, now))
        return
    Conflict.objects.bulk_create(
        [Conflict(panel=panel, application_id=a, reviewer_id=r, kind=k, detail=d) for a, r, k, d in rows],
        batch_size=2000,
    )


def _withdraw_blocked(panel: Panel, *, reason: str) -> list[Assignment]:
    # Joined in the database: only active assignments that a blocking conflict hits come back.
    active_rows = Assignment.objects.filter(panel=panel, withdrawn_at__isnull=True)
    if not active_rows.exists():
        return []  # before the first assignment: no join over every conflict of the panel
    hit = selectors.blocking_conflicts(panel.pk).filter(
        application=OuterRef("application"), reviewer=OuterRef("reviewer")
    )
    active = list(active_rows.filter(Exists(hit)).select_related("reviewer__user", "application"))
    if not active:
        return []
    now = timezone.now()
    ids = [a.pk for a in active]
    Assignment.objects.filter(pk__in=ids).update(withdrawn_at=now, withdrawn_reason=reason[:400])
    Score.objects.filter(assignment__in=ids).update(state=Score.State.VOID)
    _notify_officers_of_withdrawal(panel, active)
    return active


def _open_panels_of(application_ids: Iterable[int]) -> list[int]:
    apps = Application.objects.filter(pk__in=list(application_ids)).values_list("call_id", "track_id")
    q = Q()
    for call_id, track_id in set(apps):
        q |= Q(call_id=call_id, track_id=track_id)
    if not q:
        return []
    return list(Panel.objects.filter(q, selection_confirmed_at__isnull=True).values_list("pk", flat=True))


def recompute_conflicts_for_applications(*, application_ids: Iterable[int]) -> None:
    """Called by the consortia services that change members or people of applications."""
    for panel_id in _open_panels_of(application_ids):
        recompute_conflicts(panel_id=panel_id)


def recompute_conflicts_for_consortium(*, consortium_id: int) -> None:
    ids = Application.objects.filter(consortium=consortium_id).values_list("pk", flat=True)
    recompute_conflicts_for_applications(application_ids=ids)


def recompute_conflicts_for_person(*, person_id: int) -> None:
    """A person's affiliations changed: every open panel of the applications they work on, and of
    the panels where they sit as a reviewer."""
    ids = set(Application.objects.filter(people__person=person_id).values_list("pk", flat=True))
    recompute_conflicts_for_applications(application_ids=ids)
    reviewer = Reviewer.objects.filter(person=person_id).values_list("pk", flat=True).first()
    if reviewer:
        recompute_conflicts_for_reviewer(reviewer_id=reviewer)


def recompute_conflicts_for_reviewer(*, reviewer_id: int) -> None:
    for panel_id in Panel.objects.filter(
        panel_members__reviewer=reviewer_id, selection_confirmed_at__isnull=True
    ).values_list("pk", flat=True):
        recompute_conflicts(panel_id=panel_id)


@transaction.atomic
def declare_conflict(*, actor, assignment_id: int, reason: str) -> Conflict:
    """The reviewer declares a conflict with its reason: the assignment is withdrawn at once."""
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("reviewer", "panel")
        .get(pk=assignment_id, reviewer__user=actor, withdrawn_at__isnull=True)
    )
    if not reason.strip():
        raise ConflictOfInterest(
            _("Say why you have a conflict."),
            fields={"reason": [_("Required.")]},
            code="conflict.reason_required",
        )
    conflict, _c = Conflict.objects.update_or_create(
        panel=assignment.panel,
        application=assignment.application,
        reviewer=assignment.reviewer,
        kind=Conflict.Kind.DECLARED,
        defaults={"detail": reason.strip()[:400]},
    )
    _withdraw_blocked(assignment.panel, reason=_("declared conflict"))
    return conflict


@transaction.atomic
def waive_conflict(*, actor, panel_id: int, application_id: int, reviewer_id: int, reason: str) -> Waiver:
    """An officer's recorded decision that the reviewer's expertise is needed despite the conflict."""
    panel = _panel_for_officer(actor, panel_id, lock=True)
    kinds = set(
        Conflict.objects.filter(panel=panel, application=application_id, reviewer=reviewer_id).values_list(
            "kind", flat=True
        )
    )
    if not kinds:
        raise ConflictOfInterest(_("There is no conflict to waive."), code="conflict.none_to_waive")
    if unwaivable := kinds & set(Conflict.UNWAIVABLE):
        labels = ", ".join(str(Conflict.Kind(k).label) for k in sorted(unwaivable))
        raise ConflictOfInterest(
            _("This conflict cannot be waived: %(reasons)s.") % {"reasons": labels},
            fields={"reviewer": [labels]},
            code="conflict.not_waivable",
        )
    if not reason.strip():
        raise ConflictOfInterest(
            _("A waiver needs its reason."),
            fields={"reason": [_("Required.")]},
            code="waiver.reason_required",
        )
    waiver, _c = Waiver.objects.update_or_create(
        panel=panel,
        application_id=application_id,
        reviewer_id=reviewer_id,
        defaults={"reason": reason.strip(), "decided_by": actor},
    )
    return waiver


@transaction.atomic
def revoke_waiver(*, actor, waiver_id: int) -> None:
    waiver = Waiver.objects.get(pk=waiver_id)
    panel = _panel_for_officer(actor, waiver.panel_id, lock=True)
    waiver.delete()
    _withdraw_blocked(panel, reason=_("waiver revoked"))


# --- assignments --------------------------------------------------------------------------------


def _check_assignable(panel: Panel, application_id: int, reviewer_id: int) -> None:
    if not panel.panel_members.filter(reviewer=reviewer_id).exists():
        raise AssignmentRefused(
            _("The reviewer is not on this panel."),
            fields={"reviewer": [_("Not on the panel.")]},
            code="assignment.reviewer_not_on_panel",
        )
    if not selectors.panel_applications(panel).filter(pk=application_id).exists():
        raise AssignmentRefused(
            _("The application is not reviewed by this panel."),
            fields={"application": [_("Not in this panel.")]},
            code="assignment.application_not_in_panel",
        )
    if blocking := list(
        selectors.blocking_conflicts(panel.pk).filter(application=application_id, reviewer=reviewer_id)
    ):
        labels = ", ".join(str(c.get_kind_display()) for c in blocking)
        raise ConflictOfInterest(
            _("The reviewer has a conflict with this application: %(reasons)s.") % {"reasons": labels},
            fields={"reviewer": [labels]},
            code="assignment.conflict_of_interest",
        )
    active = Assignment.objects.filter(panel=panel, withdrawn_at__isnull=True)
    if active.filter(application=application_id, reviewer=reviewer_id).exists():
        raise AssignmentRefused(
            _("The reviewer is already assigned to this application."), code="assignment.already_assigned"
        )
    if active.filter(reviewer=reviewer_id).count() >= panel.max_per_reviewer:
        raise AssignmentRefused(
            _("The reviewer already has %(n)d applications, the panel's maximum.")
            % {"n": panel.max_per_reviewer},
            fields={"reviewer": [_("At the maximum.")]},
            code="assignment.reviewer_at_capacity",
        )
    if active.filter(application=application_id).count() >= panel.reviewers_per_application:
        raise AssignmentRefused(
            _("The application already has %(k)d reviewers.") % {"k": panel.reviewers_per_application},
            fields={"application": [_("Fully assigned.")]},
            code="assignment.application_full",
        )
    orgs = current_institutions([reviewer_id], on=timezone.localdate(panel.opens_at)).get(reviewer_id, set())
    if orgs:
        others = active.filter(application=application_id).values_list("reviewer_id", flat=True)
        taken = set().union(
            *current_institutions(list(others), on=timezone.localdate(panel.opens_at)).values()
        )
        if orgs & taken:
            raise AssignmentRefused(
                _("Another reviewer of the same institution already reviews this application."),
                fields={"reviewer": [_("Same institution as another reviewer.")]},
                code="assignment.same_institution",
            )


def current_institutions(reviewer_ids: list[int], *, on: dt.date) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {r: set() for r in reviewer_ids}
    for r, org in ReviewerAffiliation.objects.filter(
        Q(until__isnull=True) | Q(until__gte=on), reviewer__in=reviewer_ids, since__lte=on
    ).values_list("reviewer_id", "organisation_id"):
        out[r].add(org)
    return out


@transaction.atomic
def assign_reviewer(*, actor, panel_id: int, application_id: int, reviewer_id: int) -> Assignment:
    """An officer assigns a reviewer by hand; conflicts, k, L and one-per-institution still hold."""
    panel = _panel_for_officer(actor, panel_id, lock=True)
    if panel.is_closed:
        raise AssignmentRefused(_("The panel is closed."), code="assignment.panel_closed")
    _check_assignable(panel, application_id, reviewer_id)
    return Assignment.objects.create(
        panel=panel, application_id=application_id, reviewer_id=reviewer_id, created_by=actor
    )


@transaction.atomic
def unassign_reviewer(*, actor, assignment_id: int, reason: str) -> Assignment:
    assignment = Assignment.objects.select_for_update(of=("self",)).get(
        pk=assignment_id, withdrawn_at__isnull=True
    )
    _panel_for_officer(actor, assignment.panel_id, lock=True)
    if not reason.strip():
        raise AssignmentRefused(
            _("Say why the reviewer is removed."),
            fields={"reason": [_("Required.")]},
            code="assignment.reason_required",
        )
    assignment.withdrawn_at = timezone.now()
    assignment.withdrawn_reason = reason.strip()[:400]
    assignment.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    Score.objects.filter(assignment=assignment).update(state=Score.State.VOID)
    return assignment


# --- scoring ------------------------------------------------------------------------------------


def reviewer_assignment(actor, assignment_id: int, *, lock: bool = False) -> Assignment:
    """The actor's own assignment, reachable (pledged, not conflicted), or DoesNotExist (a 404):
    a guessed id or a conflicted reviewer learns nothing."""
    qs = selectors.reviewer_assignments(actor).filter(pk=assignment_id)
    if lock:
        qs = qs.select_for_update(of=("self",))
    return qs.get()


@transaction.atomic
def save_score(
    *,
    actor,
    assignment_id: int,
    points: Mapping[str, Any],
    comments: Mapping[str, str] | None = None,
    comment: str = "",
    submit: bool = False,
) -> Score:
    """Saves the reviewer's draft (points by criterion code), or submits it (then read-only).
    Every check before any write: a refusal writes nothing."""
    assignment = reviewer_assignment(actor, assignment_id, lock=True)
    if not permissions.can_score(actor, assignment):
        raise PermissionDenied
    panel = assignment.panel
    now = timezone.now()
    if not panel.is_open_at(now):
        local = timezone.localtime
        raise ScoringRefused(
            _("Scoring is open from %(opens)s to %(closes)s (Asia/Seoul); it is not open now.")
            % {
                "opens": f"{local(panel.opens_at):%Y-%m-%d %H:%M}",
                "closes": f"{local(panel.closes_at):%Y-%m-%d %H:%M}",
            },
            code="score.outside_window",
        )
    score = Score.objects.select_for_update().filter(assignment=assignment).first()
    if score is not None and score.state != Score.State.DRAFT:
        raise ScoringRefused(
            _("This score was already submitted; it can no longer change."), code="score.already_submitted"
        )
    criteria = list(panel.criteria.all())
    comments = comments or {}
    errors: dict[str, list[str]] = {}
    values: dict[int, Decimal] = {}
    known = {c.code for c in criteria}
    for code in set(points) - known:
        errors.setdefault(f"points.{code}", []).append(_("Unknown criterion."))
    for c in criteria:
        raw = points.get(c.code)
        if raw in (None, ""):
            if submit:
                errors.setdefault(f"points.{c.code}", []).append(
                    _("Score every criterion before submitting.")
                )
            continue
        value = _points(raw)
        if value is None or value < 0 or value > c.max_points:
            errors.setdefault(f"points.{c.code}", []).append(
                _("%(name)s takes 0 to %(max)s points (two decimals at most).")
                % {"name": c.name, "max": f"{c.max_points.normalize():f}"}
            )
            continue
        values[c.pk] = value
    for code, text in comments.items():
        if code not in known:
            errors.setdefault(f"comments.{code}", []).append(_("Unknown criterion."))
        elif len(text) > 2000:
            errors.setdefault(f"comments.{code}", []).append(_("At most 2000 characters."))
    if len(comment) > 4000:
        errors.setdefault("comment", []).append(_("At most 4000 characters."))
    if errors:
        raise ScoringRefused(
            _("The score has errors; nothing was saved."), fields=errors, code="score.invalid"
        )
    if score is None:
        score = Score.objects.create(assignment=assignment)
    by_code = {c.code: c for c in criteria}
    for c in criteria:
        if c.pk in values:
            CriterionScore.objects.update_or_create(
                score=score,
                criterion=c,
                defaults={"points": values[c.pk], "comment": comments.get(c.code, "")},
            )
        else:
            CriterionScore.objects.filter(score=score, criterion=c).delete()
    del by_code
    score.total = sum(values.values(), Decimal(0))
    score.comment = comment
    fields = ["total", "comment", "updated_at"]
    if submit:
        score.state, score.submitted_at = Score.State.SUBMITTED, now
        fields += ["state", "submitted_at"]
    score.save(update_fields=fields)
    return score


# --- selection ----------------------------------------------------------------------------------


@transaction.atomic
def confirm_selection(
    *, actor, panel_id: int, selected: Iterable[int], reasons: Mapping[int, str]
) -> list[SelectionEntry]:
    """The officer confirms the selection: any deviation from the proposal needs its reason; the
    quota per (track, region) and the cut-off hold; applications move to selected / not selected."""
    from consortia.services import decide_application

    panel = _panel_for_officer(actor, panel_id, lock=True)
    if not panel.is_closed:
        raise SelectionRefused(
            _("Close the panel before confirming the selection."), code="selection.panel_open"
        )
    if panel.selection_confirmed_at:
        raise SelectionRefused(_("The selection is already confirmed."), code="selection.already_confirmed")
    results = selectors.panel_results(panel)
    proposed = selectors.proposed_selection(panel, results)
    chosen = set(int(a) for a in selected)
    by_app = {r.application_id: r for r in results}
    reasons = {int(k): (v or "").strip() for k, v in reasons.items()}
    errors: dict[str, list[str]] = {}
    if unknown := chosen - set(by_app):
        errors["selected"] = [
            _("Not an application of this panel: %(ids)s.") % {"ids": ", ".join(map(str, sorted(unknown)))}
        ]
    per_region: dict[Any, int] = {}
    for a in sorted(chosen & set(by_app)):
        r = by_app[a]
        if not r.passes:
            errors.setdefault(f"selected.{a}", []).append(_("Below the cut-off: it cannot be selected."))
        region = r.extra["region"]
        per_region[region] = per_region.get(region, 0) + 1
        if per_region[region] > panel.track.quota_per_region:
            errors.setdefault("selected", []).append(
                _("More than the quota of %(n)d in %(region)s.")
                % {"n": panel.track.quota_per_region, "region": region or _("no region")}
            )
    for a in (chosen ^ proposed) & set(by_app):
        if not reasons.get(a):
            errors.setdefault(f"reasons.{a}", []).append(_("A deviation from the proposal needs its reason."))
    if errors:
        raise SelectionRefused(
            _("The selection cannot be confirmed; nothing was changed."),
            fields=errors,
            code="selection.invalid",
        )
    now = timezone.now()
    entries = []
    for r in results:
        a = r.application_id
        app = r.extra["application"]
        entries.append(
            SelectionEntry(
                panel=panel,
                application_id=a,
                region=r.extra["region"],
                rank=r.rank,
                proposed=a in proposed,
                selected=a in chosen,
                reason=reasons.get(a, "") if (a in chosen) != (a in proposed) else "",
                confirmed_by=actor,
                confirmed_at=now,
            )
        )
        if app.state == Application.State.UNDER_REVIEW:
            why = reasons.get(a) or (
                _("selected by the panel") if a in chosen else _("not selected by the panel")
            )
            decide_application(
                actor=actor,
                application_id=a,
                step="select" if a in chosen else "reject",
                reason=f"{panel}: {why}",
            )
    SelectionEntry.objects.bulk_create(entries)
    panel.selection_confirmed_at = now
    panel.save(update_fields=["selection_confirmed_at"])
    return entries


# --- results and objections ---------------------------------------------------------------------


@transaction.atomic
def notify_results(*, actor, panel_id: int) -> list[Result]:
    """Each applicant is told its scores, rank and (where disclosed) the reviewers' names, exactly
    once; the objection, agreement and revision deadlines start on the notification day."""
    from evaluations import notices

    panel = _panel_for_officer(actor, panel_id, lock=True)
    if not panel.selection_confirmed_at:
        raise SelectionRefused(
            _("Confirm the selection before notifying the results."), code="results.selection_not_confirmed"
        )
    now = timezone.now()
    day = timezone.localdate(now)
    results = selectors.panel_results(panel)
    entries = {e.application_id: e for e in panel.selection.all()}
    out = []
    for r in results:
        result, created = Result.objects.get_or_create(
            panel=panel,
            application_id=r.application_id,
            defaults={
                "notified_at": now,
                "objection_due": due_after_days(day, OBJECTION_DAYS),
                "agreement_due": due_after_days(day, AGREEMENT_DAYS),
                "revision_due": due_after_days(day, REVISION_DAYS),
            },
        )
        notices.result_notice(result=result, row=r, entry=entries.get(r.application_id))
        out.append(result)
    if not panel.results_notified_at:
        panel.results_notified_at = now
        panel.save(update_fields=["results_notified_at"])
    return out


@transaction.atomic
def file_objection(*, actor, result_id: int, text: str) -> Objection:
    """An objection (이의신청) within 10 days of the notification (civil code); answer due in 30."""
    result = Result.objects.select_for_update().select_related("application").get(pk=result_id)
    if not permissions.can_file_objection(actor, result.application):
        raise PermissionDenied
    today = timezone.localdate()
    if today > result.objection_due:
        raise ObjectionRefused(
            _("Objections were due by %(due)s.") % {"due": result.objection_due.isoformat()},
            fields={"text": [_("Too late.")]},
            code="result_objection.period_over",
        )
    if not text.strip():
        raise ObjectionRefused(
            _("Say what you object to."),
            fields={"text": [_("Required.")]},
            code="result_objection.text_required",
        )
    if result.objections.filter(answered_at__isnull=True).exists():
        raise ObjectionRefused(
            _("An objection to this result is already awaiting its answer."),
            code="result_objection.already_open",
        )
    return Objection.objects.create(
        result=result,
        filed_by=actor,
        filed_at=timezone.now(),
        text=text.strip(),
        answer_due=due_after_days(today, ANSWER_DAYS),
    )


@transaction.atomic
def answer_objection(*, actor, objection_id: int, answer: str, upheld: bool) -> Objection:
    """The ministry answers; an upheld objection reopens the application's review by decision."""
    from consortia.services import decide_application

    objection = (
        Objection.objects.select_for_update(of=("self",)).select_related("result__panel").get(pk=objection_id)
    )
    panel = _panel_for_officer(actor, objection.result.panel_id)
    if objection.answered_at:
        raise ObjectionRefused(
            _("This objection is already answered."), code="result_objection.already_answered"
        )
    if not answer.strip():
        raise ObjectionRefused(
            _("The answer needs its text."),
            fields={"answer": [_("Required.")]},
            code="result_objection.answer_required",
        )
    objection.answer, objection.upheld = answer.strip(), bool(upheld)
    objection.answered_by, objection.answered_at = actor, timezone.now()
    objection.save(update_fields=["answer", "upheld", "answered_by", "answered_at"])
    if upheld:
        decide_application(
            actor=actor,
            application_id=objection.result.application_id,
            step="reopen_review",
            reason=f"{panel}: {_('objection upheld')}: {objection.answer}",
        )
    return objection


def organisation_by_name(name: str) -> Organisation | None:
    return Organisation.objects.filter(name=name).order_by("pk").first()


# --- assignment runs ----------------------------------------------------------------------------


@transaction.atomic
def start_assignment_run(*, actor, panel_id: int) -> AssignmentRun:
    """Queues an optimisation run (a Celery task with progress); the proposal is applied separately."""
    from config.celery import enqueue_after_commit
    from evaluations.tasks import run_assignment

    panel = _panel_for_officer(actor, panel_id, lock=True)
    if panel.is_closed:
        raise AssignmentRefused(_("The panel is closed."), code="assignment_run.panel_closed")
    if panel.assignment_runs.filter(
        state__in=[AssignmentRun.State.QUEUED, AssignmentRun.State.RUNNING]
    ).exists():
        raise AssignmentRefused(
            _("An assignment run of this panel is already under way."), code="assignment_run.running"
        )
    run = AssignmentRun.objects.create(panel=panel, started_by=actor, message="queued")
    enqueue_after_commit(run_assignment, run.pk)
    return run


@transaction.atomic
def cancel_assignment_run(*, actor, run_id: int) -> AssignmentRun:
    run = AssignmentRun.objects.select_for_update().get(pk=run_id)
    _panel_for_officer(actor, run.panel_id)
    if run.state in (AssignmentRun.State.QUEUED, AssignmentRun.State.RUNNING, AssignmentRun.State.PROPOSED):
        run.state, run.finished_at = AssignmentRun.State.CANCELLED, timezone.now()
        run.save(update_fields=["state", "finished_at"])
    return run


def _set_run(run_id: int, **fields) -> bool:
    """Updates a run unless it was cancelled meanwhile; False when it was."""
    return bool(
        AssignmentRun.objects.filter(pk=run_id).exclude(state=AssignmentRun.State.CANCELLED).update(**fields)
    )


# The task's phases and their progress; the step names are shown translated (RUN_STEPS).
RUN_STEPS = {
    "queued": gettext_lazy("queued"),
    "loading": gettext_lazy("loading applications, reviewers and conflicts"),
    "texts": gettext_lazy("reading the applications' texts"),
    "affinity": gettext_lazy("computing expertise affinity"),
    "solving": gettext_lazy("solving the assignment"),
    "proposed": gettext_lazy("proposal ready"),
    "infeasible": gettext_lazy("no assignment satisfies the settings"),
    "failed": gettext_lazy("failed"),
}


def execute_assignment_run(*, run_id: int) -> None:
    """The task's body: load, affinity, solve, each phase recording its progress; between phases
    a cancelled run stops (nothing more is written). Stores the proposal or the explanation."""
    from evaluations import assignment

    claimed = AssignmentRun.objects.filter(pk=run_id, state=AssignmentRun.State.QUEUED).update(
        state=AssignmentRun.State.RUNNING, progress=5, message="loading"
    )
    if not claimed:
        return  # already running elsewhere, done or cancelled

    def checkpoint(progress: int, step: str) -> None:
        if not _set_run(run_id, progress=progress, message=step):
            raise assignment.RunCancelled

    run = AssignmentRun.objects.select_related("panel__call", "panel__track").get(pk=run_id)
    try:
        problem = assignment.load(run.panel, checkpoint)
        checkpoint(60, "solving")
        solution = assignment.solve(problem)
    except assignment.RunCancelled:
        return
    except Exception as exc:
        _set_run(
            run_id,
            state=AssignmentRun.State.FAILED,
            message="failed",
            explanation={"error": str(exc)[:500]},
            finished_at=timezone.now(),
        )
        raise
    timings = {**problem.timings, "solver_s": solution.get("solver_s", 0.0)}
    if "infeasible" in solution:
        _set_run(
            run_id,
            state=AssignmentRun.State.INFEASIBLE,
            progress=100,
            message="infeasible",
            explanation={**solution["infeasible"], "timings": timings},
            finished_at=timezone.now(),
        )
        return
    _set_run(
        run_id,
        state=AssignmentRun.State.PROPOSED,
        progress=100,
        message="proposed",
        proposal={"pairs": solution["pairs"], "timings": timings},
        finished_at=timezone.now(),
    )


@transaction.atomic
def apply_assignment_run(*, actor, run_id: int) -> QuerySet[Assignment]:
    """Writes the reviewed proposal as assignments (returned as the run's rows); pairs conflicted
    since the run are refused, and then nothing is written."""
    run = AssignmentRun.objects.select_for_update().get(pk=run_id)
    panel = _panel_for_officer(actor, run.panel_id, lock=True)
    if run.state != AssignmentRun.State.PROPOSED:
        raise AssignmentRefused(_("Only a proposed run can be applied."), code="assignment_run.not_proposed")
    pairs = [(int(a), int(r), float(f)) for a, r, f in run.proposal.get("pairs", [])]
    proposed = {(a, r) for a, r, _f in pairs}
    # Every blocked pair of the proposed reviewers, intersected here: one pass over the panel's
    # conflicts whatever the planner knows of rows just written (a join could go quadratic).
    blocked = (
        selectors.blocking_conflicts(panel.pk)
        .filter(reviewer__in={r for _a, r in proposed})
        .order_by()
        .values_list("application_id", "reviewer_id")
    )
    if stale := sorted(set(blocked) & proposed):
        raise AssignmentRefused(
            _("%(n)d proposed pairs are now conflicted; start a new run.") % {"n": len(stale)},
            fields={"proposal": [f"{a}×{r}" for a, r in stale[:20]]},
            code="assignment_run.stale",
        )
    _insert_assignments(panel, run, actor, pairs)
    run.state, run.applied_at = AssignmentRun.State.APPLIED, timezone.now()
    run.save(update_fields=["state", "applied_at"])
    return Assignment.objects.filter(panel=panel, run=run, withdrawn_at__isnull=True)


def _insert_assignments(panel: Panel, run: AssignmentRun, actor, pairs: list[tuple[int, int, float]]) -> None:
    """One INSERT from three arrays on PostgreSQL (no model instance per row); bulk INSERTs elsewhere."""
    if not pairs:
        return
    if connection.vendor == "postgresql":
        apps, reviewers, affinities = (list(column) for column in zip(*pairs, strict=True))
        table = connection.ops.quote_name(Assignment._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (panel_id, application_id, reviewer_id, affinity, created_at, "
                "created_by_id, run_id, withdrawn_reason) "
                "SELECT %s, p.a, p.r, p.f, %s, %s, %s, '' "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::float8[]) AS p (a, r, f)",
                (panel.pk, timezone.now(), actor.pk, run.pk, apps, reviewers, affinities),
            )
        return
    Assignment.objects.bulk_create(
        [
            Assignment(panel=panel, application_id=a, reviewer_id=r, affinity=f, run=run, created_by=actor)
            for a, r, f in pairs
        ],
        batch_size=5000,
    )


def queue_reviewer_reminders(*, at: dt.datetime | None = None) -> int:
    """Reminders 3 days and 1 day before a panel closes, once per reviewer, panel and day.
    Returns how many notices this call created (a second run the same day creates none)."""
    from django.db.models import Count

    from consortia.models import Notice
    from evaluations import notices

    now = at or timezone.now()
    today = timezone.localdate(now)
    before = Notice.objects.filter(kind="evaluation.reminder").count()
    for panel in Panel.objects.filter(closed_at__isnull=True, closes_at__gt=now).select_related("call"):
        days_left = (timezone.localdate(panel.closes_at) - today).days
        if days_left not in (3, 1):
            continue
        pending = (
            Assignment.objects.filter(panel=panel, withdrawn_at__isnull=True)
            .exclude(score__state=Score.State.SUBMITTED)
            .values("reviewer")
            .annotate(n=Count("pk"))
        )
        counts = {row["reviewer"]: row["n"] for row in pending}
        for reviewer in Reviewer.objects.filter(pk__in=counts).select_related("user"):
            with transaction.atomic():
                notices.reviewer_reminder(
                    panel=panel, reviewer=reviewer, pending=counts[reviewer.pk], days_left=days_left
                )
    return Notice.objects.filter(kind="evaluation.reminder").count() - before


DEADLINE_REMINDERS = ((7, "d7"), (1, "d1"))


def deadline_occasion(due: dt.date, today: dt.date, *, overdue: bool) -> tuple[str, dt.date] | None:
    """The latest reminder (kind, its day) whose day is today or before: D-7, D-1, and (when
    `overdue`) one the day after the due date. A missed day is caught up, older occasions are not."""
    if today > due:
        return ("overdue", due + dt.timedelta(days=1)) if overdue else None
    for days, kind in reversed(DEADLINE_REMINDERS):
        day = due - dt.timedelta(days=days)
        if day <= today:
            return kind, day
    return None


def queue_deadline_reminders(*, today: dt.date | None = None) -> int:
    """The deadlines a result starts (domain.md): the ministry's answer to an objection (30 days:
    D-7, D-1, overdue, to the officers) and the agreement (30 days from the notification: D-7,
    D-1, to the contacts of a selected application not yet signed). Each reminder is one notice
    of the outbox, once per object, occasion and day. Returns how many notices were created."""
    from django.db.models import Exists, OuterRef, Prefetch

    from accounts.models import User
    from consortia.models import Notice
    from evaluations import notices

    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=DEADLINE_REMINDERS[0][0])
    emails = User.objects.exclude(email="").only("email")
    created = 0
    objections = (
        Objection.objects.filter(answered_at__isnull=True, answer_due__lte=horizon)
        .select_related("result__panel__call__program", "result__application")
        .prefetch_related(Prefetch("result__panel__call__program__officers", queryset=emails))
        .order_by("pk")
    )
    for objection in objections:
        found = deadline_occasion(objection.answer_due, today, overdue=True)
        if found is None:
            continue
        kind, day = found
        key = f"evaluation:objection-answer:{objection.pk}:{kind}:{day.isoformat()}"
        if Notice.objects.filter(dedupe_key=key).exists():
            continue  # queued by an earlier or concurrent run: nothing to render
        with transaction.atomic():
            created += notices.objection_answer_reminder(objection=objection, kind=kind, day=day, today=today)
    selected = SelectionEntry.objects.filter(
        panel=OuterRef("panel"), application=OuterRef("application"), selected=True
    )
    results = (
        Result.objects.filter(Exists(selected), agreement_due__gte=today, agreement_due__lte=horizon)
        .exclude(application__award__signed_on__isnull=False)
        .select_related("panel", "application__consortium")
        .prefetch_related(Prefetch("application__consortium__contacts", queryset=emails))
        .order_by("pk")
    )
    for result in results:
        found = deadline_occasion(result.agreement_due, today, overdue=False)
        if found is None:
            continue
        kind, day = found
        key = f"evaluation:agreement:{result.pk}:{kind}:{day.isoformat()}"
        if Notice.objects.filter(dedupe_key=key).exists():
            continue
        with transaction.atomic():
            created += notices.agreement_reminder(result=result, kind=kind, day=day, today=today)
    return created


# --- reviewer pool import -----------------------------------------------------------------------

IMPORT_COLUMNS = [
    "username",
    "name",
    "email",
    "affiliation",
    "department",
    "province_code",
    "expertise",
    "expertise_text",
    "official",
    "organisation",
    "since",
]


def _cell(value) -> str:
    return "" if value is None else str(value).strip()


@transaction.atomic
def import_reviewers(*, actor, upload) -> list[Reviewer]:
    """Imports reviewers from an xlsx sheet (header row: IMPORT_COLUMNS); every row error is
    reported and, when there is any, nothing is imported."""
    import openpyxl
    from django.contrib.auth import get_user_model
    from django.core.validators import validate_email

    from evaluations.exceptions import ImportRefused
    from programs.models import Province

    if not is_admin(actor):
        raise PermissionDenied
    try:
        sheet = openpyxl.load_workbook(upload, read_only=True, data_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
    except Exception:  # openpyxl raises many kinds on a file that is not xlsx
        raise ImportRefused(
            _("This is not an xlsx file."),
            fields={"file": [_("Upload an xlsx file.")]},
            code="import.not_xlsx",
        ) from None
    if not rows or [_cell(c) for c in rows[0][: len(IMPORT_COLUMNS)]] != IMPORT_COLUMNS:
        raise ImportRefused(
            _("The first row must name the columns: %(columns)s.") % {"columns": ", ".join(IMPORT_COLUMNS)},
            fields={"file": [_("Wrong header row.")]},
            code="import.header_invalid",
        )
    if len(rows) > 5001:
        raise ImportRefused(
            _("At most 5000 reviewers per file."),
            fields={"file": [_("Too many rows.")]},
            code="import.too_many_rows",
        )
    User = get_user_model()
    today = timezone.localdate()
    provinces = {p.code: p for p in Province.objects.in_force_on(today)}
    taken = set(User.objects.values_list("username", flat=True))
    errors: dict[str, list[str]] = {}
    parsed = []
    seen: set[str] = set()
    for n, raw in enumerate(rows[1:], start=2):
        row = dict(zip(IMPORT_COLUMNS, (_cell(c) for c in raw), strict=False))
        if not any(row.values()):
            continue

        def err(field: str, message: str, n=n) -> None:
            errors.setdefault(f"rows.{n}.{field}", []).append(message)

        if not row.get("username") or row["username"] in taken or row["username"] in seen:
            err("username", _("A new, unique user name is required."))
        seen.add(row.get("username", ""))
        if not row.get("name"):
            err("name", _("Required."))
        try:
            validate_email(row.get("email", ""))
        except ValidationError:
            err("email", _("A valid email address is required."))
        if row.get("province_code") and row["province_code"] not in provinces:
            err("province_code", _("Not a province code in force today."))
        if row.get("official", "").upper() not in ("", "Y", "N"):
            err("official", _("Y or N."))
        org = None
        if row.get("organisation"):
            org = organisation_by_name(row["organisation"])
            if org is None:
                err("organisation", _("No registered organisation has this name."))
        since = None
        if row.get("since"):
            try:
                since = dt.date.fromisoformat(row["since"][:10])
            except ValueError:
                err("since", _("A date (YYYY-MM-DD)."))
        parsed.append((row, org, since))
    if errors:
        raise ImportRefused(
            _("%(n)d rows have errors; nothing was imported.")
            % {"n": len({k.split(".")[1] for k in errors})},
            fields=errors,
            code="import.row_errors",
        )
    out = []
    for row, org, since in parsed:
        user = User.objects.create_user(username=row["username"], email=row["email"], name=row["name"])
        reviewer = Reviewer(
            user=user,
            affiliation=row.get("affiliation", "") or (org.name if org else ""),
            department=row.get("department", ""),
            province=provinces.get(row.get("province_code", "")),
            expertise=row.get("expertise", "")[:400],
            expertise_text=row.get("expertise_text", "")[:2000],
            is_official=row.get("official", "").upper() == "Y",
        )
        _tokenise_reviewer(reviewer)
        reviewer.save()
        if org is not None:
            ReviewerAffiliation.objects.create(
                reviewer=reviewer, organisation=org, department=reviewer.department, since=since or today
            )
        out.append(reviewer)
    return out
