"""管理员中心 → 企业设置 through HTTP: company and invoice information (纳税人识别号 checked), LOGO and seal
(validated like question images; the seal a PNG with transparency), business switches (the aircraft time only
while its switch is on), 企业风采 (at most 6 carousel images, links http/https only), each change audited with
before / after, and the edit code required for every change."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from core.config import DatabaseSettings
from models.audit import AuditEntry
from models.company import CompanySettings
from models.enterprises import MemberRole
from models.workspace import DataScope, RoleGrant, WorkspaceRole
from services.workspace.permissions import bump_version
from tests.factories import World, credit_code
from tests.http.support import SignedIn, Site, running_site, web_settings

COMPANY = "/workbench/admin/company"
MB = 1024 * 1024


@pytest.fixture
async def site(db: DatabaseSettings, world: World, tmp_path: Path) -> AsyncIterator[Site]:
    async with running_site(web_settings(db, web={"upload_dir": str(tmp_path / "uploads")})) as running:
        yield running


def png(mode: str = "RGBA", alpha: int = 0) -> bytes:
    image = Image.new(mode, (40, 30), (200, 0, 0, 255) if mode == "RGBA" else (200, 0, 0))
    if mode == "RGBA":
        image.putpixel((0, 0), (0, 0, 0, alpha))  # transparency some pixel actually uses (alpha < 255)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(out, "JPEG")
    return out.getvalue()


def bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


def error_of(html: str, name: str) -> str:
    match = re.search(rf'id="{name}-error">([^<]*)<', html)
    return match.group(1) if match else ""


async def upload(browser: SignedIn, url: str, name: str, data: bytes, filename: str = "a.png",
                 **fields: str) -> httpx.Response:
    return await browser.post_form(url, fields, files={name: (filename, data, "image/png")})


async def audit(action: str) -> AuditEntry:
    entry = await AuditEntry.filter(action=action).order_by("-id").first()
    assert entry is not None, action
    return entry


INFO: dict[str, Any] = {"address": "大连市中山区港湾街 1 号", "contact": "王经理", "phone": "0411-82345678",
                        "email": "wang@example.cn", "invoice_name": "大连示例进出口有限公司",
                        "invoice_tax_id": "", "invoice_address_phone": "大连市中山区港湾街 1 号 0411-82345678",
                        "invoice_bank_account": "中国银行大连分行 123456789"}


async def test_information_saved_audited_and_the_name_read_only(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    page = await admin.get(COMPANY)
    assert page.status_code == 200 and "企业设置" in page.text and world.acme.name in page.text
    assert 'name="name"' not in page.text  # the registered name is shown, not sent
    tax_id = credit_code("91210242679978240")
    saved = await admin.post_form(f"{COMPANY}/info", INFO | {"invoice_tax_id": tax_id.lower()})
    assert saved.status_code == 303 and saved.headers["location"] == f"{COMPANY}?done=info"
    row = await CompanySettings.get(enterprise_id=world.acme.id)
    assert row.invoice_tax_id == tax_id and row.contact == "王经理"
    entry = await AuditEntry.get(action="company.info")
    assert entry.detail["before"]["contact"] == "" and entry.detail["after"]["invoice_tax_id"] == tax_id
    again = await admin.post_form(f"{COMPANY}/info", INFO | {"invoice_tax_id": "123456789012345", "contact": "李"})
    assert again.status_code == 303
    last = await audit("company.info")
    assert last.detail["before"]["contact"] == "王经理" and last.detail["after"]["contact"] == "李"


@pytest.mark.parametrize(("tax_id", "message"), [
    ("1234567890", "纳税人识别号应为 15、18 或 20 位"),
    ("91210242679978240X", "统一社会信用代码校验位不正确，请核对"),
    ("12345678901234#", "纳税人识别号只能包含数字和大写字母"),
], ids=["length", "check-digit", "characters"])
async def test_bad_information_refused_beside_the_fields_with_values_kept(site: Site, world: World, tax_id: str,
                                                                          message: str) -> None:
    admin = await site.browser(world.admin)
    bad = await admin.post_form(f"{COMPANY}/info", INFO | {"invoice_tax_id": tax_id, "phone": "12345"})
    assert bad.status_code == 400
    assert error_of(bad.text, "invoice_tax_id") == message
    assert error_of(bad.text, "phone") == "请填写正确的联系电话（手机号或带区号的固定电话）"
    assert 'value="王经理"' in bad.text and f'value="{tax_id}"' in bad.text
    assert not await CompanySettings.filter(enterprise_id=world.acme.id).exists()


async def test_logo_and_seal_stored_previewed_and_audited(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    assert (await upload(admin, f"{COMPANY}/images/logo", "logo", jpeg(), "logo.jpg")).status_code == 303
    assert (await upload(admin, f"{COMPANY}/images/seal", "seal", png())).status_code == 303
    page = await admin.get(COMPANY)
    assert f'src="{COMPANY}/images/logo?v=' in page.text and f'src="{COMPANY}/images/seal?v=' in page.text
    seal = await admin.get(f"{COMPANY}/images/seal")
    assert seal.status_code == 200 and seal.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(seal.content)).mode == "RGBA"
    entry = await AuditEntry.get(action="company.seal")
    assert entry.detail["before"] == {"seal": None} and entry.detail["after"]["seal"]["filename"] == "a.png"
    first = (await CompanySettings.get(enterprise_id=world.acme.id)).logo
    assert (await upload(admin, f"{COMPANY}/images/logo", "logo", png(), "new.png")).status_code == 303
    assert not await site.app.ctx.storage.exists(first["key"])  # the replaced file is removed
    assert (await admin.get(f"{COMPANY}/images/nothing")).status_code == 404


@pytest.mark.parametrize(("name", "data", "message"), [
    ("logo.png", b"#!/bin/sh\necho pwned\n", "只支持 JPG、PNG 格式的图片"),
    ("big.jpg", b"\xff\xd8\xff\xe0" + b"\0" * (20 * MB - 3), "图片不能超过 20 MB"),
    ("bomb.png", bomb(), "图片尺寸过大，无法处理"),
], ids=["renamed-script", "20MB-plus-1", "decompression-bomb"])
async def test_bad_images_refused_beside_the_field(site: Site, world: World, name: str, data: bytes,
                                                   message: str) -> None:
    admin = await site.browser(world.admin)
    for kind in ("logo", "seal"):
        refused = await upload(admin, f"{COMPANY}/images/{kind}", kind, data, name)
        assert refused.status_code == 400 and error_of(refused.text, kind) == message
    carousel = await upload(admin, f"{COMPANY}/carousel", "carousel_image", data, name)
    assert carousel.status_code == 400 and error_of(carousel.text, "carousel_image") == message
    assert not await CompanySettings.filter(enterprise_id=world.acme.id, logo__not_isnull=True).exists()


@pytest.mark.parametrize("data", [png("RGB"), png(alpha=255), jpeg()], ids=["no-alpha", "opaque-alpha", "jpeg"])
async def test_a_seal_without_transparency_is_refused(site: Site, world: World, data: bytes) -> None:
    admin = await site.browser(world.admin)
    refused = await upload(admin, f"{COMPANY}/images/seal", "seal", data)
    assert refused.status_code == 400 and error_of(refused.text, "seal") == "印章须为透明背景的 PNG 图片"
    assert not await AuditEntry.filter(action="company.seal").exists()


async def test_switches_and_the_aircraft_time_only_while_on(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    url = f"{COMPANY}/switches"
    off = await admin.post_form(url, {"kinds": ["export"], "aircraft_time": "08:30"})
    assert off.status_code == 400
    assert error_of(off.text, "aircraft_time") == "请先启用航空器自动申报，再设置申报时间"
    assert not await CompanySettings.filter(enterprise_id=world.acme.id).exists()
    no_time = await admin.post_form(url, {"aircraft_auto": "1", "aircraft_time": "25:00"})
    assert no_time.status_code == 400 and error_of(no_time.text, "aircraft_time").startswith("请填写航空器自动申报时间")
    on = await admin.post_form(url, {"kinds": ["export_record", "export"], "aircraft_auto": "1",
                                     "aircraft_time": "08:30"})
    assert on.status_code == 303
    row = await CompanySettings.get(enterprise_id=world.acme.id)
    assert row.declaration_kinds == ["export", "export_record"] and row.aircraft_time == "08:30"
    turned_off = await admin.post_form(url, {"kinds": []})
    assert turned_off.status_code == 303
    row = await CompanySettings.get(enterprise_id=world.acme.id)
    assert not row.aircraft_auto and row.aircraft_time == "08:30" and row.declaration_kinds == []
    entry = await audit("company.switches")
    assert entry.detail["before"]["aircraft_auto"] is True and entry.detail["after"]["aircraft_auto"] is False
    bad_kind = await admin.post_form(url, {"kinds": ["galaxy"]})
    assert bad_kind.status_code == 400 and error_of(bad_kind.text, "kinds") == "业务类型无效，请重新选择"


async def test_carousel_of_at_most_six_ordered_images(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    url = f"{COMPANY}/carousel"
    bad_link = await upload(admin, url, "carousel_image", jpeg(), "x.jpg", carousel_link="javascript:alert(1)")
    assert bad_link.status_code == 400 and error_of(bad_link.text, "carousel_link").startswith("请填写以 http")
    assert 'value="javascript:alert(1)"' in bad_link.text
    for n in range(6):
        added = await upload(admin, url, "carousel_image", jpeg(), f"{n}.jpg", carousel_link=f"https://e.cn/{n}")
        assert added.status_code == 303
    seventh = await upload(admin, url, "carousel_image", jpeg(), "7.jpg")
    assert seventh.status_code == 400 and error_of(seventh.text, "carousel_image") == "最多 6 张"
    row = await CompanySettings.get(enterprise_id=world.acme.id)
    assert [e["filename"] for e in row.carousel] == [f"{n}.jpg" for n in range(6)]
    ids = [e["id"] for e in row.carousel]
    assert (await admin.post_form(f"{url}/{ids[2]}/move", {"direction": "up"})).status_code == 303
    assert (await admin.post_form(f"{url}/{ids[0]}/delete")).status_code == 303
    row = await CompanySettings.get(enterprise_id=world.acme.id)
    assert [e["id"] for e in row.carousel] == [ids[2], ids[1], *ids[3:]]
    assert (await admin.get(f"{COMPANY}/images/{ids[2]}")).status_code == 200
    entry = await audit("company.carousel")
    assert len(entry.detail["before"]["carousel"]) == 6 and len(entry.detail["after"]["carousel"]) == 5
    assert (await upload(admin, url, "carousel_image", jpeg(), "again.jpg")).status_code == 303


@pytest.mark.parametrize(("title", "url", "field", "message"), [
    ("海关总署", "javascript:alert(1)", "link_url", "请填写以 http:// 或 https:// 开头的网址"),
    ("海关总署", "ftp://www.customs.gov.cn", "link_url", "请填写以 http:// 或 https:// 开头的网址"),
    ("海关总署", "https://", "link_url", "请填写以 http:// 或 https:// 开头的网址"),
    ("海关总署", "https://bad_host!/", "link_url", "网址的域名不正确"),
    ("海关总署", "https://e.cn/" + "a" * 500, "link_url", "网址不能超过 500 个字符"),
    ("", "https://www.customs.gov.cn", "link_title", "请填写链接标题（不超过 30 个字）"),
], ids=["javascript", "ftp", "no-host", "bad-host", "too-long", "no-title"])
async def test_bad_links_refused(site: Site, world: World, title: str, url: str, field: str, message: str) -> None:
    admin = await site.browser(world.admin)
    refused = await admin.post_form(f"{COMPANY}/links", {"link_title": title, "link_url": url})
    assert refused.status_code == 400 and error_of(refused.text, field) == message
    assert f'value="{title}"' in refused.text


async def test_links_added_removed_and_audited(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    added = await admin.post_form(f"{COMPANY}/links", {"link_title": "海关总署", "link_url": "http://www.customs.gov.cn"})
    assert added.status_code == 303
    row = await CompanySettings.get(enterprise_id=world.acme.id)
    assert [(e["title"], e["url"]) for e in row.links] == [("海关总署", "http://www.customs.gov.cn")]
    assert 'href="http://www.customs.gov.cn"' in (await admin.get(COMPANY)).text
    assert (await admin.post_form(f"{COMPANY}/links/{row.links[0]['id']}/delete")).status_code == 303
    entry = await audit("company.links")
    assert entry.detail["before"]["links"][0]["title"] == "海关总署" and entry.detail["after"]["links"] == []


async def test_without_the_edit_code_every_change_is_403(site: Site, world: World) -> None:
    now = site.app.ctx.services.now()
    await WorkspaceRole.create(enterprise_id=world.acme.id, name="关务人员", builtin=MemberRole.STAFF, codes=[],
                               data_scope=DataScope.SELF, created_at=now, updated_at=now)
    viewer = await WorkspaceRole.create(enterprise_id=world.acme.id, name="查看企业设置",
                                        codes=["system:company:view"], created_at=now, updated_at=now)
    await RoleGrant.create(person_id=world.staff.person_id, role=viewer, valid_from=now, granted_at=now)
    await bump_version(site.app.ctx.cache, world.acme.id)
    staff = await site.browser(world.staff)
    page = await staff.get(COMPANY)
    assert page.status_code == 200 and "新增链接" not in page.text and "添加图片" not in page.text
    for url, data in [("info", INFO), ("switches", {"kinds": []}), ("links", {"link_title": "a", "link_url": "https://e.cn"}),
                      ("carousel/abc/delete", {}), ("links/abc/delete", {})]:
        assert (await staff.post_form(f"{COMPANY}/{url}", data)).status_code == 403, url
    assert (await upload(staff, f"{COMPANY}/images/seal", "seal", png())).status_code == 403
    assert (await upload(staff, f"{COMPANY}/carousel", "carousel_image", jpeg())).status_code == 403
    assert not await CompanySettings.filter(enterprise_id=world.acme.id).exists()
    assert (await (await site.browser(world.staff2)).get(COMPANY)).status_code == 403
