"""The declaration benches' world: a scratch PostgreSQL database (``scratch_database``) migrated, the reference
data loaded (``qingling load-data``'s loader: every code table and the HS catalogue), one active enterprise whose
admin prepares declarations (every permission code, data scope 全部), and complete export declaration forms of
any number of items typed as a person types them (deep-groove ball bearings, 8482102000)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.cache import MemoryCache
from models.enterprises import Enterprise, EnterpriseStatus, MemberRole, Membership, Person
from models.identifiers import credit_code_check_char
from services.declarations.fields import DeclarationForm, parse_form
from services.kit.context import ServiceContext
from services.workspace.permissions import decide
from services.workspace.roles import Member

CREDIT_CODE = "91210242679978240" + credit_code_check_char("91210242679978240")
NAME = "大连基准进出口有限公司"


async def bench_member(ctx: ServiceContext) -> Member:
    enterprise = await Enterprise.create(name=NAME, credit_code=CREDIT_CODE, status=EnterpriseStatus.ACTIVE,
                                         exec_review_required=False)
    person = await Person.create(name="基准关务", phone="13900000001")
    await Membership.create(person=person, enterprise=enterprise, role=MemberRole.ADMIN)
    membership = await Membership.get(person=person).select_related("person", "enterprise")
    return Member(membership, await decide(ctx, MemoryCache(), membership))


def export_form(items: int) -> DeclarationForm:
    """A complete export declaration (CIF: 运费 and 保费 declared) of ``items`` goods items, one container each
    ten items, two attached documents."""
    head: dict[str, Any] = {
        "declare_office": "0900", "ie_port": "0901", "trade_mode": "0110", "bill_no": "COSU6321457890",
        "trade_code": CREDIT_CODE, "trade_name": NAME, "overseas_consignee": "ACME BEARINGS INC.",
        "owner_name": NAME, "contract_no": "DL2026-0301", "traf_mode": "2", "traf_name": "COSCO TAICANG/061E",
        "trade_country": "USA", "destination_country": "USA", "distinate_port": "USA000", "desp_port": "210101",
        "wrap_type": "22", "pack_no": str(10 * items), "gross_weight": str(13 * items),
        "net_weight": str(12 * items), "trans_mode": "1", "fee_mark": "3", "fee_rate": "1200", "fee_curr": "USD",
        "insur_mark": "1", "insur_rate": "0.3", "note_s": "随附装箱单", "mark_no": "N/M",
    }
    rows = []
    for n in range(1, items + 1):
        quantity, price = 100 + n, Decimal("3.568") + n
        rows.append({
            "hs_code": "8482102000", "goods_name": f"深沟球轴承{n:03d}",
            "elements": ["0", "3", "深沟球", "SKF", f"62{n:02d}-2RS", "", "", ""], "quantity": str(quantity),
            "unit": "006", "legal_quantity": str(quantity), "legal_unit": "006", "second_quantity": "12.5",
            "second_unit": "035", "price": str(price), "total": str(price * quantity), "currency": "USD",
            "origin_country": "CHN", "destination_country": "USA", "district_code": "21022", "duty_mode": "1"})
    containers = [{"container_no": f"TGHU{8491950 + c:07d}", "spec": "22",
                   "goods_numbers": ",".join(str(n) for n in range(c * 10 + 1, min(items, c * 10 + 10) + 1))}
                  for c in range((items + 9) // 10)]
    documents = [{"code": "1", "number": "INV-2026-001"}, {"code": "2", "number": "PL-2026-001"}]
    return parse_form(head, {"items": rows, "containers": containers, "documents": documents})
