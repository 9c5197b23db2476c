"""Failed notifications in the admin web: supervisors and admins see them in their scope and send them
again; officers are refused; a retry puts the row back in the dispatcher's queue, once."""

from __future__ import annotations

from datetime import UTC, datetime

from models.audit import AuditEntry
from models.customs_accounts import CustomsAccount, CustomsRole
from models.outbox import OutboxMessage, OutboxStatus
from services.kit.context import ServiceContext
from services.questions.asking import create_draft
from tests.factories import World
from tests.http.support import Site, desk_for

ctx = ServiceContext()


async def failed_row(world: World, key: str) -> OutboxMessage:
    question = await create_draft(ctx, world.staff, world.acme.id, world.form(office_id=world.dayaowan.id))
    now = datetime.now(UTC)
    return await OutboxMessage.create(event="customs_replied", question_id=question.id,
                                      person_id=world.staff.person_id, payload={}, dedupe_key=key,
                                      status=OutboxStatus.FAILED, channel="sms", attempts=6, next_attempt_at=now,
                                      last_error="微信无法送达（43004）；短信发送失败：isv.MOBILE_NUMBER_ILLEGAL",
                                      created_at=now)


async def test_a_supervisor_sees_a_failed_notice_and_sends_it_again(site: Site, world: World) -> None:
    row = await failed_row(world, "replied:1")
    desk = await desk_for(site, "supervisor")
    page = await desk.get("/admin/notifications")
    assert page.status_code == 200 and "isv.MOBILE_NUMBER_ILLEGAL" in page.text and "关务丁" in page.text
    assert "<td>短信</td>" in page.text and "海关答复" in page.text
    retried = await desk.post(f"/admin/notifications/{row.id}/retry")
    assert retried.status_code == 303
    again = await OutboxMessage.get(id=row.id)
    assert (again.status, again.attempts) == (OutboxStatus.PENDING, 0)
    assert await AuditEntry.filter(action="outbox.retry", object_id=str(row.id)).exists()
    twice = await desk.post(f"/admin/notifications/{row.id}/retry")
    assert twice.status_code == 409 and "已在重新发送" in twice.text


async def test_officers_and_other_districts_cannot_see_them(site: Site, world: World) -> None:
    row = await failed_row(world, "replied:2")
    officer = await desk_for(site, "officer")
    refused = await officer.get("/admin/notifications")
    assert refused.status_code == 403 and "只有科长或系统管理员" in refused.text
    await site.client.post("/admin/logout", data={"csrf_token": officer.csrf})
    await CustomsAccount.filter(username="nj_officer").update(role=CustomsRole.SUPERVISOR)
    nanjing = await desk_for(site, "nj_officer")
    assert "暂无发送失败的通知" in (await nanjing.get("/admin/notifications")).text
    assert (await nanjing.post(f"/admin/notifications/{row.id}/retry")).status_code == 404
