"""Who may do what with programs and calls: `can_<verb>(user, obj) -> bool`."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from programs.models import Call, Program

User = AbstractBaseUser | AnonymousUser


def is_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


def is_officer_of(user: User, program: Program | int) -> bool:
    if not user.is_authenticated:
        return False
    if is_admin(user):
        return True
    program_id = program if isinstance(program, int) else program.pk
    return user.programs_as_officer.filter(pk=program_id).exists()


def is_officer(user: User) -> bool:
    """Officer of any program. Cached on the user object, i.e. per request: the admin asks
    for every model on every page."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_is_officer", None)
    if cached is None:
        cached = user._is_officer = is_admin(user) or user.programs_as_officer.exists()
    return cached


def officer_program_ids(user: User) -> list[int] | None:
    """The programs whose data the user reads as an officer: None (all) for an administrator.
    The scope of the back office's dashboards and of the exports built from them."""
    if is_admin(user):
        return None
    if not user.is_authenticated:
        return []
    return list(user.programs_as_officer.values_list("pk", flat=True))


def can_create_call(user: User, program: Program | int) -> bool:
    return is_officer_of(user, program)


def can_change_call(user: User, call: Call) -> bool:
    return is_officer_of(user, call.program_id)
