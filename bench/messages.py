"""Benchmark: the message centre's badge counts, list page and mark-all-read at volume, on PostgreSQL.

    python bench/messages.py [--rows 1000000] [--iterations 300] [--repeats 10]
                             [--database-url postgres://postgres@127.0.0.1:5432/test]

Creates its own database ``qingling_bench_<pid>`` on the given server (dropped at the end), migrates it with
``core.db.upgrade`` and seeds ``--rows`` messages of one enterprise (ids interleaved, as they arrive): every
10th is person 1's (100,000 at the default size; a fifth of them 预警, 10 % unread, 2 % starred), every 50th
person 2's (20,000 notices, half of them unread: 10,000 at the default size), the rest over 97 other members;
person 1 also has 10 % as many messages in a second enterprise. Then it measures, through
``services.messages.centre`` (tortoise, the pool of ``core.db``) and, as the baseline, the same SQL run bare with
asyncpg in the same run:

  (a) ``counts`` — person 1's badge (unread per category, starred), target p95 < 5 ms;
  (b) ``list_messages`` — person 1's first page of 通知 (all / unread / starred), target p95 < 30 ms;
  (c) ``mark_all_read`` — person 2's 10,000 unread notices in one statement, target < 200 ms (p95 of
      ``--repeats`` runs; the rows are made unread again between runs, outside the timing).

Each line prints p50 / p95 in ms, app and bare. The last line is ``ratio: X.XX`` = the worst of target / app
p95 over (a)–(c); ≥ 1 means every target is met.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere: python bench/messages.py

import asyncpg  # noqa: E402
from scratch_database import create_scratch, drop_scratch, migrate, sample  # noqa: E402 (bench/ is the script's folder)

from core.db import close_database, open_database  # noqa: E402
from models.messages import Category  # noqa: E402
from services.messages.centre import Mailbox, counts, list_messages, mark_all_read  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)
CHUNK = 200_000
TARGETS_MS = {"counts": 5.0, "list": 30.0, "mark-all-read": 200.0}
READER, MARKER = Mailbox(person_id=1, enterprise_id=1), Mailbox(person_id=2, enterprise_id=1)

REFERENCE_SQL = """
INSERT INTO enterprise (id, name, credit_code, status, exec_review_required, created_at)
VALUES (1, '基准消息进出口有限公司', '91210242679978240X', 'active', false, now()),
       (2, '基准另一家有限公司', '91210200MA0QXXXX1X', 'active', false, now());
INSERT INTO person (id, name, phone, active, created_at)
SELECT p, '基准成员' || p, '139' || lpad(p::text, 8, '0'), true, now() FROM generate_series(1, 99) AS p;
INSERT INTO membership (person_id, enterprise_id, role, active, created_at)
SELECT p, 1, 'staff', true, now() FROM generate_series(1, 99) AS p;
INSERT INTO membership (person_id, enterprise_id, role, active, created_at) VALUES (1, 2, 'staff', true, now());
"""

# $1 first id, $2 last id, $3 the bench's "now", $4 rows. Message g is g minutes older than the newest.
MESSAGES_SQL = """
INSERT INTO message (id, enterprise_id, person_id, category, severity, title, body, link, created_at, read_at,
    starred)
SELECT g, 1, person, category, CASE WHEN category = 'warning' THEN 'important' ELSE 'info' END,
    CASE WHEN category = 'warning' THEN '预警：问题即将超期 ' ELSE '您的问题已答复 ' END || g,
    '编号 B' || lpad(g::text, 12, '0') || ' 的问题有了新的进展，请及时查看。', '/h5/questions/' || g, at,
    CASE WHEN NOT unread THEN at + interval '5 minutes' END, person <> 2 AND (mix / 11) % 50 = 0
FROM (
    SELECT g, person, mix, $3::timestamptz - ($4 - g) * interval '1 minute' AS at,
        CASE WHEN person <> 2 AND mix % 5 = 0 THEN 'warning' ELSE 'notice' END AS category,
        CASE person WHEN 1 THEN (mix / 7) % 10 = 3 WHEN 2 THEN (g / 50) % 2 = 0 ELSE (mix / 7) % 20 = 3 END AS unread
    FROM (
        SELECT g, (g * 2654435761) % 4294967296 / 65536 AS mix,
            CASE WHEN g % 10 = 0 THEN 1 WHEN g % 50 = 1 THEN 2 ELSE 3 + g % 97 END AS person
        FROM generate_series($1::bigint, $2::bigint) AS g
    ) AS spread
) AS rows
"""
# person 1's messages in the second enterprise (must not count in the first)
OTHER_SQL = """
INSERT INTO message (id, enterprise_id, person_id, category, severity, title, body, link, created_at, read_at,
    starred)
SELECT $1 + g, 2, 1, 'notice', 'info', '另一企业的消息 ' || g, '', '', $2::timestamptz, NULL, g % 3 = 0
FROM generate_series(1, $3::bigint) AS g
"""

# The baseline: what the service runs, written by hand.
BARE_UNREAD = """SELECT category, count(id) FROM message WHERE person_id = $1 AND enterprise_id = $2
    AND read_at IS NULL GROUP BY category"""
BARE_STARRED = "SELECT count(*) FROM message WHERE person_id = $1 AND enterprise_id = $2 AND starred"
BARE_LIST = """SELECT id, enterprise_id, person_id, category, severity, title, body, link, created_at, read_at,
    starred, escalated_at FROM message WHERE person_id = $1 AND enterprise_id = $2 AND category = $3 {extra}
    ORDER BY id DESC LIMIT 21"""
LIST_FILTERS = {"all": ("", ""), "unread": ("unread", "AND read_at IS NULL"), "starred": ("", "AND starred")}
BARE_MARK = """UPDATE message SET read_at = $4 WHERE person_id = $1 AND enterprise_id = $2 AND category = $3
    AND read_at IS NULL"""
MARKED_IDS = "SELECT id FROM message WHERE person_id = $1 AND enterprise_id = $2 AND category = $3 AND read_at IS NULL"
UNMARK = "UPDATE message SET read_at = NULL WHERE id = ANY($1::bigint[])"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="messages of the enterprise (default 1,000,000)")
    parser.add_argument("--iterations", type=int, default=300, help="reads per measurement (default 300)")
    parser.add_argument("--repeats", type=int, default=10, help="mark-all-read runs per side (default 10)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/test",
                        help="any database on the PostgreSQL server to use; the bench creates its own beside it")
    args = parser.parse_args()
    if args.rows < 1000 or args.iterations < 20 or args.repeats < 2:
        parser.error("need ≥ 1000 rows, ≥ 20 iterations, ≥ 2 repeats")
    return args


async def seed(conn: asyncpg.Connection, rows: int) -> None:
    await conn.execute(REFERENCE_SQL)
    for first in range(1, rows + 1, CHUNK):
        last = min(first + CHUNK - 1, rows)
        await conn.execute(MESSAGES_SQL, first, last, NOW, rows)
        print(f"  {last:,} messages", file=sys.stderr, flush=True)
    await conn.execute(OTHER_SQL, rows, NOW, rows // 100)
    await conn.execute("SELECT setval(pg_get_serial_sequence('message', 'id'), (SELECT max(id) FROM message))")


def quantiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 in ms."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1e3, cuts[94] * 1e3


def report(name: str, app: list[float], bare: list[float]) -> float:
    """Print the line; return the app's p95 in ms."""
    (a50, a95), (b50, b95) = quantiles(app), quantiles(bare)
    print(f"{name:<23}: app p50 {a50:7.2f} ms p95 {a95:7.2f} ms | bare p50 {b50:7.2f} ms p95 {b95:7.2f} ms | "
          f"app/bare p95 {a95 / b95:5.2f}", flush=True)
    return a95


async def measure_reads(pool: asyncpg.Pool, iterations: int) -> dict[str, float]:
    box = READER

    async def bare_counts() -> None:
        async with pool.acquire() as conn:
            await conn.fetch(BARE_UNREAD, box.person_id, box.enterprise_id)
            await conn.fetchval(BARE_STARRED, box.person_id, box.enterprise_id)

    badge = await counts(box)
    print(f"person 1's badge: {badge.unread_notice:,} unread notices, {badge.unread_warning:,} unread warnings, "
          f"{badge.starred:,} starred")
    p95 = {"counts": report("counts", await sample(lambda: counts(box), iterations),
                            await sample(bare_counts, iterations))}
    for name, (state, extra) in LIST_FILTERS.items():
        sql = BARE_LIST.format(extra=extra)
        starred = name == "starred"
        page = await list_messages(box, Category.NOTICE, state=state, starred=starred)
        if len(page.items) != 20:
            raise SystemExit(f"list {name}: expected a full page of 20, got {len(page.items)}")
        app = await sample(lambda: list_messages(box, Category.NOTICE, state=state, starred=starred),  # noqa: B023
                           iterations)
        bare = await sample(lambda: pool.fetch(sql, box.person_id, box.enterprise_id, "notice"),  # noqa: B023
                            iterations)
        p95[f"list {name}"] = report(f"list first page {name}", app, bare)
    return p95


async def measure_mark(pool: asyncpg.Pool, repeats: int) -> float:
    """Alternate app and bare runs over the same 10,000 rows, made unread again (untimed) after each."""
    box, app, bare = MARKER, [], []
    ids = [r["id"] for r in await pool.fetch(MARKED_IDS, box.person_id, box.enterprise_id, "notice")]
    for _ in range(repeats):
        start = time.perf_counter()
        marked = await mark_all_read(box, Category.NOTICE, NOW)
        app.append(time.perf_counter() - start)
        if marked != len(ids):
            raise SystemExit(f"mark-all-read marked {marked}, expected {len(ids)}")
        await pool.execute(UNMARK, ids)
        start = time.perf_counter()
        await pool.execute(BARE_MARK, box.person_id, box.enterprise_id, "notice", NOW)
        bare.append(time.perf_counter() - start)
        await pool.execute(UNMARK, ids)
    return report(f"mark-all-read {len(ids):,}", app, bare)


async def explain(pool: asyncpg.Pool) -> None:
    """The plan of each bare statement, its first scan and time: each must read through a message index."""
    box = READER
    plans = {"counts unread": (BARE_UNREAD, [box.person_id, box.enterprise_id]),
             "counts starred": (BARE_STARRED, [box.person_id, box.enterprise_id])}
    for name, (_, extra) in LIST_FILTERS.items():
        plans[f"list {name}"] = (BARE_LIST.format(extra=extra), [box.person_id, box.enterprise_id, "notice"])
    for name, (sql, params) in plans.items():
        plan = "\n".join(r[0] for r in await pool.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", *params))
        scans = [line.strip().lstrip("-> ").split("  (")[0] for line in plan.splitlines() if "Scan" in line]
        took = re.search(r"Execution Time: ([\d.]+) ms", plan).group(1)
        print(f"EXPLAIN {name:<15}: {took} ms — {'; '.join(scans[:2])}")


async def run(args: argparse.Namespace) -> None:
    admin, name, settings = await create_scratch(args.database_url)
    try:
        started = time.perf_counter()
        await migrate(settings)
        conn = await asyncpg.connect(settings.url)
        try:
            await seed(conn, args.rows)
            await conn.execute("VACUUM ANALYZE")
        finally:
            await conn.close()
        print(f"{args.rows:,} messages of one enterprise seeded in {time.perf_counter() - started:.0f} s; "
              f"{args.iterations} reads per line, {args.repeats} mark-all-read runs per side")
        await open_database(settings)
        pool = await asyncpg.create_pool(settings.url, min_size=1, max_size=2)
        try:
            p95 = await measure_reads(pool, args.iterations)
            await explain(pool)
            p95["mark-all-read"] = await measure_mark(pool, args.repeats)
        finally:
            await pool.close()
            await close_database()
    finally:
        await drop_scratch(admin, name)
    ratios = {key: TARGETS_MS[key.split()[0]] / value for key, value in p95.items()}
    for key, ratio in ratios.items():
        print(f"target {key:<15}: p95 < {TARGETS_MS[key.split()[0]]:5.0f} ms — "
              f"{'met' if ratio >= 1 else 'MISSED'} (ratio {ratio:.2f})")
    print(f"ratio: {min(ratios.values()):.2f}")


if __name__ == "__main__":
    asyncio.run(run(parse_args()))
