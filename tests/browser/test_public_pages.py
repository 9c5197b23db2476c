"""An anonymous visitor on a phone reads the published questions: type tabs, "加载更多" in place, one answer."""

from __future__ import annotations

from playwright.async_api import Locator, Page, expect

from tests.browser.published import PUBLIC_REPLY, publish
from tests.browser.support import Phones, in_wechat, scroll_width, shoot, sign_in
from tests.factories import World
from tests.http.support import Site

TITLES = [
    "电子口岸IC卡如何办理", "暂时进出境货物注意事项", "RCEP原产地规则在哪里获取", "企业法人签字如何在海关变更",
    "报关单状态一直显示已入库", "危险品报关时如何申报", "加工贸易手册如何核销", "进口化妆品需要哪些单证",
    "出口退税报关单何时发送", "跨境电商零售进口税率", "原产地证书如何自助打印", "减免税设备解除监管",
    "两步申报如何操作", "提前申报的时间要求", "汇总征税担保如何办理", "AEO高级认证需要准备什么",
    "进境动植物检疫审批", "出口食品生产企业备案", "保税仓库货物如何出库", "查验通知后如何预约",
    "报关企业备案信息变更", "进口冷链食品如何申报", "税款缴纳方式有哪些", "修撤单的申请材料", "退运货物如何办理",
]
LONG_REPLY = ("请登录中国国际贸易单一窗口 https://www.singlewindow.cn/#/portal/services/declaration/guide/"
              "customs-declaration-standard-library 查询；" + "如仍有疑问，请拨打服务热线 0411-82732333。" * 3)


async def publish_25(world: World) -> list[int]:
    """25 questions of type 通关运行, every third also 关税征管; the last one with a long reply."""
    customs, tariff = world.type_ids[0], world.type_ids[1]
    ids = []
    for n, title in enumerate(TITLES, start=1):
        types = (customs, tariff) if n % 3 == 0 else (customs,)
        ids.append(await publish(world, title, type_ids=types, reply=LONG_REPLY if n == 25 else PUBLIC_REPLY))
    return ids


def items(page: Page) -> Locator:
    return page.locator("#public-list > a")


def tab(page: Page, name: str) -> Locator:
    return page.get_by_role("navigation", name="问题类型").get_by_role("link", name=name, exact=True)


async def test_an_anonymous_visitor_filters_loads_more_and_reads_an_answer(phones: Phones, world: World) -> None:
    await publish_25(world)
    phone = await phones.open()
    await phone.goto("/h5/public")
    await expect(phone.get_by_role("heading", name="已公开问题")).to_be_visible()
    await expect(items(phone)).to_have_count(10)
    await expect(items(phone).first).to_contain_text("退运货物如何办理")
    await shoot(phone, "public_list_390")

    await tab(phone, "关税征管").tap()
    await expect(tab(phone, "关税征管")).to_have_attribute("aria-current", "page")
    await expect(items(phone)).to_have_count(8)
    for text in await items(phone).locator(".weui-media-box__info").all_inner_texts():
        assert "关税征管" in text
    await expect(phone.get_by_text("没有更多了")).to_be_visible()
    await shoot(phone, "public_list_tariff_390")

    await tab(phone, "通关运行").tap()
    await expect(items(phone)).to_have_count(10)
    filtered_url = phone.url
    await phone.get_by_role("link", name="加载更多").tap()
    await expect(items(phone)).to_have_count(20)
    await phone.get_by_role("link", name="加载更多").tap()
    await expect(items(phone)).to_have_count(25)
    await expect(phone.get_by_role("link", name="加载更多")).to_have_count(0)
    await expect(phone.get_by_text("没有更多了")).to_be_visible()
    assert phone.url == filtered_url  # loaded in place
    hrefs = [await a.get_attribute("href") for a in await items(phone).all()]
    assert len(set(hrefs)) == 25
    await shoot(phone, "public_list_loaded_390")

    await items(phone).filter(has_text="两步申报如何操作").tap()
    await expect(phone.get_by_role("heading", name="两步申报如何操作")).to_be_visible()
    await expect(phone.get_by_role("region", name="海关答复")).to_contain_text(PUBLIC_REPLY)
    await expect(phone.get_by_text(world.acme.name)).to_have_count(0)
    await shoot(phone, "public_detail_390")


async def test_the_pages_fit_a_360_px_phone_inside_wechat(phones: Phones, world: World) -> None:
    ids = await publish_25(world)
    phone = await phones.open(width=360, height=740, user_agent=in_wechat())
    await phone.goto("/h5/public")
    await expect(items(phone)).to_have_count(10)  # public: no OAuth detour inside WeChat either
    assert await scroll_width(phone) <= 360
    await shoot(phone, "public_list_360_wechat")
    await phone.goto(f"/h5/public/{ids[-1]}")
    await expect(phone.get_by_role("region", name="海关答复")).to_contain_text("singlewindow")
    assert await scroll_width(phone) <= 360
    await shoot(phone, "public_detail_360_wechat")


async def test_a_signed_in_member_reads_them_with_the_menu(phones: Phones, site: Site, world: World) -> None:
    await publish(world, "电子口岸IC卡如何办理")
    phone = await phones.open(user_agent=in_wechat())
    await sign_in(phone, site, world.staff)
    await phone.goto("/h5/public")
    menu = phone.get_by_role("navigation", name="主菜单")
    await expect(menu.get_by_role("link", name="已公开")).to_have_class("on")
    await expect(items(phone)).to_have_count(1)
    await shoot(phone, "public_list_signed_in_390")
