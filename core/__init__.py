"""Configuration, app factory, database and cache set-up, CLI.

A process Sanic's worker manager starts (multiprocessing, spawn) imports this package first. The manager
stops its processes with SIGINT, which may arrive while one is still importing or starting: such a process
then ends at once and quietly, instead of printing a KeyboardInterrupt traceback. Sanic's server processes and the
embedded worker install their own stop handling once they run.
"""

import multiprocessing
import os
import signal
import sys


def _end_quietly(signum: int, frame: object) -> None:
    # Not SystemExit: raised inside an import-lock or weakref callback it would be "ignored" (printed with a
    # traceback) and the process would go on starting. Nothing of such a process needs cleaning up yet.
    os._exit(0)


# During those imports ``parent_process()`` is still None; the spawned process's name is already set.
_name = multiprocessing.current_process().name
if _name != "MainProcess":
    signal.signal(signal.SIGINT, _end_quietly)
if _name.startswith("SyncManager-"):
    # Sanic's shared-state manager (multiprocessing.Manager) says nothing of its own; its one possible output is
    # the BrokenPipeError traceback when the main process was stopped before the manager reported its address.
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (kept open for the process's life)
