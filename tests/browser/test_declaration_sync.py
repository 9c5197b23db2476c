"""数据同步 in the browser at 1366×860, against the single-window simulator mounted in the site (as `make demo`
runs it): a refused 按天同步 shows its refusals beside the fields with what was typed kept; the corrected one runs
as a job, the runs table and the health panel (chart, gaps) fill in; bonded lists synced by day, and one that
passed pre-approval becomes a draft export declaration. Screenshots in artifacts/screenshots/declaration-sync-*.png."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.async_api import Browser, expect

from core.config import DatabaseSettings
from services.jobs.exports import exports_folder
from services.jobs.worker import JobRunner, run_due
from services.kit.context import ServiceContext, utc_now
from tests.browser.support import COOKIE, shoot
from tests.factories import World
from tests.http.support import simulated_site

SHOTS = Path("/tmp/shots/sync")


async def test_sync_by_day_then_generate_a_declaration(chromium: Browser, db: DatabaseSettings,
                                                       world: World) -> None:
    async with simulated_site(db) as site:
        runner = JobRunner(ServiceContext(), exports_folder(site.app.ctx.settings.web.upload_dir), lease_seconds=30)
        session = await site.app.ctx.sessions.start(person_id=world.admin.person_id, enterprise_id=world.acme.id,
                                                    openid=None, via="sms")
        context = await chromium.new_context(base_url=site.base_url, viewport={"width": 1366, "height": 860},
                                             locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(10_000)
        await context.add_cookies([{"name": COOKIE, "value": session.token, "url": site.base_url}])
        page = await context.new_page()
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.goto("/workbench/declarations/sync")
        await expect(page.locator("#lag")).to_have_text("从未同步")
        today = utc_now().astimezone(ZoneInfo("Asia/Shanghai")).date()  # the district's day, as the page checks it

        days = page.locator("form[action$='/days']")
        await days.get_by_label("最近操作时间 从").fill((today + timedelta(days=3)).isoformat())
        await days.get_by_label("至").fill((today + timedelta(days=1)).isoformat())
        await days.get_by_role("button", name="开始同步").click()
        await expect(page.locator("#days-last-error")).to_have_text("不能同步今天以后的日期")
        await expect(page.locator("#days-enterprise_category-error")).to_have_text("请选择企业类别")
        await expect(days.get_by_label("至")).to_have_value((today + timedelta(days=1)).isoformat())
        await page.screenshot(path=str(SHOTS / "refused.png"), full_page=True)
        await shoot(page, "declaration-sync-refused")

        await days.get_by_label("最近操作时间 从").fill((today - timedelta(days=20)).isoformat())
        await days.get_by_label("至").fill((today - timedelta(days=1)).isoformat())
        await days.locator("#days-enterprise_category").select_option("trade")
        await days.get_by_role("button", name="开始同步").click()
        await expect(page.get_by_role("status")).to_have_text("同步已开始，进度见下方同步记录")
        assert await run_due(runner) == 1

        await days.get_by_label("最近操作时间 从").fill((today - timedelta(days=30)).isoformat())
        await days.get_by_label("至").fill((today - timedelta(days=1)).isoformat())
        await days.get_by_label("核注清单").check()
        await days.locator("#days-enterprise_role").select_option("operating")
        await days.get_by_role("button", name="开始同步").click()
        assert await run_due(runner) == 1
        await page.goto("/workbench/declarations/sync")
        runs = page.locator("#sync-runs tbody tr")
        await expect(runs).to_have_count(2)
        await expect(runs.first).to_contain_text("核注清单按天同步")
        await expect(runs.nth(1)).to_contain_text("报关单按天同步")
        await expect(runs.nth(1)).to_contain_text("已完成")
        await expect(page.locator("#lag")).to_contain_text("分钟")
        await expect(page.locator(".chart svg")).to_be_visible()
        await page.screenshot(path=str(SHOTS / "synced.png"), full_page=True)
        await page.screenshot(path=str(SHOTS / "synced-top.png"))
        await shoot(page, "declaration-sync-synced")

        generate = page.get_by_role("button", name="生成报关单").first
        await generate.click()
        await expect(page.get_by_role("status")).to_have_text("已由核注清单生成报关单草稿")
        await expect(page.locator("#note_s")).to_have_value(re.compile(r"^由核注清单 QD"))
        await page.screenshot(path=str(SHOTS / "generated.png"))
        await context.close()
