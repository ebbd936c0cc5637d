"""Who is what in evaluations: one predicate per rule, used everywhere."""

from __future__ import annotations

from programs.models import Call


def is_reviewer_in_call(user, call: Call | int) -> bool:
    """Whether the user is in the call's reviewer pool, and so may not apply to it.

    Today every reviewer profile is in every call's pool; panels narrow it to their members.
    """
    if not user.is_authenticated:
        return False
    from evaluations.models import Reviewer

    return Reviewer.objects.filter(user=user).exists()
