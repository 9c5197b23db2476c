"""The declarations' whole journey in the browser at 1366×860 (issue 15's "Done when"), two people on the site as
`make demo` runs it (the single-window simulator mounted in it, the real adapter talking to it over HTTP):

the preparer (declaration:entry + query:print) sets their 报关员章, enters an export declaration with two items,
saves it and submits it; the reviewer (declaration:review + exception:edit + sync:run) marks it field by field in
the visual review and returns it; the preparer sees the red field, fixes it and submits again; the reviewer sees the
change and approves; the preparer declares it (申报) from the entry form; the simulator's control endpoint emits
入库 and 删单 receipts, the receipts poll picks them up, and the deletion's exception is on the reviewer's 异常处理
page by itself; the preparer prints the declaration: a PDF with the stamp as its watermark.
Screenshots in artifacts/screenshots/declaration-journey-*.png."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from playwright.async_api import Browser, Dialog, Locator, Page, expect

from core.config import DatabaseSettings
from models.declarations import Declaration
from models.workspace import RoleGrant, WorkspaceRole
from services.declarations.sync_runs import poll_receipts
from services.kit.context import ServiceContext
from services.workspace.permissions import bump_version
from tests.browser.support import COOKIE, shoot
from tests.factories import World
from tests.http.support import SimulatedSite, simulated_site
from tests.services.declarations.print_support import read_pdf
from tests.services.declarations.support import good_head, good_item
from tests.services.library.support import load_small_reference

SHOTS = Path("/tmp/shots/journey")
ELEMENTS = (("1. 品牌类型 *", "0"), ("2. 出口享惠情况 *", "3"), ("3. 结构类型 *", "深沟球"),
            ("4. 品牌（中文或外文名称） *", "SKF"), ("5. 型号 *", "6205-2RS"))
ITEM_KEYS = ("goods_name", "quantity", "unit", "legal_quantity", "legal_unit", "second_quantity", "second_unit",
             "price", "total", "currency", "origin_country", "destination_country", "district_code", "duty_mode")


@pytest.fixture
async def reference(db: DatabaseSettings, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


def stamp_png() -> bytes:
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.ellipse((8, 8, 232, 232), outline=(200, 20, 20, 230), width=10)
    pen.regular_polygon((120, 120, 40), 5, fill=(200, 20, 20, 230))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


async def person_page(chromium: Browser, site: SimulatedSite, world: World, person_id: int) -> Page:
    session = await site.app.ctx.sessions.start(person_id=person_id, enterprise_id=world.acme.id, openid=None,
                                                via="sms")
    context = await chromium.new_context(base_url=site.base_url, viewport={"width": 1366, "height": 860},
                                         locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    await context.add_cookies([{"name": COOKIE, "value": session.token, "url": site.base_url}])
    page = await context.new_page()

    async def accept(dialog: Dialog) -> None:  # 提交前确认, 申报前确认
        await dialog.accept()

    page.on("dialog", accept)
    return page


async def make_reviewer(site: SimulatedSite, world: World) -> None:
    now = site.app.ctx.services.now()
    role = await WorkspaceRole.create(enterprise_id=world.acme.id, name="审单员",
                                      codes=["declaration:review", "exception:edit", "sync:run"],
                                      created_at=now, updated_at=now)
    await RoleGrant.create(person_id=world.executive.person_id, role=role, valid_from=now, granted_at=now)
    await bump_version(site.app.ctx.cache, world.acme.id)


async def fill_item(page: Page, index: int, item: dict[str, Any]) -> None:
    block = page.locator("fieldset.item").nth(index)
    await block.locator("[name=item_hs_code]").fill(item["hs_code"])  # an added row's ids are not its index
    await block.locator("[name=item_hs_code]").press("Tab")
    for label, value in ELEMENTS:
        field: Locator = block.get_by_label(label)
        if label.startswith(("1.", "2.")):
            await field.select_option(value)
        else:
            await field.fill(value)
    await expect(block.locator("[name=item_model_spec]")).to_have_value("0|3|深沟球|SKF|6205-2RS|||")
    for key in ITEM_KEYS:
        await block.locator(f"[name=item_{key}]").fill(item[key])


async def test_enter_review_fix_approve_declare_receipts_exception_and_print(
        chromium: Browser, db: DatabaseSettings, world: World, reference: None, tmp_path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with simulated_site(db, web={"upload_dir": str(tmp_path / "uploads")}) as site:
        await make_reviewer(site, world)
        preparer = await person_page(chromium, site, world, world.staff.person_id)
        reviewer = await person_page(chromium, site, world, world.executive.person_id)

        # the preparer's 报关员章, set in 个人中心
        await preparer.goto("/workbench/")
        await preparer.get_by_role("navigation", name="个人菜单").get_by_role("link", name="个人中心").click()
        await preparer.locator("input[name=stamp]").set_input_files({"name": "章.png", "mimeType": "image/png",
                                                                     "buffer": stamp_png()})
        await preparer.locator("form[action$='/images/stamp'] button[type=submit]").first.click()
        await expect(preparer.get_by_role("img", name="报关员章")).to_be_visible()

        # entry: head, two items, 暂存, 提交审核
        await preparer.get_by_role("navigation", name="功能菜单").get_by_role("link", name="报关单录入").click()
        await preparer.get_by_role("button", name="新建报关单").click()
        for key, value in good_head().items():
            await preparer.locator(f"#{key}").fill(value)
        await fill_item(preparer, 0, good_item())
        await preparer.get_by_role("button", name="添加商品项").click()
        await fill_item(preparer, 1, good_item(goods_name="深沟球轴承（大）", quantity="50", legal_quantity="50",
                                               second_quantity="6.3", total="178.4"))
        await preparer.get_by_role("button", name="暂存").click()
        await expect(preparer.get_by_role("status")).to_have_text("已暂存")
        await expect(preparer.locator("fieldset.item")).to_have_count(2)
        await shoot(preparer, "declaration-journey-1-saved")
        await preparer.screenshot(path=str(SHOTS / "1-saved.png"))
        await preparer.get_by_role("button", name="提交审核").click()
        await expect(preparer.locator("h1 .badge")).to_have_text("待审核")
        did = int(preparer.url.rsplit("/", 1)[1].split("?")[0])

        # review: one field right, the second item's price wrong with a comment, 审核退回
        await reviewer.goto("/workbench/declarations/review")
        await reviewer.get_by_role("link", name="可视化审核").click()
        trade_mode = reviewer.locator('[data-path="head.trade_mode"]')
        await trade_mode.click()
        await expect(trade_mode).to_have_attribute("data-mark", "right")
        price = reviewer.locator('[data-path="items[1].price"]')
        await price.click()
        await price.click()
        await reviewer.locator("#comment-text").fill("单价与发票不符，应为 3.6")
        await reviewer.locator("#comment-text").press("Enter")
        await expect(price).to_have_attribute("data-mark", "wrong")
        await shoot(reviewer, "declaration-journey-2-marked")
        await reviewer.screenshot(path=str(SHOTS / "2-marked.png"))
        await reviewer.get_by_role("button", name="审核退回").click()
        await expect(reviewer.get_by_role("status").first).to_have_text("已退回制单人")

        # the preparer sees the red field, fixes it, submits again
        await preparer.goto(f"/workbench/declarations/entry/{did}")
        red = preparer.locator(".fld.review-red")
        await expect(red).to_have_count(1)
        await expect(red).to_contain_text("审核意见：单价与发票不符，应为 3.6")
        await red.scroll_into_view_if_needed()
        await preparer.screenshot(path=str(SHOTS / "3-red.png"))
        await preparer.locator("#item-1-price").fill("3.6")
        await preparer.locator("#item-1-total").fill("180")
        await preparer.get_by_role("button", name="提交审核").click()
        await expect(preparer.locator("h1 .badge")).to_have_text("待审核")
        await expect(preparer.locator("#declare")).to_have_count(0)  # not approved yet: no 申报

        # the reviewer sees the change, marks it right and approves
        await reviewer.goto(f"/workbench/declarations/review/{did}")
        await expect(price).to_have_attribute("data-mark", "none")
        await expect(price).to_contain_text("原值：3.568")
        await expect(trade_mode).to_have_attribute("data-mark", "right")  # unchanged: carried over
        await price.click()
        await reviewer.get_by_role("button", name="审核通过").click()
        await expect(reviewer.locator("#status")).to_have_text("审核通过")
        await expect(reviewer.locator("#declare")).to_have_text("申报")  # the reviewer may declare too
        await reviewer.screenshot(path=str(SHOTS / "4-approved.png"))

        # 申报 from the entry form: through the adapter to the simulator
        await preparer.goto(f"/workbench/declarations/entry/{did}")
        await expect(preparer.locator("h1 .badge")).to_have_text("审核通过")
        await preparer.locator("#declare").click()
        await expect(preparer.get_by_role("status")).to_have_text("已申报")
        await expect(preparer.locator("h1 .badge")).to_have_text("已申报")
        seq_no = (await Declaration.get(id=did)).seq_no
        await expect(preparer.locator(".heading-row .hint")).to_contain_text(f"统一编号 {seq_no}")
        await shoot(preparer, "declaration-journey-5-declared")
        await preparer.screenshot(path=str(SHOTS / "5-declared.png"))

        # receipts from the simulator's control endpoint, picked up by the receipts poll
        code = world.acme.credit_code
        for kind, note in (("entered", ""), ("deleted", "申报要素有误，删单重报")):
            emitted = await site.client.post("/sim/single-window/control/receipts",
                                             json={"enterprise_code": code, "seq_no": seq_no, "type": kind,
                                                   "note": note})
            assert emitted.status_code == 200, emitted.text
        assert await poll_receipts(ServiceContext()) >= 2
        entry_id = (await Declaration.get(id=did)).entry_id
        assert entry_id

        # the deletion's exception, on the reviewer's 异常处理 page by itself
        await reviewer.get_by_role("navigation", name="功能菜单").get_by_role("link", name="异常处理").click()
        rows = reviewer.locator("#exception-list tbody tr")
        await expect(rows).to_have_count(1)
        await expect(rows.first).to_contain_text(entry_id)
        await expect(rows.first).to_contain_text("自动")
        await shoot(reviewer, "declaration-journey-6-exception")
        await reviewer.screenshot(path=str(SHOTS / "6-exception.png"))

        # the preparer's form: 删单 with the receipt in the timeline, and 打印报关单 answers the stamped PDF
        await preparer.goto(f"/workbench/declarations/entry/{did}")
        await expect(preparer.locator("h1 .badge")).to_have_text("删单")
        await expect(preparer.locator("#timeline")).to_contain_text("申报要素有误，删单重报")
        await preparer.locator("#timeline").scroll_into_view_if_needed()
        await shoot(preparer, "declaration-journey-7-deleted")
        await preparer.screenshot(path=str(SHOTS / "7-deleted.png"))
        button = preparer.locator("#print-declaration")
        await expect(button).to_have_text("打印报关单")
        answer = await preparer.request.get(await button.get_attribute("href") or "")
        assert answer.headers["content-type"] == "application/pdf"
        pdf = read_pdf(await answer.body())
        text = "".join(pdf.text.split())
        for value in ("中华人民共和国海关出口货物报关单", "深沟球轴承（大）", "COSU6321457890", entry_id, "关务丁"):
            assert value in text, value
        assert pdf.images == 1 and "未上传报关员章" not in text  # the stamp's watermark (no seal uploaded)
        await preparer.context.close()
        await reviewer.context.close()
