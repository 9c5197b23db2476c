"""Benchmark: the queue's Excel export from PostgreSQL against openpyxl's own write-only loop, same run.

    python bench/export.py [--rows 100000] [--repeat 1] [--explain | --explain-only]
                           [--database-url postgres://postgres@127.0.0.1:5432/test]

Creates its own database ``qingling_bench_<pid>`` on the given server (dropped at the end), migrates it with
``core.db.upgrade``, seeds ``--rows`` questions that are in the customs queue (plus 5 % drafts and questions in
executive review, which the export must leave out) with ``INSERT … SELECT generate_series`` in chunks, then
measures

  (a) ``services.questions.export.export_queue`` for a supervisor who sees every office, empty filter: rows read
      from the database in keyset batches, converted and written to an .xlsx file, and
  (b) the baseline: the same rows with the same cell values already in a Python list (read beforehand with one
      SQL query, untimed), written with openpyxl's write-only ``ws.append`` loop and saved.

Both files are compared cell by cell. Speed is measured without tracing; peak memory is measured in a second
run of each under ``tracemalloc`` (Python allocations made during the write; the baseline's list of rows is
allocated before tracing starts, so it is not counted against it). ``--explain`` also prints PostgreSQL's plans
for the queue's page queries (officer, supervisor, status tab, keyword, second page); ``--explain-only`` seeds
and prints them without the export (``--rows 1000000 --explain-only`` for the issue's million rows).

The last line is ``ratio: X.XX`` = export rows/s / baseline rows/s (the issue's goal: ≥ 0.8).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere: python bench/export.py

import asyncpg  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402
from scratch_database import create_scratch, drop_scratch, migrate  # noqa: E402 (bench/ is the script's folder)
from tqdm import tqdm  # noqa: E402

from core.db import close_database, connection, open_database  # noqa: E402
from core.query_sql import parameterized  # noqa: E402
from models.lifecycle import Status  # noqa: E402
from services.kit.context import ServiceContext  # noqa: E402
from services.questions.export import QUEUE_HEADERS, QUEUE_SHEET, export_queue  # noqa: E402
from services.questions.queue import QueueFilter, after_key, queue_scope  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)
TZ = "Asia/Shanghai"
CHUNK = 50_000
GOAL = 0.8
SUPERVISOR, OFFICER = 1, 2  # customs_account ids seeded below

REFERENCE_SQL = """
INSERT INTO customs_office (id, code, name, short_name, kind, parent_id, path, accepts_questions, active) VALUES
 (1, '0900', '大连海关', '大连海关', 'direct', NULL, '/0900/', true, true),
 (2, '0901', '大窑湾海关', '大窑湾海关', 'subordinate', 1, '/0900/0901/', false, true),
 (3, '0902', '大连港湾海关', '大连港湾海关', 'subordinate', 1, '/0900/0902/', false, true),
 (4, '0903', '大连机场海关', '大连机场海关', 'subordinate', 1, '/0900/0903/', false, true),
 (5, '0904', '金普新区海关', '金普新区海关', 'subordinate', 1, '/0900/0904/', false, true),
 (6, '0901-01', '关税科', '关税科', 'department', 2, '/0900/0901/0901-01/', false, true),
 (7, '0902-01', '综合业务科', '综合业务科', 'department', 3, '/0900/0902/0902-01/', false, true),
 (8, '0900-01', '综合业务处', '综合业务处', 'department', 1, '/0900/0900-01/', false, true);
INSERT INTO enterprise (id, name, credit_code, status, exec_review_required, created_at)
SELECT g, '基准' || g || '号进出口贸易有限公司', '912102' || lpad(g::text, 12, '0'), 'active', false, now()
FROM generate_series(1, 500) AS g;
INSERT INTO person (id, name, phone, active, created_at) VALUES (1, '基准关务', '13900000001', true, now());
INSERT INTO question_type (id, code, name, sort, active) VALUES
 (1, 'tongguan', '通关运行', 1, true), (2, 'shuishou', '关税征管', 2, true),
 (3, 'jianyi', '卫生检疫', 3, true), (4, 'qita', '其他', 4, true);
INSERT INTO customs_account (id, username, name, password_hash, office_id, role, active, failed_logins, created_at)
VALUES (1, 'bench_supervisor', '基准科长', '-', 1, 'supervisor', true, 0, now()),
       (2, 'bench_officer', '基准关员', '-', 2, 'officer', true, 0, now());
SELECT setval(pg_get_serial_sequence('customs_office', 'id'), 8);
SELECT setval(pg_get_serial_sequence('enterprise', 'id'), 500);
SELECT setval(pg_get_serial_sequence('person', 'id'), 1);
SELECT setval(pg_get_serial_sequence('question_type', 'id'), 4);
SELECT setval(pg_get_serial_sequence('customs_account', 'id'), 2);
"""

# $1 first row, $2 last row, $3 the bench's "now", $4 rows in the queue. Rows after $4 are drafts or in
# executive review (not in the queue). Submissions spread over three years; statuses by a hash of the row.
QUESTIONS_SQL = """
INSERT INTO question (id, number, enterprise_id, creator_id, accepting_office_id, office_id, title, contact_name,
    contact_phone, description, remarks, allow_publication, importance, status, round, reply_kind, version,
    submitted_at, accepted_at, replied_at, closed_at, published, public_title, public_description, public_reply,
    created_at, updated_at, first_submitted_at, first_accepted_at)
SELECT g, '912102' || lpad((g % 500 + 1)::text, 12, '0') || lpad((g / 500)::text, 6, '0'), g % 500 + 1, 1, 1,
    2 + mix % 7, '进口货物申报要素咨询' || g % 1000, '王经理', '13800138000', '请问申报要素如何填写？', '',
    false, (ARRAY['normal', 'important', 'urgent', NULL])[mix % 4 + 1], status, 1,
    CASE WHEN status IN ('replied', 'awaiting_append', 'closed') THEN 'answer' END, 1,
    CASE WHEN status NOT IN ('draft', 'pending_exec_review') THEN at END,
    CASE WHEN status IN ('accepted', 'replied', 'awaiting_append', 'closed') THEN at + interval '3 hours' END,
    CASE WHEN status IN ('replied', 'awaiting_append', 'closed') THEN at + interval '1 day' END,
    CASE WHEN status = 'closed' THEN at + interval '3 days' END,
    false, '', '', '', at - interval '1 hour', at,
    CASE WHEN status NOT IN ('draft', 'pending_exec_review') THEN at END,  -- one round: the first round's times
    CASE WHEN status IN ('accepted', 'replied', 'awaiting_append', 'closed') THEN at + interval '3 hours' END
FROM (
    SELECT g, mix, $3::timestamptz - (mix % 1096) * interval '1 day' - (g % 86400) * interval '1 second' AS at,
        CASE WHEN g > $4 THEN (ARRAY['draft', 'pending_exec_review'])[mix % 2 + 1]
             ELSE (ARRAY['closed', 'closed', 'closed', 'closed', 'closed', 'closed', 'replied', 'accepted',
                         'submitted', 'awaiting_append', 'withdrawn', 'closed'])[mix % 12 + 1] END AS status
    FROM (SELECT g, (g * 2654435761) % 4294967296 / 65536 AS mix FROM generate_series($1::int, $2::int) AS g) AS h
) AS rows;
INSERT INTO question_question_type (question_id, questiontype_id)
SELECT g, 1 + g % 4 FROM generate_series($1::int, $2::int) AS g
UNION ALL SELECT g, 1 + (g + 1) % 4 FROM generate_series($1::int, $2::int) AS g WHERE g % 3 = 0;
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="questions in the queue (default 100,000)")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs of each side; the best counts")
    parser.add_argument("--explain", action="store_true", help="print the plans of the queue's page queries")
    parser.add_argument("--explain-only", action="store_true", help="seed and print the plans; no export timing")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/test",
                        help="any database on the PostgreSQL server; the bench creates its own beside it")
    args = parser.parse_args()
    if args.rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be positive")
    return args


async def seed(conn: asyncpg.Connection, rows: int) -> None:
    total = rows + rows // 20
    await conn.execute(REFERENCE_SQL)
    # asyncpg runs a multi-statement string only without arguments: the two inserts go one by one.
    questions, types = QUESTIONS_SQL.split(";\n", 1)
    with tqdm(total=total, desc="seeding questions", unit="row", unit_scale=True, file=sys.stderr) as bar:
        for first in range(1, total + 1, CHUNK):
            last = min(first + CHUNK - 1, total)
            await conn.execute(questions, first, last, NOW, rows)
            await conn.execute(types.rstrip().rstrip(";"), first, last)
            bar.update(last - first + 1)
    await conn.execute("SELECT setval(pg_get_serial_sequence('question', 'id'), $1)", total)


# The baseline's rows: the export's cell values, computed by PostgreSQL in one query.
BASELINE_SQL = f"""
SELECT q.number, q.title, e.name,
    (SELECT string_agg(t.name, '、' ORDER BY t.sort, t.id) FROM question_question_type qt
     JOIN question_type t ON t.id = qt.questiontype_id WHERE qt.question_id = q.id) AS types,
    o.name AS office,
    CASE q.importance WHEN 'normal' THEN '一般' WHEN 'important' THEN '重要' WHEN 'urgent' THEN '紧急' END,
    q.status,
    q.first_submitted_at AT TIME ZONE '{TZ}', q.first_accepted_at AT TIME ZONE '{TZ}',
    q.replied_at AT TIME ZONE '{TZ}', q.closed_at AT TIME ZONE '{TZ}',
    q.description, q.contact_name, q.contact_phone,
    (SELECT ev.text FROM question_event ev WHERE ev.question_id = q.id AND ev.action = 'reply'
     ORDER BY ev.id DESC LIMIT 1),
    (SELECT CASE qe.kind WHEN '1' THEN '完全解决问题' WHEN '2' THEN '同意答复意见' WHEN '3' THEN '没有解决问题'
                         WHEN '4' THEN '解决部分问题' END || CASE WHEN qe.note <> '' THEN '：' || qe.note ELSE '' END
     FROM question_evaluation qe WHERE qe.question_id = q.id ORDER BY qe.id DESC LIMIT 1)
FROM question q JOIN enterprise e ON e.id = q.enterprise_id JOIN customs_office o ON o.id = q.office_id
WHERE q.status NOT IN ('draft', 'pending_exec_review', 'returned_by_exec', 'deleted')
ORDER BY q.submitted_at DESC, q.id DESC
"""


async def baseline_rows(conn: asyncpg.Connection) -> list[tuple[Any, ...]]:
    rows = await conn.fetch(BASELINE_SQL)
    return [(*r[:5], r[5] or None, Status(r[6]).label, *r[7:]) for r in rows]


def write_baseline(rows: list[tuple[Any, ...]], path: Path) -> None:
    """openpyxl's own write-only loop: what the export would cost if the rows were already at hand."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(QUEUE_SHEET)
    sheet.append(QUEUE_HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


async def timed(work: Callable[[], Awaitable[Any]], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        await work()
        best = min(best, time.perf_counter() - start)
    return best


async def traced(work: Callable[[], Awaitable[Any]]) -> int:
    tracemalloc.start()
    try:
        await work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def same_cells(ours: Path, theirs: Path) -> int:
    """Compare the two files cell by cell; return the data rows compared."""
    a = load_workbook(ours, read_only=True)[QUEUE_SHEET].iter_rows(values_only=True)
    b = load_workbook(theirs, read_only=True)[QUEUE_SHEET].iter_rows(values_only=True)
    count = -1
    for count, (x, y) in enumerate(zip(a, b, strict=True)):
        if tuple(v or None for v in x) != tuple(v or None for v in y):
            raise SystemExit(f"row {count} differs: {x} != {y}")
    return count


async def explain(rows: int) -> None:
    """EXPLAIN ANALYZE of the queue's first and second pages for the common views."""
    ctx = ServiceContext(clock=lambda: NOW)
    views = [
        ("officer, default view", OFFICER, QueueFilter()),
        ("officer, 已提交 tab", OFFICER, QueueFilter(statuses=(Status.SUBMITTED,))),
        ("supervisor, default view", SUPERVISOR, QueueFilter()),
        ("supervisor, 已受理 tab", SUPERVISOR, QueueFilter(statuses=(Status.ACCEPTED,))),
        ("supervisor, 待追加 + 已撤回", SUPERVISOR, QueueFilter(statuses=(Status.AWAITING_APPEND, Status.WITHDRAWN))),
        ("supervisor, keyword = enterprise name", SUPERVISOR, QueueFilter(keyword="基准17号")),
        ("officer, type + importance", OFFICER, QueueFilter(type_id=2, importance=None)),
    ]
    print(f"\n== plans at {rows:,} queue rows ==")
    for label, account_id, flt in views:
        scope = await queue_scope(account_id, flt, ctx)
        first = scope.query.order_by("-submitted_at", "-id").limit(51).values("id", "submitted_at")
        page = await first
        pages = [("page 1", first)]
        if len(page) == 51:
            key = after_key(page[-2]["submitted_at"], page[-2]["id"])
            pages.append(("page 2", scope.query.filter(key).order_by("-submitted_at", "-id").limit(51)
                          .values("id", "submitted_at")))
        for name, query in pages:
            sql, params = parameterized(query)
            _, plan = await connection().execute_query(f"EXPLAIN (ANALYZE, BUFFERS OFF) {sql}", params)
            lines = [next(iter(dict(r).values())) for r in plan]
            print(f"-- {label}, {name}: {lines[-1].strip()}")
            print("\n".join("   " + line for line in lines[:-2]))


async def run(args: argparse.Namespace) -> None:
    admin, name, settings = await create_scratch(args.database_url)
    opened = False
    work_dir = Path(tempfile.mkdtemp(prefix="qingling_bench_export_"))
    ours_path, theirs_path = work_dir / "export.xlsx", work_dir / "baseline.xlsx"
    try:
        await migrate(settings)
        conn = await asyncpg.connect(settings.url)
        try:
            await seed(conn, args.rows)
            print("vacuum analyze …", file=sys.stderr, flush=True)
            await conn.execute("VACUUM ANALYZE")
            rows = [] if args.explain_only else await baseline_rows(conn)
        finally:
            await conn.close()
        if args.explain_only:
            await open_database(settings)
            opened = True
            await explain(args.rows)
            return
        if len(rows) != args.rows:
            raise SystemExit(f"expected {args.rows} queue rows, the baseline query found {len(rows)}")

        await open_database(settings)
        opened = True
        ctx = ServiceContext(clock=lambda: NOW, tz=ZoneInfo(TZ))
        written: list[int] = []

        async def ours() -> None:
            with tqdm(total=args.rows, desc="export_queue", unit="row", unit_scale=True, file=sys.stderr) as bar:
                def progress(done: int, total: int) -> None:
                    bar.total = total
                    bar.update(done - bar.n)
                written.append(await export_queue(SUPERVISOR, QueueFilter(), ours_path, progress=progress, ctx=ctx))

        async def theirs() -> None:
            write_baseline(rows, theirs_path)

        print("timing …", file=sys.stderr, flush=True)
        ours_seconds = await timed(ours, args.repeat)
        theirs_seconds = await timed(theirs, args.repeat)
        if written[-1] != args.rows:
            raise SystemExit(f"export wrote {written[-1]} rows, expected {args.rows}")
        print("comparing the files …", file=sys.stderr, flush=True)
        compared = same_cells(ours_path, theirs_path)
        print("measuring memory …", file=sys.stderr, flush=True)
        ours_peak = await traced(ours)
        theirs_peak = await traced(theirs)
        size_mb = ours_path.stat().st_size / 2**20
        rows_in_memory_mb = _rows_size(rows) / 2**20
        if args.explain:
            await explain(args.rows)
    finally:
        if opened:
            await close_database()
        for file in (ours_path, theirs_path):
            file.unlink(missing_ok=True)
        work_dir.rmdir()
        await drop_scratch(admin, name)

    ours_rate, theirs_rate = args.rows / ours_seconds, args.rows / theirs_seconds
    print(f"rows: {args.rows:,} (+{args.rows // 20:,} drafts / in review left out); file {size_mb:.1f} MB; "
          f"{compared:,} rows identical in both files")
    print(f"export_queue (database → file): {ours_seconds:.2f} s, {ours_rate:,.0f} rows/s, "
          f"peak traced memory {ours_peak / 2**20:.1f} MB")
    print(f"baseline (openpyxl write-only loop, rows in memory): {theirs_seconds:.2f} s, {theirs_rate:,.0f} rows/s, "
          f"peak traced memory {theirs_peak / 2**20:.1f} MB (+ {rows_in_memory_mb:.0f} MB of rows held beforehand)")
    print(f"goal (ratio ≥ {GOAL}): {'met' if ours_rate / theirs_rate >= GOAL else 'NOT met'}")
    print(f"ratio: {ours_rate / theirs_rate:.2f}")


def _rows_size(rows: list[tuple[Any, ...]]) -> int:
    return sum(sys.getsizeof(row) + sum(sys.getsizeof(v) for v in row) for row in rows)


def main() -> None:
    asyncio.run(run(parse_args()))


if __name__ == "__main__":
    main()
