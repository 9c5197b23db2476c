"""Iterating a CPU-bound generator in a helper process, so the app process's event loop (and the database, on the
machine's other core) work on its items while the next ones are made.

``in_helper_process(make, argument)`` starts a fresh interpreter (spawn: nothing of the app's threads, loop or
connections is copied), runs ``make(argument)`` there and hands its items back one by one through a pipe. The
pipe's buffer is the only queue: a helper that runs ahead blocks until the app takes an item, so memory stays
flat. An exception raised by ``make`` ends the iteration with ``HelperFailed`` carrying its class name and text
(``refusal`` names the exception class whose message is meant for the user: it arrives as ``Refused``). Leaving
the iteration early — the caller failed or was cancelled — ends the helper at once.

``make`` and ``argument`` must be picklable: a module-level function and plain data.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import AsyncGenerator, Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

T = TypeVar("T")
A = TypeVar("A")


class HelperFailed(RuntimeError):
    """The helper's generator raised: its exception's class name and text."""


class Refused(Exception):  # noqa: N818 (what the user is told, not a fault)
    """The helper's generator raised the ``refusal`` exception class: its message, meant for the user."""


@dataclass(frozen=True)
class _Raised:
    kind: str
    text: str
    refused: bool


@dataclass(frozen=True)
class _Finished:
    pass


def _run(make: Callable[[Any], Iterator[Any]], argument: Any, refusal: type[BaseException] | None,
         pipe: Connection) -> None:
    """The helper process's body: every item into the pipe, then the end marker or what was raised."""
    try:
        for item in make(argument):
            pipe.send(item)
        pipe.send(_Finished())
    except Exception as exc:  # the app process re-raises it
        refused = refusal is not None and isinstance(exc, refusal)
        pipe.send(_Raised(type(exc).__name__, str(exc), refused))
    finally:
        pipe.close()


def _receive(pipe: Connection) -> Any:
    try:
        return pipe.recv()
    except EOFError:  # the helper died without a word (killed, out of memory)
        return _Raised("EOFError", "the helper process ended unexpectedly", False)


async def in_helper_process(make: Callable[[A], Iterator[T]], argument: A,
                            refusal: type[BaseException] | None = None) -> AsyncGenerator[T, None]:
    """The items of ``make(argument)`` made in a helper process (see the module's docstring)."""
    context = multiprocessing.get_context("spawn")
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_run, args=(make, argument, refusal, writer), name="qingling-helper")
    process.start()
    writer.close()  # the helper holds its end: its exit is the reader's EOF
    loop = asyncio.get_running_loop()
    try:
        while True:
            item = await loop.run_in_executor(None, _receive, reader)
            if isinstance(item, _Raised):
                raise Refused(item.text) if item.refused else HelperFailed(f"{item.kind}: {item.text}")
            if isinstance(item, _Finished):
                return
            yield item
    finally:
        if process.is_alive():
            process.kill()
        await loop.run_in_executor(None, process.join)
        reader.close()
