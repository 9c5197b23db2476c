"""打印报关单 / 打印通知书: the PDFs read back — the official form's boxes and the declaration's values in Chinese,
the CJK font embedded, the printing person's stamp and the enterprise seal drawn (a small note instead when
either is missing) — each print audited; the release notice only once released; the enterprise, the data scope
and ``query:print`` enforced."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.file_storage import FileStorage
from models.audit import AuditEntry
from models.declaration_lifecycle import DeclarationAction
from models.declarations import DeclarationKind
from models.errors import Conflict, Forbidden, NotFound
from models.workspace import DataScope
from services.declarations.entry import (
    approve_declaration,
    create_draft,
    declare_declaration,
    record_receipt,
    submit_declaration,
)
from services.declarations.fields import DeclarationForm
from services.declarations.printing import PrintDocument, print_declaration
from services.kit.context import ServiceContext
from services.kit.images import check_image
from services.personal.profile import set_image as set_personal_image
from services.workspace.company import COMPANY_EDIT
from services.workspace.company import set_image as set_company_image
from tests.factories import World
from tests.services.declarations.print_support import CJK_FONT, read_pdf, round_stamp
from tests.services.declarations.support import ENTRY, REVIEW, good_form, good_head, good_item, member_of
from tests.services.library.support import load_small_reference

CTX = ServiceContext()
PRINT = "query:print"
D, N = PrintDocument.DECLARATION, PrintDocument.NOTICE
# the boxes of the official export form, in its order
OFFICIAL_BOXES = ["中华人民共和国海关出口货物报关单", "预录入编号", "海关编号", "境内发货人", "出境关别", "出口日期",
                  "申报日期", "备案号", "境外收货人", "运输方式", "运输工具名称及航次号", "提运单号", "生产销售单位",
                  "监管方式", "征免性质", "许可证号", "合同协议号", "贸易国（地区）", "运抵国（地区）", "指运港",
                  "离境口岸", "包装种类", "件数", "毛重（千克）", "净重（千克）", "成交方式", "运费", "保费", "杂费",
                  "随附单证及编号", "标记唛码及备注", "项号", "商品编号", "商品名称及规格型号", "数量及单位",
                  "单价/总价/币制", "原产国（地区）", "最终目的国（地区）", "境内货源地", "征免", "特殊关系确认",
                  "价格影响确认", "支付特许权使用费确认", "自报自缴", "报关人员", "兹申明对以上内容承担如实申报",
                  "海关批注及签章", "申报单位"]


@pytest.fixture
async def reference(db: object, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


@pytest.fixture
def storage(tmp_path: Path) -> FileStorage:
    return FileStorage(tmp_path / "files")


def flat(text: str) -> str:
    return "".join(text.split())


def a_cif_form() -> DeclarationForm:
    head = good_head(trans_mode="1", fee_mark="3", fee_rate="1200", fee_curr="USD", insur_mark="1", insur_rate="0.3",
                     note_s="随附装箱单", mark_no="N/M")
    second = good_item(goods_name="圆锥滚子轴承", elements=["0", "3", "圆锥滚子", "NSK", "30205", "", "", ""],
                       quantity="50", legal_quantity="50", total="178.4")
    return good_form(head, [good_item(), second],
                     containers=[{"container_no": "TGHU8491952", "spec": "22", "goods_numbers": "1,2"}],
                     documents=[{"code": "1", "number": "INV-2026-001"}])


async def test_the_declaration_prints_like_the_official_form(world: World, reference: None,
                                                            storage: FileStorage) -> None:
    preparer = await member_of(world, world.staff.person_id, ENTRY, PRINT)
    admin = await member_of(world, world.admin.person_id, COMPANY_EDIT)
    await set_personal_image(CTX, storage, preparer, "stamp", check_image(round_stamp(), "章.png", max_bytes=1 << 20))
    await set_company_image(CTX, storage, admin, "seal", check_image(round_stamp(300), "印章.png", max_bytes=1 << 20))
    made = await create_draft(CTX, preparer, DeclarationKind.EXPORT, a_cif_form())

    printed = await print_declaration(CTX, preparer, storage, made.id, D)

    pdf = read_pdf(printed.data)
    text = flat(pdf.text)
    positions = [text.find(flat(box)) for box in OFFICIAL_BOXES]
    assert -1 not in positions, [box for box, at in zip(OFFICIAL_BOXES, positions, strict=True) if at < 0]
    assert positions[:8] == sorted(positions[:8])  # the first line of boxes in the official order
    for value in ("大连示例进出口有限公司", "ACMEBEARINGSINC.", "一般贸易(0110)", "COSU6321457890", "深沟球轴承",
                  "0|3|深沟球|SKF|6205-2RS|||", "圆锥滚子轴承", "USD/1200/3", "0.3/1", "CIF(1)", "TGHU8491952(22)",
                  "随附装箱单", "INV-2026-001", "关务丁", "13900000004"):
        assert flat(value) in text, value
    cjk = {name: files for name, files in pdf.fonts.items() if CJK_FONT in name}
    assert cjk and all(files & {"/FontFile2", "/FontFile3"} for files in cjk.values()), pdf.fonts
    assert pdf.images == 2 and printed.stamped and printed.sealed  # the stamp's watermark and the seal
    assert "未上传" not in text
    assert printed.filename == f"报关单-{made.number}.pdf"
    entry = await AuditEntry.get(action="declaration.print")
    assert (entry.object_type, entry.object_id, entry.actor_id) == ("declaration", str(made.id),
                                                                     world.staff.person_id)
    assert entry.detail["stamp"] is True and entry.detail["seal"] is True and entry.detail["document"] == "报关单"


async def test_without_stamp_or_seal_it_still_prints_and_says_so(world: World, reference: None,
                                                                 storage: FileStorage) -> None:
    preparer = await member_of(world, world.staff.person_id, ENTRY, PRINT)
    made = await create_draft(CTX, preparer, DeclarationKind.EXPORT_RECORD, good_form())

    printed = await print_declaration(CTX, preparer, storage, made.id, D)

    pdf = read_pdf(printed.data)
    text = flat(pdf.text)
    assert "中华人民共和国海关出境货物备案清单" in text
    assert "关务丁未上传报关员章" in text and "企业未上传印章" in text
    assert pdf.images == 0 and not printed.stamped and not printed.sealed
    assert (await AuditEntry.get(action="declaration.print")).detail["stamp"] is False


async def test_many_items_run_over_pages_with_the_goods_header_repeated(world: World, reference: None,
                                                                         storage: FileStorage) -> None:
    preparer = await member_of(world, world.staff.person_id, ENTRY, PRINT)
    items = [good_item(goods_name=f"深沟球轴承{n:02d}") for n in range(1, 31)]
    made = await create_draft(CTX, preparer, DeclarationKind.EXPORT, good_form(items=items))

    pdf = read_pdf((await print_declaration(CTX, preparer, storage, made.id, D)).data)

    with_goods = [flat(text) for text in pdf.page_texts if "深沟球轴承" in text]
    assert len(with_goods) >= 2 and all("商品名称及规格型号" in text for text in with_goods)
    assert "申报单位（签章）" in flat(pdf.page_texts[-1])
    assert "深沟球轴承01" in pdf.text and "深沟球轴承30" in pdf.text


async def test_the_release_notice_only_once_released(world: World, reference: None, storage: FileStorage) -> None:
    preparer = await member_of(world, world.staff.person_id, ENTRY, PRINT)
    reviewer = await member_of(world, world.executive.person_id, REVIEW)
    made = await create_draft(CTX, preparer, DeclarationKind.EXPORT, good_form())
    await submit_declaration(CTX, preparer, made.id, 1)
    await approve_declaration(CTX, reviewer, made.id)
    await declare_declaration(CTX, preparer, made.id)
    with pytest.raises(Conflict, match="尚未放行"):
        await print_declaration(CTX, preparer, storage, made.id, N)
    await record_receipt(CTX, world.acme.id, made.id, DeclarationAction.RECEIPT_ENTERED)
    await record_receipt(CTX, world.acme.id, made.id, DeclarationAction.RECEIPT_RELEASED)

    printed = await print_declaration(CTX, preparer, storage, made.id, N)

    text = flat(read_pdf(printed.data).text)
    today = CTX.now().astimezone(CTX.tz).date().isoformat()
    for value in ("中华人民共和国大连海关", "出口货物放行通知书", "海关已审结放行", "COSU6321457890", "深沟球轴承",
                  f"放行日期{today}", "申报单位（签章）", "海关（签章）"):
        assert flat(value) in text, value
    assert (await AuditEntry.get(action="declaration.print_notice")).detail["document"] == "放行通知书"
    assert printed.filename.startswith("放行通知书-")


async def test_the_enterprise_the_data_scope_and_the_permission(world: World, reference: None,
                                                               storage: FileStorage) -> None:
    mine = await create_draft(CTX, await member_of(world, world.staff.person_id), DeclarationKind.EXPORT, good_form())
    theirs = await create_draft(CTX, await member_of(world, world.staff2.person_id), DeclarationKind.EXPORT,
                                good_form())
    self_only = await member_of(world, world.staff.person_id, PRINT, scope=DataScope.SELF)
    outsider = await member_of(world, world.solo_staff.person_id, PRINT, enterprise_id=world.solo.id)
    no_print = await member_of(world, world.staff.person_id, ENTRY)

    assert read_pdf((await print_declaration(CTX, self_only, storage, mine.id, D)).data).pages == 1
    with pytest.raises(NotFound):
        await print_declaration(CTX, self_only, storage, theirs.id, D)
    with pytest.raises(NotFound):
        await print_declaration(CTX, outsider, storage, mine.id, D)
    with pytest.raises(Forbidden):
        await print_declaration(CTX, no_print, storage, mine.id, D)
    assert await AuditEntry.filter(action="declaration.print").count() == 1
