"""Benchmark: the enterprise and public libraries' queries, element details and export at volume, on PostgreSQL.

    python bench/library_query.py [--rows 5000000] [--iterations 200] [--export-rows 100000]
                                  [--database-url postgres://postgres@127.0.0.1:5432/test]

Creates its own database ``qingling_bench_<pid>`` beside the given one (dropped at the end), migrates it, loads
the reference data with ``qingling load-data``'s loader, and seeds ``--rows`` library rows set-based in SQL
(``generate_series`` joined to small tables of goods names, brands and models whose keyword tokens —
``services.library.keywords`` — are computed once in Python, so every row's ``keywords`` is exactly what an
upload writes). 2,000 enterprises; enterprise 1 is 收发货人 of 2 % of the rows and 申报单位 of 0.5 % (at 5M:
100,000 and 25,000); 70 % of the rows are audited (90 % 规范, public), 30 % declared (系统匹配); 1 % of the
rows carry rare HS codes of a single enterprise (the public library must hide them). Then, through the services
(tortoise, the pool of ``core.db``) and, as the baseline in the same run, the same SQL bare with asyncpg:

  (a) enterprise 1's first page under filter mixes — none, role + mark, a 4-digit HS prefix, the two-character
      keyword 轴承, 轴承 + a date range, I/E + trade mode — and the public library's first page (none, 轴承, an
      HS prefix): target p95 < 50 ms each;
  (b) 申报要素详情 of a row (access check + the layout against the current catalogue): target p95 < 10 ms;
  (c) the export of ``--export-rows`` filtered rows of enterprise 1 to .xlsx (keyset batches, write-only sheet):
      target < 10 s, and the process's resident memory must not grow with the rows (its growth is printed);
  (d) EXPLAIN of each bare statement: the scans it starts with (indexes expected).

The last line is ``ratio: X.XX`` = the worst of target / app over (a)–(c); ≥ 1 means every target is met.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere: python bench/library_query.py

import asyncpg  # noqa: E402
from scratch_database import create_scratch, drop_scratch, migrate, sample  # noqa: E402 (bench/ is the script's folder)
from tortoise import connections  # noqa: E402

from core.db import close_database, open_database, portable_sql  # noqa: E402
from models.enterprises import Membership  # noqa: E402
from services.kit.context import ServiceContext  # noqa: E402
from services.library.details import element_details  # noqa: E402
from services.library.enterprise import access_row, enterprise_rows, enterprise_scope, export_enterprise_rows  # noqa: E402
from services.library.filters import LibraryFilter  # noqa: E402
from services.library.keywords import keyword_tokens  # noqa: E402
from services.library.public import public_rows, public_scope  # noqa: E402
from services.library.reference import load_library_reference  # noqa: E402
from services.library.rows_sql import Scope, page_sql  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)
CHUNK = 500_000
ENTERPRISES = 2000
TARGET_LIST_MS, TARGET_DETAIL_MS, TARGET_EXPORT_S = 50.0, 10.0, 10.0
GOODS = ["深沟球轴承", "圆锥滚子轴承", "调心球轴承", "滚针轴承", "塑料垫片", "橡胶密封圈", "离心泵", "齿轮泵", "微电机",
         "交流电动机", "螺栓", "螺母", "不锈钢法兰", "铜管接头", "液压阀", "电磁阀", "木制办公桌", "办公椅", "棉制T恤",
         "涤纶面料", "锂离子电池", "电源适配器", "显示器", "键盘", "路由器", "光纤跳线", "冷冻虾仁", "鲜苹果", "大豆油",
         "花生仁", "陶瓷餐具", "玻璃瓶", "纸箱", "胶带", "手套", "口罩", "汽车刹车片", "火花塞", "轮胎", "雨刮器"]
BRANDS = ["SKF", "NSK", "FAG", "TIMKEN", "哈轴", "瓦轴", "洛轴", "无品牌", "GRUNDFOS", "西门子", "ABB", "施耐德",
          "博世", "三菱", "欧姆龙", "松下", "美的", "格力", "海尔", "华为"]
MODELS = 500
FILTERS = {
    "none": {},
    "consignee+standard": {"role": "consignee", "mark": "standard"},
    "hs 4-digit": {"hs_code": "8482"},
    "keyword 轴承": {"keyword": "轴承"},
    "轴承+date range": {"keyword": "轴承", "date_from": "2025-06-01", "date_to": "2025-09-30"},
    "I/E+trade mode": {"ie_flag": "I", "trade_mode": "0214"},
}
PUBLIC_FILTERS = {"public none": {}, "public 轴承": {"keyword": "轴承"}, "public hs 6-digit": {"hs_code": "848210"}}

REFERENCE_SQL = """
INSERT INTO enterprise (id, name, credit_code, status, exec_review_required, created_at)
SELECT e, '基准企业' || e, '91210200' || lpad(e::text, 9, '0') || 'X', 'active', false, now()
FROM generate_series(1, $1::int) AS e;
"""
PEOPLE_SQL = """
INSERT INTO person (id, name, phone, active, created_at) VALUES (1, '基准关务', '13900000001', true, now());
INSERT INTO membership (person_id, enterprise_id, role, active, created_at) VALUES (1, 1, 'staff', true, now());
INSERT INTO module_authorisation (enterprise_id, person_id, module, legal_person_name, card_no, card_fingerprint,
    granted_by_id, granted_at) VALUES (1, 1, 'declaration_library', '基准法人', 'LP1', repeat('0', 64), 1, now());
"""
# $1 first, $2 last, $3 catalogue version id, $4 now, $5 enterprises. mix spreads g pseudo-randomly. The goods
# are mix's digit after the date's (mix % 730): mix % 40 shared the factor 10 with it, so each day held only 4
# of the 40 goods and 轴承 was on no row of the newest 6 days (the public 轴承 page walked them all).
ROWS_SQL = """
INSERT INTO library_row (entry_number, item_number, source, declared_on, ie_flag, trade_mode, customs_office,
    transport_mode, transaction_mode, hs_code, goods_name, model_spec, elements, declarant_code, declarant_name,
    declarant_enterprise_id, consignee_code, consignee_name, consignee_enterprise_id, origin_country,
    destination_country, quantity, unit, legal_quantity, legal_unit, total_price, currency, mark, remarks,
    mark_note, superseded, public, catalogue_version_id, version, created_at, updated_at, keywords, catalogue_change)
SELECT lpad(g::text, 18, '0'), 1, CASE WHEN audited THEN 'audited' ELSE 'declared' END,
    date '2024-01-01' + (mix % 730)::int, CASE WHEN mix % 3 = 0 THEN 'I' ELSE 'E' END,
    (ARRAY['0110', '0214', '0615', '1210'])[1 + (mix / 7) % 4], '0901', '2', '3', hs, goods.name, spec,
    to_jsonb(string_to_array(spec, '|')), '91210200' || lpad(declarant::text, 9, '0') || 'X', '基准企业' || declarant,
    CASE WHEN declarant <= $5 THEN declarant END, '91210200' || lpad(consignee::text, 9, '0') || 'X',
    '基准企业' || consignee, consignee, 'CHN', 'USA', 10, '011', 10, '035', 100, 'USD', mark, '', '', false,
    mark = 'standard', $3, 1, $4, $4, goods.tokens || brand.tokens || model.tokens, ''
FROM (
    SELECT g, mix, audited,
        CASE WHEN NOT audited THEN 'matched' WHEN (mix / 11) % 10 = 0 THEN 'nonstandard' ELSE 'standard' END AS mark,
        CASE WHEN g % 50 = 0 THEN 1 WHEN base.rare THEN 2 + (mix / 13) % 100 ELSE 2 + mix % ($5 - 1) END AS consignee,
        CASE WHEN g % 200 = 1 THEN 1 ELSE $5 + 1 + mix % 50 END AS declarant,
        1 + (mix / 730) % 40 AS goods_idx, 1 + (mix / 40) % 20 AS brand_idx, 1 + (mix / 800) % 500 AS model_idx,
        CASE WHEN base.rare THEN codes.rare_codes[1 + (mix / 13) % 100]
             ELSE codes.common[1 + (mix / 17) % 1000] END AS hs
    FROM (SELECT g, (g * 2654435761) % 4294967296 AS mix, g % 10 < 7 AS audited, g % 100 = 37 AS rare
          FROM generate_series($1::bigint, $2::bigint) AS g) AS base
    CROSS JOIN (SELECT array_agg(code ORDER BY idx) FILTER (WHERE NOT rare) AS common,
                       array_agg(code ORDER BY idx) FILTER (WHERE rare) AS rare_codes FROM bench_hs) AS codes
) AS r
JOIN bench_goods goods ON goods.idx = r.goods_idx
JOIN bench_brand brand ON brand.idx = r.brand_idx
JOIN bench_model model ON model.idx = r.model_idx
CROSS JOIN LATERAL (SELECT '4|3|' || goods.name || '|' || brand.name || '|' || model.name || '|||' AS spec) AS s
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000, help="library rows (default 5,000,000)")
    parser.add_argument("--iterations", type=int, default=200, help="reads per measurement (default 200)")
    parser.add_argument("--export-rows", type=int, default=100_000, help="rows exported (default 100,000)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/test",
                        help="any database on the PostgreSQL server to use; the bench creates its own beside it")
    args = parser.parse_args()
    if args.rows < 100_000 or args.iterations < 20:
        parser.error("need ≥ 100,000 rows and ≥ 20 iterations")
    return args


async def seed(conn: asyncpg.Connection, rows: int) -> None:
    await conn.execute(REFERENCE_SQL, ENTERPRISES + 60)
    await conn.execute(PEOPLE_SQL)
    await conn.execute("CREATE TABLE bench_goods (idx int, name text, tokens text[]); "
                       "CREATE TABLE bench_brand (idx int, name text, tokens text[]); "
                       "CREATE TABLE bench_model (idx int, name text, tokens text[]); "
                       "CREATE TABLE bench_hs (idx int, code text, rare boolean)")
    for table, names in (("bench_goods", GOODS), ("bench_brand", BRANDS),
                         ("bench_model", [f"M{n:04d}-2RS" for n in range(MODELS)])):
        await conn.executemany(f"INSERT INTO {table} VALUES ($1, $2, $3)",
                               [(i + 1, name, list(keyword_tokens(name))) for i, name in enumerate(names)])
    await conn.execute("INSERT INTO bench_hs SELECT row_number() OVER (ORDER BY code), code, false FROM "
                       "(SELECT code FROM hs_code ORDER BY (code LIKE '8482%') DESC, code LIMIT 1000) AS c")
    await conn.execute("INSERT INTO bench_hs SELECT row_number() OVER (ORDER BY code), code, true FROM "
                       "(SELECT code FROM hs_code ORDER BY code DESC LIMIT 100) AS c")
    version = await conn.fetchval("SELECT id FROM catalogue_version ORDER BY effective_from DESC LIMIT 1")
    for first in range(1, rows + 1, CHUNK):
        last = min(first + CHUNK - 1, rows)
        await conn.execute(ROWS_SQL, first, last, version, NOW, ENTERPRISES)
        print(f"  {last:,} rows", file=sys.stderr, flush=True)
    await conn.execute("DROP TABLE bench_goods, bench_brand, bench_model, bench_hs")


def quantiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1e3, cuts[94] * 1e3


def report(name: str, app: list[float], bare: list[float]) -> float:
    (a50, a95), (b50, b95) = quantiles(app), quantiles(bare)
    print(f"{name:<26}: app p50 {a50:7.2f} ms p95 {a95:7.2f} ms | bare p50 {b50:7.2f} ms p95 {b95:7.2f} ms | "
          f"app/bare p95 {a95 / b95:5.2f}", flush=True)
    return a95


def bare_sql(scope: Scope, flt: LibraryFilter) -> tuple[str, list[Any]]:
    """The first page's statement the service runs, with asyncpg's placeholders (the baseline)."""
    sql, args = page_sql(scope, flt, "", 21, None)
    return portable_sql(sql, connections.get("default")), args


async def measure_lists(pool: asyncpg.Pool, member: Membership, iterations: int) -> dict[str, float]:
    p95 = {}
    for name, args in {**FILTERS, **PUBLIC_FILTERS}.items():
        flt = LibraryFilter.from_args(args)
        public = name.startswith("public")
        scope = public_scope(3, flt.hs_code) if public else enterprise_scope(1, flt.role)
        sql, params = bare_sql(scope, flt)

        async def app(flt: LibraryFilter = flt, public: bool = public) -> object:
            return await (public_rows(flt, 3) if public else enterprise_rows(member, flt))
        found = await app()
        if len(found.items) < 20:
            raise SystemExit(f"{name}: expected a full page, got {len(found.items)}")
        p95[name] = report(name, await sample(app, iterations),
                           await sample(lambda sql=sql, params=params: pool.fetch(sql, *params), iterations))
        plan = "\n".join(r[0] for r in await pool.fetch(f"EXPLAIN (ANALYZE) {sql}", *params))
        scans = [line.strip().lstrip("-> ").split("  (")[0] for line in plan.splitlines() if "Scan" in line]
        took = re.search(r"Execution Time: ([\d.]+) ms", plan)
        print(f"  EXPLAIN {took.group(1) if took else '?'} ms — {'; '.join(scans[:3])}")
    return p95


async def measure_details(pool: asyncpg.Pool, member: Membership, iterations: int) -> float:
    row_id = await pool.fetchval("SELECT id FROM library_row WHERE consignee_enterprise_id = 1 AND mark = "
                                 "'nonstandard' LIMIT 1")
    today = date.today()

    async def app() -> object:
        return await element_details(await access_row(member, row_id), today)

    async def bare() -> None:
        row = await pool.fetchrow("SELECT * FROM library_row WHERE id = $1", row_id)
        await pool.fetchrow("SELECT elements FROM hs_code WHERE code = $1 ORDER BY version_id DESC LIMIT 1",
                            row["hs_code"])
    details = await app()
    print(f"element details of row {row_id}: {len(details.lines)} elements")
    return report("element details", await sample(app, iterations), await sample(bare, iterations))


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith("VmRSS")).split()[1]) / 1024


async def measure_export(pool: asyncpg.Pool, member: Membership, rows: int) -> float:
    """Export the newest ``rows`` of enterprise 1 as 收发货人 (a date range chosen to hold that many)."""
    day = await pool.fetchval("SELECT declared_on FROM library_row WHERE consignee_enterprise_id = 1 "
                              "AND NOT superseded ORDER BY declared_on DESC OFFSET $1 LIMIT 1", rows - 1)
    flt = LibraryFilter.from_args({"role": "consignee", "date_from": day.isoformat()})
    expected = await pool.fetchval("SELECT count(*) FROM library_row WHERE consignee_enterprise_id = 1 "
                                   "AND NOT superseded AND declared_on >= $1", day)
    with tempfile.TemporaryDirectory() as folder:
        before = rss_mb()
        start = time.perf_counter()
        written = await export_enterprise_rows(member, flt, Path(folder) / "export.xlsx", ServiceContext())
        took = time.perf_counter() - start
        after_mb, peak = rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size = (Path(folder) / "export.xlsx").stat().st_size / 1e6
    start = time.perf_counter()
    async with pool.acquire() as conn, conn.transaction():
        fetched = 0
        async for _ in conn.cursor("SELECT * FROM library_row WHERE consignee_enterprise_id = 1 AND NOT superseded "
                                   "AND declared_on >= $1 ORDER BY declared_on DESC, id DESC", day, prefetch=2000):
            fetched += 1
    bare = time.perf_counter() - start
    if written != expected or fetched != expected:
        raise SystemExit(f"export wrote {written}, bare read {fetched}, expected {expected}")
    print(f"export {written:,} rows: app {took:.2f} s ({size:.1f} MB .xlsx) | bare read only {bare:.2f} s | "
          f"RSS {before:.0f} → {after_mb:.0f} MB (process peak {peak:.0f} MB)")
    return took


async def run(args: argparse.Namespace) -> None:
    admin, name, settings = await create_scratch(args.database_url)
    try:
        started = time.perf_counter()
        await migrate(settings)
        await open_database(settings)
        await load_library_reference(ServiceContext())
        await close_database()
        conn = await asyncpg.connect(settings.url)
        try:
            await seed(conn, args.rows)
            await conn.execute("VACUUM ANALYZE library_row")
        finally:
            await conn.close()
        print(f"{args.rows:,} library rows seeded in {time.perf_counter() - started:.0f} s; "
              f"{args.iterations} reads per line")
        await open_database(settings)
        pool = await asyncpg.create_pool(settings.url, min_size=1, max_size=2)
        try:
            member = await Membership.get(person_id=1, enterprise_id=1)
            p95 = {k: TARGET_LIST_MS / v for k, v in (await measure_lists(pool, member, args.iterations)).items()}
            p95["element details"] = TARGET_DETAIL_MS / await measure_details(pool, member, args.iterations)
            p95["export"] = TARGET_EXPORT_S / await measure_export(pool, member, args.export_rows)
        finally:
            await pool.close()
            await close_database()
    finally:
        await drop_scratch(admin, name)
    for key, ratio in p95.items():
        print(f"target {key:<24}: {'met' if ratio >= 1 else 'MISSED'} (ratio {ratio:.2f})")
    print(f"ratio: {min(p95.values()):.2f}")


if __name__ == "__main__":
    asyncio.run(run(parse_args()))
