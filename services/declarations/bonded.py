"""核注清单 (bonded lists) as synced from the single window: the enterprise's list (members holding ``sync:run``),
one list with its items, and 生成报关单 — a draft export declaration from a list whose 预审核状态 is 通过, its head
and items mapped, owned by the member (who needs ``declaration:entry`` too: the lifecycle decides), once per list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from models.declaration_sync import BondedList, BondedListItem
from models.declarations import Declaration, DeclarationKind
from models.errors import Conflict, NotFound
from services.declarations import labels as L
from services.declarations.entry import create_draft
from services.declarations.fields import DeclarationForm, as_text, parse_form, split_elements
from services.kit.context import ServiceContext
from services.workspace.roles import Member

PAGE = 50


@dataclass(frozen=True)
class BondedView:
    bonded: BondedList
    items: list[BondedListItem]


async def list_bonded(member: Member, limit: int = PAGE) -> list[BondedList]:
    member.decision.require(L.SYNC)
    return list(await BondedList.filter(enterprise_id=member.enterprise_id).order_by("-remote_updated_at", "-id")
                .limit(limit))


async def get_bonded(member: Member, bonded_id: int) -> BondedView:
    member.decision.require(L.SYNC)
    found = await BondedList.filter(id=bonded_id, enterprise_id=member.enterprise_id).first()
    if found is None:
        raise NotFound(L.MSG_BONDED_NOT_FOUND)
    return BondedView(found, list(await BondedListItem.filter(bonded_list_id=found.id).order_by("position")))


def declaration_form(view: BondedView) -> DeclarationForm:
    """The bonded list's head and items as an export declaration's (what the list does not say stays empty)."""
    b, head = view.bonded, view.bonded.head
    country = str(head.get("country") or "")
    typed: dict[str, Any] = {
        "declare_office": b.customs_office, "ie_port": str(head.get("ie_port") or ""), "trade_mode": b.trade_mode,
        "trade_code": b.trade_code, "trade_name": b.trade_name, "owner_code": str(head.get("process_code") or ""),
        "owner_name": str(head.get("process_name") or ""), "manual_no": b.manual_no,
        "traf_mode": str(head.get("traf_mode") or ""), "trade_country": country, "destination_country": country,
        "note_s": L.NOTE_GENERATED.format(list_no=b.list_no or b.seq_no)}
    items = [{"hs_code": i.hs_code, "goods_name": i.goods_name, "elements": split_elements(i.model_spec),
              "quantity": as_text(i.quantity), "unit": i.unit, "legal_quantity": as_text(i.legal_quantity),
              "legal_unit": i.legal_unit, "price": as_text(i.price), "total": as_text(i.total),
              "currency": i.currency, "origin_country": i.origin_country,
              "destination_country": i.destination_country, "duty_mode": i.duty_mode} for i in view.items]
    return parse_form(typed, {"items": items})


async def generate_declaration(ctx: ServiceContext, member: Member, bonded_id: int) -> Declaration:
    """生成报关单: refused unless the list passed pre-approval and has no declaration yet."""
    view = await get_bonded(member, bonded_id)
    if view.bonded.pre_approval != L.PRE_APPROVED:
        raise Conflict(L.MSG_NOT_PRE_APPROVED)
    async with in_transaction() as conn:
        current = await BondedList.filter(id=bonded_id).using_db(conn).select_for_update() \
            .values_list("declaration_id", flat=True)
        if current and current[0] is not None:
            raise Conflict(L.MSG_ALREADY_GENERATED)
        made = await create_draft(ctx, member, DeclarationKind.EXPORT, declaration_form(view))
        if await BondedList.filter(id=bonded_id, declaration_id=None).using_db(conn) \
                .update(declaration_id=made.id) != 1:
            raise Conflict(L.MSG_ALREADY_GENERATED)
    return made
