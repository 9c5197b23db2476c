"""The demo's library: the demo enterprise's members are authorised by its legal person, its rows show in its
library, the public library has rows (three other enterprises declared every demo HS code), and the message
centre holds a monthly summary and a catalogue-change message naming the affected codes and rows."""

from __future__ import annotations

from pathlib import Path

from core.config import DistrictSettings
from core.demo import DEMO_CREDIT_CODE, DEMO_ENTERPRISE, seed_demo
from core.demo_library import seed_library
from models.enterprises import MemberRole, Membership
from models.library import CatalogueVersion, LibraryRow
from models.messages import Message
from services.desk.reference_data import load_reference_data
from services.kit.context import ServiceContext
from services.library.enterprise import enterprise_rows
from services.library.filters import LibraryFilter
from services.library.public import public_rows
from services.library.reference import load_library_reference


async def test_the_demo_enterprise_reads_its_library_and_the_public_library_has_rows(db: object,
                                                                                    tmp_path: Path) -> None:
    ctx = ServiceContext()
    codes = DistrictSettings().accepting_office_codes
    await load_reference_data(codes)
    await load_library_reference(ctx)
    await seed_demo(ctx, codes[0])
    await seed_library(ctx, tmp_path, DEMO_CREDIT_CODE, DEMO_ENTERPRISE)

    staff = await Membership.get(enterprise__credit_code=DEMO_CREDIT_CODE, role=MemberRole.STAFF)
    mine = await enterprise_rows(staff, LibraryFilter(), limit=100)
    assert len(mine.items) == 100 and mine.next_cursor
    assert {r.mark.value for r in mine.items} >= {"standard", "matched"}
    public = await public_rows(LibraryFilter(), 3, limit=100)
    assert {r.hs_code for r in public.items} == {"8482102000", "3926909090", "8413709990", "8501109990",
                                                 "7318159090"}
    assert len((await public_rows(LibraryFilter.from_args({"keyword": "轴承"}), 3, limit=100)).items) >= 3

    admin = await Membership.get(enterprise__credit_code=DEMO_CREDIT_CODE, role=MemberRole.ADMIN)
    messages = {m.title: m for m in await Message.filter(person_id=admin.person_id, enterprise_id=admin.enterprise_id)}
    monthly = next(m for title, m in messages.items() if title.startswith("规范申报月报："))
    assert monthly.body.startswith("海关审核 ") and "/workbench/library?" in monthly.body
    version = await CatalogueVersion.filter(rechecked_at__isnull=False).get()
    change = messages[f"商品目录{version.code}版：贵企业2个商品编号的申报要素有变化"]
    affected = await LibraryRow.filter(hs_code="8482102000", superseded=False,
                                       consignee_enterprise_id=admin.enterprise_id).count()
    assert f"8482102000：新增要素：如有请注明系列号（{affected}条）：/workbench/library?hs=8482102000" in change.body
    assert "8413709990：新增要素" in change.body and affected > 0

    await seed_library(ctx, tmp_path, DEMO_CREDIT_CODE, DEMO_ENTERPRISE)  # once
    assert await Message.filter(person_id=admin.person_id, title__in=list(messages)).count() == len(messages)
