"""Who may see and change consortia and applications: `can_<verb>(user, obj) -> bool`.

Applicants see only their own consortium's data; officers see the applications to their
programs' calls; administrators see everything.
"""

from __future__ import annotations

from consortia.models import Application, Consortium, Organisation, OrganisationStaff
from programs.permissions import is_admin, is_officer_of


def is_verified_staff(user, organisation: Organisation | int) -> bool:
    """Only verified staff act for an organisation (form, co-lead and submit for a local government)."""
    if not user.is_authenticated:
        return False
    if is_admin(user):
        return True
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    return OrganisationStaff.objects.filter(
        organisation=organisation_id, user=user, verified_at__isnull=False
    ).exists()


def is_contact(user, consortium: Consortium | int) -> bool:
    if not user.is_authenticated:
        return False
    consortium_id = consortium if isinstance(consortium, int) else consortium.pk
    return user.consortia.filter(pk=consortium_id).exists()


def can_view_consortium(user, consortium: Consortium) -> bool:
    if is_admin(user) or is_contact(user, consortium):
        return True
    return bool(
        user.is_authenticated and consortium.applications.filter(call__program__officers=user).exists()
    )


def can_edit_consortium(user, consortium: Consortium) -> bool:
    return is_admin(user) or is_contact(user, consortium)


def can_view_application(user, application: Application) -> bool:
    return (
        is_admin(user)
        or is_contact(user, application.consortium_id)
        or is_officer_of(user, application.call.program_id)
    )


def can_edit_application(user, application: Application) -> bool:
    return is_contact(user, application.consortium_id) or is_admin(user)


def can_submit(user, application: Application) -> bool:
    return is_contact(user, application.consortium_id)


def can_withdraw(user, application: Application) -> bool:
    return is_contact(user, application.consortium_id)


def can_decide(user, application: Application) -> bool:
    """Screening, review and selection steps are the program officers'."""
    return is_officer_of(user, application.call.program_id)
