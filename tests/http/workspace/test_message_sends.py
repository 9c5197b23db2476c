"""The message centre's sends really going out, through the WeChat and SMS simulators with the real clients: a
role's expiry reminder and an unread 预警's escalation as template messages to a bound person, as SMS to one
who has not bound WeChat; once, however often the sweeps and the dispatcher run (and the reminder, sent with
its 预警, is not escalated again)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from core.config import DatabaseSettings
from models.enterprises import Person
from models.messages import Category
from models.workspace import DataScope, RoleGrant, WorkspaceRole
from services.kit.context import ServiceContext
from services.kit.office_hours import OfficeHours
from services.messages.centre import post_message
from services.messages.escalation import escalate_warnings
from services.workspace.grant_expiry import sweep_grants
from tests.factories import World
from tests.http.questions.test_phone_flow import PHONE
from tests.http.support import simulated_site

TZ = ZoneInfo("Asia/Shanghai")
OFFICE = OfficeHours(TZ)
END = datetime(2026, 3, 6, 18, tzinfo=TZ)  # a Friday


def at(*parts: int) -> ServiceContext:
    return ServiceContext(clock=lambda: datetime(*parts, tzinfo=TZ).astimezone(UTC))


async def test_reminders_and_escalations_go_out_once_by_wechat_or_sms(db: DatabaseSettings, world: World) -> None:
    role = await WorkspaceRole.create(enterprise_id=world.acme.id, name="审单员", codes=["declaration:review"],
                                      data_scope=DataScope.SELF, created_at=END, updated_at=END)
    for who in (world.staff, world.staff2):
        await RoleGrant.create(person_id=who.person_id, role=role, valid_from=END - timedelta(days=7),
                               valid_to=END.astimezone(UTC), granted_at=END - timedelta(days=7))
    async with simulated_site(db) as site:
        await site.client.post(f"{PHONE}/followers", data={"nickname": "关务丁"})
        openid = site.wechat.active_openid
        await site.client.post(f"{PHONE}/subscription", data={"openid": openid, "follow": "1"})
        await Person.filter(id=world.staff.person_id).update(wechat_openid=openid)

        for _ in range(2):  # Thursday 10:00, and a retried sweep
            await sweep_grants(at(2026, 3, 5, 10), OFFICE, 3)
            await escalate_warnings(at(2026, 3, 5, 10), OFFICE, 4)
            await site.dispatch_outbox()
        (reminder,) = site.wechat.sent("template", openid)
        assert reminder.body["template_id"] == "TPL_role_expiring"
        assert reminder.body["data"]["thing2"]["value"] == "审单员"
        assert reminder.body["data"]["time3"]["value"] == "2026-03-06 18:00"
        assert reminder.body["url"] == f"{site.base_url}/h5/messages"
        [sms] = await site.sms_inbox("13900000005")
        assert "您在“清零”工作台的角色“审单员”将于2026-03-06 18:00到期" in sms["content"]

        async with in_transaction() as conn:  # another 预警, Thursday 10:00, for each of them
            for who in (world.staff, world.staff2):
                await post_message(conn, enterprise_id=world.acme.id, person_id=who.person_id,
                                   category=Category.WARNING, title="报关单被退单：请及时处理",
                                   now=at(2026, 3, 5, 10).now())
        for _ in range(2):  # Thursday 14:00: both 预警 unread for 4 office hours; only the second is sent on
            await escalate_warnings(at(2026, 3, 5, 14, 0, 1), OFFICE, 4)
            await site.dispatch_outbox()
        escalated = site.wechat.sent("template", openid)[1:]
        assert [m.body["template_id"] for m in escalated] == ["TPL_warning_escalated"]
        assert escalated[0].body["data"]["thing1"]["value"] == "报关单被退单：请及时处理"
        assert escalated[0].body["url"] == f"{site.base_url}/h5/messages?category=warning"
        texts = [m["content"] for m in await site.sms_inbox("13900000005")]
        assert len(texts) == 2 and any("您有一条预警消息“报关单被退单：请及时处理”尚未阅读" in t for t in texts)
