"""The published questions' pages: readable without sign-in, type tabs, "加载更多" as a plain link, no identity."""

from __future__ import annotations

import re

from models.questions import Question
from services.questions.handling import unpublish_question
from tests.browser.published import CTX, PUBLIC_REPLY, publish, publish_many
from tests.factories import World
from tests.http.support import WECHAT_UA, Site


def listed_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/h5/public/(\d+)"', html)]


def more_link(html: str) -> str | None:
    match = re.search(r'<a class="public-more" href="([^"]+)" data-more="public-list">', html)
    return match and match.group(1).replace("&amp;", "&")


async def test_an_anonymous_visitor_reads_the_list_page_by_page_without_javascript(site: Site, world: World) -> None:
    ids = await publish_many(world, 25)
    seen, url, pages = [], "/h5/public", 0
    while url:
        response = await site.client.get(url, headers={"user-agent": WECHAT_UA})
        assert response.status_code == 200
        seen += listed_ids(response.text)
        url, pages = more_link(response.text), pages + 1
    assert seen == ids[::-1] and pages == 3
    assert "没有更多了" in response.text and "回到最新" in response.text


async def test_the_type_tabs_filter_and_the_next_page_keeps_the_type(site: Site, world: World) -> None:
    ids = await publish_many(world, 31)  # 11 of type 关税征管: two pages of that type
    tariff = world.type_ids[1]
    first = (await site.client.get(f"/h5/public?type_id={tariff}")).text
    assert re.search(rf'<a href="/h5/public\?type_id={tariff}" class="on" aria-current="page">关税征管</a>', first)
    more = more_link(first)
    assert more and f"type_id={tariff}" in more
    second = (await site.client.get(more)).text
    tariff_ids = [i for n, i in enumerate(ids, start=1) if n % 3 == 1]
    assert listed_ids(first) + listed_ids(second) == tariff_ids[::-1]


async def test_no_published_questions_yet(site: Site, world: World) -> None:
    response = await site.client.get("/h5/public")
    assert response.status_code == 200 and "暂无已公开的问题" in response.text
    assert "加载更多" not in response.text


async def test_the_detail_page_shows_the_question_and_the_reply_and_no_identity(site: Site, world: World) -> None:
    qid = await publish(world, "IC卡办理")
    question = await Question.get(id=qid)
    secrets = [world.acme.name, world.acme.credit_code, question.number, question.contact_phone,
               question.contact_name, "高管乙", "企业的原标题"]
    detail = await site.client.get(f"/h5/public/{qid}")
    assert detail.status_code == 200
    assert "IC卡办理" in detail.text and PUBLIC_REPLY in detail.text and "海关答复" in detail.text
    listing = await site.client.get("/h5/public")
    for html in (detail.text, listing.text):
        for secret in secrets:
            assert secret not in html


async def test_unpublished_and_unknown_questions_are_a_chinese_404_page(site: Site, world: World) -> None:
    qid = await publish(world, "曾经公开的问题")
    await unpublish_question(CTX, world.supervisor, qid)
    for path in (f"/h5/public/{qid}", "/h5/public/999999"):
        response = await site.client.get(path)
        assert response.status_code == 404
        assert "text/html" in response.headers["content-type"]
        assert "不存在" in response.text
    assert "曾经公开的问题" not in (await site.client.get("/h5/public")).text


async def test_a_script_in_a_title_is_shown_as_text(site: Site, world: World) -> None:
    qid = await publish(world, "<script>x()</script>", description="<img src=x onerror=alert(1)>",
                        reply="<b>加粗</b>")
    for path in ("/h5/public", f"/h5/public/{qid}"):
        html = (await site.client.get(path)).text
        assert "<script>x()" not in html and "<img src=x" not in html and "<b>加粗" not in html
        assert "&lt;script&gt;x()&lt;/script&gt;" in html


async def test_a_forged_cursor_is_a_friendly_error_page(site: Site, world: World) -> None:
    response = await site.client.get("/h5/public?cursor=forged")
    assert response.status_code == 400
    assert "分页参数无效" in response.text


async def test_a_signed_in_visitor_keeps_the_menu(site: Site, world: World) -> None:
    browser = await site.browser(world.staff)
    signed = (await browser.get("/h5/public")).text
    anonymous = (await site.client.get("/h5/public")).text
    assert 'aria-label="主菜单"' in signed and 'aria-label="主菜单"' not in anonymous
