"""Loading the library's reference data from ``data/``: the HS catalogue of each year (10-digit codes with their
ordered declaration elements) and the customs code tables.

Idempotent and set-based: each table is read once, the missing rows are inserted in batches and only the rows
whose values changed are updated, so a second run changes nothing (and takes one SELECT per table).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from core.config import PROJECT_ROOT
from models.library import CatalogueVersion, CodeItem, CodeTable, HsCode
from services.kit.context import ServiceContext

DATA_DIR = PROJECT_ROOT / "data"
BATCH = 2000
BRAND_TYPE = "brand_type"
EXPORT_PREFERENCE = "export_preference"
# 申报要素 whose values come from a code table: the table's item codes are the allowed values.
ENUMERATED_ELEMENTS = {"品牌类型": BRAND_TYPE, "出口享惠情况": EXPORT_PREFERENCE}
# 申报要素 that may be left empty: identifiers an item may not have, 其他, and those the catalogue says "如有"
OPTIONAL_ELEMENTS = frozenset({"GTIN", "CAS", "其他"})


@dataclass(frozen=True)
class CodeTableSource:
    code: str
    name: str
    file: str
    code_column: str
    name_column: str


@dataclass(frozen=True)
class CatalogueSource:
    code: str
    name: str
    effective_from: date
    file: str


CODE_TABLES = (
    CodeTableSource("trade_mode", "监管方式", "param_supervision_mode_codes_jianguanfangshi.csv", "监管方式代码",
                    "监管方式简称"),
    CodeTableSource("customs_office", "关区", "customs_offices.csv", "关区代码", "关区名称"),
    CodeTableSource("country", "国别（地区）", "param_country_region_codes_iso3.csv", "代码", "中文名称"),
    CodeTableSource("currency", "币制", "param_currency_codes_iso.csv", "代码", "中文名称"),
    CodeTableSource("unit", "计量单位", "param_unit_of_measure_codes.csv", "计量单位代码", "计量单位名称"),
    CodeTableSource("transport_mode", "运输方式", "param_transport_mode_codes.csv", "代码", "中文名称"),
    CodeTableSource("transaction_mode", "成交方式", "param_transaction_mode_codes_chengjiaofangshi.csv", "代码",
                    "中文名称"),
    CodeTableSource(BRAND_TYPE, "品牌类型", "param_brand_type_codes.csv", "代码", "中文名称"),
    # the declaration form's other code fields (issue 15)
    CodeTableSource("levy_nature", "征免性质", "param_levy_nature_codes_zhengmianxingzhi.csv", "征免性质代码",
                    "征免性质简称"),
    CodeTableSource("levy_mode", "征免方式", "param_levy_mode_codes_zhengmianfangshi.csv", "代码", "中文名称"),
    CodeTableSource("port", "港口", "param_port_codes.csv", "代码", "中文名称"),
    CodeTableSource("domestic_port", "国内口岸", "param_domestic_port_codes.csv", "代码", "中文名称"),
    CodeTableSource("domestic_area", "国内地区", "param_domestic_area_codes_5digit.csv", "国内地区代码",
                    "国内地区名称"),
    CodeTableSource("package_type", "包装种类", "param_package_type_codes.csv", "代码", "中文名称"),
    CodeTableSource("container_spec", "集装箱规格", "param_container_spec_codes.csv", "代码", "中文名称"),
    CodeTableSource("attached_document", "随附单证", "param_attached_document_codes.csv", "代码", "中文名称"),
    CodeTableSource(EXPORT_PREFERENCE, "出口享惠情况", "param_export_preference_codes.csv", "代码", "中文名称"),
)
CATALOGUES = (
    CatalogueSource("2026", "2026年进出口税则商品编码及申报要素", date(2026, 1, 1),
                    "hs10_cn_2026_declaration_elements.csv"),
)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class LibraryLoadReport:
    catalogues: int
    hs_codes: int
    code_tables: int
    code_items: int


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def parse_elements(text: str) -> list[dict[str, Any]]:
    """The catalogue's "1:品牌类型;2:出口享惠情况;…" as ordered elements ("无": none)."""
    elements = []
    for part in text.split(";"):
        number, _, name = part.partition(":")
        if not name:
            continue
        name = name.strip()
        elements.append({"name": name, "required": not (name in OPTIONAL_ELEMENTS or name.startswith("如有")),
                         "table": ENUMERATED_ELEMENTS.get(name)})
    return elements


def catalogue_rows(source: CatalogueSource, data_dir: Path = DATA_DIR) -> list[dict[str, Any]]:
    return [{"code": r["hs_code"].strip(), "name": r["name"].strip()[:255], "unit1": r["unit1"].strip(),
             "unit2": r["unit2"].strip(), "elements": parse_elements(r["declaration_elements"])}
            for r in read_csv(data_dir / source.file)]


def code_table_rows(source: CodeTableSource, data_dir: Path = DATA_DIR) -> list[dict[str, Any]]:
    rows = [{"code": r[source.code_column].strip(), "name": r[source.name_column].strip(), "sort": sort}
            for sort, r in enumerate(read_csv(data_dir / source.file), start=1)]
    return [row for row in rows if row["code"] and row["code"] != "0000"]  # 0000: 海关总署, not a 申报地海关


async def _sync(model: Any, owner: dict[str, int], rows: list[dict[str, Any]], step: Callable[[int], None],
                conn: Any) -> None:
    """Insert the missing rows and update the changed ones of one owner's (version's / table's) rows."""
    names = [key for key in rows[0] if key != "code"] if rows else []
    existing = {found["code"]: found for found in
                await model.filter(**owner).using_db(conn).values("id", "code", *names)}
    new, changed = [], []
    for row in rows:
        found = existing.get(row["code"])
        if found is None:
            new.append(model(**owner, **row))
        elif any(found[name] != row[name] for name in names):
            changed.append(model(id=found["id"], **owner, **row))
    for start in range(0, len(new), BATCH):
        await model.bulk_create(new[start:start + BATCH], using_db=conn)
        step(len(new[start:start + BATCH]))
    if changed:
        await model.bulk_update(changed, fields=names, batch_size=BATCH, using_db=conn)
    step(len(rows) - len(new))


async def load_library_reference(ctx: ServiceContext, data_dir: Path = DATA_DIR,
                                 progress: Progress = lambda done, total: None,
                                 extra: Sequence[CatalogueSource] = ()) -> LibraryLoadReport:
    """Load every code table and catalogue of ``data/`` (and the ``extra`` catalogues, e.g. next year's file given
    to ``qingling load-data --catalogue``: its ``file`` may be absolute) in one transaction; what the tables now
    hold. A version coming into effect makes the worker re-check the stored rows (``services.library.recheck``)."""
    tables = [(source, code_table_rows(source, data_dir)) for source in CODE_TABLES]
    catalogues = [(source, catalogue_rows(source, data_dir)) for source in (*CATALOGUES, *extra)]
    total = sum(len(rows) for _, rows in tables) + sum(len(rows) for _, rows in catalogues)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        progress(done, total)

    async with in_transaction() as conn:
        for table_source, rows in tables:
            table, _ = await CodeTable.get_or_create(code=table_source.code, defaults={"name": table_source.name},
                                                     using_db=conn)
            if table.name != table_source.name:
                await CodeTable.filter(id=table.id).using_db(conn).update(name=table_source.name)
            await _sync(CodeItem, {"table_id": table.id}, rows, step, conn)
        for catalogue_source, rows in catalogues:
            version = await CatalogueVersion.filter(code=catalogue_source.code).using_db(conn).first()
            if version is None:
                version = await CatalogueVersion.create(
                    code=catalogue_source.code, name=catalogue_source.name,
                    effective_from=catalogue_source.effective_from, source=catalogue_source.file,
                    loaded_at=ctx.now(), using_db=conn)
            await _sync(HsCode, {"version_id": version.id}, rows, step, conn)
        return LibraryLoadReport(
            catalogues=await CatalogueVersion.all().using_db(conn).count(),
            hs_codes=await HsCode.all().using_db(conn).count(),
            code_tables=await CodeTable.all().using_db(conn).count(),
            code_items=await CodeItem.all().using_db(conn).count())
