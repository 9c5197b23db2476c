"""Binding an openid with phone + SMS code, unbinding, and who a mini-program user is.

One openid, one person: every way of breaking that is refused. SQLite (and PostgreSQL) with both cache twins.
"""

from __future__ import annotations

from typing import Any

import pytest

from core.cache import Cache
from models.audit import AuditEntry
from models.enterprises import Membership, Person
from models.errors import Conflict, NotFound, ValidationFailed
from services.accounts.sms_codes import SmsCodePolicy, SmsCodes
from services.accounts.wechat_binding import bind_openid, miniprogram_sign_in, person_for_openid, unbind_openid
from services.kit.context import ServiceContext
from tests.factories import World
from tests.services.sms_fake import SECRET, RecordingSender

OPENID, OTHER_OPENID = "oSIM_staff_openid_000000001", "oSIM_other_openid_000000002"
STAFF_PHONE, STAFF2_PHONE = "13900000004", "13900000005"
ctx = ServiceContext()


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def codes(cache: Cache, sender: RecordingSender) -> SmsCodes:
    return SmsCodes(cache, sender, SECRET, SmsCodePolicy(limits=()))  # limits: test_sms_codes.py


async def bind(codes: SmsCodes, sender: RecordingSender, phone: str, openid: str, ip: str = "203.0.113.7") -> Person:
    """What the binding page does: ask for a code, type it in."""
    await codes.issue_code(phone, ip=ip)
    return await bind_openid(ctx, codes, phone, sender.last_code(phone), openid)


async def audit(action: str) -> list[AuditEntry]:
    return await AuditEntry.filter(action=action).order_by("id")


async def test_a_registered_person_binds_with_the_code(world: World, codes: SmsCodes, sender: RecordingSender) -> None:
    person = await bind(codes, sender, STAFF_PHONE, OPENID)

    assert person.id == world.staff.person_id
    assert (await Person.get(id=person.id)).wechat_openid == OPENID
    assert (await person_for_openid(OPENID)).id == person.id  # type: ignore[union-attr]
    entry, = await audit("wechat.bind")
    expected = (person.id, str(person.id), {"openid": OPENID, "via": "sms"})
    assert (entry.actor_id, entry.object_id, entry.detail) == expected


async def test_binding_the_same_pair_again_changes_nothing(
        world: World, codes: SmsCodes, sender: RecordingSender) -> None:
    await bind(codes, sender, STAFF_PHONE, OPENID)

    await bind(codes, sender, STAFF_PHONE, OPENID)

    assert len(await audit("wechat.bind")) == 1


async def test_a_wrong_code_binds_nothing(world: World, codes: SmsCodes, sender: RecordingSender) -> None:
    await codes.issue_code(STAFF_PHONE, ip=None)
    wrong = "000000" if sender.last_code(STAFF_PHONE) != "000000" else "111111"

    with pytest.raises(ValidationFailed, match="验证码错误"):
        await bind_openid(ctx, codes, STAFF_PHONE, wrong, OPENID)
    assert await person_for_openid(OPENID) is None
    assert await audit("wechat.bind") == []


async def test_an_unknown_phone_is_not_bound(world: World, codes: SmsCodes, sender: RecordingSender) -> None:
    with pytest.raises(NotFound) as info:
        await bind(codes, sender, "13700000000", OPENID)
    assert info.value.message == "该手机号未登记，请联系企业管理员添加"


@pytest.mark.parametrize("switched_off", ["person", "membership"])
async def test_an_inactive_person_or_membership_is_not_bound(
        world: World, codes: SmsCodes, sender: RecordingSender, switched_off: str) -> None:
    if switched_off == "person":
        await Person.filter(id=world.staff.person_id).update(active=False)
    else:
        await Membership.filter(person_id=world.staff.person_id).update(active=False)

    with pytest.raises(NotFound, match="该手机号未登记"):
        await bind(codes, sender, STAFF_PHONE, OPENID)
    assert await person_for_openid(OPENID) is None


async def test_an_openid_bound_to_someone_else_is_refused(
        world: World, codes: SmsCodes, sender: RecordingSender) -> None:
    await bind(codes, sender, STAFF_PHONE, OPENID)

    with pytest.raises(Conflict) as info:
        await bind(codes, sender, STAFF2_PHONE, OPENID)
    assert info.value.message == "该微信已绑定其他手机号，请先解除绑定"
    assert (await Person.get(id=world.staff2.person_id)).wechat_openid is None


async def test_a_person_bound_to_another_openid_is_refused(
        world: World, codes: SmsCodes, sender: RecordingSender) -> None:
    await bind(codes, sender, STAFF_PHONE, OPENID)

    with pytest.raises(Conflict) as info:
        await bind(codes, sender, STAFF_PHONE, OTHER_OPENID)
    assert info.value.message == "该手机号已绑定其他微信，请先在原微信中解除绑定"
    assert (await Person.get(id=world.staff.person_id)).wechat_openid == OPENID


async def test_unbinding_frees_both_sides(
        world: World, codes: SmsCodes, sender: RecordingSender) -> None:
    await bind(codes, sender, STAFF_PHONE, OPENID)

    assert await unbind_openid(ctx, world.staff.person_id) is True
    assert await unbind_openid(ctx, world.staff.person_id) is False

    assert await person_for_openid(OPENID) is None
    entry, = await audit("wechat.unbind")
    assert entry.detail == {"openid": OPENID}
    await bind(codes, sender, STAFF2_PHONE, OPENID)  # the openid may now go to another person
    assert (await person_for_openid(OPENID)).id == world.staff2.person_id  # type: ignore[union-attr]


async def test_unbinding_an_unknown_person_is_refused(world: World) -> None:
    with pytest.raises(NotFound):
        await unbind_openid(ctx, 999_999)


async def test_an_inactive_person_is_nobody(world: World, codes: SmsCodes, sender: RecordingSender) -> None:
    await bind(codes, sender, STAFF_PHONE, OPENID)
    await Person.filter(id=world.staff.person_id).update(active=False)

    assert await person_for_openid(OPENID) is None
    assert await person_for_openid("") is None


class Sessions:
    """jscode2session in process: each code stands for an openid (the contract test uses the simulator)."""

    def __init__(self, **openids: str) -> None:
        self.openids = openids

    async def jscode2session(self, js_code: str) -> dict[str, Any]:
        return {"openid": self.openids[js_code], "session_key": "c2Vzc2lvbg=="}


async def test_a_bound_mini_program_user_is_their_person(
        world: World, codes: SmsCodes, sender: RecordingSender) -> None:
    await bind(codes, sender, STAFF_PHONE, OPENID)

    result = await miniprogram_sign_in(Sessions(code1=OPENID), "code1")

    assert result.person is not None and result.person.id == world.staff.person_id
    assert (result.needs_binding, result.message) == (False, None)


async def test_an_unbound_mini_program_user_is_asked_to_bind(world: World) -> None:
    result = await miniprogram_sign_in(Sessions(code1=OTHER_OPENID), "code1")

    assert (result.openid, result.person, result.needs_binding) == (OTHER_OPENID, None, True)
    assert result.message == "请先绑定手机号"
