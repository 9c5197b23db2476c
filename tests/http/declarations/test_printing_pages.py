"""打印报关单 / 打印通知书 through HTTP: the workbench URLs and their API twins answer a PDF (inline, named after the
form) with the printing person's stamp; the entry form links to them; the notice waits for the release; another
enterprise's or (仅本人) another person's declaration is 404; no ``query:print`` is 403; signed out, no PDF."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from models.audit import AuditEntry
from models.workspace import RoleGrant, WorkspaceRole
from services.kit.images import check_image
from services.personal.profile import set_image
from services.workspace.permissions import bump_version
from tests.factories import World
from tests.http.support import Site
from tests.services.declarations.print_support import read_pdf, round_stamp
from tests.services.declarations.support import good_head, good_item, member_of
from tests.services.library.support import load_small_reference

WORKBENCH = "/workbench/declarations"
API = "/api/v1/workspace/declarations"


@pytest.fixture
async def reference(site: Site, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


async def _created(site: Site, world: World, person: object) -> int:
    api = await site.api(person)  # type: ignore[arg-type]
    made = await api.post(API, json={"kind": "export", "head": good_head(), "items": [good_item()]})
    assert made.status_code == 201
    return int(made.json()["declaration"]["id"])


async def test_the_pdf_on_the_workbench_and_in_the_api(site: Site, world: World, reference: None) -> None:
    staff_member = await member_of(world, world.staff.person_id)
    await set_image(site.app.ctx.services, site.app.ctx.storage, staff_member, "stamp",
                    check_image(round_stamp(), "章.png", max_bytes=1 << 20))
    did = await _created(site, world, world.staff)
    staff = await site.browser(world.staff)

    form = await staff.get(f"{WORKBENCH}/entry/{did}")
    assert f'id="print-declaration" href="{WORKBENCH}/{did}/print/declaration.pdf"' in form.text
    assert 'id="print-notice"' not in form.text  # a draft has no release notice

    page = await staff.get(f"{WORKBENCH}/{did}/print/declaration.pdf")
    assert page.status_code == 200 and page.headers["content-type"] == "application/pdf"
    number = (await (await site.api(world.staff)).get(f"{API}/{did}")).json()["declaration"]["number"]
    assert page.headers["content-disposition"] == f"inline; filename*=UTF-8''{quote(f'报关单-{number}.pdf')}"
    pdf = read_pdf(page.content)
    assert "中华人民共和国海关出口货物报关单" in pdf.text and "深沟球轴承" in pdf.text
    assert pdf.images == 1 and "企业未上传印章" in pdf.text  # the stamp; no seal uploaded

    api = await (await site.api(world.staff)).get(f"{API}/{did}/print/declaration.pdf")
    assert api.status_code == 200 and api.content.startswith(b"%PDF-")
    assert await AuditEntry.filter(action="declaration.print", object_id=str(did)).count() == 2

    notice = await (await site.api(world.staff)).get(f"{API}/{did}/print/notice.pdf")
    assert notice.status_code == 409 and "尚未放行" in notice.json()["error"]["message"]
    document = (await site.client.get("/api/v1/openapi.json")).json()
    answer = document["paths"]["/workspace/declarations/{declaration_id}/print/declaration.pdf"]["get"]["responses"]
    assert answer["200"]["content"] == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}


async def test_scope_enterprise_permission_and_sign_in(site: Site, world: World, reference: None) -> None:
    theirs = await _created(site, world, world.staff2)  # staff holds 仅本人 (the built-in staff role)
    staff, outsider = await site.browser(world.staff), await site.browser(world.solo_staff)
    for client in (staff, outsider):
        assert (await client.get(f"{WORKBENCH}/{theirs}/print/declaration.pdf")).status_code == 404
    assert (await (await site.api(world.solo_staff)).get(f"{API}/{theirs}/print/declaration.pdf")).status_code == 404
    assert (await (await site.browser(world.admin)).get(f"{WORKBENCH}/{theirs}/print/declaration.pdf")).status_code \
        == 200  # the admin sees the whole enterprise

    signed_out = await site.client.get(f"{WORKBENCH}/{theirs}/print/declaration.pdf")
    assert signed_out.status_code in (302, 303) and "application/pdf" not in signed_out.headers.get("content-type", "")
    assert (await site.client.get(f"{API}/{theirs}/print/declaration.pdf")).status_code == 401

    now = site.app.ctx.services.now()
    role = await WorkspaceRole.create(enterprise_id=world.acme.id, name="只录入", codes=["declaration:entry"],
                                      created_at=now, updated_at=now)
    await RoleGrant.create(person_id=world.staff2.person_id, role=role, valid_from=now, granted_at=now)
    await WorkspaceRole.create(enterprise_id=world.acme.id, name="关务人员", builtin="staff", codes=[],
                               created_at=now, updated_at=now)
    await bump_version(site.app.ctx.cache, world.acme.id)
    owner = await site.browser(world.staff2)
    assert (await owner.get(f"{WORKBENCH}/{theirs}/print/declaration.pdf")).status_code == 403
    assert (await (await site.api(world.staff2)).get(f"{API}/{theirs}/print/notice.pdf")).status_code == 403
    assert 'id="print-declaration"' not in (await owner.get(f"{WORKBENCH}/entry/{theirs}")).text
    assert await AuditEntry.filter(action="declaration.print").count() == 1  # the admin's only
