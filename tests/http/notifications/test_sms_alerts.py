"""SMS configuration errors reach the operator: the app runs with the SMS simulator and the real Alibaba Cloud
SDK; when Alibaba refuses a template, the user is told the service is unavailable (not to retry a number)
and every admin page carries a banner until an SMS of that template goes through or an admin marks it
handled. Other roles see no banner and cannot mark it."""

from __future__ import annotations

from core.config import DatabaseSettings
from models.audit import AuditEntry
from models.outbox import SmsAlert
from tests.factories import World
from tests.http.support import SMS_TEMPLATE_CODES, SimulatedSite, desk_for, simulated_site

PHONE = "13900000004"
VERIFY = SMS_TEMPLATE_CODES["verify_code"]
BANNER = "短信配置错误（1）"
REASON = "短信模板不可用（isv.SMS_TEMPLATE_ILLEGAL）（模板 verify_code）"


async def ask_for_a_code(site: SimulatedSite, phone: str = PHONE) -> tuple[int, dict]:
    response = await site.client.post("/api/v1/auth/sms-code", json={"phone": phone})
    return response.status_code, (response.json() if response.content else {})


async def test_a_withdrawn_template_alerts_admins_until_an_sms_goes_through(db: DatabaseSettings,
                                                                           world: World) -> None:
    async with simulated_site(db) as site:
        withdrawn = site.sms.templates.pop(VERIFY)  # Alibaba no longer knows the template code we configured
        status, body = await ask_for_a_code(site)
        assert status == 503
        assert body["error"]["message"] == "短信服务暂时无法使用，已通知系统管理员处理，请稍后再试"
        await ask_for_a_code(site, "13900000005")

        admin = await desk_for(site, "customs_admin")
        for path in ("/admin/", "/admin/statistics", "/admin/notifications"):
            page = (await admin.get(path)).text
            assert BANNER in page and REASON in page and "已失败 2 次" in page, path

        site.sms.templates[VERIFY] = withdrawn  # the operator fixed it
        assert (await ask_for_a_code(site))[0] == 204
        assert BANNER not in (await admin.get("/admin/")).text
        assert (await SmsAlert.get(template="verify_code")).resolved_at is not None


async def test_only_admins_see_the_banner_and_mark_an_alert_handled(db: DatabaseSettings, world: World) -> None:
    async with simulated_site(db) as site:
        site.sms.templates.pop(VERIFY)
        assert (await ask_for_a_code(site))[0] == 503
        alert = await SmsAlert.get(template="verify_code", resolved_at=None)

        supervisor = await desk_for(site, "supervisor")
        assert BANNER not in (await supervisor.get("/admin/")).text
        refused = await supervisor.post(f"/admin/notifications/sms-alerts/{alert.id}/resolve")
        assert refused.status_code == 403 and "只有系统管理员" in refused.text
        await site.client.post("/admin/logout", data={"csrf_token": supervisor.csrf})

        admin = await desk_for(site, "customs_admin")
        assert BANNER in (await admin.get("/admin/notifications")).text
        handled = await admin.post(f"/admin/notifications/sms-alerts/{alert.id}/resolve")
        assert handled.status_code == 303
        page = (await admin.get(handled.headers["location"])).text
        assert BANNER not in page and f"短信配置错误 #{alert.id} 已标记为已处理" in page
        assert await AuditEntry.filter(action="sms_alert.resolve", object_id=str(alert.id)).exists()
        again = await admin.post(f"/admin/notifications/sms-alerts/{alert.id}/resolve")
        assert again.status_code == 404
