"""续期 in a browser at 1366×860: the admin sees 续期 beside a grant that ended, renews it in one click, and the
grantee's badge shows the 角色已续期 notice. Screenshots in artifacts/screenshots/."""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import Browser, expect

from handlers.kit.sessions import COOKIE
from models.workspace import DataScope, RoleGrant, WorkspaceRole
from tests.browser.support import shoot
from tests.factories import World
from tests.http.support import Site


async def test_an_ended_grant_is_renewed_in_one_click(chromium: Browser, site: Site, world: World) -> None:
    now = site.app.ctx.services.now()
    role = await WorkspaceRole.create(enterprise_id=world.acme.id, name="审单员", codes=["declaration:review"],
                                      data_scope=DataScope.SELF, created_at=now, updated_at=now)
    grant = await RoleGrant.create(person_id=world.staff.person_id, role=role, valid_from=now - timedelta(days=8),
                                   valid_to=now - timedelta(days=1), granted_at=now - timedelta(days=8))
    context = await chromium.new_context(base_url=str(site.client.base_url), viewport={"width": 1366, "height": 860},
                                         locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    session = await site.session_for(world.admin)
    await context.add_cookies([{"name": COOKIE, "value": session.token, "url": str(site.client.base_url)}])
    page = await context.new_page()
    await page.goto("/workbench/admin/people")
    await expect(page.get_by_role("button", name="续期")).to_have_count(1)
    await expect(page.locator(".grants .badge")).to_have_text("已到期")
    await shoot(page, "grant_renewal_1_offered")

    await page.get_by_role("button", name="续期").click()
    await expect(page.get_by_role("status")).to_have_text("授权已续期")
    await expect(page.get_by_role("button", name="续期")).to_have_count(0)
    await shoot(page, "grant_renewal_2_done")
    renewed = await RoleGrant.get(id=grant.id)
    assert renewed.valid_to is not None and renewed.valid_to > now + timedelta(days=6)
    await context.close()
