"""Demo declarations (issue 15): the demo enterprise's preparer 张关务 with declarations in several states — a draft
still incomplete, one waiting for review, one returned by the reviewer 王管理 with two fields marked red (审单), one
waiting for review with some fields already marked green, one approved and waiting to be
declared (申报 on the 报关数据查询 page), one released through receipts and one deleted by customs (删单, which
registers its exception by itself), one inspected (查验) and one rejected (退单) — and a few exceptions registered by
hand (报关单异常 and 核注清单异常), so 异常处理 and its 报关差错率 show something. All made through the services, so the
timeline, messages and exceptions are real; the 报关数据查询 page lists them all. 申报 goes to the single-window
simulator (in-process here: the site is not serving yet; its history is the same one the site's simulator serves),
and a completed 按天同步 of declarations and of bonded lists fills the 数据同步 page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from core.cache import MemoryCache
from models.declaration_exceptions import ExceptionKind
from models.declaration_lifecycle import DeclarationAction
from models.declaration_sync import SyncKind, SyncRun
from models.declarations import Declaration, DeclarationKind, MarkState
from models.enterprises import Enterprise, MemberRole, Membership
from services.declarations import entry as E
from services.declarations import exceptions as X
from services.declarations.exception_form import check_exception
from services.declarations.fields import DeclarationForm, parse_form
from services.declarations.marks import set_mark
from services.declarations.review import send_back
from services.declarations.single_window import installed_single_window, use_single_window
from services.declarations.sync import execute_run
from services.kit.context import ServiceContext
from services.workspace.permissions import decide
from services.workspace.roles import Member
from simulators.single_window.local import LocalSingleWindow


def _form(credit_code: str, name: str, bill_no: str, model: str, quantity: int, price: str) -> DeclarationForm:
    head: dict[str, Any] = {
        "declare_office": "0900", "ie_port": "0901", "trade_mode": "0110", "bill_no": bill_no,
        "trade_code": credit_code, "trade_name": name, "overseas_consignee": "ACME BEARINGS INC.",
        "owner_name": name, "contract_no": f"DL2026-{bill_no[-4:]}", "traf_mode": "2",
        "traf_name": "COSCO TAICANG/061E", "trade_country": "USA", "destination_country": "USA",
        "distinate_port": "USA000", "desp_port": "210101", "wrap_type": "22", "pack_no": "10",
        "gross_weight": "130", "net_weight": "125.5", "trans_mode": "3",
    }
    total = Decimal(price) * quantity
    item = {"hs_code": "8482102000", "goods_name": "深沟球轴承",
            "elements": ["0", "3", "深沟球", "SKF", model, "", "", ""], "quantity": quantity, "unit": "006",
            "legal_quantity": quantity, "legal_unit": "006",
            "second_quantity": "12.5", "second_unit": "035", "price": price, "total": str(total), "currency": "USD",
            "origin_country": "CHN", "destination_country": "USA", "district_code": "21022", "duty_mode": "1"}
    return parse_form(head, {"items": [item], "containers": [{"container_no": "TGHU8491952", "spec": "22",
                                                                "goods_numbers": "1"}]})


async def _member(ctx: ServiceContext, enterprise: Enterprise, role: MemberRole) -> Member:
    membership = await Membership.get(enterprise=enterprise, role=role).select_related("person", "enterprise")
    return Member(membership, await decide(ctx, MemoryCache(), membership))


async def seed_declarations(ctx: ServiceContext, credit_code: str) -> None:
    enterprise = await Enterprise.get(credit_code=credit_code)
    if await Declaration.filter(enterprise_id=enterprise.id).exists():
        return
    installed = installed_single_window()
    use_single_window(LocalSingleWindow())
    try:
        await _seed(ctx, enterprise, credit_code)
    finally:
        use_single_window(installed)


async def _sync(ctx: ServiceContext, enterprise: Enterprise, person_id: int) -> None:
    """A completed 按天同步 of the last 30 days: declarations, then bonded lists."""
    today = ctx.now().astimezone(ctx.tz).date()
    first, last = (today - timedelta(days=30)).isoformat(), (today - timedelta(days=1)).isoformat()
    for kind, params in ((SyncKind.DECLARATIONS_BY_DAY, {"enterprise_category": "trade", "trade_code": ""}),
                         (SyncKind.BONDED_BY_DAY, {"enterprise_role": "operating"})):
        run = await SyncRun.create(enterprise_id=enterprise.id, person_id=person_id, kind=kind,
                                   params={"first": first, "last": last, **params}, created_at=ctx.now())
        await execute_run(ctx, run.id)


async def _seed(ctx: ServiceContext, enterprise: Enterprise, credit_code: str) -> None:
    staff = await _member(ctx, enterprise, MemberRole.STAFF)
    reviewer = await _member(ctx, enterprise, MemberRole.ADMIN)

    def form(bill_no: str, model: str, quantity: int = 100, price: str = "3.568") -> DeclarationForm:
        return _form(credit_code, enterprise.name, bill_no, model, quantity, price)

    await E.create_draft(ctx, staff, DeclarationKind.EXPORT, parse_form({"bill_no": "COSU6321450001"}, {}))
    waiting = await E.create_draft(ctx, staff, DeclarationKind.EXPORT, form("COSU6321450002", "6205-2RS"))
    await E.submit_declaration(ctx, staff, waiting.id, 1)
    for path in ("head.declare_office", "head.ie_port", "head.trade_mode", "head.bill_no", "items[0].hs_code"):
        await set_mark(ctx, reviewer, waiting.id, path, MarkState.RIGHT, "", 0)
    returned = await E.create_draft(ctx, staff, DeclarationKind.EXPORT_RECORD, form("COSU6321450003", "6206", 200))
    await E.submit_declaration(ctx, staff, returned.id, 1)
    for path, mark, comment in (("head.trade_mode", MarkState.RIGHT, ""),
                                ("head.contract_no", MarkState.WRONG, "合同号应与合同第 1 页一致：DL2026-0003A"),
                                ("items[0].price", MarkState.WRONG, "单价与合同不符，请核对合同第 3 条")):
        await set_mark(ctx, reviewer, returned.id, path, mark, comment, 0)
    await send_back(ctx, reviewer, returned.id, 2)  # the red fields and their comments are the return's content
    approved = await E.create_draft(ctx, staff, DeclarationKind.EXPORT, form("COSU6321450007", "6203", 50))
    await E.submit_declaration(ctx, staff, approved.id, 1)
    await E.approve_declaration(ctx, reviewer, approved.id)  # waits for 申报 on the 报关数据查询 page
    receipts = {"COSU6321450004": [(DeclarationAction.RECEIPT_INSPECTED, "布控查验"),
                                   (DeclarationAction.RECEIPT_ENTERED, ""), (DeclarationAction.RECEIPT_RELEASED, "")],
                "COSU6321450005": [(DeclarationAction.RECEIPT_DELETED, "重复申报")],
                "COSU6321450006": [(DeclarationAction.RECEIPT_REJECTED, "申报要素不全")]}
    for bill_no, arrived in receipts.items():
        made = await E.create_draft(ctx, staff, DeclarationKind.EXPORT, form(bill_no, "6204"))
        await E.submit_declaration(ctx, staff, made.id, 1)
        await E.approve_declaration(ctx, reviewer, made.id)
        await E.declare_declaration(ctx, staff, made.id)
        for receipt, note in arrived:
            await E.record_receipt(ctx, enterprise.id, made.id, receipt, note)
    await _seed_exceptions(ctx, reviewer, enterprise.name)
    await _sync(ctx, enterprise, staff.membership.person_id)


async def _seed_exceptions(ctx: ServiceContext, member: Member, name: str) -> None:
    """异常登记 by hand: a 删改单 already handled, a 查验 being handled, a 核注清单 exception waiting."""
    today = X.today(ctx)
    rows = [(ExceptionKind.DECLARATION, {"number": "090120260000001001", "exception_type": "modify_delete",
                                         "post": "制单", "responsible": "张关务", "status": "done",
                                         "reason": "毛重录入错误，申请改单"}),
            (ExceptionKind.DECLARATION, {"number": "090120260000001002", "exception_type": "inspection",
                                         "post": "现场", "responsible": "李现场", "status": "handling",
                                         "reason": "海关布控查验，待开箱"}),
            (ExceptionKind.BONDED_LIST, {"number": "QD0901260000000088", "exception_type": "other",
                                         "post": "审单", "responsible": "王管理", "status": "pending",
                                         "reason": "核注清单表体数量与报关单不一致"})]
    for kind, values in rows:
        typed = {"trade_name": name, "ie_flag": "E", "occurred_on": today.isoformat(), **values}
        await X.add_exception(ctx, member, kind, check_exception(kind, typed, today))
