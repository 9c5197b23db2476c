"""Benchmark: the declaration import (业务数据查询 → 导入) against python-calamine parsing the same workbook alone.

    python bench/declaration_import.py [--declarations 10000] [--items 5] \
        [--database-url postgres://postgres@127.0.0.1:5432/test]

Writes a workbook in the import template's columns — ``--declarations`` declarations of ``--items`` goods items
each (one row per item, the head repeated; real 2026 HS codes with complete declaration elements; 1 % of the
declarations carry an unknown 监管方式, so the annotated workbook is written too) — creates its own database
``qingling_bench_<pid>`` beside the given one (dropped at the end), migrates it, loads the reference data, and
measures

  (a) ``services.declarations.imports.run_import``: the read (the Excel kit's held reader, python-calamine),
      every declaration typed by the form's field rules (each column's distinct cells once, the head once per
      declaration) and passed through every submission check (code tables, HS elements, units, totals) against
      a catalogue loaded per 2,000 declarations, the good ones created as drafts with their items and timeline
      entry set-based (COPY on PostgreSQL) in the background of the next chunk's checks (one transaction for the
      file), the refused ones' rows written to the annotated workbook; and the process's peak resident memory
      (the held sheet);
  (b) python-calamine alone: every row of the sheet iterated, nothing done with it.

Goal (issue 15): (a) ≥ 10,000 item rows/s. The last line is ``ratio: X.XX`` = (a) rows/s / (b) rows/s (the same
sense as bench/library_import.py: calamine-only time / our import time).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from library_import import catalogue_sample  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402
from scratch_database import create_scratch, drop_scratch, migrate  # noqa: E402

from core.db import close_database, open_database  # noqa: E402
from models.declarations import Declaration, DeclarationImport, DeclarationItem  # noqa: E402
from models.enterprises import Enterprise, MemberRole, Membership, Person  # noqa: E402
from models.identifiers import credit_code_check_char  # noqa: E402
from services.declarations.fields import HEAD_FIELDS, ITEM_FIELDS  # noqa: E402
from services.declarations.imports import HEADERS, run_import  # noqa: E402
from services.kit.context import ServiceContext  # noqa: E402
from services.library.reference import CATALOGUES, DATA_DIR, load_library_reference  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)
TZ = ZoneInfo("Asia/Shanghai")
GOAL_ROWS_PER_SECOND = 10_000
BAD_EVERY = 100  # every 100th declaration has an unknown 监管方式


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--declarations", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=5, help="goods items per declaration")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/test")
    return parser.parse_args()


def credit(n: int) -> str:
    body = f"91210200MA0{n:06d}"
    return body + credit_code_check_char(body)


def legal_units() -> dict[str, tuple[str, str]]:
    """HS code -> the codes of its legal first and second units (from the catalogue and the unit table)."""
    with (DATA_DIR / "param_unit_of_measure_codes.csv").open(encoding="utf-8") as f:
        codes = {row["计量单位名称"]: row["计量单位代码"] for row in csv.DictReader(f)}
    with (DATA_DIR / CATALOGUES[0].file).open(encoding="utf-8") as f:
        return {row["hs_code"]: (codes.get(row["unit1"], ""), codes.get(row["unit2"], ""))
                for row in csv.DictReader(f)}


def write_workbook(path: Path, declarations: int, items: int) -> None:
    units = legal_units()
    sample = [(hs, name, spec, *units[hs]) for hs, name, spec in catalogue_sample() if spec and units[hs][0]]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("报关单")
    sheet.append(list(HEADERS))
    for n in range(declarations):
        head = {"declare_office": "0900", "ie_port": "0901", "trade_mode": "9998" if n % BAD_EVERY == 7 else "0110",
                "bill_no": f"COSU{n:010d}", "trade_code": credit(n % 997), "trade_name": f"发货人{n % 997}",
                "overseas_consignee": "ACME BEARINGS INC.", "owner_name": f"发货人{n % 997}",
                "contract_no": f"DL2026-{n}", "traf_mode": "2", "traf_name": "COSCO TAICANG/061E",
                "trade_country": "USA", "destination_country": "USA", "distinate_port": "USA000",
                "desp_port": "210101", "wrap_type": "22", "pack_no": 10, "gross_weight": 130, "net_weight": 125.5,
                "trans_mode": "3"}
        for i in range(items):
            hs, name, spec, unit1, unit2 = sample[(n * items + i) % len(sample)]
            item = {"hs_code": hs, "goods_name": name, "model_spec": spec, "quantity": 100, "unit": unit1,
                    "legal_quantity": 100, "legal_unit": unit1, "second_quantity": 12.5 if unit2 else "",
                    "second_unit": unit2, "price": 2.5, "total": 250, "currency": "USD",
                    "origin_country": "CHN", "destination_country": "USA", "district_code": "21022",
                    "duty_mode": "1"}
            sheet.append([str(n + 1), "出口报关单", *(head.get(s.key, "") for s in HEAD_FIELDS),
                          *(item.get(s.key, "") for s in ITEM_FIELDS)])
    book.save(path)


async def import_file(path: Path, folder: Path) -> tuple[float, DeclarationImport]:
    ctx = ServiceContext(clock=lambda: NOW, tz=TZ)
    await load_library_reference(ctx)
    enterprise = await Enterprise.create(name="大连示例进出口有限公司", credit_code=credit(999_999))
    person = await Person.create(name="张关务", phone="13900000001")
    await Membership.create(person=person, enterprise=enterprise, role=MemberRole.ADMIN, active=True)
    stored = folder / "stored.xlsx"
    shutil.copy(path, stored)
    record = await DeclarationImport.create(enterprise=enterprise, person=person, file_hash="bench",
                                            filename=path.name, stored_path=stored.name, created_at=NOW)
    start = time.perf_counter()
    done = await run_import(ctx, record.id, folder, folder / "errors.xlsx")
    return time.perf_counter() - start, done


def calamine_alone(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    count = sum(1 for _ in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows())
    return time.perf_counter() - start, count - 1


async def run(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="qingling_bench_declaration_import_"))
    path = work / "import.xlsx"
    rows = args.declarations * args.items
    print(f"writing {args.declarations:,} declarations × {args.items} items …", file=sys.stderr, flush=True)
    write_workbook(path, args.declarations, args.items)
    admin, name, settings = await create_scratch(args.database_url)
    try:
        await migrate(settings)
        await open_database(settings)
        try:
            print("importing …", file=sys.stderr, flush=True)
            ours_seconds, done = await import_file(path, work)
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            stored, items = await Declaration.all().count(), await DeclarationItem.all().count()
        finally:
            await close_database()
    finally:
        await drop_scratch(admin, name)
    print("parsing alone …", file=sys.stderr, flush=True)
    calamine_seconds, calamine_rows = calamine_alone(path)
    size_mb = path.stat().st_size / 2**20
    shutil.rmtree(work)
    if not calamine_rows == done.rows_total == rows:
        raise SystemExit(f"rows differ: calamine {calamine_rows}, import {done.rows_total}, written {rows}")
    ours, calamine = rows / ours_seconds, rows / calamine_seconds
    print(f"{args.declarations:,} declarations × {args.items} items = {rows:,} item rows × {len(HEADERS)} columns; "
          f"file {size_mb:.1f} MB")
    print(f"created {stored:,} declarations ({items:,} items), refused {done.declarations_rejected:,} "
          f"({done.rows_rejected:,} rows, {done.errors:,} errors in the annotated workbook)")
    print(f"run_import (parse + check + store + annotate): {ours_seconds:.2f} s, {ours:,.0f} item rows/s; "
          f"peak resident memory {peak_mb:,.0f} MB")
    print(f"python-calamine alone: {calamine_seconds:.2f} s, {calamine:,.0f} rows/s")
    print(f"goal ≥ {GOAL_ROWS_PER_SECOND:,} item rows/s: {'met' if ours >= GOAL_ROWS_PER_SECOND else 'NOT met'}")
    print(f"ratio: {ours / calamine:.2f}")


def main() -> None:
    asyncio.run(run(parse_args()))


if __name__ == "__main__":
    main()
