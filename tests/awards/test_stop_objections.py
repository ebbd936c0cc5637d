"""A stop grade (D, 극히 불량) ends the award only after notice and the objection period: the
consortium may object within it, the officer upholds or rejects, and the daily run confirms
the stop once the period is over with no objection awaiting a decision."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import PermissionDenied

from awards import services, tasks
from awards.exceptions import AwardError
from awards.models import Award, AwardPolicy, Grade, LedgerEntry, StopObjection, Tranche
from awards.rule_codes import AwardRule
from awards.selectors import tranche_balances
from consortia.models import Notice
from tests.awards.helpers import assert_ledger_agrees, first_tranche, make_award
from tests.factories import ProgramFactory, UserFactory, officer_of

pytestmark = pytest.mark.django_db

_keys = (f"objection-key-{n}" for n in itertools.count())


def post(api, url, data=None, key=None):
    return api.post(url, data or {}, format="json", HTTP_IDEMPOTENCY_KEY=key or next(_keys))


def stop_notified(on: dt.date, award: Award | None = None) -> Award:
    award = award or make_award()
    officer = award.program.officers.get()
    services.record_grade(actor=officer, award_id=award.pk, year=1, code="D", decision="극히 불량", on=on)
    return Award.objects.get(pk=award.pk)


def refused(rule: str, call) -> AwardError:
    with pytest.raises(AwardError) as info:
        call()
    assert info.value.rule == rule, info.value.rule
    assert [f.as_dict()["rule"] for f in info.value.failures] == [rule]
    return info.value


# --- the period, to the day -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notified", "due"),
    [
        # 10 days from Tue 12 May 2026, first day not counted: Fri 22 May (not the 21st).
        (dt.date(2026, 5, 12), dt.date(2026, 5, 22)),
        # Ends Sun 24 May (Buddha's Birthday), Mon 25 May is its substitute holiday: Tue 26 May.
        (dt.date(2026, 5, 14), dt.date(2026, 5, 26)),
        # Ends Sat 26 Sep 2026 (Chuseok), then a Sunday: Mon 28 Sep.
        (dt.date(2026, 9, 16), dt.date(2026, 9, 28)),
    ],
)
def test_objection_period_counts_from_the_next_day_and_ends_on_a_working_day(notified, due):
    award = stop_notified(notified)
    assert (award.state, award.stop_notified_on, award.objection_due_on) == ("stop_pending", notified, due)
    contact = award.consortium.contacts.get()
    # The last day is still in time; the day after is not.
    late = dt.date.fromordinal(due.toordinal() + 1)
    refused(
        AwardRule.OBJECTION_PERIOD_OVER,
        lambda: services.file_stop_objection(actor=contact, award_id=award.pk, text="이의", on=late),
    )
    services.file_stop_objection(actor=contact, award_id=award.pk, text="이의", on=due)


def test_the_period_is_a_program_setting():
    award = make_award()
    AwardPolicy.objects.update_or_create(program=award.program, defaults={"objection_days": 7})
    # Tue 12 May + 7 days = Tue 19 May.
    assert stop_notified(dt.date(2026, 5, 12), award).objection_due_on == dt.date(2026, 5, 19)
    assert AwardPolicy._meta.get_field("objection_days").default == 10


def test_the_daily_run_confirms_the_day_after_the_period_and_not_before(
    mailoutbox, django_capture_on_commit_callbacks
):
    award = stop_notified(dt.date(2026, 5, 14))  # due Tue 26 May
    assert services.confirm_due_stops(today=dt.date(2026, 5, 25)) == 0
    assert services.confirm_due_stops(today=dt.date(2026, 5, 26)) == 0
    assert Award.objects.get(pk=award.pk).state == "stop_pending"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.confirm_due_stops(today=dt.date(2026, 5, 27)) == 1
    award = Award.objects.get(pk=award.pk)
    assert (award.state, award.stopped_on) == ("stopped", dt.date(2026, 5, 27))
    assert_ledger_agrees(award)


# --- the daily run: once, through the ledger, one notice ---------------------------------------------


def test_running_the_task_twice_stops_once_writes_the_ledger_once_and_tells_once(
    mailoutbox, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    award = make_award()
    contact = award.consortium.contacts.get()
    officer = award.program.officers.get()
    year1 = first_tranche(award)
    d = services.request_disbursement(actor=contact, tranche_id=year1.pk, amount_krw=1_000_000)
    notified = timezone.localdate() - dt.timedelta(days=40)
    with django_capture_on_commit_callbacks(execute=True):
        award = stop_notified(notified, award)
    assert [m.subject for m in mailoutbox] and "중단 예정" in mailoutbox[0].subject
    mailoutbox.clear()
    later = list(Tranche.objects.filter(award=award, year__gt=1))
    budgets = {t.pk: tranche_balances(t.pk).budget_krw for t in later}
    entries_before = LedgerEntry.objects.filter(award=award).count()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.confirm_due_stops.apply().get() == 1
    entries_after = list(LedgerEntry.objects.filter(award=award).values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.confirm_due_stops.apply().get() == 0
        assert tasks.confirm_award_stop.apply(args=[award.pk]).get() is False

    award = Award.objects.get(pk=award.pk)
    assert (award.state, award.stopped_on) == ("stopped", timezone.localdate())
    assert list(LedgerEntry.objects.filter(award=award).values_list("pk", flat=True)) == entries_after
    cancelled = LedgerEntry.objects.filter(award=award, kind="cancelled")
    assert len(entries_after) == entries_before + len([b for b in budgets.values() if b])
    assert {e.tranche_id: -e.amount_krw for e in cancelled} == {k: v for k, v in budgets.items() if v}
    # The stop grade's officer answers for the automatic entries.
    assert {e.actor_id for e in cancelled} == {officer.pk}
    for tranche in Tranche.objects.filter(award=award, year__gt=1):
        assert tranche.cancelled_on == timezone.localdate() and tranche_balances(tranche.pk).budget_krw == 0
    # Year 1 (the graded year) keeps its money and its request.
    assert tranche_balances(year1.pk).pending_krw == 1_000_000 and d.tranche_id == year1.pk
    assert (
        Notice.objects.filter(kind="award_stopped", dedupe_key__startswith=f"award:{award.pk}:").count() == 1
    )
    assert [m.to for m in mailoutbox] == [[contact.email]]
    assert "중단" in mailoutbox[0].subject
    assert_ledger_agrees(award)


def test_an_officers_confirmation_also_tells_the_contacts_once(
    mailoutbox, django_capture_on_commit_callbacks
):
    award = stop_notified(dt.date(2026, 5, 12))
    officer = award.program.officers.get()
    refused(
        AwardRule.STOP_OBJECTION_PERIOD_RUNNING,
        lambda: services.confirm_stop(actor=officer, award_id=award.pk, on=award.objection_due_on),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_stop(actor=officer, award_id=award.pk, on=dt.date(2026, 5, 23))
    refused(
        AwardRule.STOP_NOT_PENDING,
        lambda: services.confirm_stop(actor=officer, award_id=award.pk, on=dt.date(2026, 5, 24)),
    )
    assert Notice.objects.filter(kind="award_stopped").count() == 1
    assert_ledger_agrees(award)


# --- objections --------------------------------------------------------------------------------------


def test_an_open_objection_holds_the_stop_and_a_rejection_lets_it_take_effect(
    mailoutbox, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    today = timezone.localdate()
    award = stop_notified(today - dt.timedelta(days=3))
    officer = award.program.officers.get()
    contact = award.consortium.contacts.get()
    with django_capture_on_commit_callbacks(execute=True):
        objection = services.file_stop_objection(actor=contact, award_id=award.pk, text="평가 근거 오류")
    assert objection.original_code == "D" and objection.state == "open"
    assert [m.to for m in mailoutbox] == [[officer.email]]  # the officers learn of it
    refused(
        AwardRule.OBJECTION_ALREADY_FILED,
        lambda: services.file_stop_objection(actor=contact, award_id=award.pk, text="다시"),
    )
    after = award.objection_due_on + dt.timedelta(days=1)
    assert services.confirm_due_stops(today=after) == 0
    refused(
        AwardRule.STOP_OBJECTION_OPEN,
        lambda: services.confirm_stop(actor=officer, award_id=award.pk, on=after),
    )
    refused(
        AwardRule.STOP_OBJECTION_OPEN,
        lambda: services.resume_award(actor=officer, award_id=award.pk, reason="직권"),
    )
    with pytest.raises(PermissionDenied):
        services.decide_stop_objection(actor=contact, objection_id=objection.pk, upheld=True, answer="x")
    refused(
        AwardRule.OBJECTION_ANSWER_REQUIRED,
        lambda: services.decide_stop_objection(
            actor=officer, objection_id=objection.pk, upheld=False, answer=" "
        ),
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_stop_objection(
            actor=officer, objection_id=objection.pk, upheld=False, answer="근거 타당"
        )
    assert StopObjection.objects.get(pk=objection.pk).state == "rejected"
    grade = Grade.objects.get(award=award, year=1)
    assert grade.code == "D" and grade.stops and "근거 타당" in grade.decision
    # Still within the period: the stop waits for the daily run after the last day.
    assert Award.objects.get(pk=award.pk).state == "stop_pending"
    assert [m.to for m in mailoutbox] == [[contact.email]] and "기각" in mailoutbox[0].subject
    refused(
        AwardRule.OBJECTION_ALREADY_DECIDED,
        lambda: services.decide_stop_objection(
            actor=officer, objection_id=objection.pk, upheld=False, answer="x"
        ),
    )
    assert services.confirm_due_stops(today=award.objection_due_on) == 0
    assert services.confirm_due_stops(today=after) == 1
    assert Award.objects.get(pk=award.pk).state == "stopped"
    assert_ledger_agrees(award)


def test_a_rejection_after_the_period_stops_the_award_at_once(django_capture_on_commit_callbacks):
    from django.utils import timezone

    today = timezone.localdate()
    award = stop_notified(today - dt.timedelta(days=40))
    officer = award.program.officers.get()
    contact = award.consortium.contacts.get()
    objection = services.file_stop_objection(
        actor=contact, award_id=award.pk, text="이의", on=award.objection_due_on
    )
    assert services.confirm_due_stops() == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_stop_objection(actor=officer, objection_id=objection.pk, upheld=False, answer="기각")
    assert Award.objects.get(pk=award.pk).state == "stopped"
    assert Notice.objects.filter(kind="award_stopped").count() == 1
    assert_ledger_agrees(award)


def test_an_upheld_objection_withdraws_the_stop_and_records_the_revised_grade(
    django_capture_on_commit_callbacks,
):
    from django.utils import timezone

    today = timezone.localdate()
    award = stop_notified(today - dt.timedelta(days=2))
    officer = award.program.officers.get()
    contact = award.consortium.contacts.get()
    year2 = first_tranche(award, year=2)
    planned = tranche_balances(year2.pk).budget_krw
    assert not year2.released_on
    objection = services.file_stop_objection(actor=contact, award_id=award.pk, text="평가 오류")
    for code in ("", "D", "Z"):
        refused(
            AwardRule.OBJECTION_REVISED_GRADE,
            lambda code=code: services.decide_stop_objection(
                actor=officer, objection_id=objection.pk, upheld=True, answer="인용", revised_code=code
            ),
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_stop_objection(
            actor=officer, objection_id=objection.pk, upheld=True, answer="재평가 결과 미흡", revised_code="C"
        )
    objection = StopObjection.objects.get(pk=objection.pk)
    assert (objection.state, objection.original_code, objection.revised_code) == ("upheld", "D", "C")
    award = Award.objects.get(pk=award.pk)
    assert (award.state, award.objection_due_on, award.stopped_on) == ("active", None, None)
    grade = Grade.objects.get(award=award, year=1)
    assert (grade.code, grade.change_percent, grade.stops) == ("C", -30, False)
    assert "극히 불량" in grade.decision and "재평가 결과 미흡" in grade.decision
    # The revised grade's rule sets and releases next year's tranches, through the ledger.
    assert tranche_balances(year2.pk).budget_krw == planned - planned * 30 // 100
    assert Tranche.objects.get(pk=year2.pk).released_on == today
    assert services.confirm_due_stops(today=today + dt.timedelta(days=60)) == 0
    assert Notice.objects.filter(kind="award_objection_decided").count() == 1
    assert_ledger_agrees(award)


def test_only_the_consortium_objects_and_only_to_a_notified_stop():
    award = make_award()
    contact = award.consortium.contacts.get()
    refused(
        AwardRule.STOP_NOT_PENDING,
        lambda: services.file_stop_objection(actor=contact, award_id=award.pk, text="이의"),
    )
    from django.utils import timezone

    award = stop_notified(timezone.localdate(), award)
    refused(
        AwardRule.OBJECTION_TEXT_REQUIRED,
        lambda: services.file_stop_objection(actor=contact, award_id=award.pk, text="  "),
    )
    for outsider in (
        award.program.officers.get(),
        officer_of(ProgramFactory()),
        make_award().consortium.contacts.get(),
        UserFactory(reviewer=True),
    ):
        with pytest.raises(PermissionDenied):
            services.file_stop_objection(actor=outsider, award_id=award.pk, text="이의")
    assert not StopObjection.objects.exists()


# --- over the API --------------------------------------------------------------------------------------


def test_objection_over_the_api_with_outsiders_refused(api):
    from django.utils import timezone

    award = stop_notified(timezone.localdate())
    officer = award.program.officers.get()
    contact = award.consortium.contacts.get()
    url = f"/api/awards/{award.pk}/objections/"
    for outsider in (
        officer_of(ProgramFactory()),
        make_award().consortium.contacts.get(),
        UserFactory(reviewer=True),
    ):
        api.force_authenticate(outsider)
        assert post(api, url, {"text": "이의"}).status_code == 404
        assert api.get(url).status_code == 404
    api.force_authenticate(officer)
    assert post(api, url, {"text": "이의"}).status_code == 403
    api.force_authenticate(contact)
    assert post(api, "/api/awards/999999/objections/", {"text": "이의"}).status_code == 404
    res = api.post(url, {"text": "이의"}, format="json")  # no key
    assert res.status_code == 400 and res.json()["failures"][0]["rule"] == "request.idempotency_key_required"
    res = post(api, url, {"text": "평가 근거 오류"}, key="obj-1")
    assert res.status_code == 201, res.json()
    again = post(api, url, {"text": "평가 근거 오류"}, key="obj-1")
    assert again.json() == res.json() and again["Idempotent-Replay"] == "true"
    res2 = post(api, url, {"text": "또"})
    body = res2.json()
    assert res2.status_code == 400 and set(body) == {"detail", "fields", "failures"}
    assert body["failures"] == [
        {"rule": "objection.already_filed", "field": "text", "message": body["detail"]}
    ]
    objection_id = res.json()["id"]
    assert [o["id"] for o in api.get(url).json()] == [objection_id]

    decide = f"/api/awards/objections/{objection_id}/decide/"
    assert post(api, decide, {"upheld": True, "answer": "x", "revised_code": "C"}).status_code == 403
    for outsider in (officer_of(ProgramFactory()), UserFactory(reviewer=True)):
        api.force_authenticate(outsider)
        assert post(api, decide, {"upheld": True, "answer": "x", "revised_code": "C"}).status_code == 404
    api.force_authenticate(officer)
    assert (
        post(api, "/api/awards/objections/999999/decide/", {"upheld": False, "answer": "x"}).status_code
        == 404
    )
    res = post(api, decide, {"upheld": True, "answer": "인용", "revised_code": "D"})
    assert res.status_code == 400 and res.json()["failures"][0]["rule"] == "objection.revised_grade_invalid"
    res = post(api, decide, {"upheld": True, "answer": "인용", "revised_code": "B"})
    assert res.status_code == 200 and res.json()["state"] == "upheld"
    assert api.get(f"/api/awards/{award.pk}/").json()["state"] == "active"
    res = post(api, decide, {"upheld": False, "answer": "x"})
    assert res.status_code == 400 and res.json()["failures"][0]["rule"] == "objection.already_decided"
    assert_ledger_agrees(award)


def test_contact_files_an_objection_in_the_portal_and_the_officer_decides_on_the_case_page(client):
    from django.utils import timezone

    award = stop_notified(timezone.localdate())
    contact = award.consortium.contacts.get()
    client.force_login(contact)
    page = client.get(f"/my/awards/{award.pk}/").content.decode()
    assert 'data-testid="objection-form"' in page
    res = client.post(f"/my/awards/{award.pk}/objection/", {"text": "재심 요청", "idempotency_key": "p1"})
    assert res.status_code == 302
    objection = StopObjection.objects.get(award=award)
    page = client.get(f"/my/awards/{award.pk}/").content.decode()
    assert 'data-testid="objection-form"' not in page and 'data-testid="objections"' in page
    outsider = make_award().consortium.contacts.get()
    client.force_login(outsider)
    assert (
        client.post(f"/my/awards/{award.pk}/objection/", {"text": "x", "idempotency_key": "p2"}).status_code
        == 404
    )

    officer = award.program.officers.get()
    officer.is_staff = True
    officer.save()
    client.force_login(officer)
    case = f"/admin/awards/award/{award.pk}/case/"
    assert "act-objection" in client.get(case).content.decode()
    res = client.post(
        f"/admin/awards/award/{award.pk}/act/objection/",
        {
            "objection": objection.pk,
            "upheld": "no",
            "answer": "기각",
            "revised_code": "",
            "idempotency_key": "a1",
        },
    )
    assert res.status_code == 302
    assert StopObjection.objects.get(pk=objection.pk).state == "rejected"


def test_objection_list_queries_do_not_grow_with_objections(api, django_assert_max_num_queries):
    from django.utils import timezone

    award = make_award()
    officer = award.program.officers.get()
    contact = award.consortium.contacts.get()
    # Three stops, each objected to and upheld: three objections on one award.
    for year in (1, 2, 3):
        services.record_grade(actor=officer, award_id=award.pk, year=year, code="D", on=timezone.localdate())
        objection = services.file_stop_objection(actor=contact, award_id=award.pk, text=f"이의 {year}")
        services.decide_stop_objection(
            actor=officer, objection_id=objection.pk, upheld=True, answer="인용", revised_code="A"
        )
    api.force_authenticate(contact)
    with django_assert_max_num_queries(6):
        res = api.get(f"/api/awards/{award.pk}/objections/")
    assert [o["grade_year"] for o in res.json()] == [3, 2, 1]
    assert_ledger_agrees(award)


def test_a_later_stop_can_be_objected_to_again(client):
    from django.utils import timezone

    today = timezone.localdate()
    award = stop_notified(today)
    officer = award.program.officers.get()
    contact = award.consortium.contacts.get()
    first = services.file_stop_objection(actor=contact, award_id=award.pk, text="이의")
    services.decide_stop_objection(actor=officer, objection_id=first.pk, upheld=False, answer="기각")
    services.resume_award(actor=officer, award_id=award.pk, reason="직권 철회")  # grade 1 stays D
    services.record_grade(actor=officer, award_id=award.pk, year=2, code="D", on=today)
    client.force_login(contact)
    assert 'data-testid="objection-form"' in client.get(f"/my/awards/{award.pk}/").content.decode()
    second = services.file_stop_objection(actor=contact, award_id=award.pk, text="2차년도 이의")
    assert (second.grade.year, first.grade.year) == (2, 1)
