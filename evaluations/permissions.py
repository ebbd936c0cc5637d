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


def is_reviewer_in_call(user, call) -> bool:
    """Whether the user is in the call's reviewer pool, and so may not apply to it (domain.md):
    seated on one of its panels; before the call has panels, any reviewer profile."""
    if not user.is_authenticated:
        return False
    from evaluations.models import Panel, Reviewer

    call_id = call if isinstance(call, int) else call.pk
    if Panel.objects.filter(call=call_id).exists():
        return Panel.objects.filter(call=call_id, panel_members__reviewer__user=user).exists()
    return Reviewer.objects.filter(user=user).exists()


def can_manage_panel(user, panel: Panel) -> bool:
    """Panels, conflicts, waivers, assignment, selection and objections: the program's officers."""
    return is_officer_of(user, panel.call.program_id)


def can_export_panel_results(user, params: dict) -> bool:
    """The export machinery's check (consortia.export_jobs) for a panel's results table."""
    panel = Panel.objects.filter(pk=params.get("panel_id")).select_related("call").first()
    return panel is not None and can_manage_panel(user, panel)


def can_score(user, assignment: Assignment) -> bool:
    """Only the assigned reviewer, on an active assignment. Conflicts are checked by the selector
    that finds the assignment (a conflicted one is withdrawn and never found)."""
    return (
        user.is_authenticated and assignment.withdrawn_at is None and assignment.reviewer.user_id == user.pk
    )


def can_file_objection(user, application) -> bool:
    from consortia.permissions import is_contact

    return is_contact(user, application.consortium_id)
