"""Excel exports of the customs queue run in the background: the state lives in the shared cache (any app
process can show the progress bar), the file in the export folder (shared storage in production).

``start_export`` returns at once with a token; the export task reports ``done / total`` after each batch.
Only the account that started an export can see it or download its file.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from core.cache import Cache
from core.errors import NotFound
from services.context import ServiceContext
from services.question_export import export_queue
from services.question_queue import QueueFilter

log = logging.getLogger("qingling.export")
TTL = 3600  # seconds an export's state and file stay available
MSG_NOT_FOUND = "导出任务不存在或已过期，请重新导出"
_running: set[asyncio.Task[None]] = set()  # keep a reference: the loop holds tasks only weakly


@dataclass(frozen=True)
class ExportState:
    token: str
    account_id: int
    state: str  # running / done / failed
    done: int
    total: int

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        return int(self.done * 100 / self.total) if self.total else 0


def export_path(folder: Path, token: str) -> Path:
    return folder / f"queue-{token}.xlsx"


async def start_export(ctx: ServiceContext, cache: Cache, folder: Path, account_id: int, flt: QueueFilter) -> str:
    token = secrets.token_urlsafe(12)
    await _save(cache, ExportState(token, account_id, "running", 0, 0))
    folder.mkdir(parents=True, exist_ok=True)
    task = asyncio.get_running_loop().create_task(_run(ctx, cache, folder, token, account_id, flt))
    _running.add(task)
    task.add_done_callback(_running.discard)
    return token


async def export_state(cache: Cache, token: str, account_id: int) -> ExportState:
    raw = await cache.get(f"export:{token}") if len(token) < 40 else None
    state = ExportState(**json.loads(raw)) if raw else None
    if state is None or state.account_id != account_id:
        raise NotFound(MSG_NOT_FOUND)
    return state


async def _run(ctx: ServiceContext, cache: Cache, folder: Path, token: str, account_id: int,
               flt: QueueFilter) -> None:
    progress: list[tuple[int, int]] = []

    def report(done: int, total: int) -> None:
        progress.append((done, total))

    async def publish() -> None:
        while True:
            await asyncio.sleep(0.5)
            if progress:
                await _save(cache, ExportState(token, account_id, "running", *progress[-1]))

    reporter = asyncio.get_running_loop().create_task(publish())
    try:
        rows = await export_queue(account_id, flt, export_path(folder, token), progress=report, ctx=ctx)
    except Exception:
        log.exception("queue export %s failed", token)
        final = ExportState(token, account_id, "failed", 0, 0)
    else:
        log.info("queue export %s done: %d rows", token, rows)
        final = ExportState(token, account_id, "done", rows, rows)
    finally:
        reporter.cancel()  # before the final state, so a late progress write cannot follow it
    await _save(cache, final)


async def _save(cache: Cache, state: ExportState) -> None:
    data = {"token": state.token, "account_id": state.account_id, "state": state.state, "done": state.done,
            "total": state.total}
    await cache.set(f"export:{state.token}", json.dumps(data), ttl=TTL)
