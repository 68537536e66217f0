"""The simulator as an HTTP server: a threaded werkzeug server plus a ticker thread.

The ticker calls :meth:`Simulator.tick` a few times a second, so jobs move on and
webhooks go out without anyone polling. Simulated network faults (``timeout``,
``lost-response=drop``) become a held and then dropped connection.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from .app import Simulator
from .faults import SimulatedDisconnect, SimulatedTimeout

__all__ = ["DEFAULT_TICK_SECONDS", "NetworkFaults", "Ticker", "make_simulator_server", "serve"]

logger = logging.getLogger(__name__)

DEFAULT_TICK_SECONDS = 0.25


class NetworkFaults:
    """WSGI middleware that turns simulated network faults into real ones on a socket."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        try:
            return self.app(environ, start_response)
        except SimulatedTimeout as exc:
            time.sleep(exc.hold_seconds)
            self._drop(environ)
        except SimulatedDisconnect:
            self._drop(environ)
        raise ConnectionAbortedError("simulated network fault")  # werkzeug: connection dropped

    @staticmethod
    def _drop(environ: dict[str, Any]) -> None:
        sock = environ.get("werkzeug.socket")
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class Ticker(threading.Thread):
    """Calls ``sim.tick()`` every ``interval`` seconds until stopped."""

    def __init__(self, sim: Simulator, interval: float = DEFAULT_TICK_SECONDS) -> None:
        super().__init__(name="krea-simulator-ticker", daemon=True)
        self.sim = sim
        self.interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            try:
                self.sim.tick()
            except Exception:  # the ticker must survive a bad tick
                logger.exception("Simulator tick failed")

    def stop(self) -> None:
        """Stop after the current tick."""
        self._stop_event.set()


def make_simulator_server(sim: Simulator, host: str, port: int) -> BaseWSGIServer:
    """A threaded werkzeug server for ``sim`` (``port=0`` picks a free port)."""
    return make_server(host, port, NetworkFaults(sim.app), threaded=True)


def serve(
    sim: Simulator,
    host: str = "127.0.0.1",
    port: int = 8100,
    *,
    tick_seconds: float = DEFAULT_TICK_SECONDS,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve ``sim`` until interrupted; ``ready(url)`` is called once listening."""
    server = make_simulator_server(sim, host, port)
    ticker = Ticker(sim, tick_seconds)
    ticker.start()
    url = f"http://{host}:{server.server_port}"
    if ready is not None:
        ready(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        ticker.stop()
        server.server_close()
