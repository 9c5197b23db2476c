"""Excel exports of the customs queue run in the background: the state lives in the shared cache (any app
process can show the progress bar), the file in the export folder (shared storage in production).

``start_export`` returns at once with a token; the export task reports ``done / total`` after each batch.
Only the account that started an export can see it or download its file.

A running export writes a heartbeat (wall-clock time, shared by every process) with its progress every
``HEARTBEAT`` seconds. If its process dies, the heartbeat stops: after ``STALE_AFTER`` seconds without one the
export reads as "interrupted" (导出中断) and the page offers to export the same filter again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from core.cache import Cache
from models.errors import NotFound
from services.kit.context import ServiceContext
from services.questions.export import export_queue
from services.questions.queue import QueueFilter

log = logging.getLogger("qingling.export")
TTL = 3600  # seconds an export's state and file stay available
HEARTBEAT = 1.0  # seconds between two writes of a running export's state
STALE_AFTER = 30.0  # seconds without a heartbeat after which a running export counts as interrupted
MSG_NOT_FOUND = "导出任务不存在或已过期，请重新导出"
_running: set[asyncio.Task[None]] = set()  # keep a reference: the loop holds tasks only weakly


@dataclass(frozen=True)
class ExportState:
    token: str
    account_id: int
    state: str  # running / done / failed; "interrupted" is read, never written (see export_state)
    done: int
    total: int
    beat: float = 0.0  # time.time() of the last heartbeat
    filter_args: tuple[tuple[str, str], ...] = ()  # the queue filter's arguments, to export it again

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        return int(self.done * 100 / self.total) if self.total else 0


def export_path(folder: Path, token: str) -> Path:
    return folder / f"queue-{token}.xlsx"


async def start_export(ctx: ServiceContext, cache: Cache, folder: Path, account_id: int, flt: QueueFilter,
                       filter_args: Sequence[tuple[str, str]] = ()) -> str:
    token = secrets.token_urlsafe(12)
    first = ExportState(token, account_id, "running", 0, 0, time.time(), tuple(filter_args))
    await _save(cache, first)
    folder.mkdir(parents=True, exist_ok=True)
    task = asyncio.get_running_loop().create_task(_run(ctx, cache, folder, first, flt))
    _running.add(task)
    task.add_done_callback(_running.discard)
    return token


async def export_state(cache: Cache, token: str, account_id: int, *, now: float | None = None) -> ExportState:
    """The export's state; a running one whose heartbeat stopped ``STALE_AFTER`` seconds ago is "interrupted"."""
    raw = await cache.get(f"export:{token}") if len(token) < 40 else None
    state = _load(raw) if raw else None
    if state is None or state.account_id != account_id:
        raise NotFound(MSG_NOT_FOUND)
    if state.state == "running" and (time.time() if now is None else now) - state.beat > STALE_AFTER:
        return replace(state, state="interrupted")
    return state


async def _run(ctx: ServiceContext, cache: Cache, folder: Path, first: ExportState, flt: QueueFilter) -> None:
    progress: list[tuple[int, int]] = [(0, 0)]

    def report(done: int, total: int) -> None:
        progress.append((done, total))

    async def heartbeat() -> None:
        while True:
            await asyncio.sleep(HEARTBEAT)
            done, total = progress[-1]
            await _save(cache, replace(first, done=done, total=total, beat=time.time()))

    reporter = asyncio.get_running_loop().create_task(heartbeat())
    try:
        rows = await export_queue(first.account_id, flt, export_path(folder, first.token), progress=report, ctx=ctx)
    except Exception:
        log.exception("queue export %s failed", first.token)
        final = replace(first, state="failed", beat=time.time())
    else:
        log.info("queue export %s done: %d rows", first.token, rows)
        final = replace(first, state="done", done=rows, total=rows, beat=time.time())
    finally:
        reporter.cancel()  # and wait for it, so a late heartbeat cannot overwrite the final state
        with contextlib.suppress(asyncio.CancelledError):
            await reporter
    await _save(cache, final)


def _load(raw: str) -> ExportState | None:
    data = json.loads(raw)
    data["filter_args"] = tuple(tuple(pair) for pair in data.get("filter_args", ()))
    return ExportState(**data)


async def _save(cache: Cache, state: ExportState) -> None:
    data = {"token": state.token, "account_id": state.account_id, "state": state.state, "done": state.done,
            "total": state.total, "beat": state.beat, "filter_args": [list(p) for p in state.filter_args]}
    await cache.set(f"export:{state.token}", json.dumps(data), ttl=TTL)
