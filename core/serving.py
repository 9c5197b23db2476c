"""Running `qingling serve` / `demo` until a stop signal — one that comes during start-up included.

Before Sanic's worker manager exists, SIGTERM interrupts like Ctrl-C (``Stopped``): the command unwinds,
closing what it opened. Once the manager runs, a signal starts Sanic's graceful shutdown, watched: Sanic's
manager, stopped while it waits for its workers' start-up acknowledgement, loops forever re-sending the stop
message to itself (the workers it waits for are gone). So when every managed process has ended and the main
process is still there ``STUCK_AFTER`` seconds later — or ``DEADLINE`` seconds after the signal in any case —
the remaining children are killed and the process exits. A second signal is ignored: Sanic's own answer to
it kills the whole process group, which may hold the supervisor's shell.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from functools import partial
from types import FrameType
from typing import TYPE_CHECKING, Any

from core.config import Settings

if TYPE_CHECKING:
    from sanic import Sanic

log = logging.getLogger("qingling.serve")
DEADLINE = 8.0  # seconds from the signal to the end of the process, whatever happens
STUCK_AFTER = 2.0  # seconds the main process may outlive every process it manages
GRACEFUL_SHUTDOWN = 5.0  # seconds a server worker waits for requests in flight (Sanic's default is 15)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stopped(KeyboardInterrupt):
    """A stop signal arrived: unwinds like Ctrl-C (asyncio cancels the running task and closes its loop)."""


def stop_on_signals() -> None:
    """From now on SIGTERM stops the command as Ctrl-C does, until a server installs its own handling."""
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: a second signal must not break the unwinding
    raise Stopped(signal.Signals(signum).name)


def serve(settings: Settings) -> None:
    """The web server (and the embedded worker) until a stop signal; every process built from ``settings``."""
    from sanic import Sanic
    from sanic.worker.loader import AppLoader

    from core.app import create_app

    loader = AppLoader(factory=partial(create_app, settings))
    app = loader.load()
    app.config.GRACEFUL_SHUTDOWN_TIMEOUT = GRACEFUL_SHUTDOWN
    app.prepare(host=settings.server.host, port=settings.server.port, workers=settings.server.workers,
                access_log=False, motd=False)
    app.main_process_ready(_watch_stop_signals)
    Sanic.serve(primary=app, app_loader=loader)


def _watch_stop_signals(app: Sanic) -> None:
    """Replace the handlers Sanic's manager just installed by one that also makes sure the process ends."""
    manager = app.manager
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if stopping.is_set():
            return
        stopping.set()
        threading.Thread(target=_end_when_stuck, args=(manager,), name="stop-watch", daemon=True).start()
        manager.shutdown_signal(signum, frame)

    for sig in STOP_SIGNALS:
        signal.signal(sig, on_signal)
    if manager.monitor_subscriber.poll(0):  # a signal reached Sanic's handler before this one was in place
        stopping.set()
        threading.Thread(target=_end_when_stuck, args=(manager,), name="stop-watch", daemon=True).start()


def _end_when_stuck(manager: Any) -> None:
    started = time.monotonic()
    quiet_since: float | None = None
    while time.monotonic() - started < DEADLINE:
        time.sleep(0.1)
        if _any_alive(manager):
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= STUCK_AFTER:
            break
    log.warning("the server did not finish its shutdown: ending it")
    # The main thread may still be running Sanic's loop: once the children (Sanic's state manager among them)
    # are killed it would print their broken pipes as tracebacks. Nothing it says now is news.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    for child in multiprocessing.active_children():
        child.kill()
    os._exit(0)


def _any_alive(manager: Any) -> bool:
    try:
        return any(process.is_alive() for process in manager.processes)
    except (RuntimeError, ValueError, AssertionError):  # the main thread changed the list meanwhile: look again
        return True
