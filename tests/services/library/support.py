"""Literal library test data: a small catalogue (a few real 2026 HS codes) with the real code tables, loaded by
the real loader, and upload workbooks built from rows that differ from a good row only where a test says."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from models.library import LibraryUpload, UploadKind
from services.jobs.worker import JobRunner, run_due
from services.kit.actors import CustomsActor
from services.kit.context import ServiceContext
from services.library.columns import HEADERS
from services.library.reference import CATALOGUES, CODE_TABLES, DATA_DIR, load_library_reference
from services.library.uploads import start_upload
from tests.factories import World, credit_code

HS_CODES = ("8482102000", "8482101010", "0101210010", "9403609990")
DECLARANT = credit_code("91210200MA0XY3128")  # 申报单位
CONSIGNEE = credit_code("91210242679978240")  # 收发货人: the world's acme
SPEC = "0|3|深沟球|SKF|6205-2RS|||"  # 品牌类型|出口享惠情况|结构类型|品牌|型号|GTIN|CAS|其他


def small_data_dir(folder: Path) -> Path:
    """``data/`` with the real code tables and the catalogue cut to ``HS_CODES``."""
    for table in CODE_TABLES:
        shutil.copy(DATA_DIR / table.file, folder / table.file)
    for catalogue in CATALOGUES:
        with (DATA_DIR / catalogue.file).open(encoding="utf-8") as src, \
                (folder / catalogue.file).open("w", encoding="utf-8", newline="") as dst:
            reader = csv.reader(src)
            writer = csv.writer(dst)
            writer.writerow(next(reader))
            writer.writerows(r for r in reader if r[0] in HS_CODES)
    return folder


async def load_small_reference(folder: Path) -> None:
    await load_library_reference(ServiceContext(), small_data_dir(folder))


def good_row(n: int = 1, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "entry_number": f"0901202600{n:08d}", "item_number": 1, "declared_on": date(2026, 3, 2),
        "ie_flag": "E", "trade_mode": "0110", "customs_office": "0901", "transport_mode": "2",
        "transaction_mode": "3", "hs_code": "8482102000", "goods_name": "深沟球轴承", "model_spec": SPEC,
        "declarant_code": DECLARANT, "declarant_name": "大连报关行有限公司", "consignee_code": CONSIGNEE,
        "consignee_name": "大连示例进出口有限公司", "origin_country": "CHN", "destination_country": "USA",
        "quantity": 100, "unit": "011", "legal_quantity": 12.5, "legal_unit": "035", "total_price": 356.8,
        "currency": "USD", "conclusion": "规范", "remarks": "",
    }
    row.update(changes)
    return row


def workbook(rows: list[dict[str, Any]], headers: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    keys = list(HEADERS)
    sheet.append([HEADERS[k] for k in keys] if headers is None else headers)
    for row in rows:
        sheet.append([row.get(k) for k in keys])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def upload(world: World, tmp_path: Path, rows: list[dict[str, Any]], kind: UploadKind = UploadKind.AUDITED,
                 actor: CustomsActor | None = None) -> LibraryUpload:
    ctx = ServiceContext()
    found = await start_upload(ctx, actor or world.supervisor, kind, "审核数据.xlsx", workbook(rows),
                               tmp_path / "exports")
    await run_due(JobRunner(ctx, tmp_path / "exports", lease_seconds=30))
    return await LibraryUpload.get(id=found.id)
