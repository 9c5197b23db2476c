"""个人中心 services: the stamp must be a PNG and a failed change leaves no file; the company's defaults need the
edit code; a person's preferences are per enterprise; two people racing for one new number: one wins."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from PIL import Image

from adapters.file_storage import FileStorage
from core.cache import Cache
from models.enterprises import Membership, Person
from models.errors import Conflict, Forbidden, ValidationFailed
from models.personal import PersonalProfile, PersonFormPreferences
from services.accounts.sms_codes import SmsCodePolicy, SmsCodes
from services.kit.context import ServiceContext
from services.kit.images import check_image
from services.personal import preferences as P
from services.personal import profile as R
from services.personal import security as S
from services.workspace.permissions import decide
from services.workspace.roles import Member
from tests.factories import World
from tests.services.sms_fake import SECRET, RecordingSender


async def member_of(world: World, cache: Cache, person_id: int, enterprise_id: int | None = None) -> Member:
    membership = await Membership.get(person_id=person_id, enterprise_id=enterprise_id or world.acme.id
                                      ).prefetch_related("person")
    return Member(membership, await decide(ServiceContext(), cache, membership))


def image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA" if fmt == "PNG" else "RGB", (16, 16)).save(out, fmt)
    return out.getvalue()


async def test_a_refused_stamp_leaves_nothing_stored(world: World, cache: Cache, tmp_path: Path) -> None:
    storage, ctx = FileStorage(tmp_path / "files"), ServiceContext()
    staff = await member_of(world, cache, world.staff.person_id)
    with pytest.raises(ValidationFailed) as refused:
        await R.set_image(ctx, storage, staff, "stamp", check_image(image("JPEG"), "章.jpg", max_bytes=1 << 20))
    assert refused.value.field == "stamp"
    await R.set_image(ctx, storage, staff, "stamp", check_image(image("PNG"), "章.png", max_bytes=1 << 20))
    files = [p for p in (tmp_path / "files").rglob("*") if p.is_file()]
    row = await PersonalProfile.get(person_id=world.staff.person_id)
    assert len(files) == 1 and row.stamp is not None and storage.path(row.stamp["key"]) == files[0]


async def test_company_defaults_need_the_edit_code(world: World, cache: Cache) -> None:
    ctx = ServiceContext()
    staff = await member_of(world, cache, world.staff.person_id)
    with pytest.raises(Forbidden):
        await P.save_company_defaults(ctx, staff, {"currency": "USD"})
    admin = await member_of(world, cache, world.admin.person_id)
    assert await P.save_company_defaults(ctx, admin, {"currency": "usd", "port_office": "0901"}) == {
        "currency": "USD", "port_office": "0901"}
    view = await P.preferences_of(admin)
    assert view.can_edit_company and view.office_names == {"0901": "大窑湾海关"}


async def test_preferences_are_per_enterprise(world: World, cache: Cache) -> None:
    ctx = ServiceContext()
    await Membership.create(person_id=world.staff.person_id, enterprise_id=world.solo.id, role="staff")
    in_acme = await member_of(world, cache, world.staff.person_id)
    await P.save_mine(ctx, in_acme, {"currency": "JPY"})
    assert (await P.effective_preferences(world.staff.person_id, world.acme.id))["currency"].value == "JPY"
    assert (await P.effective_preferences(world.staff.person_id, world.solo.id))["currency"].value == ""


async def test_two_people_racing_for_one_number_one_wins(world: World, cache: Cache) -> None:
    sender, ctx = RecordingSender(), ServiceContext()
    codes = SmsCodes(cache, sender, SECRET, SmsCodePolicy(limits=()))
    staff = await member_of(world, cache, world.staff.person_id)
    executive = await member_of(world, cache, world.executive.person_id)
    await S.send_phone_code(codes, staff, "13811112222", ip=None)
    first = sender.last_code("13811112222")
    await S.send_phone_code(codes, executive, "13811112222", ip=None)  # a new code replaces the first
    second = sender.last_code("13811112222")
    results = await asyncio.gather(S.change_phone(ctx, codes, staff, "13811112222", first),
                                   S.change_phone(ctx, codes, executive, "13811112222", second),
                                   return_exceptions=True)
    assert [type(r) for r in results].count(type(None)) == 1
    assert all(isinstance(r, (Conflict, ValidationFailed)) for r in results if r is not None)
    assert await Person.filter(phone="13811112222").count() == 1


async def test_first_preferences_saved_concurrently_make_one_row(world: World, cache: Cache) -> None:
    ctx = ServiceContext()
    staff = await member_of(world, cache, world.staff.person_id)
    results = await asyncio.gather(*(P.save_mine(ctx, staff, {"currency": code}) for code in ("USD", "EUR", "JPY")))
    assert len(results) == 3
    rows = await PersonFormPreferences.filter(person_id=world.staff.person_id).values_list("values", flat=True)
    assert len(rows) == 1 and rows[0] in ({"currency": "USD"}, {"currency": "EUR"}, {"currency": "JPY"})
