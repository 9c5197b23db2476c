"""Central accounts and local accounts as use cases (SQLite, and PostgreSQL when configured): one central
subject ↔ one person even under concurrency, lock-out, unlinking."""

from __future__ import annotations

import asyncio

import pytest

from adapters.identity_provider import CentralSignIn
from core.config import DatabaseSettings
from models.errors import Conflict, NotFound, RateLimited, ValidationFailed
from models.identities import CentralLink, LocalAccount
from services.accounts.central_accounts import CentralProfile, bind_central, register_from_central, unlink_central
from services.accounts.local_accounts import sign_in_with_password
from services.kit.context import ServiceContext
from tests.factories import World

PASSWORD = "Local2026pass"
ISSUER = "https://sso.example.cn/oidc"


def profile(world: World, subject: str = "sub-1", phone: str = "13700000001", verified: bool = True) -> CentralProfile:
    return CentralProfile.from_sign_in(CentralSignIn(ISSUER, subject, {
        "sub": subject, "name": "新员工甲", "preferred_username": "newbie", "phone_number": phone,
        "phone_number_verified": verified, "enterprise_credit_code": world.acme.credit_code.lower(),
        "enterprise_name": world.acme.name}))


async def test_claims_become_a_profile(world: World) -> None:
    found = profile(world)
    assert (found.phone, found.credit_code, found.username) == ("13700000001", world.acme.credit_code, "newbie")
    assert profile(world, verified=False).phone == ""  # an unverified number is not trusted


async def test_an_unverified_phone_cannot_quick_register(world: World) -> None:
    with pytest.raises(ValidationFailed, match="未提供已验证的手机号"):
        await register_from_central(ServiceContext(), profile(world, verified=False), "newbie", PASSWORD, ip=None)


async def test_parallel_registrations_of_one_subject_make_one_link(db: DatabaseSettings, world: World) -> None:
    ctx = ServiceContext()
    results = await asyncio.gather(
        register_from_central(ctx, profile(world), "newbie_a", PASSWORD, ip=None),
        register_from_central(ctx, profile(world, phone="13700000002"), "newbie_b", PASSWORD, ip=None),
        return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Membership"]
    assert await CentralLink.filter(subject="sub-1").count() == 1
    assert await LocalAccount.all().count() == 1  # the loser's account was rolled back with it


async def test_a_person_has_one_central_subject(world: World) -> None:
    ctx = ServiceContext()
    await register_from_central(ctx, profile(world), "newbie", PASSWORD, ip="10.0.0.1")
    with pytest.raises(Conflict, match="已绑定其他单一窗口账号"):
        await bind_central(ctx, profile(world, subject="sub-2", phone="13700000009"), "newbie", PASSWORD, ip=None)
    with pytest.raises(Conflict, match="已绑定本平台账号"):
        await register_from_central(ctx, profile(world), "other_name", PASSWORD, ip=None)


async def test_unlink_then_bind_again(world: World) -> None:
    ctx = ServiceContext()
    membership = await register_from_central(ctx, profile(world), "newbie", PASSWORD, ip=None)
    await unlink_central(ctx, membership.person_id, ip=None)
    with pytest.raises(NotFound):
        await unlink_central(ctx, membership.person_id, ip=None)
    again = await bind_central(ctx, profile(world, subject="sub-2"), "NewBie", PASSWORD, ip=None)
    assert again.person_id == membership.person_id
    assert (await CentralLink.get(person_id=membership.person_id)).subject == "sub-2"


async def test_five_wrong_passwords_lock_and_a_right_one_resets(world: World) -> None:
    ctx = ServiceContext()
    await register_from_central(ctx, profile(world), "newbie", PASSWORD, ip=None)
    for _ in range(4):
        with pytest.raises(ValidationFailed):
            await sign_in_with_password(ctx, "newbie", "wrong", ip=None)
    assert (await sign_in_with_password(ctx, "newbie", PASSWORD, ip=None)).enterprise_id == world.acme.id
    assert (await LocalAccount.get(username="newbie")).failed_logins == 0
    for _ in range(4):
        with pytest.raises(ValidationFailed):
            await sign_in_with_password(ctx, "newbie", "wrong", ip=None)
    with pytest.raises(RateLimited):
        await sign_in_with_password(ctx, "newbie", "wrong", ip=None)
    with pytest.raises(RateLimited):
        await sign_in_with_password(ctx, "newbie", PASSWORD, ip=None)
