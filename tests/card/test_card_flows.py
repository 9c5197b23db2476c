"""Card sign-in, card binding and card registration end to end: the site's API, the desktop helper,
pcscd, vpcd and the virtual card — and the refusals (another CA, replayed or expired challenge, …)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from models.audit import AuditEntry
from models.cards import CardBinding
from models.enterprises import Enterprise, EnterpriseStatus, MemberRole, Membership
from simulators.card.pki import CardCa, issue_card
from tests.card.conftest import write_ca
from tests.card.support import CardSlot, card_identity, card_proof
from tests.factories import World, credit_code
from tests.http.support import Site, running_site, web_settings

MSG_UNTRUSTED = "该卡不是本系统认可的发卡机构签发的，无法使用"


def acme_card(world: World, card_type: str = "operator", holder: str = "企业管理员甲", card_no: str = "OP0001"):
    return card_identity(card_type, holder=holder, card_no=card_no, credit_code=world.acme.credit_code,
                         enterprise_name=world.acme.name)


async def bind_inserted_card(site: Site, world: World, helper: httpx.Client) -> None:
    admin = await site.browser(world.admin)
    proof = await card_proof(admin.client, helper, "bind", csrf=admin.session.csrf)
    bound = await admin.post_json("/api/v1/card/bind", proof)
    assert bound.status_code == 200, bound.text


async def test_card_login_signs_in_the_person_the_card_is_bound_to(
        card_site: Site, world: World, helper: httpx.Client, card_slot: CardSlot) -> None:
    card_slot.insert(acme_card(world))
    await bind_inserted_card(card_site, world, helper)
    assert await AuditEntry.filter(action="card.bind", actor_id=world.admin.person_id).count() == 1

    proof = await card_proof(card_site.client, helper, "login")
    signed_in = await card_site.client.post("/api/v1/card/login", json=proof)
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["person"]["name"] == "企业管理员甲" and signed_in.json()["role"] == "admin"
    me = await card_site.client.get("/api/v1/me")  # the cookie the login set
    assert me.json()["person"]["id"] == world.admin.person_id
    bearer = await card_site.client.get("/api/v1/me", headers={"authorization": f"Bearer {signed_in.json()['token']}"})
    assert bearer.json()["enterprise"]["id"] == world.acme.id


async def test_a_replayed_challenge_is_refused(card_site: Site, world: World, helper: httpx.Client,
                                               card_slot: CardSlot) -> None:
    card_slot.insert(acme_card(world))
    await bind_inserted_card(card_site, world, helper)
    proof = await card_proof(card_site.client, helper, "login")
    assert (await card_site.client.post("/api/v1/card/login", json=proof)).status_code == 200
    again = await card_site.client.post("/api/v1/card/login", json=proof)
    assert again.status_code == 403
    assert again.json()["error"]["message"] == "该验证码已使用，请重新读卡"


async def test_a_challenge_is_for_one_purpose(card_site: Site, world: World, helper: httpx.Client,
                                              card_slot: CardSlot) -> None:
    card_slot.insert(acme_card(world))
    admin = await card_site.browser(world.admin)
    login_proof = await card_proof(card_site.client, helper, "login")
    bound = await admin.post_json("/api/v1/card/bind", login_proof)
    assert bound.status_code == 403 and bound.json()["error"]["message"] == "读卡验证与当前操作不符，请重新读卡"
    assert not await CardBinding.exists()


async def test_an_expired_challenge_is_refused(db, world: World, card_ca: CardCa, helper: httpx.Client,
                                               card_slot: CardSlot, tmp_path: Path) -> None:
    settings = web_settings(db, card={"ca_cert_paths": (write_ca(card_ca, tmp_path),), "challenge_ttl_seconds": 1})
    card_slot.insert(acme_card(world))
    async with running_site(settings) as site:
        proof = await card_proof(site.client, helper, "login")
        await asyncio.sleep(1.3)
        late = await site.client.post("/api/v1/card/login", json=proof)
    assert late.status_code == 403
    assert late.json()["error"]["message"] == "读卡验证已超时，请重新读卡"


async def test_a_card_from_another_ca_is_refused(card_site: Site, world: World, other_ca: CardCa,
                                                 helper: httpx.Client, card_slot: CardSlot) -> None:
    card_slot.insert(issue_card(other_ca, acme_card(world)))
    proof = await card_proof(card_site.client, helper, "login")
    refused = await card_site.client.post("/api/v1/card/login", json=proof)
    assert refused.status_code == 403 and refused.json()["error"]["message"] == MSG_UNTRUSTED
    admin = await card_site.browser(world.admin)
    bind = await admin.post_json("/api/v1/card/bind", await card_proof(admin.client, helper, "bind",
                                                                      csrf=admin.session.csrf))
    assert bind.status_code == 403 and not await CardBinding.exists()


async def test_an_unbound_card_and_an_unregistered_enterprise_sign_nobody_in(
        card_site: Site, world: World, helper: httpx.Client, card_slot: CardSlot) -> None:
    card_slot.insert(acme_card(world))
    proof = await card_proof(card_site.client, helper, "login")
    unbound = await card_site.client.post("/api/v1/card/login", json=proof)
    assert unbound.status_code == 403 and "尚未绑定" in unbound.json()["error"]["message"]
    card_slot.insert(card_identity(credit_code=credit_code("91210200MA0QYYYY1")))
    stranger = await card_site.client.post("/api/v1/card/login",
                                           json=await card_proof(card_site.client, helper, "login"))
    assert stranger.status_code == 403 and "尚未在本系统注册" in stranger.json()["error"]["message"]
    assert "ql_session" not in stranger.cookies


async def test_card_data_that_disagrees_with_the_certificate_is_refused(
        card_site: Site, world: World, helper: httpx.Client, card_slot: CardSlot) -> None:
    card_slot.insert(acme_card(world))
    await bind_inserted_card(card_site, world, helper)
    proof = await card_proof(card_site.client, helper, "login")
    proof["card"] = {**proof["card"], "credit_code": world.solo.credit_code}  # a page that edits the card data
    refused = await card_site.client.post("/api/v1/card/login", json=proof)
    assert refused.status_code == 403 and "不一致" in refused.json()["error"]["message"]


async def test_a_forged_signature_is_refused(card_site: Site, world: World, helper: httpx.Client,
                                             card_slot: CardSlot) -> None:
    card_slot.insert(acme_card(world))
    await bind_inserted_card(card_site, world, helper)
    first = await card_proof(card_site.client, helper, "login")
    second = await card_proof(card_site.client, helper, "login")
    forged = {**second, "signature": first["signature"]}  # a signature of another challenge
    refused = await card_site.client.post("/api/v1/card/login", json=forged)
    assert refused.status_code == 403 and refused.json()["error"]["message"] == "卡签名验证失败，请重新读卡"
    garbage = await card_site.client.post("/api/v1/card/login", json={**first, "certificate": "bm90IGEgY2VydA=="})
    assert garbage.status_code == 400


async def test_a_card_bound_to_someone_else_cannot_be_bound_again(
        card_site: Site, world: World, helper: httpx.Client, card_slot: CardSlot) -> None:
    card_slot.insert(acme_card(world))
    await bind_inserted_card(card_site, world, helper)
    staff = await card_site.browser(world.staff)
    taken = await staff.post_json("/api/v1/card/bind", await card_proof(staff.client, helper, "bind",
                                                                       csrf=staff.session.csrf))
    assert taken.status_code == 409 and taken.json()["error"]["message"] == "该卡已绑定本企业的其他人员，请由该人员使用"


async def test_card_registration_makes_an_active_enterprise_and_its_admin_who_can_card_login(
        card_site: Site, world: World, helper: httpx.Client, card_slot: CardSlot) -> None:
    code = credit_code("91210213MA0ABCDE1")
    card_slot.insert(card_identity("legal_person", holder="赵法人", card_no="LP0100", credit_code=code,
                                   customs_code="2102999999", enterprise_name="大连新卡贸易有限公司"))
    proof = await card_proof(card_site.client, helper, "register")
    await card_site.client.post("/api/v1/auth/sms-code", json={"phone": "13700000123"})
    registered = await card_site.client.post("/api/v1/card/register", json={
        **proof, "name": "赵法人", "phone": "13700000123", "code": card_site.sms.last_code("13700000123")})
    assert registered.status_code == 200, registered.text
    enterprise = await Enterprise.get(credit_code=code)
    assert enterprise.status is EnterpriseStatus.ACTIVE and enterprise.customs_code == "2102999999"
    assert enterprise.name == "大连新卡贸易有限公司"
    membership = await Membership.get(enterprise=enterprise).prefetch_related("person")
    assert membership.role is MemberRole.ADMIN and membership.person.name == "赵法人"

    fresh = httpx.AsyncClient(base_url=card_site.client.base_url)
    try:
        login = await fresh.post("/api/v1/card/login", json=await card_proof(fresh, helper, "login"))
    finally:
        await fresh.aclose()
    assert login.status_code == 200 and login.json()["enterprise"]["id"] == enterprise.id


async def test_card_registration_of_a_registered_enterprise_is_refused(
        card_site: Site, world: World, helper: httpx.Client, card_slot: CardSlot) -> None:
    card_slot.insert(acme_card(world, "legal_person"))
    proof = await card_proof(card_site.client, helper, "register")
    refused = await card_site.client.post("/api/v1/card/register", json={
        **proof, "name": "某人", "phone": "13700000124", "code": "123456"})
    assert refused.status_code == 409 and refused.json()["error"]["field"] == "credit_code"
