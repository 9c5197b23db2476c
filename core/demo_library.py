"""Demo data of the declaration-standard library: a declared-history upload and an audited upload of a few hundred
rows where the demo enterprise is 收发货人 (and on some rows 申报单位), run through the real upload use case, so
the upload list, the error workbook and the enterprise's library have something to show. The audited upload also
carries 规范 rows of three other enterprises for every demo HS code, so the public library (at least three
enterprises per code) shows them; the legal person has authorised every member of the demo enterprise.

The message centre has the library's two messages: the monthly summary of the last month customs reviewed the
demo enterprise's rows, and a catalogue amendment (a demo version in effect from the seeding day, two demo HS
codes gaining an optional element) the stored rows were re-checked against — both by the real use cases."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

from models.cards import ModuleAuthorisation
from models.customs_accounts import CustomsAccount
from models.enterprises import MemberRole, Membership
from models.identifiers import credit_code_check_char
from models.library import HsCode, LibraryRow, LibrarySource, LibraryUpload, UploadKind
from services.kit.actors import CustomsActor
from services.kit.context import ServiceContext
from services.library.columns import HEADERS
from services.library.enterprise import MODULE
from services.library.monthly import send_monthly_summaries
from services.library.recheck import recheck_library
from services.library.reference import CATALOGUES, DATA_DIR, CatalogueSource, load_library_reference
from services.library.uploads import run_upload, start_upload

GOODS = (  # HS code, 品名, what to declare for the elements the catalogue names (by a word of the name)
    ("8482102000", "深沟球轴承", {"结构": "深沟球", "品牌": "SKF", "型号": "6205-2RS"}),
    ("3926909090", "塑料垫片", {"用途": "机械密封用", "材质": "聚乙烯", "品牌": "无品牌", "型号": "PE-30"}),
    ("8413709990", "离心泵", {"驱动": "电动", "原理": "离心式", "转速": "2900转/分", "用途": "工业供水",
                              "品牌": "GRUNDFOS", "型号": "CR10-4"}),
    ("8501109990", "微电机", {"用途": "电动工具用", "功率": "30W", "机座": "42mm", "品牌": "MABUCHI",
                              "型号": "RS-555"}),
    ("7318159090", "螺栓", {"材质": "碳钢", "规格": "M12×50", "品牌": "无品牌", "型号": "DIN933"}),
)
ROWS = 240  # declared history; customs audited every other one of the first 160
OTHERS = (("91210200MA0DEM002", "大连北方机电有限公司"), ("91210200MA0DEM003", "营口港湾贸易有限公司"),
          ("91210200MA0DEM004", "沈阳精工进出口有限公司"))  # the public library's other declarants
AMENDED = ("8482102000", "8413709990")  # the demo catalogue amendment's codes
AMENDMENT_ELEMENT = "如有请注明系列号"  # optional ("如有"): the stored rows stay valid


def _credit(body: str) -> str:
    return body + credit_code_check_char(body)


async def _spec(code: str, values: dict[str, str], brand: str) -> str:
    hs = await HsCode.get(code=code)
    parts = []
    for element in hs.elements:
        name = element["name"]
        if element["table"] == "brand_type":
            parts.append(brand)
        elif element["table"] == "export_preference":
            parts.append("3")
        else:
            parts.append(next((v for k, v in values.items() if k in name), "见合同" if element["required"] else ""))
    return "|".join(parts)


async def _workbook(path: Path, credit_code: str, name: str, audited: bool) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(HEADERS.values()))
    broker = _credit("91210200MA0DEM001")
    start = date.today() - timedelta(days=360)
    for n in range(160 if audited else ROWS):
        if audited and n % 2:
            continue
        code, goods, values = GOODS[n % len(GOODS)]
        spec = await _spec(code, values, "4" if n % 3 else "0")
        nonstandard = audited and n % 10 == 4
        if nonstandard:  # a vague model: customs marks it 不规范
            spec = spec.replace(values.get("型号", "见合同"), "通用", 1)
        declarant, declarant_name = (credit_code, name) if n % 4 == 0 else (broker, "大连演示报关行有限公司")
        sheet.append([
            f"0901{start.year}1{n // 3:09d}", n % 3 + 1, start + timedelta(days=n), "IE"[n % 2], "0110", "0901",
            "2", "3", code, goods, spec, declarant, declarant_name, credit_code, name, "CHN" if n % 2 else "JPN",
            "USA" if n % 2 else "CHN", 10 + n, "011", 1.5 * (n + 1), "035", 100.0 + n, "USD",
            ("不规范" if nonstandard else "规范") if audited else None,
            "规格型号未申报型号，应按实际型号申报" if nonstandard else None])
    if audited:
        for k, (body, other) in enumerate(OTHERS):
            for g, (code, goods, values) in enumerate(GOODS):
                spec = await _spec(code, values, "4")
                sheet.append([f"0901{start.year}2{k * 100 + g:09d}", 1, start + timedelta(days=30 + g), "E", "0110",
                              "0901", "2", "3", code, goods, spec, broker, "大连演示报关行有限公司", _credit(body),
                              other, "CHN", "USA", 10, "011", 1.5, "035", 100.0, "USD", "规范", None])
    if audited:  # two rows customs typed wrongly: they come back in the error workbook
        sheet.append(["09012026", 1, start, "I", "0110", "0901", "2", "3", "8482102000", "深沟球轴承", "0|3",
                      broker, "大连演示报关行有限公司", credit_code, name, "JPN", "CHN", 1, "011", 1, "035", 1, "USD",
                      "规范", None])
        sheet.append([f"0901{start.year}1999999999", 1, start, "I", "0110", "0901", "2", "3", "8482109999",
                      "轴承", "0|3", broker, "大连演示报关行有限公司", credit_code, name, "JPN", "CHN", 1, "011", 1,
                      "035", 1, "USD", "好", None])
    book.save(path)


async def seed_library(ctx: ServiceContext, folder: Path, credit_code: str, name: str) -> None:
    """Upload the demo enterprise's declared history, then customs' audit of part of it (once)."""
    if await LibraryUpload.exists():
        return
    supervisor = await CustomsAccount.get(username="demo_supervisor")
    folder.mkdir(parents=True, exist_ok=True)
    for kind, filename in ((UploadKind.DECLARED, "演示申报数据.xlsx"), (UploadKind.AUDITED, "演示审核数据.xlsx")):
        path = folder / f"demo-{kind.value}.xlsx"
        await _workbook(path, credit_code, name, kind is UploadKind.AUDITED)
        upload = await start_upload(ctx, CustomsActor(supervisor.id), kind, filename, path.read_bytes(), folder)
        await run_upload(ctx, upload.id, folder, folder / f"demo-{kind.value}-errors.xlsx")
        path.unlink()
    await _authorise_everyone(ctx, credit_code)
    await _monthly_summary(ctx, credit_code)
    await _catalogue_amendment(ctx, folder)


async def _monthly_summary(ctx: ServiceContext, credit_code: str) -> None:
    """The summary of the last month with audited rows of the enterprise (the demo's rows are months old)."""
    last = await LibraryRow.filter(source=LibrarySource.AUDITED, consignee_code=credit_code) \
        .order_by("-declared_on").first()
    if last is not None:
        await send_monthly_summaries(ctx, last.declared_on.replace(day=1))


async def _catalogue_amendment(ctx: ServiceContext, folder: Path) -> None:
    """A demo catalogue version in effect from today: this year's catalogue with ``AMENDED`` gaining an optional
    element; loaded and re-checked as `qingling load-data --catalogue` does, so the enterprise is told."""
    today = ctx.now().astimezone(ctx.tz).date()
    path = (folder / "demo-catalogue.csv").resolve()  # the loader reads a relative file from data/
    with (DATA_DIR / CATALOGUES[0].file).open(encoding="utf-8") as src, path.open("w", encoding="utf-8",
                                                                                  newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=list(reader.fieldnames or ()))
        writer.writeheader()
        for row in reader:
            if row["hs_code"] in AMENDED:
                count = row["declaration_elements"].count(";") + 1
                row["declaration_elements"] += f";{count + 1}:{AMENDMENT_ELEMENT}"
            writer.writerow(row)
    source = CatalogueSource(f"{today:%Y-%m}", f"{today.year}年{today.month}月修订（演示）", today, str(path))
    try:
        await load_library_reference(ctx, extra=(source,))
    finally:
        path.unlink()
    await recheck_library(ctx)


async def _authorise_everyone(ctx: ServiceContext, credit_code: str) -> None:
    """The legal person's card authorisation of every member for the library (as the card flow stores it)."""
    members = await Membership.filter(enterprise__credit_code=credit_code, active=True).select_related("person")
    admin = next(m for m in members if m.role is MemberRole.ADMIN)
    for member in members:
        await ModuleAuthorisation.create(enterprise_id=member.enterprise_id, person_id=member.person_id,
                                         module=MODULE, legal_person_name=admin.person.name, card_no="DEMO-LP-0001",
                                         card_fingerprint="0" * 64, granted_by_id=admin.person_id,
                                         granted_at=ctx.now())
