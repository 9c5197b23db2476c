"""企业设置 services: the checks (纳税人识别号 reusing the credit-code rule, URLs, the seal's transparency), the
carousel limit under concurrent additions, the decision required by every change, and nothing written on a
refusal."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from PIL import Image

from adapters.file_storage import FileStorage
from core.cache import Cache
from models.audit import AuditEntry
from models.company import CompanySettings
from models.enterprises import Membership
from models.errors import Forbidden, ValidationFailed
from services.kit.context import ServiceContext
from services.kit.images import check_image
from services.workspace import company as C
from services.workspace.company_rules import check_url, tax_id_problem, uses_transparency
from services.workspace.permissions import decide
from services.workspace.roles import Member
from tests.factories import World, credit_code


def png(mode: str) -> bytes:
    out = io.BytesIO()
    image = Image.new(mode, (8, 8))
    if mode == "P":
        image.info["transparency"] = 0  # palette entry 0 transparent, and every pixel uses it
    image.save(out, "PNG")
    return out.getvalue()


def test_the_tax_id_rules() -> None:
    assert tax_id_problem("") is None and tax_id_problem(credit_code("91210242679978240")) is None
    assert tax_id_problem("12345678901234X") is None and tax_id_problem("1" * 20) is None
    assert tax_id_problem("91210242679978240X") == "统一社会信用代码校验位不正确，请核对"
    assert tax_id_problem("1" * 16) == "纳税人识别号应为 15、18 或 20 位"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript://e.cn/%0aalert(1)", "data:text/html,x",
                                 "//e.cn", "http://", "https://a..b", "http://e.cn:99999", "http://u:p@e.cn"])
def test_urls_refused(url: str) -> None:
    with pytest.raises(ValidationFailed):
        check_url(url)


def test_transparency_must_be_used() -> None:
    assert uses_transparency(png("RGBA")) and uses_transparency(png("LA")) and uses_transparency(png("P"))
    assert not uses_transparency(png("RGB")) and not uses_transparency(png("L"))
    opaque = io.BytesIO()
    Image.new("RGBA", (8, 8), (1, 2, 3, 255)).save(opaque, "PNG")
    assert not uses_transparency(opaque.getvalue())


async def member_of(world: World, cache: Cache, person_id: int) -> Member:
    membership = await Membership.get(person_id=person_id, enterprise_id=world.acme.id).prefetch_related("person")
    return Member(membership, await decide(ServiceContext(), cache, membership))


async def test_the_seventh_carousel_image_refused_under_concurrency(world: World, cache: Cache,
                                                                    tmp_path: Path) -> None:
    storage, ctx = FileStorage(tmp_path / "files"), ServiceContext()
    admin = await member_of(world, cache, world.admin.person_id)
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG")
    image = check_image(out.getvalue(), "a.jpg", max_bytes=1024 * 1024)
    for _ in range(4):
        await C.add_carousel(ctx, storage, admin, image, "")
    results = await asyncio.gather(*(C.add_carousel(ctx, storage, admin, image, "https://e.cn") for _ in range(3)),
                                   return_exceptions=True)
    refused = [r for r in results if isinstance(r, ValidationFailed)]
    assert len(refused) == 1 and refused[0].message == "最多 6 张" and refused[0].field == "carousel_image"
    row = await CompanySettings.get(enterprise_id=world.acme.id)
    assert len(row.carousel) == 6
    files = [p for p in (tmp_path / "files").rglob("*") if p.is_file()]
    assert len(files) == 6  # the refused image's file removed
    assert await AuditEntry.filter(action="company.carousel").count() == 6


async def test_every_change_needs_the_edit_code(world: World, cache: Cache, tmp_path: Path) -> None:
    staff = await member_of(world, cache, world.staff.person_id)
    ctx = ServiceContext()
    with pytest.raises(Forbidden):
        await C.company_settings(staff)
    for change in (C.save_switches(ctx, staff, [], False, ""), C.add_link(ctx, staff, "a", "https://e.cn"),
                   C.remove_link(ctx, staff, "x"), C.move_carousel(ctx, staff, "x", 1),
                   C.remove_carousel(ctx, FileStorage(tmp_path), staff, "x")):
        with pytest.raises(Forbidden):
            await change
    assert not await CompanySettings.filter(enterprise_id=world.acme.id).exists()
