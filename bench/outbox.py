"""Benchmark: the outbox dispatcher sending template messages to the simulated WeChat platform.

    python bench/outbox.py [--messages 50000] [--followers 1000] [--sample 1000] [--concurrency 8]
                           [--batch-size 500] [--database-url postgres://postgres@127.0.0.1:5432/test]

The simulator runs in a subprocess (its own CPU, as WeChat would be) on a free local port, serving the same
blueprint the tests use, plus a bench-only ``/bench/stats`` route reporting what it received. The database is
SQLite in a temporary directory by default; with ``--database-url`` the bench creates its own database
``qingling_bench_outbox_<pid>`` on that PostgreSQL server (dropped at the end). Then it measures

  (a) ``Dispatcher.dispatch_due`` on ``--messages`` pending rows, and
  (b) a baseline: one message at a time — load the row with the ORM, send it, save it — over ``--sample``
      further rows that the dispatcher does not see (due far in the future).

It prints msgs/s of both and the duplicates (template calls beyond one per client_msg_id; must be 0). The
last line is ``ratio: X.XX`` = dispatcher msgs/s / baseline msgs/s. The issue's goal: at least 2,000 msgs/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere: python bench/outbox.py

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from adapters.wechat_api import WechatApi  # noqa: E402
from core.cache import MemoryCache  # noqa: E402
from core.config import DatabaseSettings, Secret, WechatSettings  # noqa: E402
from core.db import close_database, open_database, upgrade  # noqa: E402
from models.enterprises import Person  # noqa: E402
from models.outbox import OutboxMessage, OutboxStatus  # noqa: E402
from services.notifications.events import Event  # noqa: E402
from services.notifications.outbox_dispatch import Dispatcher, DispatchPolicy, client_msg_id  # noqa: E402

APP_ID, APP_SECRET = "wx_bench_app", "bench-secret"
GOAL = 2000.0
NOW = datetime.now(UTC).replace(microsecond=0)
FAR = NOW + timedelta(days=365)
PAYLOAD = {"number": "9121024267997824X5220017", "title": "电子口岸IC卡如何办理?",
           "text": "请携带营业执照原件到现场办理。"}
TEMPLATES = {event.value: f"TPL_{event.value}" for event in Event}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=50_000, help="rows for the dispatcher (default 50,000)")
    parser.add_argument("--followers", type=int, default=1000, help="recipients the rows are spread over")
    parser.add_argument("--sample", type=int, default=1000, help="rows for the one-at-a-time baseline")
    parser.add_argument("--concurrency", type=int, default=8,
                        help="sends in flight and kept-alive connections (default 8: the local simulator answers "
                             "in well under a millisecond)")
    parser.add_argument("--batch-size", type=int, default=500, help="rows claimed per statement (default 500)")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server to use instead of SQLite")
    parser.add_argument("--serve-simulator", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if min(args.messages, args.followers, args.sample, args.concurrency, args.batch_size) < 1:
        parser.error("every count must be positive")
    return args


def openid(i: int) -> str:
    return f"o_bench_{i:06d}"


# ---- the simulator, in its own process -----------------------------------------------------------------------


def serve_simulator(followers: int) -> None:
    """Child process: serve the simulator on a free port, print the port, run until killed."""
    import socket

    from sanic import Sanic
    from sanic.response import json as json_response

    from simulators.wechat.api import blueprint
    from simulators.wechat.platform import WechatPlatform

    platform = WechatPlatform(APP_ID, APP_SECRET)
    for i in range(followers):
        platform.add_follower(f"关注者{i}", openid=openid(i))
    app = Sanic("bench_wechat_simulator", configure_logging=False)
    app.blueprint(blueprint(platform))

    @app.get("/bench/stats")
    async def stats(request: object) -> object:
        ids = [m.body.get("client_msg_id") for m in platform.sent("template")]
        return json_response({"calls": platform.calls["cgi-bin/message/template/send"], "messages": len(ids),
                              "unique_ids": len(set(ids))})

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    app.run(sock=sock, single_process=True, access_log=False, motd=False)


def start_simulator(followers: int) -> tuple[subprocess.Popen[str], str]:
    child = subprocess.Popen([sys.executable, __file__, "--serve-simulator", "--followers", str(followers)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    base = f"http://127.0.0.1:{child.stdout.readline().strip()}"
    for _ in range(100):
        try:
            httpx.get(f"{base}/bench/stats", timeout=1).raise_for_status()
            return child, base
        except httpx.HTTPError:
            time.sleep(0.1)
    child.kill()
    raise SystemExit("the simulator did not start")


# ---- database --------------------------------------------------------------------------------------------


async def prepare_database(url: str, tmp: Path) -> tuple[DatabaseSettings, str | None]:
    if not url:
        return DatabaseSettings(url=f"sqlite://{tmp / 'bench.sqlite3'}"), None
    name = f"qingling_bench_outbox_{os.getpid()}"
    admin = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return DatabaseSettings(url=urlunparse(urlparse(url)._replace(path=f"/{name}")), max_connections=20), name


async def drop_database(url: str, name: str) -> None:
    admin = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


async def seed(args: argparse.Namespace) -> None:
    await Person.bulk_create([Person(name=f"关务{i}", phone=f"139{i:08d}", wechat_openid=openid(i))
                              for i in range(args.followers)], batch_size=1000)
    people = [p.id for p in await Person.all().order_by("id")]

    def rows(start: int, count: int, due: datetime) -> list[OutboxMessage]:
        return [OutboxMessage(event=Event.CUSTOMS_REPLIED.value, person_id=people[i % len(people)], payload=PAYLOAD,
                              dedupe_key=f"bench:{i}", next_attempt_at=due, created_at=NOW)
                for i in range(start, start + count)]

    for start in range(0, args.messages, 10_000):
        await OutboxMessage.bulk_create(rows(start, min(10_000, args.messages - start), NOW), batch_size=1000)
    await OutboxMessage.bulk_create(rows(args.messages, args.sample, FAR), batch_size=1000)


# ---- the two measurements ----------------------------------------------------------------------------------


async def baseline(api: WechatApi, count: int) -> float:
    """One message at a time: the ORM loop a first version would write. Returns msgs/s."""
    ids = [r.id for r in await OutboxMessage.filter(next_attempt_at__gt=NOW + timedelta(days=1)).only("id")]
    assert len(ids) == count
    start = time.perf_counter()
    for row_id in ids:
        row = await OutboxMessage.get(id=row_id).prefetch_related("person")
        msgid = await api.send_template(row.person.wechat_openid, TEMPLATES[row.event], {"thing2": {"value": "x"}},
                                        url="https://qingling.example.cn/h5/questions",
                                        client_msg_id=client_msg_id(row.id))
        row.status, row.sent_at, row.attempts = OutboxStatus.SENT, datetime.now(UTC), row.attempts + 1
        row.wechat_msgid = int(msgid)
        await row.save()
    return count / (time.perf_counter() - start)


async def run(args: argparse.Namespace) -> None:
    child, base = start_simulator(args.followers)
    pg_name = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db, pg_name = await prepare_database(args.database_url, Path(tmp))
            await upgrade(db)
            await close_database()
            await open_database(db)
            try:
                await measure(args, base, db)
            finally:
                await close_database()
    finally:
        child.kill()
        child.wait()
        if pg_name:
            await drop_database(args.database_url, pg_name)


async def measure(args: argparse.Namespace, base: str, db: DatabaseSettings) -> None:
    print(f"database: {'postgresql' if db.url.startswith('postgres') else 'sqlite'}; seeding …", file=sys.stderr)
    await seed(args)
    api = WechatApi(WechatSettings(app_id=APP_ID, app_secret=Secret(APP_SECRET), api_base=f"{base}/sim/wechat"),
                    MemoryCache("bench:"), max_connections=args.concurrency)
    try:
        await api.access_token()
        base_rate = await baseline(api, args.sample)
        dispatcher = Dispatcher(wechat=api, templates=TEMPLATES, public_url="https://qingling.example.cn",
                                tz=ZoneInfo("Asia/Shanghai"),
                                policy=DispatchPolicy(batch_size=args.batch_size, concurrency=args.concurrency))
        start = time.perf_counter()
        result = await dispatcher.dispatch_due()
        seconds = time.perf_counter() - start
    finally:
        await api.aclose()
    stats = httpx.get(f"{base}/bench/stats", timeout=10).json()
    sent_rows = await OutboxMessage.filter(status=OutboxStatus.SENT).count()
    duplicates = stats["calls"] - stats["unique_ids"]
    rate = result.sent / seconds
    print(f"baseline (one at a time, {args.sample} messages): {base_rate:,.0f} msgs/s")
    print(f"dispatcher ({args.messages} messages, concurrency {args.concurrency}, batch {args.batch_size}): "
          f"{rate:,.0f} msgs/s in {seconds:.1f} s (sent {result.sent}, retried {result.retried}, "
          f"failed {result.failed})")
    print(f"simulator: {stats['calls']} template calls, {stats['unique_ids']} distinct client_msg_id; "
          f"rows sent in the database: {sent_rows}")
    print(f"duplicates: {duplicates}")
    print(f"goal {GOAL:,.0f} msgs/s: {'met' if rate >= GOAL and duplicates == 0 else 'NOT met'}")
    print(f"ratio: {rate / base_rate:.2f}")


def main() -> None:
    args = parse_args()
    if args.serve_simulator:
        serve_simulator(args.followers)
        return
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
