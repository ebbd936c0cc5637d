from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from consortia.models import Notice
from consortia.notices import deliver_notice


@shared_task(acks_late=True, autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=5)
def send_notice(notice_id: int) -> None:
    # acks_late and broker redelivery mean this may run twice.
    # Only the run whose UPDATE claims the row may send.
    claimed = Notice.objects.filter(pk=notice_id, claimed_at=None, sent_at=None).update(
        claimed_at=timezone.now()
    )
    if not claimed:
        return
    try:
        deliver_notice(notice_id=notice_id)
    except (SMTPException, OSError):
        Notice.objects.filter(pk=notice_id).update(claimed_at=None)  # a retry may reclaim it
        raise
