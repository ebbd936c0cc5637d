"""Who may see and move an award's money: `can_<verb>(user, obj) -> bool`.

Officers of the award's program run it; the consortium's contacts read it and request
disbursements, changes and settlement reports; reviewers and other applicants see nothing.
"""

from __future__ import annotations

from awards.models import Award
from consortia.permissions import is_contact
from programs.permissions import is_admin, is_officer_of


def can_view_award(user, award: Award) -> bool:
    return is_officer_of(user, award.program_id) or is_contact(user, award.consortium_id)


def can_manage_award(user, award: Award) -> bool:
    """Create, approve, pay, grade, recover: the program's officers (and administrators)."""
    return is_officer_of(user, award.program_id)


def can_request_disbursement(user, award: Award) -> bool:
    return can_view_award(user, award)


def can_file_change(user, award: Award) -> bool:
    return can_view_award(user, award)


def can_submit_settlement(user, award: Award) -> bool:
    return is_contact(user, award.consortium_id) or is_officer_of(user, award.program_id)


def can_object_to_stop(user, award: Award) -> bool:
    """An objection (이의신청) to a stop is the consortium's: its contacts file it."""
    return is_contact(user, award.consortium_id)


def can_reverse_entry(user, award: Award) -> bool:
    return can_manage_award(user, award)


def can_create_award(user, application) -> bool:
    return is_officer_of(user, application.call.program_id)


def visible_awards_filter(user):
    """A Q for the awards `user` may see (used by every list)."""
    from django.db.models import Q

    if is_admin(user):
        return Q()
    return Q(program__officers=user) | Q(consortium__contacts=user)
