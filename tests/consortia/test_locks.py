"""Races between a submission and the writes its rules read (consortia/locks.py), on PostgreSQL
with real concurrent transactions: each thread has its own connection.

A submission is held open right after it checked the rules (the check is wrapped, not
replaced) while a competing write runs in another thread. Without a shared lock the
competing write commits inside that window and the submitted application breaks a rule;
with it, the competing write waits for the submission and then sees it.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from consortia import services
from consortia.choices import OrganisationType
from consortia.exceptions import NotEditable, RulesBroken
from consortia.models import Application, ApplicationPerson, DeclaredProject, Person
from consortia.rules import check_application
from programs.exceptions import RulesLocked
from programs.services import update_call
from tests.factories import CallFactory, OrganisationFactory, complete_application, officer_of

pytestmark = pytest.mark.django_db(transaction=True)

WINDOW_SECONDS = 1.5


class HeldSubmission:
    """Runs submit_application in a thread and holds the first one open after its rule check
    until the competing write returns (or WINDOW_SECONDS pass, when that write is blocked)."""

    def __init__(self, monkeypatch):
        self.checked = threading.Event()
        self.competitor_done = threading.Event()
        self.results: dict[str, object] = {}
        self._first = threading.Lock()
        real = services.check_application

        def held_check(application, *, at=None, **kwargs):
            failures = real(application, at=at, **kwargs)
            if self._first.acquire(blocking=False):
                self.checked.set()
                self.competitor_done.wait(WINDOW_SECONDS)
            return failures

        monkeypatch.setattr(services, "check_application", held_check)

    def run(self, name: str, fn) -> threading.Thread:
        def target():
            try:
                self.results[name] = fn()
            except Exception as exc:  # noqa: BLE001 - the test inspects what each side got
                self.results[name] = exc
            finally:
                connection.close()

        thread = threading.Thread(target=target)
        thread.start()
        return thread

    def compete(self, name: str, fn) -> threading.Thread:
        """Runs `fn` once the held submission has checked its rules."""

        def after_check():
            assert self.checked.wait(10), "the submission never reached its rule check"
            try:
                return fn()
            finally:
                self.competitor_done.set()

        return self.run(name, after_check)


def _join(*threads: threading.Thread) -> None:
    for t in threads:
        t.join(timeout=30)
        assert not t.is_alive(), "a writer is stuck (deadlock?)"


def _submit(application: Application):
    contact = application.consortium.contacts.get()
    return lambda: services.submit_application(actor=contact, application_id=application.pk)


def test_a_member_added_during_a_submission_waits_and_is_refused(postgres, monkeypatch):
    """Issue 13.1: add_member committed inside submit's check window, leaving a submitted
    application with two lead institutions."""
    app = complete_application()
    contact = app.consortium.contacts.get()
    held = HeldSubmission(monkeypatch)
    submit = held.run("submit", _submit(app))
    add = held.compete(
        "add",
        lambda: services.add_member(
            actor=contact, consortium_id=app.consortium_id, organisation=OrganisationFactory(), role="lead"
        ),
    )
    _join(submit, add)
    assert isinstance(held.results["submit"], Application)
    assert isinstance(held.results["add"], NotEditable)
    app = Application.objects.get(pk=app.pk)
    assert app.state == "submitted"
    assert app.consortium.members.filter(role="lead").count() == 1
    assert check_application(app) == []


def test_researchers_replaced_during_a_submission_wait(postgres, monkeypatch):
    """set_people is a member write too: it waits for the submission, then finds no draft."""
    app = complete_application()
    contact = app.consortium.contacts.get()
    member = app.consortium.members.get(role="lead")
    held = HeldSubmission(monkeypatch)
    submit = held.run("submit", _submit(app))
    people = held.compete(
        "people",
        lambda: services.set_people(
            actor=contact,
            application_id=app.pk,
            rows=[{"member": member.pk, "role": "pi", "name": "김연구", "researcher_number": "12345678"}],
        ),
    )
    _join(submit, people)
    assert isinstance(held.results["submit"], Application)
    assert isinstance(held.results["people"], NotEditable)
    assert not ApplicationPerson.objects.filter(
        application=app, person__researcher_number="12345678"
    ).exists()


def test_a_rule_changed_during_a_submission_waits_and_is_refused(postgres, monkeypatch):
    """Issue 13.2: update_call changed the matching ratio inside submit's check window, leaving a
    submitted application that fails its own call's rules."""
    app = complete_application()  # local cash is exactly 20% of national + local
    officer = officer_of(app.call.program)
    stricter = [
        {
            "numerator_local_cash": True,
            "comparison": "gte",
            "percent": Decimal("30"),
            "base_national": True,
            "base_local_cash": True,
        }
    ]
    held = HeldSubmission(monkeypatch)
    submit = held.run("submit", _submit(app))
    edit = held.compete(
        "edit",
        lambda: update_call(actor=officer, call_id=app.call_id, changes={"matching_rules": stricter}),
    )
    _join(submit, edit)
    app = Application.objects.get(pk=app.pk)
    if isinstance(held.results["submit"], Application):
        # The submission took the call lock first: the rules are frozen, the edit is refused.
        assert isinstance(held.results["edit"], RulesLocked)
        assert app.state == "submitted"
        assert check_application(app, at=app.submitted_at) == []
    else:
        # The edit committed before submit took the call lock (last, issue 18): submit checks
        # the rules again under it and refuses the application under the stricter rule.
        assert isinstance(held.results["submit"], RulesBroken), held.results
        assert held.results["edit"].pk == app.call_id
        assert app.state == "draft"


def test_the_same_principal_investigator_submitted_in_two_calls_at_once(postgres, monkeypatch):
    """Issue 13.3: two submissions in different calls each counted the other as a draft, so a
    researcher led 4 projects against a limit of 3. Locking the people serialises them."""
    pi = Person.objects.create(name="김연구", researcher_number="11112222")
    for i in range(2):
        DeclaredProject.objects.create(
            person=pi,
            title=f"외부 과제 {i}",
            as_principal_investigator=True,
            starts_on=dt.date(2024, 1, 1),
            ends_on=dt.date(2035, 12, 31),
        )
    apps = [complete_application(call=CallFactory()) for _ in range(2)]
    for app in apps:
        member = app.consortium.members.get(role="lead")
        ApplicationPerson.objects.create(application=app, member=member, person=pi, role="pi")
        assert check_application(app) == []  # alone, each is the third project
    held = HeldSubmission(monkeypatch)
    first = held.run("first", _submit(apps[0]))
    second = held.compete("second", _submit(apps[1]))
    _join(first, second)
    assert isinstance(held.results["first"], Application)
    assert isinstance(held.results["second"], RulesBroken)
    assert [f.rule for f in held.results["second"].failures] == ["concurrency.lead_limit"]
    states = sorted(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("state", flat=True))
    assert states == ["draft", "submitted"]


def test_a_member_write_and_a_call_edit_do_not_deadlock_with_submissions(postgres):
    """Writers taking subsets of the lock order in parallel all finish."""
    app = complete_application()
    contact = app.consortium.contacts.get()
    officer = officer_of(app.call.program)
    results: list[object] = []
    barrier = threading.Barrier(3)

    def run(fn):
        try:
            barrier.wait()
            results.append(fn())
        except Exception as exc:  # noqa: BLE001
            results.append(exc)
        finally:
            connection.close()

    gov = OrganisationFactory(type=OrganisationType.LOCAL_GOVERNMENT)
    threads = [
        threading.Thread(target=run, args=(_submit(app),)),
        threading.Thread(
            target=run,
            args=(
                lambda: services.add_member(
                    actor=contact, consortium_id=app.consortium_id, organisation=gov, role="partner"
                ),
            ),
        ),
        threading.Thread(
            target=run,
            args=(lambda: update_call(actor=officer, call_id=app.call_id, changes={"title": "새 제목"}),),
        ),
    ]
    for t in threads:
        t.start()
    _join(*threads)
    assert len(results) == 3
    assert not [
        r for r in results if isinstance(r, Exception) and not isinstance(r, NotEditable | RulesBroken)
    ]
