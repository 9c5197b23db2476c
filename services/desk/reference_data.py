"""Loading the reference data in ``data/`` (customs offices, departments, question types, categories, the
workspace's permission tree).

Idempotent: rows are matched by code, created when missing and updated when changed.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from tortoise.transactions import in_transaction

from core.config import PROJECT_ROOT
from models.catalog import BusinessCategory, QuestionType
from models.offices import CustomsOffice, OfficeKind
from services.workspace.tree import load_permission_nodes, read_tree

DATA_DIR = PROJECT_ROOT / "data"
HEADQUARTERS = "0000"  # 海关总署 / 全部关区: not an office that handles questions


@dataclass(frozen=True)
class OfficeRow:
    code: str
    name: str
    short_name: str
    kind: OfficeKind
    parent_code: str | None


@dataclass(frozen=True)
class LoadReport:
    offices: int
    question_types: int
    business_categories: int
    permissions: int = 0


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def office_rows(data_dir: Path = DATA_DIR) -> list[OfficeRow]:
    """Offices parents first: 直属海关, then 隶属海关, then 部门."""
    rows = []
    for r in read_csv(data_dir / "customs_offices.csv"):
        code, direct = r["关区代码"].strip(), r["直属海关代码(推导)"].strip()
        if code == HEADQUARTERS:
            continue
        kind = OfficeKind.DIRECT if code == direct else OfficeKind.SUBORDINATE
        rows.append(OfficeRow(code, r["关区名称"].strip(), r["关区简称"].strip(), kind,
                              None if kind is OfficeKind.DIRECT else direct))
    for r in read_csv(data_dir / "customs_departments.csv"):
        rows.append(OfficeRow(r["code"], r["name"], r["name"], OfficeKind.DEPARTMENT, r["parent_code"]))
    order = list(OfficeKind)
    return sorted(rows, key=lambda row: order.index(row.kind))


async def load_offices(rows: Iterable[OfficeRow], accepting_codes: Iterable[str],
                       progress: Callable[[int], None] = lambda n: None) -> int:
    accepting = set(accepting_codes)
    async with in_transaction() as conn:
        existing = {o.code: o for o in await CustomsOffice.all().using_db(conn)}
        for row in rows:
            parent = existing.get(row.parent_code) if row.parent_code else None
            if row.parent_code and parent is None:
                raise ValueError(f"关区 {row.code} 的上级 {row.parent_code} 不存在")
            values = dict(name=row.name, short_name=row.short_name, kind=row.kind,
                          parent_id=parent.id if parent else None,
                          path=f"{parent.path if parent else '/'}{row.code}/",
                          accepts_questions=row.code in accepting)
            office = existing.get(row.code)
            if office is None:
                existing[row.code] = await CustomsOffice.create(code=row.code, using_db=conn, **values)
            elif any(getattr(office, k) != v for k, v in values.items()):
                office.update_from_dict(values)
                await office.save(using_db=conn)
            progress(1)
    return len(existing)


async def load_catalog(model: type[QuestionType] | type[BusinessCategory], path: Path) -> int:
    rows = read_csv(path)
    async with in_transaction() as conn:
        existing = {item.code: item for item in await model.all().using_db(conn)}
        for r in rows:
            values = {"name": r["name"], "sort": int(r["sort"])}
            item = existing.get(r["code"])
            if item is None:  # new entries start active; deactivating one is an admin's choice, kept on reloads
                await model.create(code=r["code"], active=True, using_db=conn, **values)
            elif any(getattr(item, k) != v for k, v in values.items()):
                item.update_from_dict(values)
                await item.save(using_db=conn)
    return len(rows)


async def load_reference_data(accepting_codes: Iterable[str], data_dir: Path = DATA_DIR,
                              progress: Callable[[int, int], None] = lambda done, total: None) -> LoadReport:
    rows = office_rows(data_dir)
    tree = read_tree(data_dir / "permissions.yaml")
    total = len(rows) + sum(1 for _ in tree.walk())
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        progress(done, total)

    accepting = list(accepting_codes)
    known = {row.code for row in rows}
    missing = [code for code in accepting if code not in known]
    if missing:
        raise ValueError(f"配置的受理单位代码不存在：{', '.join(missing)}")
    return LoadReport(
        offices=await load_offices(rows, accepting, step),
        question_types=await load_catalog(QuestionType, data_dir / "question_types.csv"),
        business_categories=await load_catalog(BusinessCategory, data_dir / "business_categories.csv"),
        permissions=await load_permission_nodes(tree, step),
    )
