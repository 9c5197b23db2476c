"""消息中心 in a browser: the header badge of two open tabs follows a new message within 2 s (one stream, shared
over BroadcastChannel), reading it in one tab clears both; star, 仅显示星标, read and mark all read on the
desktop page at 1366×860 and on the H5 page at 360×740 (its date-range filter, a refused period beside its
field), whose tab badges follow a new message in two tabs too.
Screenshots in artifacts/screenshots/."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.async_api import Browser, BrowserContext, expect
from tortoise.transactions import in_transaction

from handlers.kit.sessions import COOKIE
from models.messages import Category, Message
from services.messages.centre import post_message
from tests.browser.support import scroll_width, shoot
from tests.factories import World
from tests.http.support import Site

NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)


async def signed_in(chromium: Browser, site: Site, world: World, width: int, height: int) -> BrowserContext:
    context = await chromium.new_context(base_url=str(site.client.base_url), locale="zh-CN",
                                         viewport={"width": width, "height": height},
                                         timezone_id="Asia/Shanghai", is_mobile=width < 500)
    context.set_default_timeout(10_000)
    session = await site.session_for(world.admin)
    await context.add_cookies([{"name": COOKIE, "value": session.token, "url": str(site.client.base_url)}])
    return context


async def post(world: World, title: str, category: Category) -> None:
    async with in_transaction() as conn:
        await post_message(conn, enterprise_id=world.acme.id, person_id=world.admin.person_id, category=category,
                           title=title, body="请在 3 个工作日内处理", link="/workbench/", now=NOW)


async def test_the_badge_follows_new_and_read_messages_in_every_tab(chromium: Browser, site: Site,
                                                                    world: World) -> None:
    context = await chromium.new_context(base_url=str(site.client.base_url), viewport={"width": 1366, "height": 860},
                                         locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    session = await site.session_for(world.admin)
    await context.add_cookies([{"name": COOKIE, "value": session.token, "url": str(site.client.base_url)}])
    first, second = await context.new_page(), await context.new_page()
    for tab in (first, second):
        await tab.goto("/workbench/")
        await expect(tab.locator("[data-unread]")).to_be_hidden()

    await post(world, "角色即将到期：审单员", Category.WARNING)
    for tab in (first, second):
        await expect(tab.locator("[data-unread]")).to_have_text("1", timeout=2_000)

    await first.locator("#message-badge").click()
    await first.get_by_role("link", name="预警").click()
    await shoot(first, "messages_1_desktop_list")
    await first.get_by_role("link", name="角色即将到期：审单员").click()
    await expect(first.get_by_role("heading", name="角色即将到期：审单员")).to_be_visible()
    await shoot(first, "messages_2_desktop_detail")
    await expect(second.locator("[data-unread]")).to_be_hidden(timeout=2_000)
    assert (await Message.get(person_id=world.admin.person_id)).read_at is not None
    await context.close()


async def test_the_h5_message_centre_fits_a_small_phone(chromium: Browser, site: Site, world: World) -> None:
    await post(world, "海关答复：关于电子口岸IC卡办理材料的问题已经答复，请查看", Category.NOTICE)
    context = await chromium.new_context(base_url=str(site.client.base_url), viewport={"width": 360, "height": 740},
                                         locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True)
    session = await site.session_for(world.admin)
    await context.add_cookies([{"name": COOKIE, "value": session.token, "url": str(site.client.base_url)}])
    page = await context.new_page()
    await page.goto("/h5/messages")
    await expect(page.get_by_role("heading", name="消息中心")).to_be_visible()
    assert await scroll_width(page) <= 360
    await shoot(page, "messages_3_h5_list")
    await page.get_by_role("button", name="加星标").click()
    await expect(page.get_by_role("button", name="取消星标")).to_be_visible()
    await page.get_by_role("link", name="海关答复").click()
    await expect(page.get_by_role("link", name="查看详情")).to_be_visible()
    assert await scroll_width(page) <= 360
    await shoot(page, "messages_4_h5_detail")

    await page.goto("/h5/messages")
    await page.get_by_label("发送日期从").fill("2026-03-10")
    await page.get_by_label("至").fill("2026-03-01")
    await page.get_by_role("button", name="筛选").click()
    await expect(page.locator("#err-to")).to_have_text("结束日期不能早于开始日期")
    await expect(page.get_by_label("发送日期从")).to_have_value("2026-03-10")
    assert await scroll_width(page) <= 360
    await shoot(page, "messages_4b_h5_period_refused")
    await page.get_by_label("至").fill("2026-03-02")
    await page.get_by_label("发送日期从").fill("2026-03-02")
    await page.get_by_role("button", name="筛选").click()
    await expect(page.locator("#message-list")).to_contain_text("海关答复")
    await context.close()


async def test_star_starred_only_read_and_mark_all_read_on_the_desktop(chromium: Browser, site: Site,
                                                                       world: World) -> None:
    for title in ("海关答复：电子口岸IC卡", "海关受理：报关单修改", "企业设置已修改：企业信息与开票信息"):
        await post(world, title, Category.NOTICE)
    context = await signed_in(chromium, site, world, 1366, 860)
    page = await context.new_page()
    await page.goto("/workbench/messages")
    await expect(page.locator("#unread-notice")).to_have_text("3")

    row = page.locator("#message-list tr", has_text="海关受理：报关单修改")
    await row.get_by_role("button", name="加星标").click()
    await expect(page.locator("#message-list tr", has_text="海关受理：报关单修改")
                 .get_by_role("button", name="取消星标")).to_be_visible()
    await page.get_by_role("link", name="仅显示星标（1）").click()
    await expect(page.locator("#message-list tbody tr")).to_have_count(1)
    await expect(page.locator("#message-list")).to_contain_text("海关受理：报关单修改")
    await shoot(page, "messages_5_desktop_starred_only")

    await page.get_by_role("link", name="海关受理：报关单修改").click()
    await expect(page.get_by_role("heading", name="海关受理：报关单修改")).to_be_visible()
    await expect(page.locator("[data-unread='']")).to_have_text("2", timeout=2_000)
    await page.goto("/workbench/messages")
    await page.get_by_role("button", name="全部标为已读").click()
    await expect(page.locator("#unread-notice")).to_be_hidden()
    await expect(page.locator("[data-unread='']")).to_be_hidden()
    await expect(page.locator("#message-list")).not_to_contain_text("未读")
    await shoot(page, "messages_6_desktop_all_read")
    assert await Message.filter(person_id=world.admin.person_id, read_at__isnull=True).count() == 0
    await context.close()


async def test_the_h5_centre_at_360_px_star_read_mark_all_and_two_live_tabs(chromium: Browser, site: Site,
                                                                            world: World) -> None:
    await post(world, "海关答复：电子口岸IC卡办理材料", Category.NOTICE)
    await post(world, "海关受理：报关单修改", Category.NOTICE)
    context = await signed_in(chromium, site, world, 360, 740)
    first, second = await context.new_page(), await context.new_page()
    for tab in (first, second):
        await tab.goto("/h5/messages")
        await expect(tab.locator("#unread-notice")).to_have_text("2")

    await post(world, "企业设置已修改：业务开关", Category.NOTICE)
    await post(world, "角色即将到期：审单员", Category.WARNING)
    for tab in (first, second):
        await expect(tab.locator("#unread-notice")).to_have_text("3", timeout=2_000)
        await expect(tab.locator("#unread-warning")).to_have_text("1", timeout=2_000)
    await first.reload()
    assert await scroll_width(first) <= 360
    await shoot(first, "messages_7_h5_live_tabs")

    await first.locator(".weui-cell", has_text="海关受理：报关单修改").get_by_role("button", name="加星标").click()
    await first.get_by_role("link", name="仅星标 1").click()
    await expect(first.locator("#message-list .weui-cell")).to_have_count(1)
    await first.get_by_role("link", name="海关受理：报关单修改").click()
    await expect(first.get_by_role("heading", name="海关受理：报关单修改")).to_be_visible()
    await expect(second.locator("#unread-notice")).to_have_text("2", timeout=2_000)
    await first.get_by_role("link", name="返回消息列表").click()
    await first.get_by_role("button", name="全部已读").click()
    await expect(first.locator("#unread-notice")).to_be_hidden()
    await expect(second.locator("#unread-notice")).to_be_hidden(timeout=2_000)
    await expect(second.locator("#unread-warning")).to_have_text("1")  # the 预警 tab is marked on its own
    assert await scroll_width(first) <= 360
    await shoot(first, "messages_8_h5_all_read")


async def test_the_desktop_list_filters_by_days_and_shows_a_library_summary(chromium: Browser, site: Site,
                                                                             world: World) -> None:
    from services.library.monthly import Figures, summary_text

    title, body, link = summary_text(datetime(2026, 2, 1).date(), Figures(120, 80, 60, 7), Figures(100, 70, 40, 9))
    async with in_transaction() as conn:
        await post_message(conn, enterprise_id=world.acme.id, person_id=world.admin.person_id,
                           category=Category.NOTICE, title=title, body=body, link=link, now=NOW)
        await post_message(conn, enterprise_id=world.acme.id, person_id=world.admin.person_id,
                           category=Category.NOTICE, title="一月的通知", now=datetime(2026, 1, 15, 2, tzinfo=UTC))
    context = await chromium.new_context(base_url=str(site.client.base_url), viewport={"width": 1366, "height": 860},
                                         locale="zh-CN", timezone_id="Asia/Shanghai")
    session = await site.session_for(world.admin)
    await context.add_cookies([{"name": COOKIE, "value": session.token, "url": str(site.client.base_url)}])
    page = await context.new_page()
    await page.goto("/workbench/messages")
    await page.get_by_label("时间从").fill("2026-03-01")
    await page.get_by_label("至").fill("2026-03-31")
    await page.get_by_role("button", name="筛选").click()
    await expect(page.get_by_role("link", name=title)).to_be_visible()
    await expect(page.get_by_role("link", name="一月的通知")).to_be_hidden()
    await page.screenshot(path="/tmp/shots/libpub/messages_filtered_1366.png", full_page=True)
    await page.get_by_role("link", name=title).click()
    await expect(page.get_by_text("不规范 7 条（较上月减少 2 条）", exact=False)).to_be_visible()
    assert await page.get_by_role("link", name="查看").nth(3).get_attribute("href") == (
        "/workbench/library?from=2026-02-01&to=2026-02-28&mark=nonstandard")
    await page.screenshot(path="/tmp/shots/libpub/monthly_summary_detail_1366.png", full_page=True)
    await context.close()
