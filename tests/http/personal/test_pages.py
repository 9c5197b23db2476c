"""个人中心 pages on the desktop (/workbench/personal) and in WeChat (/h5/personal): the tabs, the profile with
its avatar and 报关员章 (validated like question images; the stamp a PNG), the password, the WeChat binding and
the bound cards, the form preferences over the enterprise's defaults — every refusal beside its field, what was
typed kept, every change audited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from core.config import DatabaseSettings
from models.audit import AuditEntry
from models.cards import CardBinding, CardType
from models.enterprises import Person
from models.identities import LocalAccount
from models.personal import Gender, PersonalProfile, PersonFormPreferences
from tests.factories import World
from tests.http.personal.support import BAD_IDS, BAD_IMAGES, DESK, H5, desk_error, h5_error, jpeg, png
from tests.http.support import Site, running_site, web_settings


@pytest.fixture
async def site(db: DatabaseSettings, world: World, tmp_path: Path) -> AsyncIterator[Site]:
    async with running_site(web_settings(db, web={"upload_dir": str(tmp_path / "uploads")})) as running:
        yield running


async def audit(action: str) -> AuditEntry:
    entry = await AuditEntry.filter(action=action).order_by("-id").first()
    assert entry is not None, action
    return entry


@pytest.mark.parametrize("base", [DESK, H5])
async def test_every_tab_opens_for_a_member_with_the_companies_tab_linked(site: Site, world: World,
                                                                          base: str) -> None:
    staff = await site.browser(world.staff)
    for suffix, heading in [("", "个人资料"), ("/security", "更换手机号"), ("/preferences", "默认申报地海关")]:
        page = await staff.get(f"{base}{suffix}")
        assert page.status_code == 200 and heading in page.text, suffix
        assert f'href="{base}/companies"' in page.text and "我的企业" in page.text
    assert 'href="/h5/personal"' in (await staff.get("/h5/account")).text  # the way in from WeChat

@pytest.mark.parametrize("base", [DESK, H5])
async def test_profile_saved_and_audited_with_bad_fields_refused_at_once(site: Site, world: World,
                                                                          base: str) -> None:
    staff = await site.browser(world.staff)
    refused = await staff.post_form(f"{base}/profile", {"name": " ", "gender": "robot"})
    assert refused.status_code == 400
    error = desk_error if base == DESK else h5_error
    assert error(refused.text, "name") == "请输入姓名" and error(refused.text, "gender") == "请选择性别"
    saved = await staff.post_form(f"{base}/profile", {"name": "关务丁丁", "gender": "female"})
    assert saved.status_code == 303 and saved.headers["location"] == f"{base}?done=profile"
    assert (await Person.get(id=world.staff.person_id)).name == "关务丁丁"
    assert (await PersonalProfile.get(person_id=world.staff.person_id)).gender is Gender.FEMALE
    entry = await audit("personal.profile")
    assert entry.detail["after"] == {"name": "关务丁丁", "gender": "female"} and entry.actor_id == world.staff.person_id
    assert "个人资料已保存" in (await staff.get(f"{base}?done=profile")).text


async def test_a_long_name_is_kept_as_typed_beside_its_message(site: Site, world: World) -> None:
    staff = await site.browser(world.staff)
    refused = await staff.post_form(f"{DESK}/profile", {"name": "长" * 51, "gender": "male"})
    assert refused.status_code == 400 and "长" * 51 in refused.text
    assert desk_error(refused.text, "name") == "姓名不能超过 50 个字"


async def test_the_stamp_is_stored_previewed_as_a_watermark_and_replaced(site: Site, world: World) -> None:
    staff = await site.browser(world.staff)
    first = await staff.post_form(f"{DESK}/images/stamp", files={"stamp": ("章.png", png(), "image/png")})
    assert first.status_code == 303 and first.headers["location"] == f"{DESK}?done=stamp"
    stored = (await PersonalProfile.get(person_id=world.staff.person_id)).stamp
    assert stored is not None and stored["content_type"] == "image/png" and stored["transparent"] is True
    page = await staff.get(DESK)
    assert 'class="watermark"' in page.text and 'id="stamp-opaque"' not in page.text
    assert f"{DESK}/images/stamp?v={stored['sha256'][:8]}" in page.text
    served = await staff.get(f"{DESK}/images/stamp")
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    first_file = site.app.ctx.storage.path(stored["key"])
    await staff.post_form(f"{DESK}/images/stamp", files={"stamp": ("章2.png", png(alpha=255), "image/png")})
    assert not first_file.exists()  # the replaced file is removed
    assert 'id="stamp-opaque"' in (await staff.get(DESK)).text  # taken, with a hint for a transparent one
    entry = await audit("personal.stamp")
    assert entry.detail["before"]["stamp"]["filename"] == "章.png" and "key" not in entry.detail["after"]["stamp"]
    assert entry.detail["after"]["stamp"]["transparent"] is False


async def test_a_jpeg_stamp_is_refused_but_a_jpeg_avatar_taken(site: Site, world: World) -> None:
    staff = await site.browser(world.staff)
    refused = await staff.post_form(f"{DESK}/images/stamp", files={"stamp": ("章.jpg", jpeg(), "image/jpeg")})
    assert refused.status_code == 400 and desk_error(refused.text, "stamp") == "报关员章须为 PNG 图片（建议透明背景）"
    avatar = await staff.post_form(f"{H5}/images/avatar", files={"avatar": ("me.jpg", jpeg(), "image/jpeg")})
    assert avatar.status_code == 303 and avatar.headers["location"] == f"{H5}?done=avatar"
    assert (await staff.get(f"{H5}/images/avatar")).headers["content-type"] == "image/jpeg"
    assert 'class="avatar" src="/workbench/personal/images/avatar' in (await staff.get("/workbench/")).text
    assert f'formaction="{H5}/images/avatar/delete"' in (await staff.get(H5)).text
    removed = await staff.post_form(f"{H5}/images/avatar/delete")
    assert removed.status_code == 303 and (await PersonalProfile.get(person_id=world.staff.person_id)).avatar is None
    assert (await audit("personal.avatar_removed")).detail["before"]["avatar"]["filename"] == "me.jpg"
    assert (await staff.get(f"{H5}/images/avatar")).status_code == 404
    assert 'class="avatar"' not in (await staff.get("/workbench/")).text


@pytest.mark.parametrize(("name", "data", "message"), BAD_IMAGES, ids=BAD_IDS)
async def test_bad_images_refused_like_question_images(site: Site, world: World, name: str, data: bytes,
                                                       message: str) -> None:
    staff = await site.browser(world.staff)
    for kind in ("avatar", "stamp"):
        refused = await staff.post_form(f"{DESK}/images/{kind}", files={kind: (name, data, "image/png")})
        assert refused.status_code == 400 and desk_error(refused.text, kind) == message, kind
    assert not await PersonalProfile.filter(person_id=world.staff.person_id).exclude(stamp=None).exists()
    assert not [p for p in Path(site.app.ctx.settings.web.upload_dir).rglob("*") if p.is_file()]


async def test_no_file_chosen_and_an_unknown_kind(site: Site, world: World) -> None:
    staff = await site.browser(world.staff)
    empty = await staff.post_form(f"{DESK}/images/stamp", files={"stamp": ("", b"", "application/octet-stream")})
    assert empty.status_code == 400 and desk_error(empty.text, "stamp") == "请选择图片"
    assert (await staff.post_form(f"{DESK}/images/passport", files={"x": ("a.png", png(), "image/png")})
            ).status_code == 404


async def test_a_local_account_is_opened_then_its_password_changed_with_the_current_one(site: Site,
                                                                                         world: World) -> None:
    staff = await site.browser(world.staff)
    weak = await staff.post_form(f"{DESK}/security/password",
                                 {"username": "dingding", "password": "short1", "password2": "short1"})
    assert weak.status_code == 400 and desk_error(weak.text, "password") == "密码至少 10 位"
    assert 'value="dingding"' in weak.text and "short1" not in weak.text  # typed kept, passwords never echoed
    opened = await staff.post_form(f"{DESK}/security/password",
                                   {"username": "dingding", "password": "dingding2026", "password2": "dingding2026"})
    assert opened.headers["location"] == f"{DESK}/security?done=local_account"
    assert (await LocalAccount.get(person_id=world.staff.person_id)).username == "dingding"
    new = {"password": "newpass2026x", "password2": "newpass2026x"}
    wrong = await staff.post_form(f"{DESK}/security/password", {"current_password": "not-it-2026", **new})
    assert wrong.status_code == 400
    assert desk_error(wrong.text, "current_password") == "用户名或密码错误，再错 4 次账号将锁定 15 分钟"
    both = await staff.post_form(f"{DESK}/security/password", {"current_password": "", "password": "letters-only",
                                                               "password2": "letters-only"})
    assert desk_error(both.text, "current_password") == "请输入当前密码"
    assert desk_error(both.text, "password") == "密码须同时包含字母和数字"
    differ = await staff.post_form(f"{DESK}/security/password", {"current_password": "dingding2026",
                                                                 "password": "newpass2026x", "password2": "other"})
    assert desk_error(differ.text, "password2") == "两次输入的密码不一致"
    changed = await staff.post_form(f"{DESK}/security/password", {"current_password": "dingding2026", **new})
    assert changed.headers["location"] == f"{DESK}/security?done=password"
    account = await LocalAccount.get(person_id=world.staff.person_id)
    assert PasswordHasher().verify(account.password_hash, "newpass2026x") and account.failed_logins == 0
    assert (await audit("personal.password")).detail == {}


async def test_wechat_binding_shown_and_unbound_and_cards_listed(site: Site, world: World) -> None:
    await Person.filter(id=world.staff.person_id).update(wechat_openid="o_staff_openid")
    in_wechat = (await (await site.browser(world.staff)).get(f"{H5}/security")).text
    assert 'action="/h5/account/unbind"' in in_wechat and "已绑定" in in_wechat
    now = site.app.ctx.services.now()
    await CardBinding.create(enterprise_id=world.acme.id, person_id=world.staff.person_id, fingerprint="f" * 64,
                             card_no="2100000012345", holder_name="关务丁", card_type=CardType.OPERATOR, created_at=now)
    staff = await site.browser(world.staff)
    page = await staff.get(f"{DESK}/security")
    assert "已绑定微信" in page.text and "2100000012345" in page.text and "操作员卡" in page.text
    assert 'href="/h5/card"' in page.text and 'href="/h5/card/login?next=/workbench/"' in page.text
    unbound = await staff.post_form(f"{DESK}/security/wechat/unbind")
    assert unbound.headers["location"] == f"{DESK}/security?done=wechat"
    assert (await Person.get(id=world.staff.person_id)).wechat_openid is None
    assert (await staff.get(f"{DESK}/security")).status_code == 200  # the desktop session goes on
    assert (await staff.post_form(f"{H5}/security/wechat/unbind")).status_code == 404  # WeChat: the account page's
    assert (await audit("wechat.unbind")).detail["openid"] == "o_staff_openid"


@pytest.mark.parametrize("base", [DESK, H5])
async def test_preferences_over_company_defaults_and_reset(site: Site, world: World, base: str) -> None:
    admin, staff = await site.browser(world.admin), await site.browser(world.staff)
    assert "企业默认设置（企业管理员）" not in (await staff.get(f"{base}/preferences")).text
    forbidden = await staff.post_form(f"{base}/preferences/company", {"currency": "USD"})
    assert forbidden.status_code == 403
    defaults = await admin.post_form(f"{base}/preferences/company", {"declare_office": "0900", "currency": "usd",
                                                                     "enter_moves_next": "off"})
    assert defaults.headers["location"] == f"{base}/preferences?done=company"
    page = await staff.get(f"{base}/preferences")
    assert "大连海关" in page.text and "USD" in page.text
    mine = await staff.post_form(f"{base}/preferences", {"currency": "CNY", "remember_last": "on"})
    assert mine.status_code == 303
    assert (await PersonFormPreferences.get(person_id=world.staff.person_id)).values == {
        "currency": "CNY", "remember_last": True}
    entry = await audit("personal.preferences")
    assert entry.detail == {"enterprise_id": world.acme.id, "before": {},
                            "after": {"currency": "CNY", "remember_last": True}}
    reset = await staff.post_form(f"{base}/preferences/reset")
    assert reset.headers["location"] == f"{base}/preferences?done=reset"
    assert not await PersonFormPreferences.filter(person_id=world.staff.person_id).exists()
    assert (await audit("personal.preferences_reset")).detail["before"] == {"currency": "CNY", "remember_last": True}


async def test_bad_preferences_refused_all_at_once_with_what_was_typed(site: Site, world: World) -> None:
    staff = await site.browser(world.staff)
    refused = await staff.post_form(f"{DESK}/preferences", {"declare_office": "9999", "port_office": "09a1",
                                                            "trade_mode": "011", "currency": "US1",
                                                            "enter_moves_next": "maybe"})
    assert refused.status_code == 400
    assert desk_error(refused.text, "port_office") == "默认进出境关别应为 4 位数字的关区代码"
    assert desk_error(refused.text, "trade_mode") == "默认监管方式应为 4 位数字"
    assert desk_error(refused.text, "currency") == "默认币制应为 3 位英文字母"
    assert desk_error(refused.text, "enter_moves_next") == "请选择跟随企业默认、启用或禁用"
    assert desk_error(refused.text, "declare_office") == "关区代码 9999 不存在，请输入 4 位关区代码，如 0900"
    assert 'value="US1"' in refused.text and 'value="9999"' in refused.text
    assert not await PersonFormPreferences.exists()
    department = await staff.post_form(f"{DESK}/preferences", {"declare_office": "0901", "port_office": "2300"})
    assert department.status_code == 303  # 隶属海关 and 直属海关 both are offices of declaration
