"""Writes to awards and their money. Each service checks permission and state, owns its
transaction, and moves money only by appending ledger entries.

Lock order (every money writer, so two writers never deadlock or interleave):
  1. the Award row (`_lock_award`), then
  2. the Tranche rows it touches, in ascending id (`_lock_tranches`), then
  3. the Disbursement / Recovery / AwardChange row, if any.
Balances are read after the locks are held, so a check and the entry it allows are atomic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from awards import permissions
from awards.exceptions import AgreementRefused, InvalidAmount, InvalidState, NotPayable, ObjectionRefused
from awards.models import (
    DEFAULT_GRADES,
    Award,
    AwardChange,
    AwardChangeItem,
    AwardMember,
    AwardPolicy,
    AwardProvince,
    AwardStage,
    Bucket,
    CarryOver,
    Disbursement,
    Grade,
    GradeRule,
    LedgerEntry,
    Recovery,
    StopObjection,
    Tranche,
)
from awards.rule_codes import AwardRule
from awards.selectors import current_stop_grade, tranche_balances
from consortia.models import Application, ConsortiumMember, Organisation
from programs.deadlines import add_months, due_after_days, due_after_months, period_end
from programs.models import MoneySource, Program

MAX_YEARS = 10  # 국가연구개발혁신법: a project runs at most 10 years
DEFAULT_STAGES = (3, 3, 4)

SOURCE_FIELDS = {
    MoneySource.NATIONAL: "national_krw",
    MoneySource.LOCAL_CASH: "local_cash_krw",
    MoneySource.PRIVATE_CASH: "private_cash_krw",
    MoneySource.PRIVATE_IN_KIND: "private_in_kind_krw",
}

# --- program rules -------------------------------------------------------------------------------


def policy_for(program: Program | int) -> AwardPolicy:
    program_id = program if isinstance(program, int) else program.pk
    policy, _created = AwardPolicy.objects.get_or_create(program_id=program_id)
    return policy


def ensure_grade_scale(program: Program | int) -> None:
    """Gives a program without a scale the default S–D scale (+10, 0, −10, −30 %, stop)."""
    program_id = program if isinstance(program, int) else program.pk
    if GradeRule.objects.filter(program_id=program_id).exists():
        return
    GradeRule.objects.bulk_create(
        [
            GradeRule(program_id=program_id, code=code, label=label, order=i, change_percent=pct, stops=stops)
            for i, (code, label, pct, stops) in enumerate(DEFAULT_GRADES)
        ],
        ignore_conflicts=True,
    )


# --- helpers: locks and entries --------------------------------------------------------------------


def _lock_award(award_id: int) -> Award:
    return (
        Award.objects.select_for_update(of=("self",)).select_related("program", "consortium").get(pk=award_id)
    )


def _lock_tranches(ids: Iterable[int]) -> dict[int, Tranche]:
    # Ascending id: two writers touching the same tranches take their locks in the same order.
    rows = Tranche.objects.select_for_update(of=("self",)).filter(pk__in=sorted(set(ids))).order_by("pk")
    return {t.pk: t for t in rows}


def _entry(tranche: Tranche, kind: str, bucket: str, amount: int, actor, **fields: Any) -> LedgerEntry | None:
    if amount == 0:
        return None
    return LedgerEntry.objects.create(
        tranche=tranche,
        award_id=tranche.award_id,
        kind=kind,
        bucket=bucket,
        amount_krw=amount,
        actor=actor,
        **fields,
    )


def _positive_amount(value: Any, field: str = "amount_krw") -> int:
    # bool is an int in Python: refuse it like any other non-amount.
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidAmount(
            _("Enter an amount of one won or more."),
            fields={field: [_("Enter whole won, more than zero.")]},
            rule=AwardRule.AMOUNT_NOT_POSITIVE,
        )
    return value


def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied


def _award_is_running(award: Award) -> None:
    if award.state != Award.State.ACTIVE:
        raise NotPayable(
            _("This award is stopped or being stopped: no money moves on it."),
            fields={"award": [award.get_state_display()]},
            rule=AwardRule.AWARD_STOPPED,
        )


# --- creating an award --------------------------------------------------------------------------


def default_stage_years(years: int) -> list[int]:
    """3 + 3 + 4 cut to the project's length: 3 → [3], 5 → [3, 2], 10 → [3, 3, 4]."""
    out, left = [], years
    for n in DEFAULT_STAGES:
        if left <= 0:
            break
        out.append(min(n, left))
        left -= out[-1]
    if left > 0:
        out[-1] += left
    return out


@transaction.atomic
def create_award(
    *,
    actor,
    application_id: int,
    notified_on: dt.date,
    starts_on: dt.date | None = None,
    stage_years: list[int] | None = None,
) -> Award:
    """A selected application -> an award: stages, members and provinces as at selection, one
    tranche per year × source × line × member of the budget plan, planned in the ledger;
    year 1 released."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call__program", "track", "consortium__representative__province")
        .get(pk=application_id)
    )
    _require(permissions.can_create_award(actor, application))
    if application.state != Application.State.SELECTED:
        raise InvalidState(
            _("Only a selected application becomes an award."),
            fields={"application": [application.get_state_display()]},
            rule=AwardRule.AWARD_NOT_SELECTED,
        )
    if Award.objects.filter(application=application).exists():
        raise InvalidState(
            _("This application already has an award."),
            fields={"application": [_("Already awarded.")]},
            rule=AwardRule.AWARD_EXISTS,
        )
    lines = list(application.budget_lines.select_related("member__organisation__province"))
    plan_years = max((line.year for line in lines), default=0)
    if not plan_years:
        raise InvalidState(
            _("The application has no budget plan."),
            fields={"application": [_("No budget.")]},
            rule=AwardRule.AWARD_NO_BUDGET,
        )
    total_years = max(plan_years, application.track.duration_years)
    stage_years = list(stage_years) if stage_years else default_stage_years(total_years)
    if (
        any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in stage_years)
        or sum(stage_years) > MAX_YEARS
        or sum(stage_years) < plan_years
    ):
        raise InvalidState(
            _("Stages must be whole years covering the budget plan, at most 10 years in all."),
            fields={"stage_years": [_("%(years)s years planned.") % {"years": plan_years}]},
            rule=AwardRule.AWARD_STAGES,
        )
    agreement_due_on = due_after_days(notified_on, 30)
    if starts_on is None:
        # The project starts on the first day of the month after the selection notice.
        starts_on = add_months(notified_on.replace(day=1), 1)
    ends_on = period_end(starts_on, years=sum(stage_years))
    lead = application.consortium.representative
    award = Award.objects.create(
        application=application,
        program=application.call.program,
        call=application.call,
        track=application.track,
        consortium=application.consortium,
        lead_province=lead.province,
        title=application.title,
        selection_notified_on=notified_on,
        agreement_due_on=agreement_due_on,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    first_year = 1
    for number, years in enumerate(stage_years, start=1):
        stage_start = add_months(starts_on, 12 * (first_year - 1))
        stage_end = period_end(stage_start, years=years)
        AwardStage.objects.create(
            award=award,
            number=number,
            first_year=first_year,
            years=years,
            starts_on=stage_start,
            ends_on=stage_end,
            settlement_due_on=due_after_months(stage_end, 3),
        )
        first_year += years
    # Members and provinces as they are at selection: later moves never rewrite the award.
    members = {}
    for cm in ConsortiumMember.objects.filter(consortium=application.consortium).select_related(
        "organisation__province"
    ):
        members[cm.pk] = AwardMember.objects.create(
            award=award,
            organisation=cm.organisation,
            name=str(cm.organisation),
            role=cm.role,
            province=cm.organisation.province,
        )
    provinces = {lead.province_id} | {
        m.province_id for m in members.values() if m.role == ConsortiumMember.Role.LEAD_GOVERNMENT
    }
    AwardProvince.objects.bulk_create(
        [AwardProvince(award=award, province_id=p, is_lead=p == lead.province_id) for p in sorted(provinces)]
    )
    today = timezone.localdate()
    for line in sorted(lines, key=lambda x: (x.year, x.member_id)):
        for source, field in SOURCE_FIELDS.items():
            amount = getattr(line, field)
            if not amount:
                continue
            tranche, _created = Tranche.objects.get_or_create(
                award=award,
                year=line.year,
                source=source,
                line=line.line,
                member=members[line.member_id],
                defaults={
                    "fiscal_year": add_months(starts_on, 12 * (line.year - 1)).year,
                    "released_on": today if line.year == 1 else None,
                },
            )
            _entry(tranche, LedgerEntry.Kind.PLANNED, Bucket.BUDGET, amount, actor)
    ensure_grade_scale(award.program_id)
    from monitoring.services import start_monitoring  # milestones and KPI rollups from here on

    start_monitoring(award_id=award.pk)
    return award


@transaction.atomic
def record_signed_agreement(*, actor, award_id: int, signed_on: dt.date) -> Award:
    """Records the date the agreement was signed (the 30-day deadline is shown, not enforced)."""
    award = _lock_award(award_id)
    _require(permissions.can_manage_award(actor, award))
    award.signed_on = signed_on
    award.save(update_fields=["signed_on"])
    return award


# --- disbursements -------------------------------------------------------------------------------


@transaction.atomic
def request_disbursement(*, actor, tranche_id: int, amount_krw: Any, note: str = "") -> Disbursement:
    """Reserves `amount_krw` of a released tranche of this year or earlier (ledger: pending)."""
    amount = _positive_amount(amount_krw)
    award_id = Tranche.objects.values_list("award_id", flat=True).get(pk=tranche_id)
    award = _lock_award(award_id)
    _require(permissions.can_request_disbursement(actor, award))
    tranche = _lock_tranches([tranche_id])[tranche_id]
    _award_is_running(award)
    _tranche_is_payable(tranche)
    remaining = tranche_balances(tranche.pk).remaining_krw
    if amount > remaining:
        raise InvalidAmount(
            _("The tranche has %(remaining)s won left.") % {"remaining": f"{remaining:,}"},
            fields={"amount_krw": [_("At most %(remaining)s won.") % {"remaining": f"{remaining:,}"}]},
            rule=AwardRule.DISBURSEMENT_ABOVE_REMAINING,
        )
    disbursement = Disbursement.objects.create(
        tranche=tranche, amount_krw=amount, note=note, requested_by=actor
    )
    _entry(tranche, LedgerEntry.Kind.REQUESTED, Bucket.PENDING, amount, actor, disbursement=disbursement)
    return disbursement


def _tranche_is_payable(tranche: Tranche, *, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    if tranche.source == MoneySource.PRIVATE_IN_KIND:
        raise NotPayable(
            _("In-kind contributions are recorded, not paid out."),
            fields={"tranche": [_("In kind.")]},
            rule=AwardRule.DISBURSEMENT_IN_KIND,
        )
    if tranche.cancelled_on:
        raise NotPayable(
            _("This tranche was cancelled."),
            fields={"tranche": [_("Cancelled.")]},
            rule=AwardRule.DISBURSEMENT_TRANCHE_CANCELLED,
        )
    if tranche.released_on is None:
        raise NotPayable(
            _("This tranche has not been released by a grade yet."),
            fields={"tranche": [_("Not released.")]},
            rule=AwardRule.DISBURSEMENT_NOT_RELEASED,
        )
    if tranche.fiscal_year > today.year:
        raise NotPayable(
            _("This tranche belongs to a future year."),
            fields={"tranche": [str(tranche.fiscal_year)]},
            rule=AwardRule.DISBURSEMENT_FUTURE_YEAR,
        )


def _lock_disbursement(disbursement_id: int) -> tuple[Award, Tranche, Disbursement]:
    tranche_id = Disbursement.objects.values_list("tranche_id", flat=True).get(pk=disbursement_id)
    award_id = Tranche.objects.values_list("award_id", flat=True).get(pk=tranche_id)
    award = _lock_award(award_id)
    tranche = _lock_tranches([tranche_id])[tranche_id]
    disbursement = Disbursement.objects.select_for_update(of=("self",)).get(pk=disbursement_id)
    return award, tranche, disbursement


@transaction.atomic
def approve_disbursement(*, actor, disbursement_id: int) -> Disbursement:
    """Requested -> approved (ledger: pending -> approved)."""
    award, tranche, disbursement = _lock_disbursement(disbursement_id)
    _require(permissions.can_manage_award(actor, award))
    _award_is_running(award)
    if not can_proceed(disbursement.approve):
        raise InvalidState(
            _("Only a requested disbursement can be approved."),
            fields={"state": [disbursement.get_state_display()]},
            rule=AwardRule.DISBURSEMENT_NOT_REQUESTED,
        )
    disbursement.approve(by=actor, at=timezone.now())
    disbursement.save(update_fields=["state", "approved_by", "approved_at"])
    amount = disbursement.amount_krw
    _entry(tranche, LedgerEntry.Kind.APPROVED, Bucket.PENDING, -amount, actor, disbursement=disbursement)
    _entry(tranche, LedgerEntry.Kind.APPROVED, Bucket.APPROVED, amount, actor, disbursement=disbursement)
    return disbursement


@transaction.atomic
def pay_disbursement(*, actor, disbursement_id: int, paid_on: dt.date, reference: str) -> Disbursement:
    """Approved -> paid on `paid_on` with the bank reference (ledger: approved -> paid), once."""
    award, tranche, disbursement = _lock_disbursement(disbursement_id)
    _require(permissions.can_manage_award(actor, award))
    _award_is_running(award)
    if not reference.strip():
        raise InvalidState(
            _("A payment needs its reference."),
            fields={"reference": [_("Required.")]},
            rule=AwardRule.PAYMENT_REFERENCE_REQUIRED,
        )
    if paid_on > timezone.localdate():
        raise InvalidState(
            _("A payment cannot be dated in the future."),
            fields={"paid_on": [str(paid_on)]},
            rule=AwardRule.PAYMENT_IN_FUTURE,
        )
    if not can_proceed(disbursement.pay):
        raise InvalidState(
            _("Only an approved disbursement can be paid."),
            fields={"state": [disbursement.get_state_display()]},
            rule=AwardRule.DISBURSEMENT_NOT_APPROVED,
        )
    disbursement.pay(by=actor, on=paid_on, reference=reference.strip())
    disbursement.save(update_fields=["state", "paid_by", "paid_on", "reference"])
    amount = disbursement.amount_krw
    _entry(tranche, LedgerEntry.Kind.PAID, Bucket.APPROVED, -amount, actor, disbursement=disbursement)
    _entry(tranche, LedgerEntry.Kind.PAID, Bucket.PAID, amount, actor, disbursement=disbursement)
    return disbursement


@transaction.atomic
def reject_disbursement(*, actor, disbursement_id: int, reason: str) -> Disbursement:
    """Requested or approved -> rejected; the reserved money returns to the tranche."""
    award, tranche, disbursement = _lock_disbursement(disbursement_id)
    _require(permissions.can_manage_award(actor, award))
    if not reason.strip():
        raise InvalidState(
            _("A rejection needs its reason."),
            fields={"reason": [_("Required.")]},
            rule=AwardRule.DISBURSEMENT_REASON_REQUIRED,
        )
    _reject(disbursement, tranche, actor, reason)
    return disbursement


def _reject(disbursement: Disbursement, tranche: Tranche, actor, reason: str) -> None:
    if not can_proceed(disbursement.reject):
        raise InvalidState(
            _("Only a requested or approved disbursement can be rejected."),
            fields={"state": [disbursement.get_state_display()]},
            rule=AwardRule.DISBURSEMENT_NOT_REJECTABLE,
        )
    bucket = Bucket.PENDING if disbursement.state == Disbursement.State.REQUESTED else Bucket.APPROVED
    disbursement.reject(reason=reason)
    disbursement.save(update_fields=["state", "rejected_reason"])
    _entry(
        tranche,
        LedgerEntry.Kind.REJECTED,
        bucket,
        -disbursement.amount_krw,
        actor,
        disbursement=disbursement,
        reason=reason,
    )


@transaction.atomic
def reverse_entry(*, actor, entry_id: int, reason: str) -> LedgerEntry:
    """A correction: a new entry with the opposite amount, in the same balance, with its reason."""
    entry = LedgerEntry.objects.get(pk=entry_id)
    award = _lock_award(entry.award_id)
    _require(permissions.can_manage_award(actor, award))
    tranche = _lock_tranches([entry.tranche_id])[entry.tranche_id]
    if not reason.strip():
        raise InvalidState(
            _("A reversal needs its reason."),
            fields={"reason": [_("Required.")]},
            rule=AwardRule.LEDGER_REASON_REQUIRED,
        )
    if entry.kind == LedgerEntry.Kind.REVERSAL:
        raise InvalidState(
            _("A reversal is not reversed: write the correct entry instead."),
            fields={"entry": [str(entry.pk)]},
            rule=AwardRule.LEDGER_IS_REVERSAL,
        )
    # Checked under the award's lock, which every reversal takes first; the one-to-one
    # `reverses` column refuses a second reversal in the database as well.
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise InvalidState(
            _("This entry is already reversed."),
            fields={"entry": [str(entry.pk)]},
            rule=AwardRule.LEDGER_ALREADY_REVERSED,
        )
    reversal = _entry(
        tranche,
        LedgerEntry.Kind.REVERSAL,
        entry.bucket,
        -entry.amount_krw,
        actor,
        reverses=entry,
        reason=reason.strip(),
    )
    if tranche_balances(tranche.pk).remaining_krw < 0:
        raise InvalidAmount(
            _("This reversal would leave the tranche below what is already committed."),
            fields={"entry": [str(entry.pk)]},
            rule=AwardRule.LEDGER_REVERSAL_OVERDRAWS,
        )
    return reversal


# --- grades ----------------------------------------------------------------------------------------


@transaction.atomic
def record_grade(
    *,
    actor,
    award_id: int,
    year: Any,
    code: str,
    kind: str = Grade.Kind.ANNUAL,
    decision: str = "",
    on: dt.date | None = None,
) -> Grade:
    """Grades a project year; the program's rule changes next year's tranches through the ledger
    and releases them, or a stop grade notifies the stop and opens the objection period."""
    award = _lock_award(award_id)
    _require(permissions.can_manage_award(actor, award))
    if award.state != Award.State.ACTIVE:
        raise InvalidState(
            _("This award is stopped or being stopped."),
            fields={"award": [award.get_state_display()]},
            rule=AwardRule.GRADE_AWARD_STOPPED,
        )
    stages = list(award.stages.all())
    total_years = sum(s.years for s in stages)
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= total_years:
        raise InvalidState(
            _("The year is outside the award (1 to %(years)s).") % {"years": total_years},
            fields={"year": [_("Between 1 and %(years)s.") % {"years": total_years}]},
            rule=AwardRule.GRADE_YEAR_OUTSIDE,
        )
    if kind not in Grade.Kind.values:
        raise InvalidState(
            _("Unknown evaluation kind."), fields={"kind": [_("Unknown.")]}, rule=AwardRule.GRADE_KIND_UNKNOWN
        )
    if kind == Grade.Kind.STAGE and year not in {s.last_year for s in stages}:
        raise InvalidState(
            _("A stage evaluation grades a stage's last year."),
            fields={"year": [str(year)]},
            rule=AwardRule.GRADE_STAGE_YEAR,
        )
    rule = GradeRule.objects.filter(program_id=award.program_id, code=code).first()
    if rule is None:
        scale = ", ".join(
            GradeRule.objects.filter(program_id=award.program_id).values_list("code", flat=True)
        )
        raise InvalidState(
            _("This grade is not on the program's scale (%(scale)s).") % {"scale": scale},
            fields={"code": [_("Not on the scale.")]},
            rule=AwardRule.GRADE_NOT_ON_SCALE,
        )
    if Grade.objects.filter(award=award, year=year).exists():
        raise InvalidState(
            _("This year is already graded."),
            fields={"year": [str(year)]},
            rule=AwardRule.GRADE_ALREADY_GRADED,
        )
    previous_ungraded = [y for y in range(1, year) if not Grade.objects.filter(award=award, year=y).exists()]
    if previous_ungraded:
        raise InvalidState(
            _("Grade the earlier years first."),
            fields={"year": [", ".join(map(str, previous_ungraded))]},
            rule=AwardRule.GRADE_ORDER,
        )
    grade = Grade.objects.create(
        award=award,
        kind=kind,
        year=year,
        code=rule.code,
        change_percent=rule.change_percent,
        stops=rule.stops,
        decision=decision,
        decided_by=actor,
    )
    today = on or timezone.localdate()
    if rule.stops:
        award.notify_stop(on=today, objection_due_on=objection_due_on(award.program_id, today))
        award.save(update_fields=["state", "stop_notified_on", "objection_due_on"])
        _queue_award_notice(award, "stop", {"grade": grade}, key=f"award:{award.pk}:stop:grade:{grade.pk}")
        return grade
    _apply_grade_rule(award, grade, rule, actor, today)
    return grade


def objection_due_on(program_id: int, notified_on: dt.date) -> dt.date:
    """Last day to object to a stop notified on `notified_on`: the program's period in days,
    first day not counted, a Saturday, Sunday or holiday end moved to the next working day."""
    return due_after_days(notified_on, policy_for(program_id).objection_days)


def _apply_grade_rule(award: Award, grade: Grade, rule: GradeRule, actor, today: dt.date) -> None:
    """The rule's change to next year's tranches, through the ledger; they are released."""
    next_tranches = _lock_tranches(
        Tranche.objects.filter(award=award, year=grade.year + 1).values_list("pk", flat=True)
    )
    for tranche in next_tranches.values():
        budget = tranche_balances(tranche.pk).budget_krw
        # Exact integer percent of whole won, rounded toward zero (the program never pays a fraction).
        delta = abs(budget * rule.change_percent) // 100 * (1 if rule.change_percent > 0 else -1)
        _entry(
            tranche,
            LedgerEntry.Kind.ADJUSTED,
            Bucket.BUDGET,
            delta,
            actor,
            grade=grade,
            reason=f"{rule.code} {rule.change_percent:+d}%",
        )
        tranche.released_on = today
        tranche.save(update_fields=["released_on"])


def _open_objection(award: Award) -> StopObjection | None:
    return StopObjection.objects.filter(award=award, state=StopObjection.State.OPEN).first()


def _check_stop_is_due(award: Award, on: dt.date) -> None:
    if award.state != Award.State.STOP_PENDING:
        raise InvalidState(
            _("No stop has been notified."),
            fields={"award": [award.get_state_display()]},
            rule=AwardRule.STOP_NOT_PENDING,
        )
    if on <= award.objection_due_on:
        raise InvalidState(
            _("The objection period runs until %(date)s.") % {"date": award.objection_due_on.isoformat()},
            fields={"award": [award.objection_due_on.isoformat()]},
            rule=AwardRule.STOP_OBJECTION_PERIOD_RUNNING,
        )
    if _open_objection(award) is not None:
        raise InvalidState(
            _("An objection to this stop awaits its decision."),
            fields={"award": [_("Objection open.")]},
            rule=AwardRule.STOP_OBJECTION_OPEN,
        )


def _confirm_stop(award: Award, actor, on: dt.date) -> Award:
    """The caller holds the award's lock and has checked `_check_stop_is_due`. Open requests on
    the later tranches are rejected, their remaining budget is cancelled by new ledger entries,
    and the consortium's contacts are told once."""
    graded = current_stop_grade(award)
    later = _lock_tranches(
        Tranche.objects.filter(award=award, year__gt=graded.year if graded else 0).values_list(
            "pk", flat=True
        )
    )
    reason = _("Award stopped")
    for disbursement in Disbursement.objects.select_for_update().filter(
        tranche__in=later.keys(), state__in=[Disbursement.State.REQUESTED, Disbursement.State.APPROVED]
    ):
        _reject(disbursement, later[disbursement.tranche_id], actor, reason)
    for tranche in later.values():
        remaining = tranche_balances(tranche.pk).remaining_krw
        _entry(tranche, LedgerEntry.Kind.CANCELLED, Bucket.BUDGET, -remaining, actor, reason=reason)
        tranche.cancelled_on = on
        tranche.save(update_fields=["cancelled_on"])
    award.stop(on=on)
    award.save(update_fields=["state", "stopped_on"])
    _queue_award_notice(
        award,
        "stopped",
        {"grade": graded},
        key=f"award:{award.pk}:stopped:grade:{graded.pk if graded else 0}",
    )
    return award


@transaction.atomic
def confirm_stop(*, actor, award_id: int, on: dt.date | None = None) -> Award:
    """After the objection period, with no objection awaiting its decision: the award stops,
    open requests are rejected and the later tranches are cancelled (their remaining budget
    leaves the ledger); the contacts are told."""
    award = _lock_award(award_id)
    _require(permissions.can_manage_award(actor, award))
    on = on or timezone.localdate()
    _check_stop_is_due(award, on)
    return _confirm_stop(award, actor, on)


def confirm_due_stops(*, today: dt.date | None = None) -> int:
    """Daily: every stop whose objection period has ended with no objection awaiting its decision
    is confirmed (each in its own transaction); returns how many were stopped."""
    today = today or timezone.localdate()
    due = (
        Award.objects.filter(state=Award.State.STOP_PENDING, objection_due_on__lt=today)
        .exclude(stop_objections__state=StopObjection.State.OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(confirm_due_stop(award_id=award_id, today=today) for award_id in list(due))


@transaction.atomic
def confirm_due_stop(*, award_id: int, today: dt.date | None = None) -> bool:
    """Confirms one award's stop if it is due (the beat's step; safe to run twice: the second run
    finds the award stopped under the same lock and writes nothing)."""
    today = today or timezone.localdate()
    award = _lock_award(award_id)
    try:
        _check_stop_is_due(award, today)
    except InvalidState:
        return False
    graded = current_stop_grade(award)
    # No one clicks here: the officer who decided the stop grade is the ledger's actor.
    actor = graded.decided_by if graded else award.created_by
    _confirm_stop(award, actor, today)
    return True


@transaction.atomic
def resume_award(*, actor, award_id: int, reason: str) -> Award:
    """The officer withdraws a notified stop of their own motion (the grade stays on record)."""
    award = _lock_award(award_id)
    _require(permissions.can_manage_award(actor, award))
    if not reason.strip():
        raise InvalidState(
            _("Give the reason."), fields={"reason": [_("Required.")]}, rule=AwardRule.STOP_REASON_REQUIRED
        )
    if not can_proceed(award.resume):
        raise InvalidState(
            _("No stop has been notified."),
            fields={"award": [award.get_state_display()]},
            rule=AwardRule.STOP_NOT_PENDING,
        )
    if _open_objection(award) is not None:
        raise InvalidState(
            _("An objection to this stop awaits its decision: decide it instead."),
            fields={"award": [_("Objection open.")]},
            rule=AwardRule.STOP_OBJECTION_OPEN,
        )
    award.resume()
    award.save(update_fields=["state", "stop_notified_on", "objection_due_on"])
    return award


# --- objections to a stop ----------------------------------------------------------------------------


@transaction.atomic
def file_stop_objection(*, actor, award_id: int, text: str, on: dt.date | None = None) -> StopObjection:
    """The consortium objects (이의신청) to a notified stop, by the last day of the objection
    period; the stop then waits for the officer's decision. Officers are told."""
    award = _lock_award(award_id)
    _require(permissions.can_object_to_stop(actor, award))
    today = on or timezone.localdate()
    if award.state != Award.State.STOP_PENDING:
        raise ObjectionRefused(
            _("No stop has been notified on this award."),
            fields={"award": [award.get_state_display()]},
            rule=AwardRule.STOP_NOT_PENDING,
        )
    if today > award.objection_due_on:
        raise ObjectionRefused(
            _("Objections were due by %(due)s.") % {"due": award.objection_due_on.isoformat()},
            fields={"text": [_("Too late.")]},
            rule=AwardRule.OBJECTION_PERIOD_OVER,
        )
    text = (text or "").strip()
    if not text:
        raise ObjectionRefused(
            _("Say what you object to."),
            fields={"text": [_("Required.")]},
            rule=AwardRule.OBJECTION_TEXT_REQUIRED,
        )
    grade = current_stop_grade(award)
    if StopObjection.objects.filter(grade=grade).exists():
        raise ObjectionRefused(
            _("An objection to this stop was already filed."),
            fields={"text": [_("One objection per stop notice.")]},
            rule=AwardRule.OBJECTION_ALREADY_FILED,
        )
    objection = StopObjection.objects.create(
        award=award, grade=grade, text=text, filed_by=actor, filed_on=today, original_code=grade.code
    )
    _queue_officer_notice(
        award, "objection_filed", {"objection": objection}, key=f"stop-objection:{objection.pk}"
    )
    return objection


@transaction.atomic
def decide_stop_objection(
    *, actor, objection_id: int, upheld: bool, answer: str, revised_code: str = ""
) -> StopObjection:
    """The officer decides an objection. Upheld: the stop is withdrawn and the grade revised to
    `revised_code` (a grade that does not stop), whose rule then sets and releases next year's
    tranches through the ledger. Rejected: the stop stands and is confirmed once the period is
    over. Either way the answer is recorded on the grade and the contacts are told."""
    award_id = StopObjection.objects.values_list("award_id", flat=True).get(pk=objection_id)
    award = _lock_award(award_id)
    _require(permissions.can_manage_award(actor, award))
    objection = StopObjection.objects.select_for_update(of=("self",)).get(pk=objection_id)
    if objection.state != StopObjection.State.OPEN:
        raise ObjectionRefused(
            _("This objection is already decided."),
            fields={"objection": [objection.get_state_display()]},
            rule=AwardRule.OBJECTION_ALREADY_DECIDED,
        )
    answer = (answer or "").strip()
    if not answer:
        raise ObjectionRefused(
            _("The decision needs its answer."),
            fields={"answer": [_("Required.")]},
            rule=AwardRule.OBJECTION_ANSWER_REQUIRED,
        )
    grade = Grade.objects.select_for_update(of=("self",)).get(pk=objection.grade_id)
    now = timezone.now()
    today = timezone.localdate()
    if upheld:
        rule = GradeRule.objects.filter(program_id=award.program_id, code=revised_code, stops=False).first()
        if rule is None:
            codes = ", ".join(
                GradeRule.objects.filter(program_id=award.program_id, stops=False).values_list(
                    "code", flat=True
                )
            )
            raise ObjectionRefused(
                _("Name the revised grade (%(codes)s).") % {"codes": codes},
                fields={"revised_code": [_("A grade of the scale that does not stop the award.")]},
                rule=AwardRule.OBJECTION_REVISED_GRADE,
            )
        objection.uphold(by=actor, at=now, answer=answer, revised_code=rule.code)
        # The grade now says what was decided; the objection keeps the grade as notified.
        grade.code, grade.change_percent, grade.stops = rule.code, rule.change_percent, False
        grade.decision = _join_decision(
            grade.decision,
            _("Objection upheld on %(date)s: %(old)s → %(new)s. %(answer)s")
            % {"date": today.isoformat(), "old": objection.original_code, "new": rule.code, "answer": answer},
        )
        grade.save(update_fields=["code", "change_percent", "stops", "decision"])
        award.resume()
        award.save(update_fields=["state", "stop_notified_on", "objection_due_on"])
        _apply_grade_rule(award, grade, rule, actor, today)
    else:
        objection.reject(by=actor, at=now, answer=answer)
        grade.decision = _join_decision(
            grade.decision,
            _("Objection rejected on %(date)s. %(answer)s") % {"date": today.isoformat(), "answer": answer},
        )
        grade.save(update_fields=["decision"])
    objection.save(update_fields=["state", "decided_by", "decided_at", "answer", "revised_code"])
    _queue_award_notice(
        award, "objection_decided", {"objection": objection}, key=f"stop-objection:{objection.pk}:decided"
    )
    if not upheld and today > award.objection_due_on:
        # The period is over already: the stop need not wait for tomorrow's run.
        from awards.tasks import confirm_award_stop
        from config.celery import enqueue_after_commit

        enqueue_after_commit(confirm_award_stop, award.pk)
    return objection


def _join_decision(before: str, line: str) -> str:
    return f"{before.strip()}\n{line}".strip()


# --- changes -----------------------------------------------------------------------------------------

NOTIFIED_KINDS = {AwardChangeItem.Kind.BUDGET_MOVE, AwardChangeItem.Kind.STAFF, AwardChangeItem.Kind.CONTACT}


def _needs_approval(item: dict) -> bool:
    if item["kind"] == AwardChangeItem.Kind.BUDGET_MOVE:
        return bool(item.get("increases_indirect_costs"))
    return item["kind"] not in NOTIFIED_KINDS


@transaction.atomic
def file_change(*, actor, award_id: int, reason: str, items: list[dict[str, Any]]) -> AwardChange:
    """Files a change. Only notified items (budget moved between lines, except increases of
    indirect costs; non-principal staff; contacts): applied at once. Any item needing approval:
    the whole change waits for an officer."""
    award = _lock_award(award_id)
    _require(permissions.can_file_change(actor, award))
    if award.state == Award.State.STOPPED:
        raise InvalidState(
            _("This award is stopped."),
            fields={"award": [award.get_state_display()]},
            rule=AwardRule.CHANGE_AWARD_STOPPED,
        )
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Required.")]
    if not items:
        errors["items"] = [_("A change needs at least one item.")]
    clean: list[dict[str, Any]] = []
    tranche_ids = set(Tranche.objects.filter(award=award).values_list("pk", flat=True))
    member_ids = set(AwardMember.objects.filter(award=award, active=True).values_list("pk", flat=True))
    for i, raw in enumerate(items):
        key = f"items.{i}"
        kind = raw.get("kind")
        if kind not in AwardChangeItem.Kind.values:
            errors[f"{key}.kind"] = [_("Unknown kind of change.")]
            continue
        item = {"kind": kind, "description": str(raw.get("description", ""))[:2000]}
        if kind == AwardChangeItem.Kind.BUDGET_MOVE:
            if raw.get("from_tranche") not in tranche_ids or raw.get("to_tranche") not in tranche_ids:
                errors[f"{key}.from_tranche"] = [_("Both tranches must belong to this award.")]
                continue
            try:
                item["amount_krw"] = _positive_amount(raw.get("amount_krw"), f"{key}.amount_krw")
            except InvalidAmount as exc:
                errors.update(exc.fields)
                continue
            item.update(
                from_tranche_id=raw["from_tranche"],
                to_tranche_id=raw["to_tranche"],
                increases_indirect_costs=bool(raw.get("increases_indirect_costs")),
            )
        elif kind == AwardChangeItem.Kind.NATIONAL_MONEY:
            amount = raw.get("amount_krw")
            if raw.get("from_tranche") not in tranche_ids:
                errors[f"{key}.from_tranche"] = [_("Not a tranche of this award.")]
                continue
            if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0:
                errors[f"{key}.amount_krw"] = [_("Enter a whole-won change, not zero.")]
                continue
            item.update(from_tranche_id=raw["from_tranche"], amount_krw=amount)
        elif kind == AwardChangeItem.Kind.PERIOD:
            new_end = raw.get("new_ends_on")
            if not isinstance(new_end, dt.date) or new_end <= award.starts_on:
                errors[f"{key}.new_ends_on"] = [_("A date after the award's start.")]
                continue
            if new_end > period_end(award.starts_on, years=MAX_YEARS):
                errors[f"{key}.new_ends_on"] = [_("A project runs at most 10 years.")]
                continue
            item["new_ends_on"] = new_end
        elif kind == AwardChangeItem.Kind.MEMBER_ADD:
            org = Organisation.objects.filter(pk=raw.get("organisation")).first()
            if org is None:
                errors[f"{key}.organisation"] = [_("Unknown organisation.")]
                continue
            item["organisation_id"] = org.pk
        elif kind == AwardChangeItem.Kind.MEMBER_REMOVE:
            if raw.get("member") not in member_ids:
                errors[f"{key}.member"] = [_("Not an active member of this award.")]
                continue
            item["member_id"] = raw["member"]
        elif not item["description"].strip():
            errors[f"{key}.description"] = [_("Describe the change.")]
            continue
        item["needs_approval"] = _needs_approval(item)
        clean.append(item)
    if errors:
        raise InvalidState(
            _("The change has errors; nothing was filed."), fields=errors, rule=AwardRule.CHANGE_INVALID
        )
    change = AwardChange.objects.create(award=award, reason=reason, filed_by=actor)
    AwardChangeItem.objects.bulk_create([AwardChangeItem(change=change, **item) for item in clean])
    if not any(item["needs_approval"] for item in clean):
        _apply_change(change, actor)
        change.apply_notified()
        change.save(update_fields=["state"])
    return change


@transaction.atomic
def decide_change(*, actor, change_id: int, approve: bool, reason: str = "") -> AwardChange:
    """An officer approves (every item takes effect) or rejects (none does) a pending change."""
    award_id = AwardChange.objects.values_list("award_id", flat=True).get(pk=change_id)
    award = _lock_award(award_id)
    _require(permissions.can_manage_award(actor, award))
    change = AwardChange.objects.select_for_update(of=("self",)).get(pk=change_id)
    if change.state != AwardChange.State.PENDING:
        raise InvalidState(
            _("This change is not awaiting approval."),
            fields={"state": [change.get_state_display()]},
            rule=AwardRule.CHANGE_NOT_PENDING,
        )
    if approve:
        _apply_change(change, actor)
        change.approve(by=actor, at=timezone.now(), reason=reason)
    else:
        if not reason.strip():
            raise InvalidState(
                _("A rejection needs its reason."),
                fields={"reason": [_("Required.")]},
                rule=AwardRule.CHANGE_REASON_REQUIRED,
            )
        change.reject(by=actor, at=timezone.now(), reason=reason)
    change.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
    return change


def _apply_change(change: AwardChange, actor) -> None:
    """Applies every item; the caller holds the award's lock. A broken amount undoes it all."""
    award = change.award
    items = list(change.items.all())
    ids = {i.from_tranche_id for i in items} | {i.to_tranche_id for i in items}
    tranches = _lock_tranches(x for x in ids if x)
    for item in items:
        if item.kind == AwardChangeItem.Kind.BUDGET_MOVE:
            src, dst = tranches[item.from_tranche_id], tranches[item.to_tranche_id]
            if src.source != dst.source or src.year != dst.year:
                raise InvalidState(
                    _("Budget moves between lines of the same year and source."),
                    fields={"items": [str(item.pk)]},
                    rule=AwardRule.CHANGE_BUDGET_MOVE,
                )
            _entry(src, LedgerEntry.Kind.CHANGED, Bucket.BUDGET, -item.amount_krw, actor, change=change)
            _entry(dst, LedgerEntry.Kind.CHANGED, Bucket.BUDGET, item.amount_krw, actor, change=change)
        elif item.kind == AwardChangeItem.Kind.NATIONAL_MONEY:
            _entry(
                tranches[item.from_tranche_id],
                LedgerEntry.Kind.CHANGED,
                Bucket.BUDGET,
                item.amount_krw,
                actor,
                change=change,
            )
        elif item.kind == AwardChangeItem.Kind.PERIOD:
            award.ends_on = item.new_ends_on
            award.save(update_fields=["ends_on"])
        elif item.kind == AwardChangeItem.Kind.MEMBER_ADD:
            org = item.organisation
            member, created = AwardMember.objects.get_or_create(
                award=award,
                organisation=org,
                defaults={"name": str(org), "role": ConsortiumMember.Role.PARTNER, "province": org.province},
            )
            if not created and not member.active:
                AwardMember.objects.filter(pk=member.pk).update(active=True)
        elif item.kind == AwardChangeItem.Kind.MEMBER_REMOVE:
            AwardMember.objects.filter(pk=item.member_id).update(active=False)
    for tranche in tranches.values():
        if tranche_balances(tranche.pk).remaining_krw < 0:
            raise InvalidAmount(
                _("The change takes more than %(tranche)s has left.") % {"tranche": tranche},
                fields={"items": [str(tranche)]},
                rule=AwardRule.CHANGE_ABOVE_REMAINING,
            )


# --- carry-over, settlement, recovery ---------------------------------------------------------------


@transaction.atomic
def carry_over(*, actor, from_tranche_id: int, amount_krw: Any, reason: str = "") -> CarryOver:
    """Moves unpaid money of a year's tranche to the same tranche of the next year (이월),
    within the program's limit (a percentage of the tranche's budget)."""
    amount = _positive_amount(amount_krw)
    src0 = Tranche.objects.get(pk=from_tranche_id)
    award = _lock_award(src0.award_id)
    _require(permissions.can_manage_award(actor, award))
    _award_is_running(award)
    dst0 = Tranche.objects.filter(
        award=award, year=src0.year + 1, source=src0.source, line=src0.line, member=src0.member_id
    ).first()
    if dst0 is None:
        raise InvalidState(
            _("There is no tranche of the next year to carry over to."),
            fields={"from_tranche": [str(src0)]},
            rule=AwardRule.CARRY_OVER_NO_NEXT_YEAR,
        )
    locked = _lock_tranches([src0.pk, dst0.pk])
    src, dst = locked[src0.pk], locked[dst0.pk]
    balances = tranche_balances(src.pk)
    limit = balances.budget_krw * policy_for(award.program_id).carry_over_limit_percent // 100
    already = sum(c.amount_krw for c in CarryOver.objects.filter(from_tranche=src))
    if amount > balances.remaining_krw or already + amount > limit:
        allowed = max(0, min(balances.remaining_krw, limit - already))
        raise InvalidAmount(
            _("At most %(allowed)s won may be carried over.") % {"allowed": f"{allowed:,}"},
            fields={"amount_krw": [_("At most %(allowed)s won.") % {"allowed": f"{allowed:,}"}]},
            rule=AwardRule.CARRY_OVER_LIMIT,
        )
    carry = CarryOver.objects.create(
        from_tranche=src, to_tranche=dst, amount_krw=amount, reason=reason, decided_by=actor
    )
    _entry(src, LedgerEntry.Kind.CARRIED_OVER, Bucket.BUDGET, -amount, actor, reason=reason)
    _entry(dst, LedgerEntry.Kind.CARRIED_OVER, Bucket.BUDGET, amount, actor, reason=reason)
    return carry


@transaction.atomic
def submit_settlement(*, actor, stage_id: int, unspent_krw: Any, on: dt.date | None = None) -> AwardStage:
    """Records a stage's settlement report (정산) and the unspent money it declares."""
    award_id = AwardStage.objects.values_list("award_id", flat=True).get(pk=stage_id)
    award = _lock_award(award_id)
    _require(permissions.can_submit_settlement(actor, award))
    if isinstance(unspent_krw, bool) or not isinstance(unspent_krw, int) or unspent_krw < 0:
        raise InvalidAmount(
            _("Enter whole won, zero or more."),
            fields={"unspent_krw": [_("Whole won, ≥ 0.")]},
            rule=AwardRule.SETTLEMENT_AMOUNT,
        )
    stage = AwardStage.objects.select_for_update(of=("self",)).get(pk=stage_id)
    if stage.settlement_submitted_on:
        raise InvalidState(
            _("This settlement report is already in."),
            fields={"stage": [str(stage.number)]},
            rule=AwardRule.SETTLEMENT_ALREADY_IN,
        )
    stage.settlement_submitted_on = on or timezone.localdate()
    stage.settlement_unspent_krw = unspent_krw
    stage.save(update_fields=["settlement_submitted_on", "settlement_unspent_krw"])
    return stage


@transaction.atomic
def notify_recovery(
    *, actor, tranche_id: int, amount_krw: Any, reason: str, notified_on: dt.date | None = None
) -> Recovery:
    """Notifies a recovery (환수) of paid money; payable within 30 days (civil-code count)."""
    amount = _positive_amount(amount_krw)
    award_id = Tranche.objects.values_list("award_id", flat=True).get(pk=tranche_id)
    award = _lock_award(award_id)
    _require(permissions.can_manage_award(actor, award))
    tranche = _lock_tranches([tranche_id])[tranche_id]
    if not reason.strip():
        raise InvalidState(
            _("A recovery needs its reason."),
            fields={"reason": [_("Required.")]},
            rule=AwardRule.RECOVERY_REASON_REQUIRED,
        )
    open_ = sum(
        r.amount_krw for r in Recovery.objects.filter(tranche=tranche).exclude(state=Recovery.State.PAID)
    )
    net_paid = tranche_balances(tranche.pk).net_paid_krw
    if amount + open_ > net_paid:
        allowed = max(0, net_paid - open_)
        raise InvalidAmount(
            _("At most %(allowed)s won paid on this tranche can be recovered.") % {"allowed": f"{allowed:,}"},
            fields={"amount_krw": [_("At most %(allowed)s won.") % {"allowed": f"{allowed:,}"}]},
            rule=AwardRule.RECOVERY_ABOVE_PAID,
        )
    notified_on = notified_on or timezone.localdate()
    policy = policy_for(award.program_id)
    recovery = Recovery.objects.create(
        award=award,
        tranche=tranche,
        amount_krw=amount,
        reason=reason,
        notified_on=notified_on,
        due_on=due_after_days(notified_on, policy.recovery_days),
        created_by=actor,
    )
    _queue_award_notice(award, "recovery", {"recovery": recovery}, key=f"recovery:{recovery.pk}")
    return recovery


@transaction.atomic
def record_recovery_payment(*, actor, recovery_id: int, paid_on: dt.date) -> Recovery:
    """The recovered money came back (ledger: recovered)."""
    award_id = Recovery.objects.values_list("award_id", flat=True).get(pk=recovery_id)
    award = _lock_award(award_id)
    _require(permissions.can_manage_award(actor, award))
    recovery = Recovery.objects.select_for_update(of=("self",)).get(pk=recovery_id)
    tranche = _lock_tranches([recovery.tranche_id])[recovery.tranche_id]
    if not can_proceed(recovery.pay):
        raise InvalidState(
            _("This recovery is already paid."),
            fields={"state": [recovery.get_state_display()]},
            rule=AwardRule.RECOVERY_ALREADY_PAID,
        )
    recovery.pay(on=paid_on)
    recovery.save(update_fields=["state", "paid_on"])
    _entry(
        tranche, LedgerEntry.Kind.RECOVERED, Bucket.RECOVERED, recovery.amount_krw, actor, recovery=recovery
    )
    return recovery


def send_demand_notices(*, today: dt.date | None = None) -> int:
    """Daily: each recovery unpaid after its due date gets one demand notice (독촉장), within the
    15 days after the due date, with a new deadline counted from the notice."""
    today = today or timezone.localdate()
    sent = 0
    for recovery_id in Recovery.objects.filter(state=Recovery.State.NOTIFIED, due_on__lt=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            recovery = (
                Recovery.objects.select_for_update(of=("self",)).select_related("award").get(pk=recovery_id)
            )
            if recovery.state != Recovery.State.NOTIFIED:
                continue  # another run sent it
            policy = policy_for(recovery.award.program_id)
            recovery.demand(on=today, due_on=due_after_days(today, policy.demand_days))
            recovery.save(update_fields=["state", "demand_notified_on", "demand_due_on"])
            _queue_award_notice(recovery.award, "demand", {"recovery": recovery}, key=f"demand:{recovery.pk}")
            sent += 1
    return sent


# --- notices ---------------------------------------------------------------------------------------


def _queue_award_notice(award: Award, kind: str, context: dict, key: str | None = None) -> None:
    """One email to the consortium's contacts through the notice outbox (once per dedupe key)."""
    from consortia.notices import queue_notice

    recipients = sorted({u.email for u in award.consortium.contacts.all() if u.email})
    if not recipients:
        return
    queue_notice(
        kind=f"award_{kind}",
        to=recipients,
        subject_template=f"awards/email/{kind}_subject.txt",
        body_template=f"awards/email/{kind}.txt",
        context={"award": award, **context},
        dedupe_key=key or f"award:{award.pk}:{kind}:{timezone.localdate().isoformat()}",
        about=award,
    )


def _queue_officer_notice(award: Award, kind: str, context: dict, key: str) -> None:
    """One email to the program's officers through the notice outbox (once per dedupe key)."""
    from consortia.notices import queue_notice

    recipients = sorted({u.email for u in award.program.officers.all() if u.email})
    if not recipients:
        return
    queue_notice(
        kind=f"award_{kind}",
        to=recipients[:50],
        subject_template=f"awards/email/{kind}_subject.txt",
        body_template=f"awards/email/{kind}.txt",
        context={"award": award, **context},
        dedupe_key=key,
        about=award,
    )


@transaction.atomic
def upload_signed_agreement(*, actor, award_id: int, upload, signed_on: dt.date) -> Award:
    """Stores the signed agreement (a PDF by its content, named .pdf, within the document size
    limit) and the date it was signed."""
    award = _lock_award(award_id)
    _require(permissions.can_view_award(actor, award))
    if award.state == Award.State.STOPPED:
        raise AgreementRefused(
            _("This award is stopped."),
            fields={"award": [award.get_state_display()]},
            rule=AwardRule.AGREEMENT_AWARD_STOPPED,
        )
    check_agreement_file(upload)
    if signed_on > timezone.localdate() or signed_on < award.selection_notified_on:
        raise AgreementRefused(
            _("The signing date must lie between the selection notice and today."),
            fields={"signed_on": [signed_on.isoformat()]},
            rule=AwardRule.AGREEMENT_SIGNED_ON,
        )
    award.signed_agreement.save(f"agreement-{award.pk}.pdf", upload, save=False)
    award.signed_on = signed_on
    award.save(update_fields=["signed_agreement", "signed_on"])
    return award


def check_agreement_file(upload) -> None:
    """The project's document check (consortia.documents), PDF only, with the rule it broke."""
    from django.conf import settings

    from consortia.documents import PDF, ArchiveTooLarge, DocumentRefused, check_document, sniff_document_type

    try:
        check_document(upload, max_bytes=settings.DOCUMENT_MAX_BYTES, accepted=(PDF,))
    except DocumentRefused as exc:
        # check_document says what is wrong in words; the rule code says it for machines.
        if upload.size > settings.DOCUMENT_MAX_BYTES:
            rule = AwardRule.AGREEMENT_TOO_LARGE
        else:
            try:
                is_pdf = sniff_document_type(upload) == PDF
            except ArchiveTooLarge:
                is_pdf = False
            rule = AwardRule.AGREEMENT_EXTENSION_MISMATCH if is_pdf else AwardRule.AGREEMENT_NOT_PDF
        raise AgreementRefused(exc.message, fields=exc.fields, rule=rule) from None
