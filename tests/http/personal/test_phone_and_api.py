"""The personal centre's API (/api/v1/workspace/personal/…) and the phone change end to end: the code goes
through the real SMS client to the SMS simulator, is read from its inbox and typed back; a wrong code, a number
another person uses and the person's own number are refused beside their fields."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from core.config import DatabaseSettings
from handlers.kit.sessions import COOKIE, WebSession
from models.audit import AuditEntry
from models.enterprises import Person
from models.personal import CompanyFormDefaults
from services.personal.preferences import effective_preferences
from tests.factories import World
from tests.http.personal.support import API, BAD_IDS, BAD_IMAGES, DESK, H5, desk_error, h5_error, png
from tests.http.support import SimulatedSite, simulated_site

NEW_PHONE = "13912345678"


@pytest.fixture
async def site(db: DatabaseSettings, world: World, tmp_path: Path) -> AsyncIterator[SimulatedSite]:
    async with simulated_site(db, web={"upload_dir": str(tmp_path / "uploads")}) as running:
        yield running


@pytest.fixture
async def staff(site: SimulatedSite, world: World) -> AsyncIterator[tuple[httpx.AsyncClient, WebSession]]:
    session = await site.app.ctx.sessions.start(person_id=world.staff.person_id, enterprise_id=world.acme.id,
                                                openid=None, via="sms")
    async with httpx.AsyncClient(base_url=site.base_url, cookies={COOKIE: session.token}, timeout=10) as client:
        yield client, session


def form(session: WebSession, **fields: str) -> dict[str, str]:
    return {"csrf_token": session.csrf, **fields}


def json_headers(session: WebSession) -> dict[str, str]:
    return {"x-csrf-token": session.csrf}


async def test_the_phone_changes_with_the_code_sent_to_the_new_number(
        site: SimulatedSite, world: World, staff: tuple[httpx.AsyncClient, WebSession]) -> None:
    client, session = staff
    sent = await client.post(f"{DESK}/security/phone/code", data=form(session, phone=NEW_PHONE))
    assert sent.status_code == 200 and "验证码已发送，5 分钟内有效" in sent.text and f'value="{NEW_PHONE}"' in sent.text
    old = (await Person.get(id=world.staff.person_id)).phone
    assert await site.sms_inbox(old) == []  # the code goes to the new number only
    code = await site.last_code(NEW_PHONE)
    wrong = await client.post(f"{DESK}/security/phone",
                              data=form(session, phone=NEW_PHONE, code="000000" if code != "000000" else "111111"))
    assert wrong.status_code == 400 and desk_error(wrong.text, "code") == "验证码错误，还可以再试 4 次"
    assert f'value="{NEW_PHONE}"' in wrong.text
    changed = await client.post(f"{DESK}/security/phone", data=form(session, phone=NEW_PHONE, code=code))
    assert changed.status_code == 303 and changed.headers["location"] == f"{DESK}/security?done=phone"
    assert (await Person.get(id=world.staff.person_id)).phone == NEW_PHONE
    entry = await AuditEntry.get(action="personal.phone")
    assert entry.detail == {"before": old[:3] + "****" + old[-4:], "after": "139****5678"}
    again = await client.post(f"{DESK}/security/phone", data=form(session, phone=NEW_PHONE, code=code))
    assert desk_error(again.text, "phone") == "新手机号与当前手机号相同"


async def test_a_number_of_another_person_is_refused_before_any_code(
        site: SimulatedSite, world: World, staff: tuple[httpx.AsyncClient, WebSession]) -> None:
    client, session = staff
    taken = (await Person.get(id=world.executive.person_id)).phone
    refused = await client.post(f"{H5}/security/phone/code", data=form(session, phone=taken))
    assert refused.status_code == 409 and h5_error(refused.text, "phone") == "该手机号已被其他人员使用"
    assert await site.sms_inbox(taken) == []
    bad = await client.post(f"{H5}/security/phone/code", data=form(session, phone="1234"))
    assert h5_error(bad.text, "phone") == "请输入正确的 11 位手机号"
    api = await client.post(f"{API}/phone", json={"phone": taken, "code": "123456"}, headers=json_headers(session))
    assert api.status_code == 409 and api.json()["error"] == {
        "code": "conflict", "message": "该手机号已被其他人员使用", "field": "phone"}


async def test_the_api_changes_the_phone_with_the_simulators_code(
        site: SimulatedSite, world: World, staff: tuple[httpx.AsyncClient, WebSession]) -> None:
    client, session = staff
    assert (await client.post(f"{API}/phone/code", json={"phone": NEW_PHONE},
                              headers=json_headers(session))).status_code == 204
    expired = await client.post(f"{API}/phone", json={"phone": NEW_PHONE, "code": "12a"},
                                headers=json_headers(session))
    assert expired.status_code == 400 and expired.json()["error"]["field"] == "code"
    code = await site.last_code(NEW_PHONE)
    done = await client.post(f"{API}/phone", json={"phone": NEW_PHONE, "code": code}, headers=json_headers(session))
    assert done.status_code == 204
    assert (await client.get(f"{API}/security")).json()["phone"] == NEW_PHONE


async def test_profile_and_stamp_through_the_api(site: SimulatedSite, world: World,
                                                 staff: tuple[httpx.AsyncClient, WebSession]) -> None:
    client, session = staff
    refused = await client.post(f"{API}/profile", json={"name": "", "gender": "x"}, headers=json_headers(session))
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {"name": "请输入姓名", "gender": "请选择性别"}
    saved = await client.post(f"{API}/profile", json={"name": "关务丁", "gender": "male"},
                              headers=json_headers(session))
    assert saved.status_code == 200 and saved.json()["gender"] == "male" and saved.json()["stamp"] is None
    stamp = await client.post(f"{API}/images/stamp", files={"stamp": ("章.png", png(), "image/png")},
                              headers=json_headers(session))
    assert stamp.status_code == 200 and stamp.json()["stamp"]["filename"] == "章.png"
    assert set(stamp.json()["stamp"]) == {"filename", "sha256", "width", "height", "transparent"}
    assert stamp.json()["stamp"]["transparent"] is True


@pytest.mark.parametrize(("name", "data", "message"), BAD_IMAGES, ids=BAD_IDS)
async def test_bad_stamps_refused_by_the_api(site: SimulatedSite, world: World,
                                             staff: tuple[httpx.AsyncClient, WebSession], name: str, data: bytes,
                                             message: str) -> None:
    client, session = staff
    refused = await client.post(f"{API}/images/stamp", files={"stamp": (name, data, "image/png")},
                                headers=json_headers(session))
    assert refused.status_code == 400 and refused.json()["error"] == {
        "code": "validation_failed", "message": message, "field": "stamp"}


async def test_preferences_through_the_api_and_effective_for_declarations(
        site: SimulatedSite, world: World, staff: tuple[httpx.AsyncClient, WebSession]) -> None:
    client, session = staff
    await CompanyFormDefaults.create(enterprise_id=world.acme.id, values={"currency": "USD", "trade_mode": "0110"},
                                     updated_at=site.app.ctx.services.now())
    saved = await client.post(f"{API}/preferences", json={"currency": "eur", "enter_moves_next": "off"},
                              headers=json_headers(session))
    assert saved.status_code == 200
    effective = saved.json()["effective"]
    assert effective["currency"] == {"value": "EUR", "source": "person"}
    assert effective["trade_mode"] == {"value": "0110", "source": "company"}
    assert effective["enter_moves_next"] == {"value": False, "source": "person"}
    assert effective["confirm_declare"] == {"value": True, "source": "system"}
    forbidden = await client.post(f"{API}/preferences/company", json={"currency": "JPY"},
                                  headers=json_headers(session))
    assert forbidden.status_code == 403
    bad = await client.post(f"{API}/preferences", json={"trade_mode": "x", "declare_office": "0000"},
                            headers=json_headers(session))
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"trade_mode", "declare_office"}
    reset = await client.post(f"{API}/preferences/reset", json={}, headers=json_headers(session))
    assert reset.json()["mine"] == {} and reset.json()["effective"]["currency"]["source"] == "company"
    in_force = await effective_preferences(world.staff.person_id, world.acme.id)
    assert in_force["currency"].value == "USD" and in_force["enter_moves_next"].value is True


async def test_the_password_through_the_api(site: SimulatedSite, world: World,
                                            staff: tuple[httpx.AsyncClient, WebSession]) -> None:
    client, session = staff
    new = {"password": "dingding2026", "password2": "dingding2026"}
    taken = await client.post(f"{API}/password", json={"username": "x", **new}, headers=json_headers(session))
    assert taken.status_code == 400 and taken.json()["error"]["field"] == "username"
    opened = await client.post(f"{API}/password", json={"username": "DingDing", **new}, headers=json_headers(session))
    assert opened.status_code == 204 and (await client.get(f"{API}/security")).json()["username"] == "dingding"
    wrong = await client.post(f"{API}/password", json={"current_password": "nope", "password": "another2026x",
                                                       "password2": "another2026x"}, headers=json_headers(session))
    assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "current_password"
    assert await AuditEntry.filter(action="personal.local_account", object_id="dingding").exists()
