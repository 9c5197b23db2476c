"""The demo's library: the demo enterprise's members are authorised by its legal person, its rows show in its
library, and the public library has rows (three other enterprises declared every demo HS code)."""

from __future__ import annotations

from pathlib import Path

from core.config import DistrictSettings
from core.demo import DEMO_CREDIT_CODE, DEMO_ENTERPRISE, seed_demo
from core.demo_library import seed_library
from models.enterprises import MemberRole, Membership
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
