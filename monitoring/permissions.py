"""Who may see and move milestones and KPI reports: `can_<verb>(user, obj) -> bool`.

The award's consortium contacts submit milestones and report actuals; the program's officers
(and administrators) accept, return and validate. Everyone else sees nothing.
"""

from __future__ import annotations

from django.db.models import Q

from awards.models import Award
from awards.permissions import can_manage_award, can_view_award
from consortia.permissions import is_contact
from programs.permissions import is_admin, officer_program_ids


def can_view_monitoring(user, award: Award) -> bool:
    return can_view_award(user, award)


def can_submit_milestone(user, award: Award) -> bool:
    """Submitting is the consortium's act: its contacts only (an officer does not file for it)."""
    return is_contact(user, award.consortium_id)


def can_decide_milestone(user, award: Award) -> bool:
    return can_manage_award(user, award)


def can_report_kpi(user, award: Award) -> bool:
    return is_contact(user, award.consortium_id)


def can_validate_kpi(user, award: Award) -> bool:
    return can_manage_award(user, award)


def visible_awards_q(user, prefix: str = "award__") -> Q:
    """A Q over `prefix`-related awards that `user` may see (every list filters by it)."""
    if is_admin(user):
        return Q()
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(**{f"{prefix}program__officers": user}) | Q(**{f"{prefix}consortium__contacts": user})


def visible_program_ids(user) -> list[int] | None:
    """Programs whose rollups `user` reads: None for administrators (all)."""
    return officer_program_ids(user)
