"""The one lock order of every writer whose work a submission's rules read.

A submission checks the call's rules against the consortium's members, the application's
content and its researchers' other projects, then commits. Every writer that can change
one of those inputs takes the same row lock first, so the check and the write it guards
never interleave (on PostgreSQL; SQLite serialises all writes anyway). The locks are
always taken in this order, each writer taking only the ones it needs:

  1. the consortium    `lock_consortium`   submit_application, add_member, register_member,
                                           remove_member, set_people, declare_project
  2. the application   `lock_application`  submit, withdraw, decide and every draft edit
  3. the people        `lock_people`       submit_application (3책5공 counts other
                                           projects of these people), by ascending pk
  4. the call          `lock_call`         submit_application, programs.services.update_call

The call lock comes last (issue 18): it guards only the province slots (other submissions
in the track) and the call's rules, so submit takes it after checking everything else and
holds it for the slot check alone; its holders wait for no other lock (update_call takes
only this one), so no cycle can form. Taking them in one order means two writers never
wait for each other in a cycle. The call and consortium locks are FOR NO KEY UPDATE: they
exclude each other but not the FOR KEY SHARE that inserting a row which points at them
takes, so creating an application in an open call does not wait for a submission in it.
"""

from __future__ import annotations

from collections.abc import Iterable

from consortia.models import Application, Consortium, Person
from programs.models import Call


def lock_call(call_id: int) -> Call:
    """4. The call row: its rules (tracks, matching, members, dates) hold still until commit."""
    return Call.objects.select_for_update(no_key=True, of=("self",)).get(pk=call_id)


def lock_consortium(consortium_id: int) -> Consortium:
    """1. The consortium row: its members and their roles hold still until commit."""
    return Consortium.objects.select_for_update(no_key=True, of=("self",)).get(pk=consortium_id)


def lock_application(application_id: int, *related: str) -> Application:
    """2. The application row only (of=self), with `related` joined but not locked."""
    return Application.objects.select_for_update(of=("self",)).select_related(*related).get(pk=application_id)


def lock_people(person_ids: Iterable[int]) -> list[Person]:
    """3. Person rows in ascending pk: two submissions naming the same researchers in
    different calls count each other's projects one after the other (3책5공)."""
    ids = sorted(set(person_ids))
    if not ids:
        return []
    return list(Person.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
