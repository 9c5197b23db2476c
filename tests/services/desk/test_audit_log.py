"""The audit log's reading side (services/desk/audit_log.py): scope by office, filters, keyset pages.

(The export's interruption tests moved to tests/services/jobs/test_job_runs.py with the jobs table.)"""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.audit import AuditEntry
from models.customs_accounts import CustomsAccount
from models.errors import Forbidden, ValidationFailed
from models.lifecycle import ReplyKind
from services.accounts.customs_sign_in import sign_in_customs
from services.desk.audit import AuditActor, record
from services.desk.audit_log import AuditFilter, list_audit
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from services.questions.forwarding import forward_question
from services.questions.handling import accept_question, reply_question
from tests.factories import World

ctx = ServiceContext()


async def history(world: World) -> str:
    """Customs work in 大窑湾 (officer) and 大连 (supervisor), a Nanjing sign-in, a district-wide entry."""
    q = await create_draft(ctx, world.solo_staff, world.solo.id, world.form())
    await submit_question(ctx, world.solo_staff, q.id)
    await accept_question(ctx, world.officer, q.id)
    await forward_question(ctx, world.supervisor, q.id, world.tariff_dept.id, "请关税科办理")
    await reply_question(ctx, world.supervisor, q.id, ReplyKind.ANSWER, "答复")
    with pytest.raises(ValidationFailed):
        await sign_in_customs(ctx, "nj_officer", "wrong-password", ip="10.0.0.9")
    await record(ctx, AuditActor.system(), "customs_account.create", "customs_account", "new_admin")
    return q.number


def seen(page) -> list[tuple[str, str]]:  # noqa: ANN001
    return [(e.actor_name, e.action) for e in page.items]


async def test_a_supervisor_sees_the_entries_of_the_offices_under_them(world: World) -> None:
    number = await history(world)
    page = await list_audit(ctx, world.supervisor.account_id, AuditFilter())
    assert seen(page) == [("supervisor", "question.reply"), ("supervisor", "question.forward"),
                          ("officer", "question.accept")]
    first = page.items[0]
    assert first.action_label == "回复问题" and first.object_label == "问题" and first.object_id == number
    assert first.actor_kind == "海关" and "回复类型：答复" in first.detail
    forward = page.items[1]
    assert forward.action_label == "转交问题"
    assert "转至：关税科" in forward.detail and "原因：请关税科办理" in forward.detail


async def test_an_admin_also_sees_the_district_wide_entries_and_an_officer_nothing(world: World) -> None:
    await history(world)
    page = await list_audit(ctx, world.customs_admin.account_id, AuditFilter())
    assert ("系统", "customs_account.create") in seen(page)
    assert ("nj_officer", "customs.sign_in_failed") not in seen(page)  # Nanjing is not under Dalian
    nanjing_admin = await CustomsAccount.create(username="nj_admin", name="nj_admin", password_hash="-",
                                                office=world.nanjing, role="admin")
    nanjing = await list_audit(ctx, nanjing_admin.id, AuditFilter())
    assert ("nj_officer", "customs.sign_in_failed") in seen(nanjing)
    assert ("officer", "question.accept") not in seen(nanjing)
    with pytest.raises(Forbidden, match="只有科长/主管和系统管理员可以查看审计日志"):
        await list_audit(ctx, world.officer.account_id, AuditFilter())


async def test_filters_by_actor_action_object_and_dates(world: World) -> None:
    number = await history(world)
    by = world.supervisor.account_id

    async def only(**args: str) -> list[tuple[str, str]]:
        return seen(await list_audit(ctx, by, AuditFilter.from_args(args)))

    assert await only(actor="offic") == [("officer", "question.accept")]
    assert await only(action="question.forward") == [("supervisor", "question.forward")]
    assert len(await only(object_type="question", object_id=number)) == 3
    assert await only(object_type="customs_account") == []
    today = ctx.now().astimezone(ctx.tz).date()
    assert len(await only(date_from=today.isoformat(), date_to=today.isoformat())) == 3
    assert await only(date_from=(today + timedelta(days=1)).isoformat()) == []
    for args, field in [({"date_from": "2026-13-01"}, "date_from"), ({"date_to": "yesterday"}, "date_to"),
                        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "date_to"),
                        ({"action": "DROP TABLE"}, "action"), ({"object_type": "password"}, "object_type"),
                        ({"actor": "长" * 65}, "actor")]:
        with pytest.raises(ValidationFailed) as info:
            AuditFilter.from_args(args)
        assert info.value.field == field


async def test_keyset_pages_walk_every_entry_once(world: World) -> None:
    for i in range(7):
        await record(ctx, AuditActor.customs(await CustomsAccount.get(id=world.officer.account_id)), "outbox.retry",
                     "outbox_message", i)
    seen_ids: list[str] = []
    cursor = None
    while True:
        page = await list_audit(ctx, world.supervisor.account_id, AuditFilter(), cursor=cursor, limit=3)
        seen_ids += [e.object_id for e in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen_ids == [str(i) for i in reversed(range(7))]
    with pytest.raises(ValidationFailed):
        await list_audit(ctx, world.supervisor.account_id, AuditFilter(), cursor="not-a-cursor")
    assert await AuditEntry.filter(office_id=world.dayaowan.id).count() == 7


@pytest.mark.parametrize(("action", "detail", "shown"), [
    ("wechat.bind", {"openid": "oX", "via": "sms"}, "方式：短信验证码"),
    ("wechat.bind", {"openid": "oX", "via": "qrcode"}, "方式：扫码"),
    ("people.add", {"role": "admin", "person_id": 3}, "角色：企业管理员"),
    ("people.edit", {"role": "staff"}, "角色：关务人员"),
    ("customs_account.create", {"role": "admin", "office": "0900"}, "角色：系统管理员；单位：0900"),
    ("customs_account.create", {"role": "supervisor"}, "角色：科长/主管"),
])
async def test_codes_in_the_details_read_in_chinese(world: World, action: str, detail: dict, shown: str) -> None:
    await record(ctx, AuditActor.system(), action, action.split(".")[0], "x", detail=detail)
    [entry] = (await list_audit(ctx, world.customs_admin.account_id, AuditFilter(action=action))).items
    assert entry.detail == shown
