"""Issue 17 item 6: a weekly digest to each officer, once per officer and week."""

import datetime as dt

import pytest
from django.utils import timezone

from monitoring.digest import send_officer_digests
from monitoring.models import Milestone
from tests.monitoring.helpers import make_award, officer_of_award

pytestmark = pytest.mark.django_db


def test_each_officer_gets_one_digest_a_week(mailoutbox, django_capture_on_commit_callbacks):
    award = make_award()
    Milestone.objects.filter(award=award, kind="annual", sequence=1).update(
        due_on=timezone.localdate() - dt.timedelta(days=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert send_officer_digests() == 1
        send_officer_digests()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [officer_of_award(award).email]
    assert "주간 요약" in mail.subject and "기한 경과 1건" in mail.subject
    assert award.title in mail.body
