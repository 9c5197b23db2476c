"""Configuration, app factory, database and cache set-up, CLI.

A process Sanic's worker manager starts (multiprocessing, spawn) imports this package first. The manager
stops its processes with SIGINT, which may arrive while one is still importing or starting: such a process
then ends quietly, instead of printing a KeyboardInterrupt traceback. Sanic's server processes and the
embedded worker install their own stop handling once they run.
"""

import multiprocessing
import signal


def _end_quietly(signum: int, frame: object) -> None:
    raise SystemExit(0)


# During those imports ``parent_process()`` is still None; the spawned process's name is already set.
if multiprocessing.current_process().name != "MainProcess":
    signal.signal(signal.SIGINT, _end_quietly)
