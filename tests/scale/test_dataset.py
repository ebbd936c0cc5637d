"""The generated dataset holds the rules the services enforce (issue 18)."""

import random
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from consortia.business_number import validate_business_number
from consortia.choices import FIRM_TYPES
from consortia.models import (
    Application,
    ApplicationEvent,
    ApplicationLeadProvince,
    BudgetLine,
    Consortium,
    ConsortiumMember,
    Organisation,
    OrganisationStaff,
)
from consortia.rules import check_application
from programs import dataset

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def small(django_db_setup, django_db_blocker):
    """One build for the module (it takes seconds), rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield dataset.build(scale="small", seed=7)
        transaction.set_rollback(True)


def test_small_dataset_has_every_state_and_the_heavy_contact(small):
    states = set(Application.objects.values_list("state", flat=True))
    assert states == set(Application.State.values)
    assert Consortium.objects.filter(contacts=small.heavy_contact_id).count() == 8
    sizes = Counter(ConsortiumMember.objects.values_list("consortium", flat=True))
    assert min(sizes.values()) >= 6 and max(sizes.values()) <= 12


def test_submitted_applications_pass_check_application(small):
    sample = list(
        Application.objects.filter(state=Application.State.SUBMITTED).select_related(
            "track", "consortium__representative"
        )
    )
    assert sample
    for app in random.Random(1).sample(sample, min(10, len(sample))):
        assert check_application(app, at=app.submitted_at) == []


def test_business_numbers_are_valid_and_unique(small):
    numbers = list(Organisation.objects.filter(type__in=FIRM_TYPES).values_list("business_number", flat=True))
    assert numbers and len(set(numbers)) == len(numbers)
    for number in numbers:
        validate_business_number(number)


def test_one_slot_holder_per_province_and_track(small):
    held = Counter(
        ApplicationLeadProvince.objects.filter(application__state__in=Application.SLOT_HOLDING).values_list(
            "application__track", "province"
        )
    )
    assert held and max(held.values()) == 1


def test_every_non_draft_has_events_and_plans_fit_the_track(small):
    non_draft = Application.objects.exclude(state=Application.State.DRAFT)
    assert not non_draft.exclude(pk__in=ApplicationEvent.objects.values("application")).exists()
    submitted = Application.objects.filter(submitted_at__isnull=False)
    assert not submitted.exclude(pk__in=ApplicationLeadProvince.objects.values("application")).exists()
    for line in BudgetLine.objects.select_related("application__track"):
        assert 1 <= line.year <= line.application.track.duration_years


def test_contacts_are_verified_staff_of_the_representative(small):
    for consortium in Consortium.objects.prefetch_related("contacts"):
        for user in consortium.contacts.all():
            assert OrganisationStaff.objects.filter(
                organisation=consortium.representative_id, user=user, verified_at__isnull=False
            ).exists()


def test_the_command_refuses_a_second_dataset(small):
    with pytest.raises(CommandError):
        call_command("generate_dataset", "--scale", "small", "--seed", "3")
