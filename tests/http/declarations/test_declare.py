"""申报 through HTTP against the single-window simulator mounted in the site (the real adapter over HTTP): the JSON
API route (409 with the reason while the single window is down, the declaration still approved; then the 统一编号;
a second time refused; the version check; a member without declaration:entry refused), the entry form's 申报 button
(only on an approved declaration, the failure shown beside it) and the review page's for the reviewer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.config import DatabaseSettings
from models.declaration_lifecycle import DeclarationStatus
from models.declarations import Declaration, DeclarationKind
from models.workspace import RoleGrant, WorkspaceRole
from services.declarations.entry import approve_declaration, create_draft, submit_declaration
from services.kit.context import ServiceContext
from services.workspace.permissions import bump_version
from tests.factories import World
from tests.http.support import Site, simulated_site
from tests.services.declarations.support import ENTRY, REVIEW, good_form, member_of
from tests.services.library.support import load_small_reference
from tests.services.sms_fake import RecordingSender

API = "/api/v1/workspace/declarations"
ENTRY_PAGE, REVIEW_PAGE = "/workbench/declarations/entry", "/workbench/declarations/review"
FAULTS = "/sim/single-window/control/faults"
CTX = ServiceContext()


@pytest.fixture
async def sim(db: DatabaseSettings, world: World, tmp_path: Path) -> AsyncIterator[Site]:
    await load_small_reference(tmp_path)
    async with simulated_site(db) as running:
        site = Site(running.app, running.client, RecordingSender())
        try:
            yield site
        finally:
            await site.close()


async def approved(world: World) -> Declaration:
    preparer = await member_of(world, world.staff.person_id, ENTRY)
    reviewer = await member_of(world, world.admin.person_id, REVIEW)
    made = await create_draft(CTX, preparer, DeclarationKind.EXPORT, good_form())
    await submit_declaration(CTX, preparer, made.id, 1)
    return await approve_declaration(CTX, reviewer, made.id)


async def test_the_api_declares_once_and_says_why_when_the_single_window_is_down(sim: Site, world: World) -> None:
    made = await approved(world)
    api = await sim.api(world.staff)
    assert (await sim.client.post(FAULTS, json={"kind": "down", "times": 0})).status_code == 200
    down = await api.post(f"{API}/{made.id}/declare", json={"version": made.version})
    assert down.status_code == 409
    assert down.json()["error"]["message"].startswith("申报未成功，报关单仍为“审核通过”：单一窗口暂时不可用")
    assert (await Declaration.get(id=made.id)).status is DeclarationStatus.APPROVED
    await sim.client.post(FAULTS, json={"clear": True})

    stale = await api.post(f"{API}/{made.id}/declare", json={"version": made.version - 1})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    done = await api.post(f"{API}/{made.id}/declare", json={})
    assert done.status_code == 200, done.text
    summary = done.json()["declaration"]
    assert summary["status"] == "declared" and summary["seq_no"].startswith("I0900")
    again = await api.post(f"{API}/{made.id}/declare", json={})
    assert again.status_code == 409 and "不能申报" in again.json()["error"]["message"]
    executive = await sim.api(world.executive)  # no declaration:entry
    assert (await executive.post(f"{API}/{made.id}/declare", json={})).status_code == 403


async def test_the_entry_form_offers_declare_once_approved_and_shows_a_failure_beside_it(sim: Site,
                                                                                         world: World) -> None:
    made = await approved(world)
    preparer = await sim.browser(world.staff)
    form = await preparer.get(f"{ENTRY_PAGE}/{made.id}")
    assert 'id="declare"' in form.text and f'action="{ENTRY_PAGE}/{made.id}/declare"' in form.text
    draft = await create_draft(CTX, await member_of(world, world.staff.person_id, ENTRY), DeclarationKind.EXPORT,
                               good_form())
    assert 'id="declare"' not in (await preparer.get(f"{ENTRY_PAGE}/{draft.id}")).text

    await sim.client.post(FAULTS, json={"kind": "down", "times": 0})
    refused = await preparer.post_form(f"{ENTRY_PAGE}/{made.id}/declare", {"version": made.version})
    assert refused.status_code == 409
    assert 'id="declare-error">申报未成功，报关单仍为“审核通过”：单一窗口暂时不可用' in refused.text
    assert 'id="form-errors"' not in refused.text
    await sim.client.post(FAULTS, json={"clear": True})
    done = await preparer.post_form(f"{ENTRY_PAGE}/{made.id}/declare", {"version": made.version})
    assert done.status_code == 303 and done.headers["location"] == f"{ENTRY_PAGE}/{made.id}?done=declared"
    shown = await preparer.get(done.headers["location"])
    seq_no = (await Declaration.get(id=made.id)).seq_no
    assert "已申报" in shown.text and f"统一编号 {seq_no}" in shown.text and 'id="declare"' not in shown.text


async def test_the_reviewer_declares_from_the_review_page(sim: Site, world: World) -> None:
    made = await approved(world)
    now = sim.app.ctx.services.now()
    role = await WorkspaceRole.create(enterprise_id=world.acme.id, name="审单", codes=[REVIEW], created_at=now,
                                      updated_at=now)
    await RoleGrant.create(person_id=world.executive.person_id, role=role, valid_from=now, granted_at=now)
    await bump_version(sim.app.ctx.cache, world.acme.id)
    reviewer = await sim.browser(world.executive)
    page = await reviewer.get(f"{REVIEW_PAGE}/{made.id}")
    assert page.status_code == 200 and 'id="declare"' in page.text
    done = await reviewer.post_form(f"{REVIEW_PAGE}/{made.id}/declare", {"version": made.version})
    assert done.status_code == 303 and done.headers["location"] == f"{REVIEW_PAGE}/{made.id}?done=declared"
    row = await Declaration.get(id=made.id)
    assert row.status is DeclarationStatus.DECLARED and row.seq_no
    assert 'id="declare"' not in (await reviewer.get(done.headers["location"])).text
    staff = await sim.browser(world.staff2)  # neither its preparer nor a reviewer
    assert (await staff.post_form(f"{REVIEW_PAGE}/{made.id}/declare", {"version": row.version})).status_code == 403
