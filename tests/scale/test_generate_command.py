import pytest
from django.core.management import call_command
from django.db import transaction

from consortia.models import Application, Organisation

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        list(Application.objects.order_by("pk").values_list("title", "state", "track__code")),
        list(Organisation.objects.order_by("pk").values_list("name", "business_number")),
    )


def test_the_same_seed_gives_the_same_dataset():
    with transaction.atomic():
        call_command("generate_dataset", "--scale", "small", "--seed", "3")
        first = _snapshot()
        transaction.set_rollback(True)
    call_command("generate_dataset", "--scale", "small", "--seed", "3")
    assert _snapshot() == first
    assert len(first[0]) == 60
