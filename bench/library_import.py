"""Benchmark: a customs upload of library rows (checked and stored) against parsing the same workbook alone.

    python bench/library_import.py [--rows 100000] [--database-url postgres://postgres@127.0.0.1:5432/test]

Writes a workbook of ``--rows`` rows in the upload template's 25 columns (real 2026 HS codes with complete
declaration elements; 2 % of the rows carry an unknown 监管方式, so the annotated error workbook is written too),
creates its own database ``qingling_bench_<pid>`` beside the given one (dropped at the end), migrates it, loads
the reference data with ``qingling load-data``'s loader, and measures in this order

  (a) ``services.library.uploads.run_upload``: read through the Excel kit (its streaming sheet reader,
      ``services.kit.xlsx_stream``), every row typed and checked against the catalogue and the code tables (in a
      thread: ``services.library.upload_check``), the good rows stored meanwhile in one transaction (batches of
      2,000, each one INSERT … SELECT FROM jsonb_array_elements(the batch as JSON) … ON CONFLICT DO NOTHING into
      ``library_row`` — its indexes and the GIN keyword index),
      refused rows written to the annotated workbook; its peak resident memory (the process's high-water mark,
      taken before anything else is parsed);
  (b) python-calamine alone: every row of the sheet iterated (``iter_rows``), nothing done with it; and its peak
      resident memory in a bare interpreter (python-calamine materialises the whole sheet before the first row,
      so this is the floor of any import through it);
  (c) openpyxl alone: ``load_workbook(read_only=True)``, every row's values iterated;
  (d) for comparison, our streaming reader alone (``services.kit.xlsx_stream.stream_sheet``), every row iterated.

The goals of issue 14: (a) ≥ 0.5 × (b)'s rows/s, (a) ≥ 3 × (c)'s rows/s, peak memory < 200 MB.
The last line is ``ratio: X.XX`` = (a) rows/s / (b) rows/s.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere: python bench/library_import.py

from openpyxl import Workbook, load_workbook  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402
from scratch_database import create_scratch, drop_scratch, migrate  # noqa: E402 (bench/ is the script's folder)

from core.db import close_database, open_database  # noqa: E402
from models.customs_accounts import CustomsAccount, CustomsRole  # noqa: E402
from models.identifiers import credit_code_check_char  # noqa: E402
from models.library import LibraryRow, LibraryUpload, UploadKind  # noqa: E402
from models.offices import CustomsOffice, OfficeKind  # noqa: E402
from services.kit.context import ServiceContext  # noqa: E402
from services.kit.xlsx_stream import stream_sheet  # noqa: E402
from services.library.columns import HEADERS  # noqa: E402
from services.library.reference import CATALOGUES, DATA_DIR, load_library_reference, parse_elements  # noqa: E402
from services.library.uploads import run_upload  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)
TZ = ZoneInfo("Asia/Shanghai")
GOAL_CALAMINE, GOAL_OPENPYXL, GOAL_MB = 0.5, 3.0, 200
CODES = 400  # distinct HS codes in the file
BAD_EVERY = 50  # every 50th row has an unknown 监管方式


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the workbook (default 100,000)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/test",
                        help="any database on the PostgreSQL server; the bench creates its own beside it")
    args = parser.parse_args()
    if args.rows < 1:
        parser.error("--rows must be positive")
    return args


def credit(n: int) -> str:
    body = f"91210200MA0{n:06d}"
    return body + credit_code_check_char(body)


def catalogue_sample() -> list[tuple[str, str, str]]:
    """(HS code, name, a complete 规格型号) for ``CODES`` codes spread over the catalogue."""
    with (DATA_DIR / CATALOGUES[0].file).open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    sample = []
    for row in rows[:: max(len(rows) // CODES, 1)][:CODES]:
        values = []
        for i, element in enumerate(parse_elements(row["declaration_elements"])):
            if element["table"] == "brand_type":
                values.append("0")
            elif element["table"] == "export_preference":
                values.append("3")
            else:
                values.append(f"{element['name'][:4]}{i}" if element["required"] else "")
        sample.append((row["hs_code"], row["name"][:40], "|".join(values)))
    return sample


def write_workbook(path: Path, rows: int) -> None:
    sample = catalogue_sample()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("审核数据")
    sheet.append(list(HEADERS.values()))
    start = date(2026, 1, 5)
    for n in range(rows):
        hs, name, spec = sample[n % len(sample)]
        sheet.append([
            f"0901{2026:04d}{n // 20:010d}", n % 20 + 1, start + timedelta(days=n % 300), "IE"[n % 2],
            "9998" if n % BAD_EVERY == 7 else "0110", "0901", "2", "3", hs, name, spec, credit(n % 997),
            f"报关行{n % 997}", credit(1000 + n % 5003), f"收发货人{n % 5003}", "CHN", "USA", 100 + n % 50, "011",
            12.5, "035", 356.8 + n % 100, "USD", "不规范" if n % 10 == 3 else "规范",
            "品牌应申报中文名称" if n % 10 == 3 else "",
        ])
    book.save(path)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def import_file(settings_url: object, path: Path, folder: Path) -> tuple[float, LibraryUpload]:
    ctx = ServiceContext(clock=lambda: NOW, tz=TZ)
    await load_library_reference(ctx)
    dalian = await CustomsOffice.create(code="0900", name="大连海关", short_name="大连海关", kind=OfficeKind.DIRECT,
                                        path="/0900/")
    await CustomsOffice.create(code="0901", name="大窑湾海关", short_name="大窑湾海关", kind=OfficeKind.SUBORDINATE,
                               parent=dalian, path="/0900/0901/")
    boss = await CustomsAccount.create(username="boss", name="科长", password_hash="-", office=dalian,
                                       role=CustomsRole.SUPERVISOR)
    stored = folder / "stored.xlsx"  # the upload's own copy (deleted once it is checked)
    shutil.copy(path, stored)
    upload = await LibraryUpload.create(kind=UploadKind.AUDITED, account=boss, office=dalian, filename=path.name,
                                        stored_path=stored.name, created_at=NOW)
    start = time.perf_counter()
    done = await run_upload(ctx, upload.id, folder, folder / "errors.xlsx")
    return time.perf_counter() - start, done


def calamine_alone(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    count = sum(1 for _ in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows())
    return time.perf_counter() - start, count - 1


def calamine_peak_mb(path: Path) -> float:
    """The peak resident memory of a fresh interpreter that only loads the sheet with python-calamine."""
    code = ("import resource, sys; from python_calamine import CalamineWorkbook; "
            "sum(1 for _ in CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).iter_rows()); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    found = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return int(found.stdout) / 1024


def stream_alone(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    count = sum(1 for _ in stream_sheet(str(path))[1])
    return time.perf_counter() - start, count - 1


def openpyxl_alone(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    book = load_workbook(path, read_only=True)
    count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return time.perf_counter() - start, count - 1


async def run(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="qingling_bench_library_"))
    path = work / "upload.xlsx"
    print(f"writing {args.rows:,} rows …", file=sys.stderr, flush=True)
    write_workbook(path, args.rows)
    admin, name, settings = await create_scratch(args.database_url)
    try:
        await migrate(settings)
        await open_database(settings)
        try:
            print("importing …", file=sys.stderr, flush=True)
            before_mb = peak_mb()
            ours_seconds, upload = await import_file(settings.url, path, work)
            ours_mb = peak_mb()
            stored = await LibraryRow.all().count()
        finally:
            await close_database()
    finally:
        await drop_scratch(admin, name)
    print("parsing alone …", file=sys.stderr, flush=True)
    calamine_seconds, calamine_rows = calamine_alone(path)
    openpyxl_seconds, openpyxl_rows = openpyxl_alone(path)
    stream_seconds, _ = stream_alone(path)
    calamine_mb = calamine_peak_mb(path)
    size_mb = path.stat().st_size / 2**20
    for file in work.iterdir():
        file.unlink()
    work.rmdir()

    if not calamine_rows == openpyxl_rows == upload.rows_total == args.rows:
        raise SystemExit(f"rows differ: calamine {calamine_rows}, openpyxl {openpyxl_rows}, upload {upload.rows_total}")
    ours = args.rows / ours_seconds
    calamine, openpyxl = args.rows / calamine_seconds, args.rows / openpyxl_seconds
    print(f"rows: {args.rows:,} × 25 columns; file {size_mb:.1f} MB; stored {stored:,}, "
          f"refused {upload.rows_rejected:,} ({upload.errors:,} errors in the annotated workbook)")
    print(f"run_upload (parse + check + store + annotate): {ours_seconds:.2f} s, {ours:,.0f} rows/s; "
          f"peak resident memory {ours_mb:.0f} MB (process before the import {before_mb:.0f} MB)")
    print(f"python-calamine alone: {calamine_seconds:.2f} s, {calamine:,.0f} rows/s; peak resident memory "
          f"{calamine_mb:.0f} MB in a bare interpreter (it holds the whole sheet: no streaming reader)")
    print(f"openpyxl read-only alone: {openpyxl_seconds:.2f} s, {openpyxl:,.0f} rows/s")
    print(f"our streaming reader alone (services.kit.xlsx_stream): {stream_seconds:.2f} s, "
          f"{args.rows / stream_seconds:,.0f} rows/s")
    print(f"against openpyxl: {ours / openpyxl:.2f}× (goal ≥ {GOAL_OPENPYXL}: "
          f"{'met' if ours / openpyxl >= GOAL_OPENPYXL else 'NOT met'}); memory goal < {GOAL_MB} MB: "
          f"{'met' if ours_mb < GOAL_MB else 'NOT met'}")
    print(f"goal (ratio ≥ {GOAL_CALAMINE} of calamine): {'met' if ours / calamine >= GOAL_CALAMINE else 'NOT met'}")
    print(f"ratio: {ours / calamine:.2f}")


def main() -> None:
    asyncio.run(run(parse_args()))


if __name__ == "__main__":
    main()
