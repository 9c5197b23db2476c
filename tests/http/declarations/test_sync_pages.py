"""数据同步 through HTTP: the page needs ``sync:run`` (a staff member without it is refused), a refused form answers
400 with each refusal beside its field and what was typed kept, a good one queues a run, and 生成报关单 of a list
that did not pass pre-approval is refused on the page."""

from __future__ import annotations

from datetime import UTC, datetime

from models.declaration_sync import BondedList, SyncRun
from tests.factories import World
from tests.http.support import Site

SYNC = "/workbench/declarations/sync"


async def test_staff_without_the_permission_cannot_open_or_post(site: Site, world: World) -> None:
    staff = await site.browser(world.staff)
    assert (await staff.get(SYNC)).status_code == 403
    assert (await staff.post_form(f"{SYNC}/days", {"first": "2026-03-01"})).status_code == 403
    assert await SyncRun.all().count() == 0


async def test_a_refused_form_shows_every_refusal_beside_its_field(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    refused = await admin.post_form(f"{SYNC}/ticket", {"target": "bonded", "by": "list_no", "number": "QD12",
                                                       "enterprise_role": "operating"})
    assert refused.status_code == 400
    assert 'id="ticket-number-error">清单编号应为 18 位字母或数字' in refused.text
    assert 'id="ticket-data_source-error">请选择数据源' in refused.text
    assert 'id="ticket-ie_flag-error">请选择进出口标志' in refused.text
    assert 'name="number" type="text" value="QD12"' in refused.text
    assert await SyncRun.all().count() == 0
    started = await admin.post_form(f"{SYNC}/days", {"target": "declarations", "first": "2026-03-01",
                                                     "last": "2026-03-05", "enterprise_category": "trade"})
    assert started.status_code == 303 and started.headers["location"] == f"{SYNC}?done=started"
    run = await SyncRun.get()
    assert (run.kind.value, run.params["first"], run.person_id) == ("declarations_by_day", "2026-03-01",
                                                                   world.admin.person_id)


async def test_generate_from_a_list_not_pre_approved_is_refused_on_the_page(site: Site, world: World) -> None:
    now = datetime(2026, 3, 12, tzinfo=UTC)
    bonded = await BondedList.create(enterprise_id=world.acme.id, seq_no="I09001234567890123", pre_approval="0",
                                     remote_updated_at=now, synced_at=now)
    admin = await site.browser(world.admin)
    page = await admin.post_form(f"{SYNC}/bonded/{bonded.id}/generate", {})
    assert page.status_code == 409 and "只有预审核状态为“通过”的核注清单可以生成报关单" in page.text
    other = await site.browser(world.solo_staff)
    assert (await other.post_form(f"{SYNC}/bonded/{bonded.id}/generate", {})).status_code in (403, 404)
