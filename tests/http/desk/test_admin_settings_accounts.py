"""Settings → customs accounts, through the admin web: list in scope with the lock-out state, create with the
password rules, edit name / role / office, reset a password, unlock, deactivate (signed-in pages end at once)
and reactivate; an admin can neither demote nor deactivate themselves; other districts' accounts are 404."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher

from models.audit import AuditEntry
from models.customs_accounts import CustomsAccount, CustomsRole
from tests.factories import World
from tests.http.support import Site, desk_for

ACCOUNTS = "/admin/settings/accounts"
NEW_PASSWORD = "Kaiguan2026x"


def new_account(**changes: str) -> dict[str, str]:
    return {"username": "zhang.wei", "name": "张伟", "role": "officer", "office_id": "", "password": NEW_PASSWORD,
            "password2": NEW_PASSWORD} | changes


async def test_the_list_shows_accounts_in_scope_with_their_state(site: Site, world: World) -> None:
    await CustomsAccount.filter(username="officer").update(locked_until=datetime.now(UTC) + timedelta(minutes=10))
    admin = await desk_for(site, "customs_admin")
    page = await admin.get(ACCOUNTS)
    assert page.status_code == 200
    assert "supervisor" in page.text and "customs_admin" in page.text and "（本人）" in page.text
    assert "已锁定至" in page.text and "科长/主管" in page.text
    assert "nj_officer" not in page.text
    nanjing = await CustomsAccount.get(username="nj_officer")
    assert (await admin.get(f"{ACCOUNTS}/{nanjing.id}")).status_code == 404


async def test_an_admin_creates_an_account_that_can_sign_in(site: Site, world: World) -> None:
    admin = await desk_for(site, "customs_admin")
    await admin.get(f"{ACCOUNTS}/new")
    created = await admin.post(f"{ACCOUNTS}/new", **new_account(office_id=str(world.tariff_dept.id)))
    assert created.status_code == 303
    account = await CustomsAccount.get(username="zhang.wei").select_related("office")
    assert (account.name, account.role, account.office.code, account.active) == (
        "张伟", CustomsRole.OFFICER, "0901-01", True)
    assert PasswordHasher().verify(account.password_hash, NEW_PASSWORD)
    entry = await AuditEntry.get(action="customs_account.create", object_id="zhang.wei")
    assert entry.detail == {"role": "officer", "office": "0901-01"} and NEW_PASSWORD not in str(entry.detail)
    await site.client.post("/admin/logout", data={"csrf_token": admin.csrf})
    login = await site.client.post("/admin/login", data={"username": "zhang.wei", "password": NEW_PASSWORD})
    assert login.status_code == 303


async def test_bad_input_is_refused_beside_the_field(site: Site, world: World) -> None:
    admin = await desk_for(site, "customs_admin")
    await admin.get(f"{ACCOUNTS}/new")
    office = str(world.dayaowan.id)
    taken = await admin.post(f"{ACCOUNTS}/new", **new_account(username="officer", office_id=office))
    assert taken.status_code == 400 and "用户名 officer 已存在" in taken.text and 'value="张伟"' in taken.text
    short = await admin.post(f"{ACCOUNTS}/new", **new_account(office_id=office, password="abc12",
                                                                password2="abc12"))
    assert short.status_code == 400 and "密码至少 10 位" in short.text
    digits = await admin.post(f"{ACCOUNTS}/new", **new_account(office_id=office, password="1234567890",
                                                                 password2="1234567890"))
    assert digits.status_code == 400 and "密码须同时包含字母和数字" in digits.text
    mismatch = await admin.post(f"{ACCOUNTS}/new", **new_account(office_id=office, password2="Other2026xx"))
    assert mismatch.status_code == 400 and "两次输入的密码不一致" in mismatch.text
    no_office = await admin.post(f"{ACCOUNTS}/new", **new_account())
    assert no_office.status_code == 400 and "请选择所属海关或部门" in no_office.text
    bad_role = await admin.post(f"{ACCOUNTS}/new", **new_account(office_id=office, role="boss"))
    assert bad_role.status_code == 400 and "请选择角色" in bad_role.text
    outside = await admin.post(f"{ACCOUNTS}/new", **new_account(office_id=str(world.nanjing.id)))
    assert outside.status_code == 404
    assert not await CustomsAccount.filter(username="zhang.wei").exists()


async def test_an_admin_edits_resets_and_unlocks_an_account(site: Site, world: World) -> None:
    officer = await CustomsAccount.get(username="officer")
    await CustomsAccount.filter(id=officer.id).update(failed_logins=3,
                                                      locked_until=datetime.now(UTC) + timedelta(minutes=10))
    admin = await desk_for(site, "customs_admin")
    page = await admin.get(f"{ACCOUNTS}/{officer.id}")
    assert "解除锁定" in page.text
    edited = await admin.post(f"{ACCOUNTS}/{officer.id}/edit", name="王关员", role="supervisor",
                              office_id=str(world.tariff_dept.id))
    assert edited.status_code == 303
    again = await CustomsAccount.get(id=officer.id).select_related("office")
    assert (again.name, again.role, again.office.code) == ("王关员", CustomsRole.SUPERVISOR, "0901-01")
    assert (await admin.post(f"{ACCOUNTS}/{officer.id}/unlock")).status_code == 303
    assert (await CustomsAccount.get(id=officer.id)).locked_until is None
    weak = await admin.post(f"{ACCOUNTS}/{officer.id}/password", password="short", password2="short")
    assert weak.status_code == 400 and "密码至少 10 位" in weak.text
    assert (await admin.post(f"{ACCOUNTS}/{officer.id}/password", password=NEW_PASSWORD,
                             password2=NEW_PASSWORD)).status_code == 303
    assert PasswordHasher().verify((await CustomsAccount.get(id=officer.id)).password_hash, NEW_PASSWORD)
    actions = await AuditEntry.filter(object_id="officer", action__startswith="customs_account.").order_by(
        "id").values_list("action", flat=True)
    assert actions == ["customs_account.update", "customs_account.unlock", "customs_account.reset_password"]


async def test_a_deactivated_account_is_signed_out_at_once_and_cannot_sign_in(site: Site, world: World) -> None:
    officer_desk = await desk_for(site, "officer")
    officer_cookie = dict(site.client.cookies)
    site.client.cookies.clear()
    admin = await desk_for(site, "customs_admin")
    officer = await CustomsAccount.get(username="officer")
    await admin.get(f"{ACCOUNTS}/{officer.id}")
    assert (await admin.post(f"{ACCOUNTS}/{officer.id}/active", active="0")).status_code == 303
    admin_cookie = dict(site.client.cookies)
    site.client.cookies.clear()
    site.client.cookies.update(officer_cookie)
    out = await site.client.get("/admin/")
    assert out.status_code == 303 and out.headers["location"].startswith("/admin/login")
    refused = await site.client.post("/admin/login", data={"username": "officer", "password": "customs2026pw"})
    assert refused.status_code == 400 and officer_desk.csrf
    site.client.cookies.clear()
    site.client.cookies.update(admin_cookie)
    assert (await admin.post(f"{ACCOUNTS}/{officer.id}/active", active="1")).status_code == 303
    assert (await CustomsAccount.get(id=officer.id)).active
    actions = await AuditEntry.filter(object_id="officer", action__in=(
        "customs_account.deactivate", "customs_account.activate")).order_by("id").values_list("action", flat=True)
    assert actions == ["customs_account.deactivate", "customs_account.activate"]
    site.client.cookies.clear()
    site.client.cookies.update(officer_cookie)
    still_out = await site.client.get("/admin/")  # reactivation does not revive the sessions it ended
    assert still_out.status_code == 303 and still_out.headers["location"].startswith("/admin/login")


async def test_a_password_reset_ends_the_accounts_open_sessions(site: Site, world: World) -> None:
    await desk_for(site, "officer")
    officer_cookie = dict(site.client.cookies)
    site.client.cookies.clear()
    admin = await desk_for(site, "customs_admin")
    officer = await CustomsAccount.get(username="officer")
    assert (await admin.post(f"{ACCOUNTS}/{officer.id}/password", password=NEW_PASSWORD,
                             password2=NEW_PASSWORD)).status_code == 303
    assert (await admin.get(ACCOUNTS)).status_code == 200  # the admin's own session goes on
    site.client.cookies.clear()
    site.client.cookies.update(officer_cookie)
    out = await site.client.get("/admin/")
    assert out.status_code == 303 and out.headers["location"].startswith("/admin/login")
    again = await site.client.post("/admin/login", data={"username": "officer", "password": NEW_PASSWORD})
    assert again.status_code == 303 and (await site.client.get("/admin/")).status_code == 200


async def test_an_admin_cannot_demote_or_deactivate_themselves(site: Site, world: World) -> None:
    admin = await desk_for(site, "customs_admin")
    me = await CustomsAccount.get(username="customs_admin")
    await admin.get(f"{ACCOUNTS}/{me.id}")
    demoted = await admin.post(f"{ACCOUNTS}/{me.id}/edit", name="管理员", role="officer",
                               office_id=str(world.dalian.id))
    assert demoted.status_code == 400 and "不能降低自己的角色" in demoted.text
    off = await admin.post(f"{ACCOUNTS}/{me.id}/active", active="0")
    assert off.status_code == 400 and "不能停用自己的账号" in off.text
    me = await CustomsAccount.get(id=me.id)
    assert (me.role, me.active, me.name) == (CustomsRole.ADMIN, True, "customs_admin")


async def test_other_districts_roles_and_missing_tokens_are_refused(site: Site, world: World) -> None:
    nanjing = await CustomsAccount.get(username="nj_officer")
    admin = await desk_for(site, "customs_admin")
    await admin.get(ACCOUNTS)
    for action, data in (("edit", {"name": "x", "role": "officer", "office_id": str(world.dalian.id)}),
                         ("password", {"password": NEW_PASSWORD, "password2": NEW_PASSWORD}),
                         ("unlock", {}), ("active", {"active": "0"})):
        assert (await admin.post(f"{ACCOUNTS}/{nanjing.id}/{action}", **data)).status_code == 404
    assert (await CustomsAccount.get(id=nanjing.id)).active
    supervisor = await CustomsAccount.get(username="supervisor")
    no_token = await site.client.post(f"{ACCOUNTS}/{supervisor.id}/active", data={"active": "0"})
    assert no_token.status_code == 403 and (await CustomsAccount.get(id=supervisor.id)).active
    await site.client.post("/admin/logout", data={"csrf_token": admin.csrf})
    for username in ("officer", "supervisor"):
        desk = await desk_for(site, username)
        assert (await desk.get(ACCOUNTS)).status_code == 403
        assert (await desk.post(f"{ACCOUNTS}/{supervisor.id}/active", active="0")).status_code == 403
        await site.client.post("/admin/logout", data={"csrf_token": desk.csrf})
    assert (await CustomsAccount.get(id=supervisor.id)).active
