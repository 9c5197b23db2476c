"""The enterprise admin's people (page and API), removal ending open sessions, and switching enterprise."""

from __future__ import annotations

from models.audit import AuditEntry
from models.enterprises import MemberRole, Membership, Person
from models.outbox import OutboxMessage
from tests.factories import World
from tests.http.support import Site

NEW_PHONE = "13600000001"


async def test_the_admin_adds_an_executive_who_then_signs_in_with_a_code(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    page = await admin.get("/h5/people")
    assert page.status_code == 200 and "高管乙" in page.text and "关务丁" in page.text

    added = await admin.post_form("/h5/people", {"name": "新高管", "phone": NEW_PHONE, "role": "executive"})

    assert added.status_code == 303 and added.headers["location"] == "/h5/people?done=added"
    membership = await Membership.get(person__phone=NEW_PHONE, enterprise_id=world.acme.id)
    assert membership.role is MemberRole.EXECUTIVE and membership.active
    assert await AuditEntry.filter(action="people.add", object_id=str(membership.id)).exists()
    await site.client.post("/h5/login/code", data={"phone": NEW_PHONE, "next": "/h5/"})
    signed = await site.client.post("/h5/login", data={"phone": NEW_PHONE, "code": site.sms.last_code(NEW_PHONE),
                                                       "next": "/h5/"})
    assert signed.status_code == 303
    me = (await site.client.get("/api/v1/me")).json()
    assert me["role"] == "executive" and me["enterprise"]["id"] == world.acme.id


async def test_bad_input_and_duplicates_are_refused_next_to_the_field(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    bad_phone = await admin.post_form("/h5/people", {"name": "某人", "phone": "12345", "role": "staff"})
    assert bad_phone.status_code == 400 and 'id="err-phone"' in bad_phone.text and "11 位手机号" in bad_phone.text
    no_name = await admin.post_form("/h5/people", {"name": "", "phone": NEW_PHONE, "role": "staff"})
    assert no_name.status_code == 400 and "请输入姓名" in no_name.text
    admin_role = await admin.post_form("/h5/people", {"name": "某人", "phone": NEW_PHONE, "role": "admin"})
    assert admin_role.status_code == 400 and "请选择人员类型" in admin_role.text
    twice = await admin.post_form("/h5/people", {"name": "关务丁", "phone": "13900000004", "role": "staff"})
    assert twice.status_code == 409 and "该手机号已是本企业人员" in twice.text
    no_csrf = await admin.client.post("/h5/people", data={"name": "某人", "phone": NEW_PHONE, "role": "staff"})
    assert no_csrf.status_code == 403
    assert not await Person.filter(phone=NEW_PHONE).exists()


async def test_only_the_admin_manages_people(site: Site, world: World) -> None:
    staff = await site.browser(world.staff)
    assert (await staff.get("/h5/people")).status_code == 403
    api = await site.api(world.executive)
    assert (await api.get("/api/v1/people")).status_code == 403
    membership = await Membership.get(person_id=world.staff2.person_id)
    refused = await staff.post_form(f"/h5/people/{membership.id}/remove")
    assert refused.status_code == 403 and (await Membership.get(id=membership.id)).active
    other_admin = await site.browser(world.solo_staff)  # the admin of another enterprise
    assert (await other_admin.post_form(f"/h5/people/{membership.id}/remove")).status_code == 404


async def test_the_admin_edits_a_person(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    membership = await Membership.get(person_id=world.staff2.person_id)
    form = await admin.get(f"/h5/people?edit={membership.id}")
    assert f'action="/h5/people/{membership.id}"' in form.text

    saved = await admin.post_form(f"/h5/people/{membership.id}", {"name": "关务戊改", "phone": NEW_PHONE,
                                                                   "role": "executive"})

    assert saved.status_code == 303
    person = await Person.get(id=world.staff2.person_id)
    assert (person.name, person.phone) == ("关务戊改", NEW_PHONE)
    assert (await Membership.get(id=membership.id)).role is MemberRole.EXECUTIVE
    taken = await admin.post_form(f"/h5/people/{membership.id}", {"name": "关务戊改", "phone": "13900000004",
                                                                   "role": "staff"})
    assert taken.status_code == 409 and "该手机号已被其他人员使用" in taken.text
    own = await Membership.get(person_id=world.admin.person_id)
    assert (await admin.post_form(f"/h5/people/{own.id}/remove")).status_code == 403


async def test_removal_ends_access_at_once_open_sessions_included(site: Site, world: World) -> None:
    staff_page = await site.browser(world.staff)
    staff_api = await site.api(world.staff)
    assert (await staff_api.get("/api/v1/me")).status_code == 200
    assert (await staff_page.get("/h5/questions")).status_code == 200
    admin = await site.browser(world.admin)
    membership = await Membership.get(person_id=world.staff.person_id)

    removed = await admin.post_form(f"/h5/people/{membership.id}/remove")

    assert removed.status_code == 303
    assert (await staff_api.get("/api/v1/me")).status_code == 401
    page = await staff_page.get("/h5/questions")
    assert page.status_code == 303 and page.headers["location"].startswith("/h5/login")
    await site.client.post("/h5/login/code", data={"phone": "13900000004", "next": "/h5/"})
    again = await site.client.post("/h5/login", data={"phone": "13900000004", "next": "/h5/",
                                                      "code": site.sms.last_code("13900000004")})
    assert again.status_code == 404 and "未登记" in again.text
    assert await AuditEntry.filter(action="people.remove", object_id=str(membership.id)).exists()


async def test_people_over_the_api(site: Site, world: World) -> None:
    api = await site.api(world.admin)
    listed = (await api.get("/api/v1/people")).json()["people"]
    assert [p["role"] for p in listed][:1] == ["admin"] and "139****0004" in [p["phone"] for p in listed]

    added = await api.post("/api/v1/people", json={"name": "新关务", "phone": NEW_PHONE, "role": "staff"})
    assert added.status_code == 201 and added.json()["phone"] == "136****0001"
    member_id = added.json()["id"]
    edited = await api.put(f"/api/v1/people/{member_id}", json={"name": "新关务改", "phone": NEW_PHONE,
                                                                "role": "executive"})
    assert edited.status_code == 200 and edited.json()["role"] == "executive" and edited.json()["name"] == "新关务改"
    bad = await api.post("/api/v1/people", json={"name": "x", "phone": "1", "role": "staff"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "phone"
    assert (await api.delete(f"/api/v1/people/{member_id}")).status_code == 204
    assert (await api.delete(f"/api/v1/people/{member_id}")).status_code == 404
    readded = await api.post("/api/v1/people", json={"name": "新关务", "phone": NEW_PHONE, "role": "staff"})
    assert readded.status_code == 201 and readded.json()["id"] == member_id  # the same membership, active again


async def test_a_new_executive_bound_in_wechat_gets_a_template_message(site: Site, world: World) -> None:
    await Person.filter(id=world.solo_staff.person_id).update(wechat_openid="oSIM_solo_openid")
    api = await site.api(world.admin)

    added = await api.post("/api/v1/people", json={"name": "单人己", "phone": "13900000006", "role": "executive"})
    staff = await api.post("/api/v1/people", json={"name": "新关务", "phone": NEW_PHONE, "role": "staff"})

    assert added.status_code == 201 and staff.status_code == 201
    notices = await OutboxMessage.filter(event="executive_added")
    assert [(n.person_id, n.payload["enterprise_name"]) for n in notices] == [
        (world.solo_staff.person_id, "大连示例进出口有限公司")]


async def test_a_person_in_two_enterprises_switches_between_them(site: Site, world: World) -> None:
    await Membership.create(person_id=world.staff.person_id, enterprise_id=world.solo.id, role=MemberRole.STAFF)
    staff = await site.browser(world.staff)
    account = await staff.get("/h5/account")
    assert 'id="switcher"' in account.text and "辽宁单人贸易有限公司（关务人员）" in account.text

    switched = await staff.post_form("/h5/account/enterprise", {"enterprise_id": str(world.solo.id)})

    assert switched.status_code == 303 and switched.headers["location"] == "/h5/account?done=switched"
    assert (await staff.get("/api/v1/me")).json()["enterprise"]["id"] == world.solo.id
    assert "已切换到“辽宁单人贸易有限公司”" in (await staff.get("/h5/account?done=switched")).text
    nanjing_only = await staff.post_form("/h5/account/enterprise", {"enterprise_id": "999999"})
    assert nanjing_only.status_code == 404

    api = await site.api(world.staff)
    back = await api.put("/api/v1/me/enterprise", json={"enterprise_id": world.acme.id})
    assert back.status_code == 200 and back.json() == {"enterprise_id": world.acme.id, "role": "staff"}
    solo = await api.put("/api/v1/me/enterprise", json={"enterprise_id": world.solo.id})
    assert solo.status_code == 200
    await Membership.filter(person_id=world.staff.person_id, enterprise_id=world.solo.id).update(active=False)
    assert (await api.get("/api/v1/me")).status_code == 401  # removed from the enterprise it had switched to



async def test_the_registration_and_people_pages_stay_under_80_kb(site: Site, world: World) -> None:
    from tests.http.test_page_weight import ASSET, BUDGET, transferred

    client = (await site.browser(world.admin)).client
    for path in ("/h5/register", "/h5/registration", "/h5/people"):
        page_bytes, html = await transferred(client, path)
        assets = ASSET.findall(html)
        total = page_bytes + sum([(await transferred(client, asset))[0] for asset in assets])
        assert assets and total < BUDGET, f"{path}: {total} bytes on the wire"
