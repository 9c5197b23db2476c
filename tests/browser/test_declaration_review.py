"""审单 in the browser at 1366×860: the reviewer opens a submitted declaration's visual review, marks a field green by
a click and another by the keyboard (Enter), marks one red with a comment in the inline box, returns it; the
preparer sees the red field with the comment on the entry form, fixes it and submits again; the reviewer sees the
changed field (its mark reset, the green ones carried over) and approves. Screenshots in
artifacts/screenshots/declaration-review-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Dialog, Page, expect

from models.workspace import RoleGrant, WorkspaceRole
from services.workspace.permissions import bump_version
from tests.browser.support import shoot, sign_in
from tests.factories import World
from tests.http.support import Site
from tests.services.declarations.support import good_head, good_item
from tests.services.library.support import load_small_reference

API = "/api/v1/workspace/declarations"
SHOTS = Path("/tmp/shots/review")


@pytest.fixture
async def reference(site: Site, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


async def _page(chromium: Browser, site: Site, person: object) -> Page:
    context = await chromium.new_context(base_url=str(site.client.base_url), viewport={"width": 1366, "height": 860},
                                         locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    page = await context.new_page()

    async def accept(dialog: Dialog) -> None:  # 提交前确认
        await dialog.accept()

    page.on("dialog", accept)
    await sign_in(page, site, person)  # type: ignore[arg-type]
    return page


async def test_mark_return_fix_and_approve(chromium: Browser, site: Site, world: World, reference: None) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    api = await site.api(world.staff)
    items = [good_item(), good_item(goods_name="深沟球轴承（大）", quantity="50", legal_quantity="50", total="178.4")]
    created = (await api.post(API, json={"kind": "export", "head": good_head(), "items": items})).json()
    did = created["declaration"]["id"]
    assert (await api.post(f"{API}/{did}/submit", json={"version": 1})).status_code == 200

    reviewer = await _page(chromium, site, world.admin)
    await reviewer.goto("/workbench/declarations/review")
    await reviewer.get_by_role("link", name="可视化审核").click()
    trade_mode = reviewer.locator('[data-path="head.trade_mode"]')
    await trade_mode.click()
    await expect(trade_mode).to_have_attribute("data-mark", "right")
    bill = reviewer.locator('[data-path="head.bill_no"]')
    await bill.focus()
    await reviewer.keyboard.press("Enter")
    await expect(bill).to_have_attribute("data-mark", "right")
    await reviewer.keyboard.press("Enter")  # the second press: 有误 asks for a comment first
    await expect(reviewer.locator("#comment-box")).to_be_visible()
    await reviewer.locator("#comment-save").click()
    await expect(reviewer.locator("#comment-error")).to_have_text("标为有误时请填写意见")
    await reviewer.keyboard.press("Escape")
    await expect(bill).to_have_attribute("data-mark", "right")
    price = reviewer.locator('[data-path="items[1].price"]')
    await price.click()
    await price.click()
    await reviewer.locator("#comment-text").fill("单价与发票不符，应为 3.6")
    await reviewer.locator("#comment-text").press("Enter")
    await expect(price).to_have_attribute("data-mark", "wrong")
    await expect(reviewer.locator("#red-list")).to_contain_text("第 2 项 单价：单价与发票不符，应为 3.6")
    await expect(reviewer.locator("#count-marked")).to_have_text("3")
    await reviewer.screenshot(path=str(SHOTS / "review-marked.png"))
    await shoot(reviewer, "declaration-review-marked")
    await reviewer.get_by_role("button", name="审核退回").click()
    await expect(reviewer.get_by_role("status").first).to_have_text("已退回制单人")

    preparer = await _page(chromium, site, world.staff)
    await preparer.goto(f"/workbench/declarations/entry/{did}")
    await expect(preparer.locator("#review-red")).to_be_visible()
    red_field = preparer.locator(".fld.review-red")
    await expect(red_field).to_have_count(1)
    await expect(red_field).to_contain_text("审核意见：单价与发票不符，应为 3.6")
    await red_field.scroll_into_view_if_needed()
    await preparer.screenshot(path=str(SHOTS / "entry-red.png"))
    await shoot(preparer, "declaration-review-preparer-red")
    await preparer.locator("#item-1-price").fill("3.6")
    await preparer.locator("#item-1-total").fill("180")
    await preparer.get_by_role("button", name="提交审核").click()
    await expect(preparer.locator("h1 .badge")).to_have_text("待审核")

    await reviewer.goto(f"/workbench/declarations/review/{did}")
    await expect(price).to_have_attribute("data-mark", "none")
    await expect(price).to_have_class("mk mark-none changed")
    await expect(price).to_contain_text("原值：3.568")
    await expect(trade_mode).to_have_attribute("data-mark", "right")  # unchanged: the green mark carried over
    await expect(reviewer.locator("#changed-note")).to_contain_text("修改了 1 个字段")
    await price.scroll_into_view_if_needed()
    await reviewer.screenshot(path=str(SHOTS / "review-changed.png"))
    await shoot(reviewer, "declaration-review-changed")
    await price.click()
    await reviewer.get_by_role("button", name="审核通过").click()
    await expect(reviewer.get_by_role("status").first).to_have_text("已审核通过")
    await expect(reviewer.locator("#status")).to_have_text("审核通过")
    await reviewer.screenshot(path=str(SHOTS / "review-approved.png"), full_page=True)


async def test_second_review_turned_on_in_company_settings(chromium: Browser, site: Site, world: World,
                                                          reference: None) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    now = site.app.ctx.services.now()
    role = await WorkspaceRole.create(enterprise_id=world.acme.id, name="复核", codes=["declaration:review2"],
                                      created_at=now, updated_at=now)
    await RoleGrant.create(person_id=world.executive.person_id, role=role, valid_from=now, granted_at=now)
    await bump_version(site.app.ctx.cache, world.acme.id)
    api = await site.api(world.staff)
    created = (await api.post(API, json={"kind": "export", "head": good_head(), "items": [good_item()]})).json()
    did = created["declaration"]["id"]
    assert (await api.post(f"{API}/{did}/submit", json={"version": 1})).status_code == 200

    admin = await _page(chromium, site, world.admin)
    await admin.goto("/workbench/admin/company")
    await admin.locator("#second_review").check()
    await admin.locator("#review-settings").get_by_role("button", name="保存").click()
    await expect(admin.get_by_role("status").first).to_have_text("审单设置已保存")
    await expect(admin.locator("#second_review")).to_be_checked()
    await admin.locator("#review-settings").scroll_into_view_if_needed()
    await admin.screenshot(path=str(SHOTS / "company-second-review.png"))
    await admin.goto(f"/workbench/declarations/review/{did}")
    await admin.get_by_role("button", name="初审通过（转二复核）").click()
    await expect(admin.locator("#status")).to_have_text("待复核")

    second = await _page(chromium, site, world.executive)
    await second.goto("/workbench/declarations/review2")
    await expect(second.locator("#review-list tbody tr")).to_have_count(1)
    await second.screenshot(path=str(SHOTS / "review2-list.png"))
    await second.get_by_role("link", name="可视化审核").click()
    await second.locator('[data-path="head.contract_no"]').click()
    await expect(second.locator('[data-path="head.contract_no"]')).to_have_attribute("data-mark", "right")
    await second.get_by_role("button", name="审核通过").click()
    await expect(second.locator("#status")).to_have_text("审核通过")
