"""Literal declaration test data: a complete export declaration of deep-groove ball bearings (8482102000, legal
units 套 and 千克) typed as a person types it, and members with the codes a test needs."""

from __future__ import annotations

from typing import Any

from models.enterprises import Membership
from models.workspace import DataScope
from services.declarations.fields import DeclarationForm, parse_form
from services.workspace.permissions import Decision
from services.workspace.roles import Member
from tests.factories import World, credit_code

ACME_CODE = credit_code("91210242679978240")
ENTRY, REVIEW = "declaration:entry", "declaration:review"


def good_head(**changes: Any) -> dict[str, Any]:
    head: dict[str, Any] = {
        "declare_office": "0900", "ie_port": "0901", "trade_mode": "0110", "bill_no": "COSU6321457890",
        "trade_code": ACME_CODE, "trade_name": "大连示例进出口有限公司", "overseas_consignee": "ACME BEARINGS INC.",
        "owner_name": "大连示例进出口有限公司", "contract_no": "DL2026-0301", "traf_mode": "2",
        "traf_name": "COSCO TAICANG/061E", "trade_country": "USA", "destination_country": "USA",
        "distinate_port": "USA000", "desp_port": "210101", "wrap_type": "22", "pack_no": "10",
        "gross_weight": "130", "net_weight": "125.5", "trans_mode": "3",
    }
    head.update(changes)
    return head


def good_item(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "hs_code": "8482102000", "goods_name": "深沟球轴承",
        "elements": ["0", "3", "深沟球", "SKF", "6205-2RS", "", "", ""],
        "quantity": "100", "unit": "006", "legal_quantity": "100", "legal_unit": "006", "second_quantity": "12.5",
        "second_unit": "035", "price": "3.568", "total": "356.8", "currency": "USD", "origin_country": "CHN",
        "destination_country": "USA", "district_code": "21022", "duty_mode": "1",
    }
    item.update(changes)
    return item


def good_form(head: dict[str, Any] | None = None, items: list[dict[str, Any]] | None = None,
              **parts: list[dict[str, Any]]) -> DeclarationForm:
    return parse_form(head or good_head(), {"items": [good_item()] if items is None else items, **parts})


async def member_of(world: World, person_id: int, *codes: str, scope: DataScope = DataScope.ALL,
                    enterprise_id: int | None = None) -> Member:
    membership = await Membership.get(person_id=person_id, enterprise_id=enterprise_id or world.acme.id) \
        .select_related("person", "enterprise")
    return Member(membership, Decision(frozenset(codes or (ENTRY,)), scope))
