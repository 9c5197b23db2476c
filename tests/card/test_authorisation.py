"""Legal-person authorisation end to end through pcscd: the legal-person card authorises operators for the
declaration-standard library, the admin lists and revokes, operators see the gate — and every refusal."""

from __future__ import annotations

import httpx

from models.audit import AuditEntry
from models.cards import ModuleAuthorisation
from tests.card.support import CardSlot, card_identity, card_proof
from tests.factories import World
from tests.http.support import SignedIn, Site

NOT_YET = "尚未获得法人卡授权，无法使用规范申报企业专属库"
LIBRARY = "declaration_library"


def legal_card(world: World, card_type: str = "legal_person"):
    return card_identity(card_type, holder="王法人", card_no="LP0001", credit_code=world.acme.credit_code,
                         enterprise_name=world.acme.name)


async def grant(admin: SignedIn, helper: httpx.Client, person_ids: list[int], module: str = LIBRARY) -> httpx.Response:
    proof = await card_proof(admin.client, helper, "authorise", csrf=admin.session.csrf)
    return await admin.post_json("/api/v1/card/authorisations", {**proof, "module": module, "person_ids": person_ids})


async def test_a_legal_person_card_authorises_operators_who_then_see_the_library(
        card_site: Site, world: World, helper: httpx.Client, card_slot: CardSlot) -> None:
    staff = await card_site.browser(world.staff)
    gated = await staff.get("/h5/library")
    assert gated.status_code == 403 and NOT_YET in gated.text

    card_slot.insert(legal_card(world))
    admin = await card_site.browser(world.admin)
    granted = await grant(admin, helper, [world.staff.person_id, world.staff2.person_id])
    assert granted.status_code == 201, granted.text
    items = granted.json()["items"]
    assert {i["person_name"] for i in items} == {"关务丁", "关务戊"}
    assert {i["legal_person_name"] for i in items} == {"王法人"}

    opened = await staff.get("/h5/library")
    assert opened.status_code == 200 and "企业库查询" in opened.text and NOT_YET not in opened.text
    entries = await AuditEntry.filter(action="card.authorise").order_by("id")
    assert [e.detail["person_id"] for e in entries] == [world.staff.person_id, world.staff2.person_id]
    assert entries[0].actor_id == world.admin.person_id and entries[0].detail["legal_person"] == "王法人"

    again = await grant(admin, helper, [world.staff.person_id])  # already authorised: nothing doubles
    assert again.status_code == 201 and len(again.json()["items"]) == 2


async def test_the_admin_lists_and_revokes_on_the_page(card_site: Site, world: World, helper: httpx.Client,
                                                       card_slot: CardSlot) -> None:
    card_slot.insert(legal_card(world))
    admin = await card_site.browser(world.admin)
    await grant(admin, helper, [world.staff.person_id])
    listing = await admin.get("/h5/card/authorisations")
    assert listing.status_code == 200 and "关务丁" in listing.text and "法人 王法人" in listing.text
    row = await ModuleAuthorisation.get(person_id=world.staff.person_id)
    revoked = await admin.post_form(f"/h5/card/authorisations/{row.id}/revoke", follow_redirects=False)
    assert revoked.status_code == 303
    assert (await admin.get("/api/v1/card/authorisations")).json()["items"] == []
    staff = await card_site.browser(world.staff)
    assert NOT_YET in (await staff.get("/h5/library")).text
    audit = await AuditEntry.get(action="card.revoke")
    assert audit.actor_id == world.admin.person_id and audit.object_id == str(row.id)
    twice = await admin.client.delete(f"/api/v1/card/authorisations/{row.id}",
                                      headers={"x-csrf-token": admin.session.csrf})
    assert twice.status_code == 409 and twice.json()["error"]["message"] == "该授权已撤销"


async def test_an_operator_card_cannot_authorise(card_site: Site, world: World, helper: httpx.Client,
                                                 card_slot: CardSlot) -> None:
    card_slot.insert(legal_card(world, "operator"))
    admin = await card_site.browser(world.admin)
    refused = await grant(admin, helper, [world.staff.person_id])
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "操作员卡不能进行授权，请使用法人卡"
    assert not await ModuleAuthorisation.exists() and not await AuditEntry.filter(action="card.authorise").exists()


async def test_another_enterprises_legal_person_card_cannot_authorise(
        card_site: Site, world: World, helper: httpx.Client, card_slot: CardSlot) -> None:
    card_slot.insert(card_identity("legal_person", credit_code=world.solo.credit_code))
    admin = await card_site.browser(world.admin)
    refused = await grant(admin, helper, [world.staff.person_id])
    assert refused.status_code == 403 and "不属于当前企业" in refused.json()["error"]["message"]


async def test_only_the_admin_authorises_and_only_people_of_the_enterprise(
        card_site: Site, world: World, helper: httpx.Client, card_slot: CardSlot) -> None:
    card_slot.insert(legal_card(world))
    staff = await card_site.browser(world.staff)
    assert (await staff.get("/api/v1/card/authorisations")).status_code == 403
    by_staff = await grant(staff, helper, [world.staff.person_id])
    assert by_staff.status_code == 403 and by_staff.json()["error"]["message"] == "只有企业管理员可以办理法人卡授权"
    admin = await card_site.browser(world.admin)
    stranger = await grant(admin, helper, [world.solo_staff.person_id])
    assert stranger.status_code == 400 and stranger.json()["error"]["field"] == "person_ids"
    module = await grant(admin, helper, [world.staff.person_id], module="everything")
    assert module.status_code == 400 and module.json()["error"]["field"] == "module"
    assert not await ModuleAuthorisation.exists()


async def test_an_authorise_challenge_belongs_to_the_session_that_asked(
        card_site: Site, world: World, helper: httpx.Client, card_slot: CardSlot) -> None:
    card_slot.insert(legal_card(world))
    staff = await card_site.browser(world.staff)
    proof = await card_proof(staff.client, helper, "authorise", csrf=staff.session.csrf)
    admin = await card_site.browser(world.admin)
    used_by_other = await admin.post_json("/api/v1/card/authorisations",
                                          {**proof, "module": LIBRARY, "person_ids": [world.staff.person_id]})
    assert used_by_other.status_code == 403
    anonymous = await card_site.client.post("/api/v1/card/challenges", json={"purpose": "authorise"})
    assert anonymous.status_code == 401


async def test_revoking_is_scoped_to_the_enterprise(card_site: Site, world: World, helper: httpx.Client,
                                                    card_slot: CardSlot) -> None:
    card_slot.insert(legal_card(world))
    admin = await card_site.browser(world.admin)
    await grant(admin, helper, [world.staff.person_id])
    row = await ModuleAuthorisation.get(person_id=world.staff.person_id)
    other_admin = await card_site.browser(world.solo_staff)  # the admin of another enterprise
    refused = await other_admin.post_form(f"/h5/card/authorisations/{row.id}/revoke")
    assert refused.status_code == 404
    assert (await ModuleAuthorisation.get(id=row.id)).revoked_at is None


async def test_the_card_pages_are_reachable_from_the_account_page(card_site: Site, world: World) -> None:
    admin, staff = await card_site.browser(world.admin), await card_site.browser(world.staff)
    assert 'href="/h5/card"' in (await admin.get("/h5/account")).text
    assert 'id="authorisations-link"' in (await admin.get("/h5/card")).text
    staff_card = await staff.get("/h5/card")
    assert staff_card.status_code == 200 and 'id="authorisations-link"' not in staff_card.text
    assert (await staff.get("/h5/card/authorisations")).status_code == 403
    login = await card_site.client.get("/h5/login")
    assert 'href="/h5/card/login?next=/h5/"' in login.text
    anonymous = await card_site.client.get("/h5/card", follow_redirects=False)
    assert anonymous.status_code == 303
