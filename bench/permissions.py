"""Benchmark: the workspace permission decision per request, on PostgreSQL.

    python bench/permissions.py [--enterprises 20] [--roles 200] [--members 500] [--iterations 2000]
                                [--database-url postgres://postgres@127.0.0.1:5432/test]

Creates its own database ``qingling_bench_<pid>`` on the given server (dropped at the end), migrates it with
``core.db.upgrade`` and seeds ``--enterprises`` enterprises of ``--roles`` workspace roles and ``--members``
members each (three grants per member). The person measured is a 关务人员 (staff) of the first enterprise with
eight grants: five live, two ended, one starting tomorrow. Then it measures, per decision:

  (a) ``decide`` with the decision cached (an in-process ``MemoryCache``, as one web process has it),
  (b) ``decide`` uncached (a fresh cache each call: version read, miss, ``compute``, store),
  (c) ``compute`` alone (the database reads behind (b)),
  and the baselines
  (d) a bare dictionary lookup of the person's codes, and
  (e) a bare asyncpg query of the same grants (built-in role + live grants, one statement, one pooled
      connection).

Each prints p50 / p95 / mean in microseconds. The issue's target: < 1 ms per decision, cached and uncached.
The last line is ``ratio: X.XX`` = target / the worse of the p95 of (a) and (b); ≥ 1 means the target is met.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere: python bench/permissions.py

import asyncpg  # noqa: E402
from scratch_database import create_scratch, drop_scratch, migrate, sample  # noqa: E402 (bench/ is the script's folder)

from core.cache import MemoryCache  # noqa: E402
from core.db import close_database, open_database  # noqa: E402
from models.enterprises import Membership  # noqa: E402
from services.kit.context import ServiceContext  # noqa: E402
from services.workspace.permissions import compute, decide  # noqa: E402
from services.workspace.tree import permission_tree  # noqa: E402

TARGET_MS = 1.0
NOW = datetime.now(UTC).replace(microsecond=0)
PERSON = 1  # the measured person: member 1 of enterprise 1

# Filled in with str.format (several statements: no bind parameters); every value is ours.
SEED_SQL = """
INSERT INTO enterprise (id, name, credit_code, status, exec_review_required, created_at)
SELECT e, '基准企业' || e, '9121' || lpad(e::text, 14, '0'), 'active', false, {now}
FROM generate_series(1, {enterprises}) AS e;
INSERT INTO person (id, name, phone, active, created_at)
SELECT p, '基准成员' || p, '139' || lpad(p::text, 8, '0'), true, {now}
FROM generate_series(1, {enterprises} * {members}) AS p;
INSERT INTO membership (person_id, enterprise_id, role, active, created_at)
SELECT p, (p - 1) / {members} + 1, (ARRAY['staff', 'staff', 'executive', 'staff', 'admin'])[p % 5 + 1], true, {now}
FROM generate_series(1, {enterprises} * {members}) AS p;
INSERT INTO workspace_role (enterprise_id, name, codes, data_scope, builtin, created_at, updated_at)
SELECT e, CASE WHEN r <= 3 THEN (ARRAY['企业管理员', '企业高管', '关务人员'])[r] ELSE '岗位' || r END,
    (SELECT coalesce(jsonb_agg(c), '[]') FROM unnest({codes}::text[]) WITH ORDINALITY AS t(c, i) WHERE (i + r) % 4 = 0),
    (ARRAY['all', 'department', 'self', 'self'])[r % 4 + 1],
    CASE WHEN r <= 3 THEN (ARRAY['admin', 'executive', 'staff'])[r] END, {now}, {now}
FROM generate_series(1, {enterprises}) AS e, generate_series(1, {roles}) AS r;
INSERT INTO role_grant (person_id, role_id, valid_from, valid_to, granted_at)
SELECT p, ((p - 1) / {members}) * {roles} + 4 + (p * 7 + k * 13) % ({roles} - 3), {now} - interval '30 days',
    CASE WHEN k = 2 THEN {now} + interval '90 days' END, {now} - interval '30 days'
FROM generate_series(2, {enterprises} * {members}) AS p, generate_series(0, 2) AS k;
"""
# the measured person: five live grants (two ending later), two ended, one starting tomorrow
PERSON_SQL = """
UPDATE membership SET role = 'staff' WHERE person_id = {person};
INSERT INTO role_grant (person_id, role_id, valid_from, valid_to, granted_at)
SELECT {person}, 4 + k * 17, {now} + CASE WHEN k = 7 THEN interval '1 day' ELSE interval '-10 days' END,
    CASE WHEN k IN (5, 6) THEN {now} - interval '1 day'
         WHEN k IN (1, 2) THEN {now} + interval '60 days' END, {now} - interval '10 days'
FROM generate_series(0, 7) AS k;
"""
# the baseline's one statement: the built-in role's codes and the live grants' roles
BARE_SQL = """
SELECT r.codes, r.data_scope, g.valid_to FROM workspace_role r
LEFT JOIN role_grant g ON g.role_id = r.id AND g.person_id = $1
WHERE r.enterprise_id = $2 AND (r.builtin = $3 OR (g.id IS NOT NULL AND g.valid_from <= $4
    AND (g.valid_to IS NULL OR g.valid_to > $4)))
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=20, help="enterprises (default 20)")
    parser.add_argument("--roles", type=int, default=200, help="workspace roles per enterprise (default 200)")
    parser.add_argument("--members", type=int, default=500, help="members per enterprise (default 500)")
    parser.add_argument("--iterations", type=int, default=2000, help="decisions per measurement (default 2000)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/test",
                        help="any database on the PostgreSQL server to use; the bench creates its own beside it")
    args = parser.parse_args()
    if args.enterprises < 1 or args.roles < 124 or args.members < 2 or args.iterations < 20:  # 124: PERSON_SQL
        parser.error("need ≥ 1 enterprise, ≥ 124 roles, ≥ 2 members, ≥ 20 iterations")
    return args


async def timed(name: str, call: Callable[[], Awaitable[object]], iterations: int) -> float:
    """Run ``call`` (after a warm-up), print p50 / p95 / mean in µs; return the p95 in ms."""
    samples = await sample(call, iterations, warm_up=100)
    cuts = statistics.quantiles(samples, n=100)
    print(f"{name:<34}: p50 {cuts[49] * 1e6:8.1f} µs   p95 {cuts[94] * 1e6:8.1f} µs   "
          f"mean {statistics.fmean(samples) * 1e6:8.1f} µs", flush=True)
    return cuts[94] * 1e3


async def measure(args: argparse.Namespace, url: str) -> float:
    ctx = ServiceContext(clock=lambda: NOW)
    membership = await Membership.get(person_id=PERSON, enterprise_id=1)
    cache = MemoryCache()
    decision = await decide(ctx, cache, membership)
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    try:
        bare = await pool.fetch(BARE_SQL, PERSON, 1, membership.role.value, NOW)
        print(f"person {PERSON}: {len(decision.codes)} codes, scope {decision.scope.value}, "
              f"until {decision.until:%Y-%m-%d}; bare query: {len(bare)} rows (built-in role + live grants)")
        table = {(PERSON, 1): decision.codes}
        code = sorted(decision.codes)[0]

        async def bare_dict() -> bool:
            return code in table[(membership.person_id, membership.enterprise_id)]

        async def bare_query() -> object:
            return await pool.fetch(BARE_SQL, PERSON, 1, membership.role.value, NOW)

        cached = await timed("decide, cached", lambda: decide(ctx, cache, membership), args.iterations)
        uncached = await timed("decide, uncached (fresh cache)", lambda: decide(ctx, MemoryCache(), membership),
                               args.iterations)
        await timed("compute (the database reads)", lambda: compute(membership, NOW), args.iterations)
        await timed("baseline: bare dictionary lookup", bare_dict, args.iterations)
        await timed("baseline: bare asyncpg query", bare_query, args.iterations)
    finally:
        await pool.close()
    return max(cached, uncached)


async def run(args: argparse.Namespace) -> None:
    admin, name, settings = await create_scratch(args.database_url)
    try:
        started = time.perf_counter()
        await migrate(settings)
        conn = await asyncpg.connect(settings.url)
        try:
            now = f"'{NOW.isoformat()}'::timestamptz"
            codes = "ARRAY[" + ", ".join(f"'{c}'" for c in sorted(permission_tree().grantable)) + "]"
            await conn.execute(SEED_SQL.format(enterprises=args.enterprises, roles=args.roles,
                                               members=args.members, codes=codes, now=now))
            await conn.execute(PERSON_SQL.format(person=PERSON, now=now))
            await conn.execute("VACUUM ANALYZE")
            grants = await conn.fetchval("SELECT count(*) FROM role_grant")
        finally:
            await conn.close()
        print(f"{args.enterprises} enterprises × {args.roles} roles × {args.members} members, {grants:,} grants; "
              f"seeded in {time.perf_counter() - started:.1f} s; {args.iterations} decisions per line")
        await open_database(settings)
        try:
            worst = await measure(args, settings.url)
        finally:
            await close_database()
    finally:
        await drop_scratch(admin, name)
    print(f"target < {TARGET_MS:.0f} ms per decision: worse p95 of decide cached / uncached {worst:.3f} ms — "
          f"{'met' if worst < TARGET_MS else 'MISSED'}")
    print(f"ratio: {TARGET_MS / worst:.2f}")


if __name__ == "__main__":
    asyncio.run(run(parse_args()))
