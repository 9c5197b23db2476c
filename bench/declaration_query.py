"""Benchmark: 业务数据查询's first page over a million declarations on PostgreSQL.

    python bench/declaration_query.py [--declarations 1000000] [--iterations 200]
                                      [--database-url postgres://postgres@127.0.0.1:5432/test]

Creates its own database ``qingling_bench_<pid>`` beside the given one (dropped at the end), migrates it (the
query's indexes of migration 0026 included), and seeds ``--declarations`` declarations set-based in SQL
(``INSERT … SELECT … FROM generate_series``): 200 enterprises, enterprise 1 holding 10 % of them (100,000 at 1M)
prepared by 20 people; statuses, offices, supervision modes, 境内收发货人 and 最近操作时间 spread over two years.
Then enterprise 1's first page through ``services.declarations.query.query_declarations`` (tortoise, the data
scope, the filter) under filter mixes — none; a 仅本人 preparer; 申报状态; 提运单号; 海关编号; a month of 最近
操作时间; a 境内收发货人 credit code; a name fragment; 制单人 — and, as the baseline in the same run, the same SQL
bare with asyncpg. Target: p95 < 50 ms for each mix.

The last line is ``ratio: X.XX`` = target / the worst app p95 (≥ 1: every mix meets the target).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg  # noqa: E402
from scratch_database import create_scratch, drop_scratch, migrate, sample  # noqa: E402

from core.db import close_database, connection, open_database  # noqa: E402
from models.enterprises import Membership  # noqa: E402
from models.workspace import DataScope  # noqa: E402
from services.declarations.query import QueryFilter, filtered, query_declarations  # noqa: E402
from services.workspace.permissions import Decision  # noqa: E402
from services.workspace.roles import Member  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
TARGET_MS = 50.0
ENTERPRISES, PEOPLE = 200, 20
CHUNK = 250_000

SEED_SQL = """
INSERT INTO enterprise (id, name, credit_code, status, exec_review_required, created_at)
SELECT e, '基准企业' || e, '91210200' || lpad(e::text, 9, '0') || 'X', 'active', false, now()
FROM generate_series(1, $1::int) AS e;
"""
PEOPLE_SQL = """
INSERT INTO person (id, name, phone, active, created_at)
SELECT p, '关务' || p, '139' || lpad(p::text, 8, '0'), true, now() FROM generate_series(1, $1::int) AS p;
"""
MEMBERS_SQL = """
INSERT INTO membership (person_id, enterprise_id, role, active, created_at)
SELECT p, CASE WHEN p <= $2 THEN 1 ELSE p - $2 + 1 END, 'staff', true, now()
FROM generate_series(1, $1::int) AS p;
"""
# $1 first, $2 last, $3 enterprises, $4 people of enterprise 1
DECLARATIONS_SQL = """
INSERT INTO declaration (id, enterprise_id, owner_id, department_id, kind, status, number, seq_no, entry_id,
    declare_office, ie_port, trade_mode, bill_no, trade_code, trade_name, head, version, created_at, updated_at)
SELECT g, ent, CASE WHEN ent = 1 THEN 1 + mix % $4 ELSE $4 + ent - 1 END, NULL,
    (ARRAY['export', 'export_record', 'export_transit', 'export_transit_record'])[1 + mix % 4],
    (ARRAY['draft', 'pending_review', 'approved', 'declared', 'entered', 'released', 'cleared', 'cleared',
           'released', 'returned'])[1 + (mix / 5) % 10],
    'E2026' || lpad(g::text, 12, '0'),
    CASE WHEN (mix / 5) % 10 >= 3 THEN 'I2026' || lpad(g::text, 13, '0') ELSE '' END,
    CASE WHEN (mix / 5) % 10 BETWEEN 4 AND 8 THEN '0901' || lpad(g::text, 14, '0') ELSE '' END,
    (ARRAY['0900', '0901', '0902', '5300'])[1 + (mix / 7) % 4], '0901',
    (ARRAY['0110', '0214', '0615', '1210'])[1 + (mix / 11) % 4],
    'COSU' || lpad(g::text, 10, '0'),
    '91210200' || lpad((mix % 3000)::text, 9, '0') || 'X', '基准发货人' || (mix % 3000) || '号公司',
    '{}'::jsonb, 1, at, at
FROM (SELECT g, (g * 2654435761) % 4294967296 AS mix,
             CASE WHEN g % 10 = 0 THEN 1 ELSE 2 + g % ($3 - 1) END AS ent,
             timestamptz '2024-06-01 00:00+08' + ((g * 40503) % 63072000) * interval '1 second' AS at
      FROM generate_series($1::bigint, $2::bigint) AS g) AS base;
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--declarations", type=int, default=1_000_000)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/test")
    return parser.parse_args()


async def seed(url: str, count: int) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(SEED_SQL.replace("$1::int", str(ENTERPRISES)))
        people = PEOPLE + ENTERPRISES - 1
        await conn.execute(PEOPLE_SQL.replace("$1::int", str(people)))
        await conn.execute(MEMBERS_SQL.replace("$1::int", str(people)).replace("$2", str(PEOPLE)))
        for first in range(1, count + 1, CHUNK):
            await conn.execute(DECLARATIONS_SQL, first, min(first + CHUNK - 1, count), ENTERPRISES, PEOPLE)
            print(f"  {min(first + CHUNK - 1, count):,} declarations", file=sys.stderr, flush=True)
        await conn.execute("SELECT setval(pg_get_serial_sequence('declaration', 'id'), $1)", count)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] * 1000


async def run(args: argparse.Namespace) -> None:
    admin, name, settings = await create_scratch(args.database_url)
    try:
        await migrate(settings)
        print(f"seeding {args.declarations:,} declarations …", file=sys.stderr, flush=True)
        await seed(settings.url, args.declarations)
        await open_database(settings)
        bare = await asyncpg.connect(settings.url)
        try:
            membership = await Membership.get(person_id=1, enterprise_id=1).select_related("person", "enterprise")
            everyone = Member(membership, Decision(frozenset({"query:print"}), DataScope.ALL))
            own = Member(membership, Decision(frozenset({"query:print"}), DataScope.SELF))
            mixes: list[tuple[str, Member, dict[str, str]]] = [
                ("no filter", everyone, {}),
                ("仅本人", own, {}),
                ("申报状态 已申报", everyone, {"status": "declared"}),
                ("提运单号", everyone, {"bill_no": "COSU0000500010"}),
                ("海关编号", everyone, {"entry_id": "090100000000500010"}),
                ("最近操作时间 one month", everyone, {"date_from": "2025-03-01", "date_to": "2025-03-31"}),
                ("境内收发货人 code", everyone, {"trade": "91210200000001234X"}),
                ("境内收发货人 name", everyone, {"trade": "发货人12"}),
                ("制单人 + 仅本人 + 状态", own, {"owner": "关务1", "status": "released"}),
            ]
            held = await connection().execute_query_dict(
                "SELECT count(*) AS n FROM declaration WHERE enterprise_id = 1")
            print(f"{args.declarations:,} declarations; enterprise 1 holds {held[0]['n']:,}")
            worst = 0.0
            print(f"{'mix':<28} {'rows':>5} {'app p95 ms':>11} {'bare p95 ms':>12}")
            for label, member, args_ in mixes:
                flt = QueryFilter.from_args(args_)
                page = await query_declarations(member, flt, TZ)
                query = (await filtered(member, flt, TZ)).select_related("owner").order_by("-updated_at", "-id") \
                    .limit(21)
                sql = query.sql(params_inline=True)

                async def app(member: Member = member, flt: QueryFilter = flt) -> object:
                    return await query_declarations(member, flt, TZ)

                async def raw(sql: str = sql) -> object:
                    return await bare.fetch(sql)

                ours = p95(await sample(app, args.iterations))
                base = p95(await sample(raw, args.iterations))
                worst = max(worst, ours)
                print(f"{label:<28} {len(page.items):>5} {ours:>11.2f} {base:>12.2f}")
                plan = await bare.fetch("EXPLAIN " + sql)
                scans = [r[0].strip() for r in plan if "Scan" in r[0]][:2]
                print(f"    plan: {'; '.join(s[:110] for s in scans)}")
        finally:
            await bare.close()
            await close_database()
    finally:
        await drop_scratch(admin, name)
    print(f"target p95 < {TARGET_MS:.0f} ms for every mix: {'met' if worst < TARGET_MS else 'NOT met'} "
          f"(worst {worst:.2f} ms)")
    print(f"ratio: {TARGET_MS / worst:.2f}")


def main() -> None:
    start = time.perf_counter()
    asyncio.run(run(parse_args()))
    print(f"(whole run {time.perf_counter() - start:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
