import logging

from celery import shared_task
from django.utils import timezone

from consortia import notices

logger = logging.getLogger(__name__)


# No autoretry: a failed attempt is recorded on the notice with its backoff, and the sweep queues
# it again when it is due, so retries survive a broker restart. ignore_result: publishing must not
# touch the result store (with Redis down, its reconnect loop is what made submits hang).
@shared_task(acks_late=True, ignore_result=True)
def send_notice(notice_id: int) -> None:
    # acks_late and broker redelivery mean this may run twice.
    # Only the run whose UPDATE claims the row may send.
    if not notices.claim_notice(notice_id=notice_id):
        return
    try:
        notices.deliver_notice(notice_id=notice_id)
    except Exception as exc:  # whatever failed, the attempt is recorded and the claim released
        status = notices.record_failure(notice_id=notice_id, error=exc)
        logger.warning("notice %s not sent (%s): %s", notice_id, status, exc)


@shared_task(ignore_result=True)
def requeue_stale_notices() -> int:
    """Beat, every minute: owed notices past the grace period (or a dead worker's lease) are queued."""
    ids = notices.notices_to_requeue()
    for pk in ids:
        send_notice.delay(pk)
    return len(ids)


@shared_task
def move_organisations_to_successor_provinces() -> int:
    """Daily: organisations of a province that ended move to its successor (history kept)."""
    from consortia.services import move_organisations_to_successors

    return move_organisations_to_successors(on=timezone.localdate())


# acks_late: a worker that dies mid-build leaves the message to be redelivered; the claim (a
# conditional UPDATE of the Export row) makes a second delivery, or the sweep's, a no-op.
# ignore_result: publishing must not touch the result store (see send_notice).
@shared_task(acks_late=True, ignore_result=True)
def build_export(export_id: int) -> None:
    """Builds one officer's xlsx export (any kind); a DONE or FAILED export is left as it is."""
    from consortia import export_jobs

    export_jobs.build_export(export_id=export_id)


@shared_task(ignore_result=True)
def requeue_stale_exports() -> int:
    """Beat, every minute: exports whose task never came (broker down) or whose worker died."""
    from consortia import export_jobs

    ids = export_jobs.exports_to_requeue()
    for pk in ids:
        build_export.delay(pk)
    return len(ids)


@shared_task(acks_late=True, ignore_result=True)
def build_application_export(export_id: int) -> None:
    """The former name of build_export: messages queued before the rename still run."""
    build_export(export_id)
