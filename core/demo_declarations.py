"""Demo declarations (issue 15): the demo enterprise's preparer 张关务 with declarations in several states — a draft
still incomplete, one waiting for review, one returned by the reviewer 王管理 with two fields marked red (审单), one
waiting for review with some fields already marked green, one released through receipts and
one deleted by customs (删单) — all made through the services, so the timeline and messages are real."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.cache import MemoryCache
from models.declaration_lifecycle import DeclarationAction
from models.declarations import Declaration, DeclarationKind, MarkState
from models.enterprises import Enterprise, MemberRole, Membership
from services.declarations import entry as E
from services.declarations.fields import DeclarationForm, parse_form
from services.declarations.marks import set_mark
from services.declarations.review import send_back
from services.kit.context import ServiceContext
from services.workspace.permissions import decide
from services.workspace.roles import Member


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
    receipts = {"COSU6321450004": [(DeclarationAction.RECEIPT_ENTERED, ""), (DeclarationAction.RECEIPT_RELEASED, "")],
                "COSU6321450005": [(DeclarationAction.RECEIPT_DELETED, "重复申报")]}
    for bill_no, arrived in receipts.items():
        made = await E.create_draft(ctx, staff, DeclarationKind.EXPORT, form(bill_no, "6204"))
        await E.submit_declaration(ctx, staff, made.id, 1)
        await E.approve_declaration(ctx, reviewer, made.id)
        await E.declare_declaration(ctx, staff, made.id)
        for receipt, note in arrived:
            await E.record_receipt(ctx, enterprise.id, made.id, receipt, note)
