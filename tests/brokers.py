"""Pointing the Celery app of the test process at a real broker for one block."""

import contextlib
import socket
from collections.abc import Iterator

from django.conf import settings

from config.celery import app


@contextlib.contextmanager
def use_broker(url: str) -> Iterator[None]:
    """Publishes (and, with start_worker, consumes) on `url` with the production Redis options."""
    keys = ("broker_url", "result_backend", "task_always_eager", "broker_transport_options")
    saved = {k: app.conf[k] for k in keys}
    app.conf.update(
        broker_url=url,
        result_backend=url,
        task_always_eager=False,
        broker_transport_options=dict(settings.REDIS_BROKER_TRANSPORT_OPTIONS),
    )
    _reset_connections()
    try:
        yield
    finally:
        app.conf.update(saved)
        _reset_connections()


def _reset_connections() -> None:
    # The app and kombu cache connection pools with the URL they were made for.
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def closed_port() -> int:
    """A port nothing listens on (bound, then released): connections are refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never answers: a hung Redis."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(64)
        yield s.getsockname()[1]
