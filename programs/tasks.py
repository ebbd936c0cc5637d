import logging

from celery import shared_task

from programs import services

logger = logging.getLogger(__name__)


@shared_task
def record_heartbeat() -> str:
    """Beat's proof of life: the worker writes the time it ran (idempotent upsert)."""
    beat = services.record_heartbeat()
    logger.info("heartbeat recorded: run %s at %s", beat.runs, beat.last_seen_at.isoformat())
    return beat.last_seen_at.isoformat()
