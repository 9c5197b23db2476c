"""Benchmark: 按天同步 of declarations from the single-window simulator into PostgreSQL, against fetching the same
pages with the adapter alone, same run.

    python bench/declaration_sync.py [--declarations 1000] [--page-size 50]
                                     [--database-url postgres://postgres@127.0.0.1:5432/test]

Creates its own database ``qingling_bench_<pid>`` (dropped at the end), migrates it, makes one enterprise and a
person, serves the simulator (simulators/single_window) on a local port with ``--declarations`` extra declarations
of one day, then measures

  (a) the baseline: every page of that day fetched and parsed by the adapter (aiohttp, real HTTP), nothing stored;
  (b) ``services.declarations.sync.execute_run`` of a 按天同步 run of the same day: the same pages fetched, every
      declaration upserted (head, items, containers, timeline entry) in its own transaction;
  (c) the same run again: everything already stored (the idempotent path: unchanged).

The issue's goal is ≥ 10 declarations/s for (b). The last line is ``ratio: X.XX`` = (b) declarations/s ÷
(a) declarations/s: how much of the fetch rate storing keeps.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

from sanic import Sanic  # noqa: E402
from scratch_database import create_scratch, drop_scratch, migrate  # noqa: E402 (bench/ is the script's folder)

from adapters.single_window import SingleWindowClient  # noqa: E402
from core.config import SingleWindowSettings  # noqa: E402
from core.db import close_database, open_database  # noqa: E402
from models.declaration_sync import SyncKind, SyncRun  # noqa: E402
from models.declarations import Declaration  # noqa: E402
from models.enterprises import Enterprise, MemberRole, Membership, Person  # noqa: E402
from services.declarations.single_window import DeclarationDays, use_single_window  # noqa: E402
from services.declarations.sync import execute_run  # noqa: E402
from services.kit.context import ServiceContext  # noqa: E402
from simulators.single_window.api import blueprint  # noqa: E402
from simulators.single_window.platform import SingleWindowPlatform  # noqa: E402
from tests.bot.support import serving  # noqa: E402

CODE = "91210242679978240B"
NOW = datetime(2026, 3, 13, 10, tzinfo=UTC)
DAY = datetime(2026, 3, 12, tzinfo=UTC).date()
GOAL = 10.0


async def seed() -> tuple[int, int]:
    enterprise = await Enterprise.create(name="大连示例进出口有限公司", credit_code=CODE)
    person = await Person.create(name="张关务", phone="13900000001")
    await Membership.create(person=person, enterprise=enterprise, role=MemberRole.STAFF, active=True)
    return enterprise.id, person.id


async def fetch_all(client: SingleWindowClient) -> int:
    days = DeclarationDays(DAY, DAY, "trade")
    first = await client.declarations(CODE, days, 1)
    count = len(first.items)
    for page in range(2, first.pages + 1):
        count += len((await client.declarations(CODE, days, page)).items)
    return count


async def sync_once(ctx: ServiceContext, enterprise_id: int, person_id: int) -> SyncRun:
    run = await SyncRun.create(enterprise_id=enterprise_id, person_id=person_id, kind=SyncKind.DECLARATIONS_BY_DAY,
                               params={"first": DAY.isoformat(), "last": DAY.isoformat(),
                                       "enterprise_category": "trade", "trade_code": ""}, created_at=ctx.now())
    return await execute_run(ctx, run.id)


async def main(args: argparse.Namespace) -> None:
    admin, name, settings = await create_scratch(args.database_url)
    try:
        await migrate(settings)
        await open_database(settings)
        enterprise_id, person_id = await seed()
        Sanic.test_mode = True
        platform = SingleWindowPlatform(lambda: NOW)
        platform.history_days = 0  # only the declarations added below
        platform.add_declarations(CODE, args.declarations, DAY)
        app = Sanic(f"sw_bench_{secrets.token_hex(3)}", configure_logging=False)
        app.blueprint(blueprint(platform))
        async with serving(app) as http:
            client = SingleWindowClient(SingleWindowSettings(
                endpoint=f"{str(http.base_url).rstrip('/')}/sim/single-window/api/v1", page_size=args.page_size))
            use_single_window(client)
            ctx = ServiceContext(clock=lambda: NOW)
            await fetch_all(client)  # warm-up: connections, JIT of nothing, the simulator's caches
            start = time.perf_counter()
            fetched = await fetch_all(client)
            baseline = time.perf_counter() - start
            start = time.perf_counter()
            run = await sync_once(ctx, enterprise_id, person_id)
            synced = time.perf_counter() - start
            start = time.perf_counter()
            again = await sync_once(ctx, enterprise_id, person_id)
            rerun = time.perf_counter() - start
            stored = await Declaration.filter(enterprise_id=enterprise_id).count()
            await client.aclose()
        assert fetched == args.declarations == run.created == stored == again.unchanged, \
            (fetched, run.created, stored, again.unchanged)
        base_rate, sync_rate, rerun_rate = fetched / baseline, run.created / synced, again.unchanged / rerun
        print(f"declarations: {fetched} (pages of {args.page_size}), stored once: {stored}")
        print(f"baseline fetch + parse only: {baseline:.2f} s = {base_rate:,.0f} declarations/s")
        print(f"sync (fetch + upsert):       {synced:.2f} s = {sync_rate:,.1f} declarations/s "
              f"(goal >= {GOAL:.0f}: {'met' if sync_rate >= GOAL else 'NOT met'})")
        print(f"sync again (all unchanged):  {rerun:.2f} s = {rerun_rate:,.1f} declarations/s")
        print(f"ratio: {sync_rate / base_rate:.2f}")
    finally:
        await close_database()
        await drop_scratch(admin, name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--declarations", type=int, default=1000)
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/test")
    asyncio.run(main(parser.parse_args()))
