import logging
import os
from functools import partial

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("megaproject")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger("megaproject.queue")


def enqueue_after_commit(task, *args, **kwargs) -> None:
    """Queues `task` once the current transaction commits; a broker error is logged, not raised.

    What the task does must also be owed in the database (a row a beat sweep finds again): after
    the commit, an exception would turn a saved write into a 500 and invite a retry that fails.
    """
    from django.db import transaction

    transaction.on_commit(partial(_publish, task, args, kwargs))


def _publish(task, args: tuple, kwargs: dict) -> None:
    if task.app.conf.task_always_eager:  # tests: the task runs here, and its errors are the test's
        task.apply_async(args, kwargs)
        return
    try:
        task.apply_async(args, kwargs)
    except Exception as exc:  # kombu.OperationalError, OSError, the result store's RuntimeError, ...
        logger.warning("could not queue %s%r (a sweep will queue it again): %r", task.name, args, exc)
