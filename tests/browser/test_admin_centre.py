"""管理员中心 in a desktop browser (1366×860): departments built, people filtered, a person placed in a
department and removed with their open question handed to a colleague; 我的企业 on a 360×740 phone: asking to
join another enterprise, which the admin approves on the desktop. Screenshots in artifacts/screenshots/."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

from models.questions import Question
from services.kit.context import ServiceContext
from services.questions.asking import create_draft
from tests.browser.support import Phones, scroll_width, shoot, sign_in
from tests.factories import World
from tests.http.support import Site


async def desktop(chromium: Browser, site: Site) -> Page:
    context = await chromium.new_context(base_url=str(site.client.base_url), viewport={"width": 1366, "height": 860},
                                         locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    return await context.new_page()


async def test_departments_people_filter_and_removal_with_hand_over(chromium: Browser, site: Site,
                                                                    world: World) -> None:
    question = await create_draft(ServiceContext(), world.staff, world.acme.id, world.form("待交接的问题"))
    page = await desktop(chromium, site)
    await sign_in(page, site, world.admin)
    await page.goto("/workbench/")
    menu = page.get_by_role("navigation", name="功能菜单")
    await menu.get_by_role("link", name="部门管理").click()
    add = page.locator("#add-department")
    await add.get_by_label("部门名称").fill("关务部")
    await add.get_by_role("button", name="新增部门").click()
    await expect(page.get_by_role("status")).to_have_text("部门已添加")
    await add.get_by_label("部门名称").fill("一组")
    await add.get_by_label("上级部门").select_option(label="关务部")
    await add.get_by_role("button", name="新增部门").click()
    await expect(page.locator("tr[data-department='一组']")).to_be_visible()
    await shoot(page, "admin_centre_departments_1366")

    await menu.get_by_role("link", name="人员管理").click()
    await page.get_by_label("姓名").fill("关务")
    await page.get_by_role("button", name="查询").click()
    rows = page.locator("#people tbody tr")
    await expect(rows).to_have_count(2)
    await expect(page.locator("#people")).not_to_contain_text("高管乙")
    await shoot(page, "admin_centre_people_filtered_1366")

    await rows.filter(has_text="关务丁").get_by_role("link", name="编辑").click()
    await page.get_by_label("属于一组").check()
    await page.get_by_role("button", name="保存部门").click()
    await expect(page.get_by_role("status")).to_have_text("部门已保存")

    await page.goto("/workbench/admin/people")
    await page.locator("#people tbody tr").filter(has_text="关务丁").get_by_role("link", name="移除").click()
    await expect(page.locator("#open-items")).to_contain_text("待交接的问题")
    await page.get_by_role("button", name="确认移除").click()
    await expect(page.locator("#colleague_id-error")).to_have_text("该人员还有未办结事项，请选择接手的同事")
    await page.get_by_label("交接给同事").select_option(label="关务戊（关务人员）")
    await shoot(page, "admin_centre_remove_1366")
    await page.get_by_role("button", name="确认移除").click()
    await expect(page.get_by_role("status")).to_have_text("人员已移除")
    await expect(page.locator("#people")).not_to_contain_text("关务丁")
    assert (await Question.get(id=question.id)).creator_id == world.staff2.person_id
    await menu.get_by_role("link", name="问题清单").click()
    handed = page.locator("#question-list tbody tr").filter(has_text="待交接的问题")
    await expect(handed).to_contain_text("关务戊")  # the colleague owns it now
    await shoot(page, "admin_centre_questions_1366")
    await page.context.close()


async def test_my_companies_on_a_phone_and_the_request_approved_on_the_desktop(
        chromium: Browser, phones: Phones, site: Site, world: World) -> None:
    page = await phones.open(width=360, height=740)
    await sign_in(page, site, world.solo_staff)
    await page.goto("/h5/personal/companies")
    await expect(page.locator("#companies")).to_contain_text("辽宁单人贸易有限公司")
    await page.get_by_role("button", name="申请加入").click()
    await expect(page.locator("#query-error")).to_have_text("请输入统一社会信用代码或企业全称")
    await page.get_by_placeholder("统一社会信用代码或企业全称").fill(world.acme.credit_code)
    await page.get_by_role("button", name="申请加入").click()
    await expect(page.get_by_role("status")).to_have_text("申请已提交，请等待企业管理员审批")
    await expect(page.locator("#my-requests")).to_contain_text("待审批")
    assert await scroll_width(page) <= 360
    await shoot(page, "my_companies_360")

    desk = await desktop(chromium, site)
    await sign_in(desk, site, world.admin)
    await desk.goto("/workbench/admin/joins")
    row = desk.locator("#join-requests tbody tr").filter(has_text="单人己")
    await row.get_by_role("button", name="同意").click()
    await expect(desk.get_by_role("status")).to_have_text("已同意加入")
    await desk.goto("/workbench/admin/joins?status=approved")
    await expect(desk.locator("#join-requests")).to_contain_text("已加入为关务人员")
    await shoot(desk, "admin_centre_joins_1366")
    await page.goto("/workbench/personal/companies")
    await expect(page.locator("#companies")).to_contain_text("大连示例进出口有限公司")
    await desk.context.close()


async def test_a_used_role_is_deleted_with_its_people_moved(chromium: Browser, site: Site, world: World) -> None:
    page = await desktop(chromium, site)
    await sign_in(page, site, world.admin)
    for name in ("审单员", "复核员"):
        await page.goto("/workbench/admin/roles/new")
        await page.get_by_label("角色名称").fill(name)
        await page.get_by_label("仅本人").check()
        await page.get_by_role("button", name="保存").click()
    await page.goto("/workbench/admin/people")
    await page.locator("#people tbody tr").filter(has_text="关务丁").get_by_role("link", name="编辑").click()
    await page.get_by_label("角色").select_option(label="审单员")
    await page.get_by_label("开始时间").fill("2026-01-01T09:00")
    await page.get_by_role("button", name="分配角色").click()

    await page.goto("/workbench/admin/roles")
    row = page.locator("tr", has_text="审单员")
    await row.get_by_role("button", name="移交并删除").click()
    await expect(page.locator("[data-field='move_to']")).to_contain_text("请选择将其人员移至哪个角色")
    await shoot(page, "admin_centre_role_in_use_1366")
    row = page.locator("tr", has_text="审单员")
    await row.get_by_label("删除前将1人移至").select_option(label="复核员")
    await row.get_by_role("button", name="移交并删除").click()
    await expect(page.get_by_role("status")).to_have_text("角色已删除")
    await expect(page.locator("tr", has_text="复核员")).to_contain_text("1")
    await shoot(page, "admin_centre_role_moved_1366")
