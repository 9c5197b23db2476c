"""Benchmark: the set-based automatic close against a row-by-row ORM loop, on PostgreSQL.

    python bench/autoclose.py [--rows 1000000] [--due-fraction 0.1] [--sample 2000]
                              [--database-url postgres://postgres@127.0.0.1:5432/test]

Creates its own database ``qingling_bench_<pid>`` on the given server (dropped at the end), migrates it with
``core.db.upgrade``, seeds ``--rows`` questions with SQL (``--due-fraction`` of them replied or awaiting an
append and past the period, the rest in other statuses or not yet due), then measures

  (a) ``services.questions.autoclose.close_overdue`` on all due rows, and
  (b) a baseline: a tortoise ORM loop that fetches each due question, updates it and creates its timeline
      entry and outbox row, one question per transaction, over ``--sample`` further due rows that were
      kept out of the sweep (seeded as "accepted" and made due only after it), extrapolated per row to
      the full due count.

The last line is ``ratio: X.XX`` = extrapolated baseline time for all due rows / sweep time (higher is better).
The issue's goal: 100,000 due questions swept in under 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere: python bench/autoclose.py

import asyncpg  # noqa: E402
from scratch_database import create_scratch, drop_scratch  # noqa: E402 (bench/ is the script's folder)
from tortoise.expressions import Q  # noqa: E402
from tortoise.transactions import in_transaction  # noqa: E402
from tqdm import tqdm  # noqa: E402

from core.db import close_database, connection, fetch, open_database, upgrade  # noqa: E402
from models.lifecycle import AUTO_CLOSE_REASONS, Action, ClosedBy, Role, Status  # noqa: E402
from models.outbox import OutboxMessage  # noqa: E402
from models.questions import Question, QuestionEvent  # noqa: E402
from services.kit.context import ServiceContext  # noqa: E402
from services.notifications.events import Event  # noqa: E402
from services.questions.autoclose import CLOSE_TEXTS, close_overdue  # noqa: E402

GOAL_ROWS, GOAL_SECONDS = 100_000, 5.0
NOW = datetime.now(UTC).replace(microsecond=0)
CHUNK = 50_000
SAMPLE_REMARK = "bench-baseline-sample"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="questions to seed (default 1,000,000)")
    parser.add_argument("--due-fraction", type=float, default=0.1, help="share of them due (default 0.1)")
    parser.add_argument("--sample", type=int, default=2000, help="due rows for the row-by-row baseline")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/test",
                        help="any database on the PostgreSQL server to use; the bench creates its own beside it")
    args = parser.parse_args()
    if args.rows < 1 or not 0 < args.due_fraction <= 1 or args.sample < 1:
        parser.error("--rows and --sample must be positive, --due-fraction in (0, 1]")
    if round(args.rows * args.due_fraction) + args.sample > args.rows:
        parser.error("--rows must leave room for the due rows and the baseline sample")
    return args


class Step:
    """Print a step's name, then its duration."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> Step:
        print(f"{self.name} …", file=sys.stderr, flush=True)
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start
        print(f"{self.name}: {self.seconds:.1f} s", file=sys.stderr, flush=True)


# ---- seeding -----------------------------------------------------------------------------------------------

REFERENCE_SQL = """
INSERT INTO customs_office (id, code, name, short_name, kind, parent_id, path, accepts_questions, active)
VALUES (1, '0900', '大连海关', '大连海关', 'direct', NULL, '/0900/', true, true),
       (2, '0901', '大窑湾海关', '大窑湾海关', 'subordinate', 1, '/0900/0901/', false, true);
INSERT INTO enterprise (id, name, credit_code, status, exec_review_required, created_at)
VALUES (1, '基准测试进出口有限公司', '91210242679978240X', 'active', false, now()),
       (2, '基准对照样本有限公司', '91210200MA0QXXXX1X', 'active', false, now());
INSERT INTO person (id, name, phone, active, created_at)
VALUES (1, '基准关务甲', '13900000001', true, now()), (2, '基准关务乙', '13900000002', true, now());
INSERT INTO membership (person_id, enterprise_id, role, active, created_at)
VALUES (1, 1, 'admin', true, now()), (2, 2, 'admin', true, now());
SELECT setval(pg_get_serial_sequence('customs_office', 'id'), 2);
SELECT setval(pg_get_serial_sequence('enterprise', 'id'), 2);
SELECT setval(pg_get_serial_sequence('person', 'id'), 2);
"""

# $1 first id, $2 last id, $3 the bench's "now", $4 rows, $5 due rows, $6 sample rows, $7 the sample's marker.
# Due rows are spread evenly over the table (every 10th row by default), as a backlog would be: replied
# (answer / return / needs_modification) or awaiting_append, 8–30 days old. Sample rows, spread evenly over
# the rest, are the same but seeded as "accepted" (not due), so the sweep leaves them to the baseline.
# Other rows: about half replied / awaiting_append and not yet due (0–6.9 days old), half in other statuses.
QUESTIONS_SQL = """
INSERT INTO question (number, enterprise_id, creator_id, accepting_office_id, office_id, title, contact_name,
    contact_phone, description, remarks, allow_publication, status, round, reply_kind, closed_by, version,
    submitted_at, accepted_at, replied_at, evaluated_at, closed_at, published, public_title,
    public_description, public_reply, created_at, updated_at)
SELECT 'B' || lpad(g::text, 12, '0'), e, e, 1, 2, '基准问题' || g, '王经理', '13800138000',
    '我司进口一批电子元器件，请问申报要素中品牌类型与出口享惠情况应如何填写？编号 ' || g,
    CASE WHEN sample THEN $7 ELSE '' END, (g % 2 = 0),
    status, 1 + (g % 7 = 0)::int, reply_kind,
    CASE WHEN status = 'closed' THEN 'evaluation' END, 3,
    CASE WHEN status <> 'draft' THEN $3::timestamptz - age - interval '1 day' END,
    CASE WHEN status IN ('accepted', 'replied', 'awaiting_append', 'closed')
         THEN $3::timestamptz - age - interval '20 hours' END,
    CASE WHEN reply_kind IS NOT NULL THEN $3::timestamptz - age - interval '1 hour' END,
    CASE WHEN status IN ('awaiting_append', 'closed') OR (sample AND mix % 4 = 3) THEN $3::timestamptz - age END,
    CASE WHEN status = 'closed' THEN $3::timestamptz - age END,
    false, '', '', '',
    $3::timestamptz - age - interval '2 days', $3::timestamptz - age
FROM (
    SELECT g, sample, CASE WHEN sample THEN 2 ELSE 1 END AS e, mix,
        CASE WHEN due THEN (ARRAY['replied', 'replied', 'replied', 'awaiting_append'])[mix % 4 + 1]
             WHEN sample THEN 'accepted'
             ELSE (ARRAY['replied', 'awaiting_append', 'replied', 'closed', 'submitted', 'accepted', 'draft',
                         'withdrawn', 'replied', 'closed'])[mix % 10 + 1] END AS status,
        CASE WHEN due OR sample THEN (ARRAY['answer', 'return', 'needs_modification', 'answer'])[mix % 4 + 1]
             WHEN mix % 10 = 1 THEN 'answer'
             WHEN mix % 10 IN (0, 2, 3, 8, 9) THEN (ARRAY['answer', 'return', 'needs_modification'])[mix % 3 + 1]
             END AS reply_kind,
        CASE WHEN due OR sample THEN interval '8 days' + (mix % 22) * interval '1 day'
                                     + (mix % 1440) * interval '1 minute'
             WHEN mix % 10 IN (3, 9) THEN interval '40 days' + (mix % 300) * interval '1 day'
             ELSE (mix % 9900) * interval '1 minute' END AS age
    FROM (
        SELECT g, due, mix,
            -- the k-th of the non-due rows; every ((rows - due) / sample)-th of them is in the sample
            NOT due AND ((g - d) * $6::bigint / ($4 - $5)) > ((g - d - 1) * $6::bigint / ($4 - $5)) AS sample
        FROM (
            SELECT g, (g * 2654435761) % 4294967296 / 65536 AS mix,  -- a hash: statuses mixed evenly
                (g * $5::bigint / $4) > ((g - 1) * $5::bigint / $4) AS due, g * $5::bigint / $4 AS d
            FROM generate_series($1::bigint, $2::bigint) AS g
        ) AS spread
    ) AS chosen
) AS rows
"""


async def seed(conn: asyncpg.Connection, rows: int, due: int, sample: int) -> None:
    await conn.execute(REFERENCE_SQL)
    with tqdm(total=rows, desc="seeding questions", unit="row", unit_scale=True, file=sys.stderr) as bar:
        for first in range(1, rows + 1, CHUNK):
            last = min(first + CHUNK - 1, rows)
            await conn.execute(QUESTIONS_SQL, first, last, NOW, rows, due, sample, SAMPLE_REMARK)
            bar.update(last - first + 1)


# ---- the baseline: one question at a time through the ORM ---------------------------------------------------


async def baseline(ctx: ServiceContext, now: datetime) -> int:
    """Close the due questions the naive way: find them, then for each one a transaction of ORM calls."""
    cutoff = now - ctx.policy.period
    due_ids = await Question.filter(
        Q(status=Status.REPLIED, replied_at__lte=cutoff) | Q(status=Status.AWAITING_APPEND, evaluated_at__lte=cutoff)
    ).order_by("id").values_list("id", flat=True)
    closed = 0
    for qid in tqdm(due_ids, desc="baseline row by row", unit="row", file=sys.stderr):
        async with in_transaction() as conn:
            q = await Question.filter(id=qid).select_for_update().using_db(conn).get()
            since = q.replied_at if q.status is Status.REPLIED else q.evaluated_at
            if q.status not in (Status.REPLIED, Status.AWAITING_APPEND) or since is None or since > cutoff:
                continue
            reason = AUTO_CLOSE_REASONS.get((q.status, q.reply_kind), ClosedBy.DEEMED_ACCEPTED)
            before = q.status
            q.status, q.closed_by, q.closed_at, q.updated_at = Status.CLOSED, reason, now, now
            q.version += 1
            await q.save(using_db=conn, update_fields=["status", "closed_by", "closed_at", "updated_at", "version"])
            await QuestionEvent.create(
                question_id=q.id, round=q.round, action=Action.AUTO_CLOSE.value, from_status=before,
                to_status=Status.CLOSED, actor_role=Role.SYSTEM, actor_name="系统",
                text=CLOSE_TEXTS[reason].format(days=ctx.policy.auto_close_days),
                detail={"closed_by": reason.value}, created_at=now, using_db=conn,
            )
            await OutboxMessage.create(
                event=Event.AUTO_CLOSED.value, question_id=q.id, person_id=q.creator_id,
                payload={"number": q.number, "title": q.title, "closed_by": reason.value},
                dedupe_key=f"{Event.AUTO_CLOSED.value}:q{q.id}", next_attempt_at=now, created_at=now, using_db=conn,
            )
            closed += 1
    return closed


# ---- CPU accounting: was the machine idle while the sweep ran? ----------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU-seconds of the whole machine so far, from /proc/stat."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = ticks[3] + ticks[4]
    return (sum(ticks) - idle) / CLOCK_TICKS, sum(ticks) / CLOCK_TICKS


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


async def local_backends(url: str) -> list[int]:
    """The pids of this database's server processes, when the server runs on this machine (else [])."""
    if urlparse(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        return []
    rows = await fetch(connection(), "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND backend_type = 'client backend'")
    pids = [row["pid"] for row in rows]
    try:
        return [pid for pid in pids if Path(f"/proc/{pid}/comm").read_text().strip() == "postgres"]
    except OSError:  # not visible from here (another container): no accounting
        return []


async def warm_pool(connections_wanted: int) -> None:
    """Open the pool connections a running worker would already have (the sweep uses two at once)."""
    async def hold() -> None:
        async with in_transaction() as conn:
            await conn.execute_query("SELECT pg_sleep(0.05)")

    await asyncio.gather(*(hold() for _ in range(connections_wanted)))


# ---- the run -----------------------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> None:
    rows, due, sample = args.rows, round(args.rows * args.due_fraction), args.sample
    admin, name, settings = await create_scratch(args.database_url)
    opened = False
    try:
        with Step("migrating"):
            try:
                await upgrade(settings)
            finally:
                await close_database()
        conn = await asyncpg.connect(settings.url)
        try:
            with Step("seeding"):
                await seed(conn, rows, due, sample)
            with Step("vacuum analyze + checkpoint"):
                await conn.execute("VACUUM ANALYZE")
                await conn.execute("CHECKPOINT")
        finally:
            await conn.close()

        await open_database(settings)
        opened = True
        ctx = ServiceContext(clock=lambda: NOW)
        await warm_pool(2)
        backends = await local_backends(settings.url)

        before = machine_cpu(), [process_cpu(pid) for pid in backends]
        start = time.perf_counter()
        closed = await close_overdue(ctx, NOW)
        sweep_seconds = time.perf_counter() - start
        after = machine_cpu(), [process_cpu(pid) for pid in backends]
        events = await QuestionEvent.filter(action=Action.AUTO_CLOSE.value).count()
        notices = await OutboxMessage.filter(event=Event.AUTO_CLOSED.value).count()
        if not closed == events == notices == due:
            raise SystemExit(f"sweep wrote closed={closed} events={events} notices={notices}, expected {due}")
        if await close_overdue(ctx, NOW) != 0:
            raise SystemExit("a second sweep closed something")

        # The sample rows were kept out of the sweep: make them due now, then close them one by one.
        async with in_transaction() as tx:
            made_due = await Question.filter(remarks=SAMPLE_REMARK, status=Status.ACCEPTED).using_db(tx).update(
                status=Status.REPLIED)
            await Question.filter(remarks=SAMPLE_REMARK, evaluated_at__not_isnull=True).using_db(tx).update(
                status=Status.AWAITING_APPEND)
        if made_due != sample:
            raise SystemExit(f"expected {sample} sample rows, found {made_due}")
        start = time.perf_counter()
        baseline_closed = await baseline(ctx, NOW)
        baseline_seconds = time.perf_counter() - start
        if baseline_closed != sample:
            raise SystemExit(f"baseline closed {baseline_closed} of {sample} sample rows")
    finally:
        if opened:
            await close_database()
        await drop_scratch(admin, name)

    sweep_rate = due / sweep_seconds
    baseline_rate = sample / baseline_seconds
    baseline_all = due / baseline_rate
    goal_seconds = sweep_seconds * GOAL_ROWS / due
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rows: {rows:,}")
    print(f"due rows: {due:,}")
    print(f"sweep seconds: {sweep_seconds:.3f}")
    print(f"sweep rows/s: {sweep_rate:,.0f}")
    print(f"baseline sample rows: {sample:,} in {baseline_seconds:.3f} s (one transaction per question)")
    print(f"baseline rows/s: {baseline_rate:,.0f}")
    print(f"baseline extrapolated to {due:,} due rows: {baseline_all:.1f} s")
    print(f"peak memory (this process, ru_maxrss): {peak_mb:.0f} MB")
    if backends:
        busy = after[0][0] - before[0][0]
        capacity = after[0][1] - before[0][1]
        database = sum(after[1]) - sum(before[1])
        others = max(busy - database, 0.0)
        print(f"cpu during the sweep: {capacity:.1f} CPU-s available ({os.cpu_count()} CPUs), "
              f"database backends {database:.1f}, other processes {others:.1f}")
        if others > 0.15 * capacity:
            print(f"note: other processes used {others / capacity:.0%} of the CPUs during the sweep; "
                  "the sweep figures are pessimistic, rerun on an idle machine for a clean measurement")
    scaled = "" if due == GOAL_ROWS else f" (scaled from {due:,}: {goal_seconds:.2f} s)"
    verdict = "met" if goal_seconds < GOAL_SECONDS else "NOT met"
    print(f"goal ({GOAL_ROWS:,} due questions in < {GOAL_SECONDS:.0f} s): {verdict}{scaled}")
    print(f"ratio: {baseline_all / sweep_seconds:.2f}")


def main() -> None:
    asyncio.run(run(parse_args()))


if __name__ == "__main__":
    main()
