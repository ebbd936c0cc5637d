import datetime as dt
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


@shared_task
def requeue_stale_notices() -> int:
    """Notices claimed but unsent for 15 minutes (a worker died mid-send) are queued again."""
    stale = timezone.now() - dt.timedelta(minutes=15)
    ids = list(Notice.objects.filter(sent_at=None, claimed_at__lt=stale).values_list("pk", flat=True))
    Notice.objects.filter(pk__in=ids, sent_at=None).update(claimed_at=None)
    unclaimed = list(Notice.objects.filter(sent_at=None, claimed_at=None).values_list("pk", flat=True))
    for pk in unclaimed:
        send_notice.delay(pk)
    return len(unclaimed)


@shared_task
def move_organisations_to_successor_provinces() -> int:
    """Daily: organisations of a province that ended move to its successor (history kept)."""
    from consortia.services import move_organisations_to_successors

    return move_organisations_to_successors(on=timezone.localdate())


@shared_task(acks_late=True)
def build_application_export(export_id: int) -> None:
    """Builds one officer's xlsx export; claimed by a conditional UPDATE, so a redelivery is a no-op."""
    from consortia.exports import build_export

    build_export(export_id=export_id)
