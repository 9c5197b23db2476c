"""The enterprise workspace in a desktop browser (1366×860 and 1024 px): the shell with the menu the admin may
open, a role built from the menu tree. Screenshots in artifacts/screenshots/."""

from __future__ import annotations

import re

from playwright.async_api import Browser, expect

from handlers.kit.sessions import COOKIE
from models.workspace import WorkspaceRole
from tests.browser.support import scroll_width, shoot
from tests.factories import World
from tests.http.support import Site


async def test_the_admin_builds_a_role_in_the_workspace(chromium: Browser, site: Site, world: World) -> None:
    context = await chromium.new_context(base_url=str(site.client.base_url), viewport={"width": 1366, "height": 860},
                                         locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    session = await site.session_for(world.admin)
    await context.add_cookies([{"name": COOKIE, "value": session.token, "url": str(site.client.base_url)}])
    page = await context.new_page()
    await page.goto("/workbench/")
    menu = page.get_by_role("navigation", name="功能菜单")
    await expect(menu.get_by_role("link", name="角色管理")).to_be_visible()
    await expect(page.get_by_role("navigation", name="个人菜单").get_by_role("link", name="管理员中心")).to_be_visible()
    await shoot(page, "workbench_1_home")

    await menu.get_by_role("link", name="角色管理").click()
    await page.get_by_role("link", name="新增角色").click()
    await page.get_by_label("角色名称").fill("审单员")
    await page.get_by_label("审单", exact=True).check()
    await page.get_by_label("本部门及下级").check()
    await shoot(page, "workbench_2_role_form")
    await page.get_by_role("button", name="保存").click()
    await expect(page.get_by_role("status")).to_have_text("角色已添加")
    await expect(page.get_by_role("row", name=re.compile("审单员"))).to_be_visible()
    role = await WorkspaceRole.get(name="审单员")
    assert role.codes == ["declaration:review"]
    await shoot(page, "workbench_3_roles")

    await page.set_viewport_size({"width": 1024, "height": 768})
    assert await scroll_width(page) <= 1024
    await context.close()
