"""In a desktop browser: the officer forwards a question to the tariff department from the question page; the
supervisor reads the audit log; the WeChat binding page. Screenshots in artifacts/screenshots/
(admin_forward_*, admin_audit, admin_wechat_binding)."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from core.config import DatabaseSettings
from models.customs_accounts import CustomsAccount, CustomsRole
from models.questions import Question
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from tests.browser.support import shoot
from tests.browser.test_admin_desk import desk
from tests.factories import World
from tests.http.support import Site, simulated_site

ctx = ServiceContext()


async def test_an_officer_forwards_and_the_supervisor_reads_the_audit_log(chromium: Browser, site: Site,
                                                                          world: World) -> None:
    await CustomsAccount.create(username="tariff_officer", name="关税科关员", password_hash="-",
                                office=world.tariff_dept, role=CustomsRole.OFFICER)
    q = await create_draft(ctx, world.solo_staff, world.solo.id, world.form(title="加工贸易手册如何核销"))
    await submit_question(ctx, world.solo_staff, q.id)

    officer = await desk(chromium, site, "officer")
    await officer.get_by_role("link", name="加工贸易手册如何核销").click()
    await expect(officer.get_by_role("heading", name="转交其他部门")).to_be_visible()
    await officer.get_by_label("转交给").select_option(value=str(world.tariff_dept.id))
    await shoot(officer, "admin_forward_1_form")
    await officer.get_by_role("button", name="转交").click()
    await expect(officer.get_by_text("请填写转交原因").or_(officer.locator("textarea[name=reason]:invalid"))
                 ).to_be_visible()
    await officer.get_by_label("转交原因").fill("涉及保税核销，请关税科办理。")
    await officer.get_by_role("button", name="转交").click()
    await expect(officer.get_by_role("status")).to_contain_text("已转交")
    await shoot(officer, "admin_forward_2_queue")
    assert (await Question.get(id=q.id)).office_id == world.tariff_dept.id

    supervisor = await desk(chromium, site, "supervisor")
    await supervisor.goto(f"/admin/questions/{q.id}")
    await expect(supervisor.get_by_text("转交 大窑湾海关 → 关税科")).to_be_visible()
    await shoot(supervisor, "admin_forward_3_timeline")
    await supervisor.get_by_role("link", name="审计日志").click()
    await expect(supervisor.get_by_role("cell", name="转交问题")).to_be_visible()
    await shoot(supervisor, "admin_audit")
    await supervisor.locator("select[name=action]").select_option("question.forward")
    await supervisor.get_by_role("button", name="查询").click()
    await expect(supervisor.get_by_role("cell", name="受理问题")).to_have_count(0)
    await expect(supervisor.get_by_role("cell", name="转交问题")).to_have_count(1)


async def test_the_wechat_binding_page_shows_the_code_of_the_simulator(chromium: Browser, db: DatabaseSettings,
                                                                       world: World) -> None:
    async with simulated_site(db) as site:
        officer = await desk(chromium, site, "officer")  # type: ignore[arg-type] - desk needs only the client
        await officer.get_by_role("link", name="绑定微信提醒").click()
        await expect(officer.get_by_role("img", name="绑定二维码")).to_be_visible()
        assert await officer.get_by_role("img", name="绑定二维码").evaluate("img => img.naturalWidth") > 0
        await shoot(officer, "admin_wechat_binding")
