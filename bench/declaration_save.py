"""Benchmark: saving a 50-item export declaration with its full validation, against the same for one item, on
PostgreSQL.

    python bench/declaration_save.py [--items 50] [--iterations 200]
                                     [--database-url postgres://postgres@127.0.0.1:5432/test]

Creates its own database ``qingling_bench_<pid>`` beside the given one (dropped at the end), migrates it and loads
the reference data (every code table, the HS catalogue). An admin of one enterprise owns two drafts: one of
``--items`` goods items (a container per ten items, two attached documents, CIF with 运费 and 保费) and one of a
single item (the baseline). Each timed call is ``submit_declaration`` with the typed form — what 提交审核 on the
page does: access under the data scope, the lifecycle's decision, the catalogue read for the form's codes and HS
codes, every check (codes, units, elements, totals, fees …), the compare-and-set, the items, containers and
documents replaced, the timeline entry — one transaction; the draft is withdrawn again between calls (untimed).

Prints p50 / p95 of each and the per-item cost; target: p95 < 100 ms for ``--items``. The last line is
``ratio: X.XX`` = target / p95 (≥ 1 means the target is met).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere: python bench/declaration_save.py

from declaration_world import bench_member, export_form  # noqa: E402 (bench/ is the script's folder)
from scratch_database import create_scratch, drop_scratch, migrate  # noqa: E402

from core.db import close_database, open_database  # noqa: E402
from models.declarations import DeclarationKind  # noqa: E402
from services.declarations.entry import create_draft, submit_declaration, withdraw_declaration  # noqa: E402
from services.declarations.fields import DeclarationForm  # noqa: E402
from services.kit.context import ServiceContext  # noqa: E402
from services.library.reference import load_library_reference  # noqa: E402
from services.workspace.roles import Member  # noqa: E402

TARGET_MS = 100.0
WARM_UP = 10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=50, help="goods items of the measured declaration")
    parser.add_argument("--iterations", type=int, default=200, help="timed saves of each declaration")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/test",
                        help="any database on the PostgreSQL server; the bench creates its own beside it")
    args = parser.parse_args()
    if not 1 <= args.items <= 999 or args.iterations < 1:
        parser.error("--items must be 1–999 and --iterations positive")
    return args


async def saves(ctx: ServiceContext, member: Member, form: DeclarationForm, iterations: int) -> list[float]:
    """Milliseconds of each submission of ``form`` (after ``WARM_UP`` untimed ones)."""
    draft = await create_draft(ctx, member, DeclarationKind.EXPORT, form)
    version, took = draft.version, []
    for n in range(WARM_UP + iterations):
        start = time.perf_counter()
        submitted = await submit_declaration(ctx, member, draft.id, version, form)
        if n >= WARM_UP:
            took.append((time.perf_counter() - start) * 1000)
        version = (await withdraw_declaration(ctx, member, draft.id, submitted.version)).version
    return took


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


async def run(args: argparse.Namespace) -> None:
    admin, name, settings = await create_scratch(args.database_url)
    ctx = ServiceContext()
    try:
        await migrate(settings)
        await open_database(settings)
        try:
            await load_library_reference(ctx)
            member = await bench_member(ctx)
            one = await saves(ctx, member, export_form(1), args.iterations)
            many = await saves(ctx, member, export_form(args.items), args.iterations)
        finally:
            await close_database()
    finally:
        await drop_scratch(admin, name)
    for label, samples in (("1 item (baseline)", one), (f"{args.items} items", many)):
        print(f"save + validation, {label:<18}: p50 {statistics.median(samples):6.1f} ms | p95 {p95(samples):6.1f} ms"
              f" | {len(samples)} saves")
    per_item = (statistics.median(many) - statistics.median(one)) / max(args.items - 1, 1)
    print(f"per extra item: {per_item:.2f} ms; {args.items} items / 1 item at p50: "
          f"{statistics.median(many) / statistics.median(one):.1f}×")
    ratio = TARGET_MS / p95(many)
    print(f"target p95 < {TARGET_MS:.0f} ms for {args.items} items: {'met' if ratio >= 1 else 'MISSED'}")
    print(f"ratio: {ratio:.2f}")


if __name__ == "__main__":
    asyncio.run(run(parse_args()))
