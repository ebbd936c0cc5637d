"""Who may do what in evaluation: `can_<verb>(user, obj) -> bool`, one predicate per rule.

Reviewers see only applications assigned to them (active, not conflicted, pledge signed);
officers run their programs' panels; administrators everything.
"""

from __future__ import annotations

from evaluations.models import Assignment, Panel
from programs.permissions import is_officer_of


def reviewer_of(user):
    """The user's reviewer profile, or None."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_reviewer_profile", False)
    if cached is False:
        from evaluations.models import Reviewer

        cached = user._reviewer_profile = Reviewer.objects.filter(user=user).first()
    return cached


def is_reviewer(user) -> bool:
    return reviewer_of(user) is not None


def can_manage_panel(user, panel: Panel) -> bool:
    """Panels, conflicts, waivers, assignment, selection and objections: the program's officers."""
    return is_officer_of(user, panel.call.program_id)


def can_score(user, assignment: Assignment) -> bool:
    """Only the assigned reviewer, on an active assignment. Conflicts are checked by the selector
    that finds the assignment (a conflicted one is withdrawn and never found)."""
    return (
        user.is_authenticated and assignment.withdrawn_at is None and assignment.reviewer.user_id == user.pk
    )


def can_file_objection(user, application) -> bool:
    from consortia.permissions import is_contact

    return is_contact(user, application.consortium_id)
