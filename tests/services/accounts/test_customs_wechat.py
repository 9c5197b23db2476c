"""Binding a customs account's WeChat (services/accounts/customs_wechat.py)
and its QR scene (services/accounts/qr_binding.py)."""

from __future__ import annotations

import pytest

from core.cache import Cache
from models.audit import AuditEntry
from models.customs_accounts import CustomsAccount
from models.errors import Conflict, NotFound
from services.accounts.customs_wechat import bind_customs_scanned, unbind_customs_openid
from services.accounts.qr_binding import (
    is_binding_scene,
    make_customs_scene,
    make_scene,
    take_customs_scene,
    take_scene,
)
from services.kit.context import ServiceContext
from tests.factories import World

ctx = ServiceContext()


async def test_a_customs_scene_names_its_account_once_and_is_not_a_person_scene(world: World, cache: Cache) -> None:
    scene = await make_customs_scene(cache, world.officer.account_id)
    assert scene.startswith("cbind:") and len(scene) <= 64 and not is_binding_scene(scene)
    assert await take_customs_scene(cache, scene) == world.officer.account_id
    assert await take_customs_scene(cache, scene) is None  # single use
    assert await take_customs_scene(cache, "cbind:" + "0" * 32) is None  # never handed out
    person_scene = await make_scene(cache, world.staff.person_id)
    assert await take_customs_scene(cache, person_scene) is None  # another kind
    assert await take_scene(cache, person_scene) == world.staff.person_id


async def test_binding_is_one_openid_per_account_and_audited(world: World) -> None:
    account = await bind_customs_scanned(ctx, world.officer.account_id, "o_officer")
    assert account.wechat_openid == "o_officer"
    assert (await bind_customs_scanned(ctx, world.officer.account_id, "o_officer")).wechat_openid == "o_officer"
    with pytest.raises(Conflict, match="该海关账号已绑定其他微信"):
        await bind_customs_scanned(ctx, world.officer.account_id, "o_second")
    with pytest.raises(Conflict, match="该微信已绑定其他海关账号"):
        await bind_customs_scanned(ctx, world.supervisor.account_id, "o_officer")
    entry = await AuditEntry.get(action="customs_account.wechat_bind")
    assert entry.object_id == "officer" and entry.office_id == world.dayaowan.id

    assert await unbind_customs_openid(ctx, world.officer.account_id, ip="10.1.2.3") is True
    assert await unbind_customs_openid(ctx, world.officer.account_id) is False
    assert (await CustomsAccount.get(id=world.officer.account_id)).wechat_openid is None
    assert (await AuditEntry.get(action="customs_account.wechat_unbind")).ip == "10.1.2.3"
    assert (await bind_customs_scanned(ctx, world.supervisor.account_id, "o_officer")).wechat_openid == "o_officer"


async def test_an_inactive_account_cannot_bind(world: World) -> None:
    await CustomsAccount.filter(id=world.officer.account_id).update(active=False)
    with pytest.raises(NotFound):
        await bind_customs_scanned(ctx, world.officer.account_id, "o_officer")
