"""The admin web's door: password sign-in (argon2), lock-out after five wrong passwords, its own cookie,
CSRF on every form, sign-out."""

from __future__ import annotations

import re

import httpx

from models.audit import AuditEntry
from models.customs_accounts import CustomsAccount
from services.accounts.passwords import hash_password
from tests.factories import World
from tests.http.support import Site

PASSWORD = "officer2026pw"


async def with_password(world: World) -> CustomsAccount:
    account = await CustomsAccount.get(id=world.officer.account_id)
    account.password_hash = hash_password(PASSWORD)
    await account.save()
    return account


def csrf(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, html
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, username: str, password: str, next_path: str = "") -> httpx.Response:
    return await client.post("/admin/login", data={"username": username, "password": password, "next": next_path})


async def test_an_officer_signs_in_and_out(site: Site, world: World) -> None:
    await with_password(world)
    anonymous = await site.client.get("/admin/")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/admin/login?next=%2Fadmin%2F"
    response = await sign_in(site.client, "officer", PASSWORD, next_path="/admin/")
    assert response.status_code == 303 and response.headers["location"] == "/admin/"
    cookie = response.headers["set-cookie"]
    assert "ql_admin=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/admin" in cookie
    home = await site.client.get("/admin/")
    assert home.status_code == 200 and "大窑湾海关" in home.text
    assert (await site.client.post("/admin/logout", data={})).status_code == 403  # no CSRF token
    out = await site.client.post("/admin/logout", data={"csrf_token": csrf(home.text)})
    assert out.status_code == 303
    assert (await site.client.get("/admin/")).status_code == 303
    assert await AuditEntry.filter(action="customs.sign_in", object_id="officer").exists()


async def test_five_wrong_passwords_lock_the_account(site: Site, world: World) -> None:
    await with_password(world)
    for left in (4, 3, 2, 1):
        wrong = await sign_in(site.client, "officer", "wrong-password-1")
        assert wrong.status_code == 400 and f"再错 {left} 次账号将锁定" in wrong.text
    locked = await sign_in(site.client, "officer", "wrong-password-1")
    assert locked.status_code == 429 and "账号已锁定" in locked.text
    still_locked = await sign_in(site.client, "officer", PASSWORD)  # even the right password, for 15 minutes
    assert still_locked.status_code == 429
    assert (await CustomsAccount.get(id=world.officer.account_id)).locked_until is not None
    assert await AuditEntry.filter(action="customs.locked").exists()


async def test_an_unknown_name_gets_the_same_answer_as_a_wrong_password(site: Site, world: World) -> None:
    response = await sign_in(site.client, "nobody", "whatever-123")
    assert response.status_code == 400 and "用户名或密码错误" in response.text and 'value="nobody"' in response.text


async def test_the_next_page_stays_inside_the_admin_web(site: Site, world: World) -> None:
    await with_password(world)
    response = await sign_in(site.client, "officer", PASSWORD, next_path="https://evil.example/")
    assert response.headers["location"] == "/admin/"


async def test_an_enterprise_session_does_not_open_the_admin_web(site: Site, world: World) -> None:
    browser = await site.browser(world.staff)
    assert (await browser.get("/admin/")).status_code == 303
