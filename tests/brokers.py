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


class RedisProxy:
    """A TCP forwarder on a fixed local port to a real Redis, to take "Redis" down and bring it
    back at the same address while the process keeps its connection pools."""

    def __init__(self, redis_url: str):
        from urllib.parse import urlsplit

        target = urlsplit(redis_url)
        self.target = (target.hostname or "127.0.0.1", target.port or 6379)
        self.port = closed_port()
        self.url = f"redis://127.0.0.1:{self.port}{target.path or '/0'}"
        self._server = None

    def start(self) -> None:
        import socketserver
        import threading

        target = self.target

        class Pipe(socketserver.BaseRequestHandler):
            def handle(self):
                with socket.create_connection(target) as upstream:
                    back = threading.Thread(target=_pump, args=(upstream, self.request), daemon=True)
                    back.start()
                    _pump(self.request, upstream)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Pipe)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
