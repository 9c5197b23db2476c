"""Benchmark: printing a declaration as PDF (打印报关单), one and a hundred, against WeasyPrint's own floor, on
PostgreSQL.

    python bench/declaration_pdf.py [--items 5] [--iterations 30] [--batch 100]
                                    [--database-url postgres://postgres@127.0.0.1:5432/test]

Creates its own database ``qingling_bench_<pid>`` beside the given one (dropped at the end), migrates it, loads
the reference data, gives the admin who prints a 报关员章 and the enterprise a seal (PNGs in a temporary file
storage), and stores ``--batch`` declarations of ``--items`` goods items. Measured, one after another as one
process serves them:

  (a) ``print_declaration`` of one declaration — access, reading the declaration, its code names, the stamp and
      the seal, the HTML, WeasyPrint's PDF (fonts subset and embedded, two images), the audit row:
      p50 / p95 over ``--iterations``; target p95 < 500 ms;
  (b) the ``--batch`` declarations printed one after another: target < 30 s for 100;
  (c) baselines in the same run: WeasyPrint rendering a one-line Chinese HTML (its fixed cost per document), and
      the same declaration's HTML rendered to PDF without the service around it (the layout's own cost).

Wall-clock times count against the targets; the process's CPU time is printed beside them (and the load average),
since on a shared 2-core machine the wall clock also measures the neighbours. The last line is ``ratio: X.XX`` =
the worse of target / measured (wall clock) over (a) and (b) (≥ 1: both targets met).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere: python bench/declaration_pdf.py

from declaration_world import bench_member, export_form  # noqa: E402 (bench/ is the script's folder)
from PIL import Image, ImageDraw  # noqa: E402
from scratch_database import create_scratch, drop_scratch, migrate  # noqa: E402

from adapters.file_storage import FileStorage  # noqa: E402
from adapters.pdf import render_pdf  # noqa: E402
from core.db import close_database, open_database  # noqa: E402
from models.declarations import DeclarationKind  # noqa: E402
from services.declarations.entry import create_draft  # noqa: E402
from services.declarations.printing import PrintDocument, print_declaration, read_sheet, render_html  # noqa: E402
from services.kit.context import ServiceContext  # noqa: E402
from services.kit.images import check_image  # noqa: E402
from services.library.reference import load_library_reference  # noqa: E402
from services.personal.profile import set_image as set_stamp  # noqa: E402
from services.workspace.company import set_image as set_seal  # noqa: E402
from services.workspace.roles import Member  # noqa: E402

TARGET_ONE_MS, TARGET_BATCH_S = 500.0, 30.0
LOAD = os.getloadavg()
ONE_LINE = '<p style="font-family: \'WenQuanYi Micro Hei\'">中华人民共和国海关出口货物报关单</p>'
D = PrintDocument.DECLARATION


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=5, help="goods items of each declaration")
    parser.add_argument("--iterations", type=int, default=30, help="timed prints of one declaration")
    parser.add_argument("--batch", type=int, default=100, help="declarations printed one after another")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/test",
                        help="any database on the PostgreSQL server; the bench creates its own beside it")
    args = parser.parse_args()
    if not 1 <= args.items <= 999 or args.iterations < 2 or args.batch < 1:
        parser.error("--items 1–999, --iterations ≥ 2, --batch ≥ 1")
    return args


def stamp_png(size: int) -> bytes:
    picture = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(picture).ellipse((8, 8, size - 8, size - 8), outline=(200, 20, 20, 255), width=10)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def timed(samples: list[float]) -> str:
    return f"p50 {statistics.median(samples):6.1f} ms | p95 {statistics.quantiles(samples, n=20)[18]:6.1f} ms"


async def measure(ctx: ServiceContext, member: Member, storage: FileStorage, args: argparse.Namespace) -> float:
    await set_stamp(ctx, storage, member, "stamp", check_image(stamp_png(240), "章.png", max_bytes=1 << 20))
    await set_seal(ctx, storage, member, "seal", check_image(stamp_png(300), "印章.png", max_bytes=1 << 20))
    form = export_form(args.items)
    ids = [(await create_draft(ctx, member, DeclarationKind.EXPORT, form)).id for _ in range(args.batch)]
    for _ in range(3):  # warm-up: fonts loaded, templates compiled
        await print_declaration(ctx, member, storage, ids[0], D)

    one, cpu = [], []
    for _ in range(args.iterations):
        start, start_cpu = time.perf_counter(), time.process_time()
        printed = await print_declaration(ctx, member, storage, ids[0], D)
        one.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    start, start_cpu = time.perf_counter(), time.process_time()
    for declaration_id in ids:
        await print_declaration(ctx, member, storage, declaration_id, D)
    batch, batch_cpu = time.perf_counter() - start, time.process_time() - start_cpu

    html = render_html(await read_sheet(ctx, member, storage, ids[0], D), D)
    layout, floor = [], []
    for _ in range(args.iterations):
        start = time.perf_counter()
        render_pdf(html)
        layout.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        render_pdf(ONE_LINE)
        floor.append((time.perf_counter() - start) * 1000)

    print(f"load average before: {LOAD[0]:.1f} (2 cores: above 2, wall times stretch; CPU times do not)")
    print(f"one declaration ({args.items} items, {len(printed.data) / 1024:.0f} KB PDF): {timed(one)} "
          f"| CPU of this process {timed(cpu)}")
    print(f"{args.batch} declarations one after another: {batch:.1f} s ({batch / args.batch * 1000:.0f} ms each) "
          f"| CPU {batch_cpu:.1f} s")
    print(f"baseline, its HTML → PDF alone (WeasyPrint):      {timed(layout)}")
    print(f"baseline, a one-line Chinese HTML → PDF:          {timed(floor)}")
    print(f"the service around the rendering: {statistics.median(one) - statistics.median(layout):.1f} ms at p50; "
          f"print / one-line floor at p50: {statistics.median(one) / statistics.median(floor):.1f}×")
    ratios = {"one p95 < 500 ms": TARGET_ONE_MS / statistics.quantiles(one, n=20)[18],
              f"{args.batch} < {TARGET_BATCH_S * args.batch / 100:.0f} s": TARGET_BATCH_S * args.batch / 100 / batch}
    for label, ratio in ratios.items():
        print(f"target {label:<18}: {'met' if ratio >= 1 else 'MISSED'} (ratio {ratio:.2f})")
    return min(ratios.values())


async def run(args: argparse.Namespace) -> None:
    admin, name, settings = await create_scratch(args.database_url)
    ctx = ServiceContext()
    try:
        await migrate(settings)
        await open_database(settings)
        try:
            await load_library_reference(ctx)
            with tempfile.TemporaryDirectory() as folder:
                ratio = await measure(ctx, await bench_member(ctx), FileStorage(Path(folder)), args)
        finally:
            await close_database()
    finally:
        await drop_scratch(admin, name)
    print(f"ratio: {ratio:.2f}")


if __name__ == "__main__":
    asyncio.run(run(parse_args()))
