"""我的问题 pages: the list with the manual's actions, the question page and its forms, evaluation, review."""

from __future__ import annotations

import gzip
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.config import DatabaseSettings
from models.lifecycle import Evaluation
from services.questions.evaluation import evaluate_question
from services.questions.handling import accept_question
from tests.factories import World
from tests.http.questions.test_questions_api import answered, ctx, draft, pending_review, sent
from tests.http.support import Site, running_site, web_settings


@pytest.fixture
async def site(db: DatabaseSettings, world: World, tmp_path: Path) -> AsyncIterator[Site]:
    async with running_site(web_settings(db, web={"upload_dir": str(tmp_path / "uploads")})) as running:
        yield running


def item_html(html: str, question_id: int) -> str:
    match = re.search(rf'<li class="qitem">\s*<div class="qitem__hd"><a class="qitem__title" '
                      rf'href="/h5/questions/{question_id}">.*?</li>', html, re.S)
    assert match, f"question {question_id} not in the list"
    return match.group(0)


def ops(html: str) -> list[str]:
    return re.findall(r">(撤回|修改|删除|评价|审核|提交)</(?:a|button)>", html)


async def test_the_list_shows_the_manuals_columns_and_actions(site: Site, world: World) -> None:
    submitted, withdrawn = await sent(world), await sent(world, title="暂时进出境货物注意事项")
    browser = await site.browser(world.executive)
    await browser.post_form(f"/h5/questions/{withdrawn}/withdraw")
    accepted, replied = await sent(world, title="企业法人签字如何变更"), await answered(world)
    await accept_question(ctx, world.officer, accepted)
    html = (await browser.get("/h5/questions")).text
    assert ops(item_html(html, submitted)) == ["撤回"]
    assert ops(item_html(html, withdrawn)) == ["修改", "删除"]
    assert ops(item_html(html, accepted)) == []
    assert ops(item_html(html, replied)) == ["评价"]
    row = item_html(html, accepted)
    assert "通关运行" in row and "提交 20" in row and "受理 20" in row and ">已受理</span>" in row
    assert re.search(r'data-confirm="[^"]+"', item_html(html, submitted))


async def test_filter_tabs_and_load_more_without_javascript(site: Site, world: World) -> None:
    ids = [await sent(world, title=f"问题{i}") for i in range(22)]
    await draft(world, "executive", "草稿一")
    browser = await site.browser(world.executive)
    first = (await browser.get("/h5/questions?status=submitted")).text
    assert '<a href="/h5/questions?status=submitted" class="on">已提交</a>' in first
    more = re.search(r'href="([^"]+)" data-more="question-list"', first)
    assert more
    second = (await browser.get(more.group(1).replace("&amp;", "&"))).text
    shown = [int(i) for i in re.findall(r'class="qitem__title" href="/h5/questions/(\d+)"', first + second)]
    assert shown == ids[::-1]
    assert "data-more" not in second and "没有更多了" in second
    assert "草稿一" in (await browser.get("/h5/questions?status=draft")).text
    bad = await browser.get("/h5/questions?cursor=broken")
    assert bad.status_code == 400 and "分页参数无效" in bad.text


async def test_withdraw_and_delete_through_the_page_forms(site: Site, world: World) -> None:
    qid = await sent(world, "solo_staff")
    browser = await site.browser(world.solo_staff)
    page = (await browser.get(f"/h5/questions/{qid}")).text
    assert f'action="/h5/questions/{qid}/withdraw" data-confirm=' in page
    response = await browser.post_form(f"/h5/questions/{qid}/withdraw")
    assert (response.status_code, response.headers["location"]) == (303, f"/h5/questions/{qid}?done=withdrawn")
    page = (await browser.get(response.headers["location"])).text
    assert "已撤回" in page and f'href="/h5/questions/{qid}/edit"' in page
    response = await browser.post_form(f"/h5/questions/{qid}/delete")
    assert response.headers["location"] == "/h5/questions?done=deleted"
    assert "已删除" in (await browser.get("/h5/questions?done=deleted")).text
    assert (await browser.get(f"/h5/questions/{qid}")).status_code == 404


async def test_a_refused_action_shows_the_tables_reason(site: Site, world: World) -> None:
    qid = await sent(world)
    await accept_question(ctx, world.officer, qid)
    browser = await site.browser(world.executive)
    response = await browser.post_form(f"/h5/questions/{qid}/withdraw")
    assert response.status_code == 409 and "问题已受理，不能撤回" in response.text
    response = await browser.get(f"/h5/questions/{qid}/evaluate")
    assert response.status_code == 409 and "问题已受理，不能评价" in response.text
    staff2 = await site.browser(world.staff2)
    mine = await sent(world, title="高管的问题")
    response = await staff2.post_form(f"/h5/questions/{mine}/withdraw")
    assert response.status_code == 403 and "只有提问人、企业管理员或企业高管可以撤回该问题" in response.text


async def test_the_evaluation_form_keeps_the_text_and_shows_errors_beside_the_field(site: Site, world: World) -> None:
    qid = await answered(world)
    browser = await site.browser(world.executive)
    form = (await browser.get(f"/h5/questions/{qid}/evaluate")).text
    labels = re.findall(r"<p>(\d\. [^<]+)</p>", form)
    assert labels == ["1. 完全解决问题", "2. 同意答复意见", "3. 没有解决问题", "4. 解决部分问题"]
    assert "须填写补充说明" in form and "须填写补充说明或追加问题" in form  # the configured note rules

    response = await browser.post_form(f"/h5/questions/{qid}/evaluate", {"evaluation": "2", "note": ""})
    assert response.status_code == 400
    assert '<div class="field-error" role="alert" id="err-note">评价为“同意答复意见”时须填写补充说明</div>' in (
        response.text)
    response = await browser.post_form(f"/h5/questions/{qid}/evaluate",
                                       {"evaluation": "1", "appended_text": "还想问<b>一句</b>"})
    assert 'id="err-appended_text"' in response.text and "还想问&lt;b&gt;一句&lt;/b&gt;</textarea>" in response.text
    assert 'value="1" id="ev1" checked' in response.text

    response = await browser.post_form(f"/h5/questions/{qid}/evaluate", {"evaluation": "3"})
    assert "须填写补充说明或追加问题" in response.text
    response = await browser.post_form(f"/h5/questions/{qid}/evaluate", {"evaluation": "3", "note": "没说清楚"})
    assert response.headers["location"] == f"/h5/questions/{qid}?done=evaluated"
    page = (await browser.get(response.headers["location"])).text
    assert "待追加" in page and ">重新评价</a>" in page and f'action="/h5/questions/{qid}/append"' in page

    response = await browser.post_form(f"/h5/questions/{qid}/append", {"appended_text": ""})
    assert response.status_code == 400 and 'id="err-appended_text"' in response.text
    response = await browser.post_form(f"/h5/questions/{qid}/append", {"appended_text": "具体需要哪些材料？"})
    assert response.headers["location"] == f"/h5/questions/{qid}?done=appended"
    assert "追加问题已提交海关" in (await browser.get(response.headers["location"])).text


async def test_evaluate_with_an_appended_question_or_close_it(site: Site, world: World) -> None:
    browser = await site.browser(world.executive)
    appended, closed, again = await answered(world), await answered(world), await answered(world)
    response = await browser.post_form(f"/h5/questions/{appended}/evaluate",
                                       {"evaluation": "4", "appended_text": "第二个问题"})
    assert response.headers["location"].endswith("done=appended")
    assert "已提交" in (await browser.get(f"/h5/questions/{appended}")).text
    await browser.post_form(f"/h5/questions/{closed}/evaluate", {"evaluation": "1"})
    assert ">已办结</span>" in (await browser.get(f"/h5/questions/{closed}")).text
    await evaluate_question(ctx, world.executive, again, Evaluation.NOT_SOLVED, note="未解决")
    assert "重新评价" in (await browser.get(f"/h5/questions/{again}/evaluate")).text
    await browser.post_form(f"/h5/questions/{again}/evaluate", {"evaluation": "2", "note": "同意"})
    assert ">已办结</span>" in (await browser.get(f"/h5/questions/{again}")).text


async def test_the_executive_reviews_on_the_question_page(site: Site, world: World) -> None:
    qid = await pending_review(world)
    executive = await site.browser(world.executive)
    queue = (await executive.get("/h5/review")).text
    assert f'href="/h5/questions/{qid}#review"' in queue and "关务丁" in queue
    page = (await executive.get(f"/h5/questions/{qid}")).text
    assert 'id="review"' in page and f'href="/h5/questions/{qid}/edit">编辑</a>' in page
    other = await site.browser(world.executive2)
    assert 'id="review"' not in (await other.get(f"/h5/questions/{qid}")).text

    response = await executive.post_form(f"/h5/questions/{qid}/review/return", {"reason": ""})
    assert response.status_code == 400 and 'id="err-reason">请填写退回原因' in response.text
    response = await executive.post_form(f"/h5/questions/{qid}/review/return", {"reason": "请补充报关单号"})
    assert response.headers["location"] == f"/h5/questions/{qid}?done=returned"
    page = (await executive.get(response.headers["location"])).text
    assert ">高管退回</span>" in page and "请补充报关单号" in page

    staff = await site.browser(world.staff)
    assert (await staff.post_form(f"/h5/questions/{qid}/submit")).headers["location"].endswith("done=sent_to_exec")
    response = await executive.post_form(f"/h5/questions/{qid}/review/approve", {})
    assert response.status_code == 400 and 'id="err-importance"' in response.text
    response = await executive.post_form(f"/h5/questions/{qid}/review/approve", {"importance": "important"})
    page = (await executive.get(response.headers["location"])).text
    assert "已提交海关" in page and ">已提交</span>" in page and "重要性：重要" in page
    assert "暂无待审核的问题" in (await executive.get("/h5/review")).text


async def test_a_draft_is_submitted_to_the_chosen_executive(site: Site, world: World) -> None:
    qid = await draft(world)
    staff = await site.browser(world.staff)
    page = (await staff.get(f"/h5/questions/{qid}")).text
    assert '<select name="executive_id"' in page and "高管丙" in page
    response = await staff.post_form(f"/h5/questions/{qid}/submit", {"executive_id": ""})
    assert response.status_code == 400 and "请选择审核高管" in response.text
    response = await staff.post_form(f"/h5/questions/{qid}/submit",
                                     {"executive_id": str(world.executive2.person_id)})
    assert "待高管审核" in (await staff.get(response.headers["location"])).text


async def test_a_title_with_markup_is_shown_escaped(site: Site, world: World) -> None:
    qid = await sent(world, title="<script>x</script>")
    browser = await site.browser(world.staff)
    for url in ("/h5/questions", f"/h5/questions/{qid}"):
        html = (await browser.get(url)).text
        assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html


async def test_forms_without_the_csrf_token_are_refused(site: Site, world: World) -> None:
    qid = await sent(world)
    browser = await site.browser(world.executive)
    response = await browser.client.post(f"/h5/questions/{qid}/withdraw", data={})
    assert response.status_code == 403 and "页面已过期" in response.text
    assert ">已提交</span>" in (await browser.get(f"/h5/questions/{qid}")).text


async def test_another_enterprise_gets_404_for_the_page_and_its_forms(site: Site, world: World) -> None:
    qid = await sent(world)
    outsider = await site.browser(world.solo_staff)
    for response in (await outsider.get(f"/h5/questions/{qid}"), await outsider.get(f"/h5/questions/{qid}/evaluate"),
                     await outsider.post_form(f"/h5/questions/{qid}/withdraw")):
        assert response.status_code == 404 and "问题不存在或无权查看" in response.text
    assert f"/h5/questions/{qid}" not in (await outsider.get("/h5/questions")).text


async def test_the_question_page_has_the_whole_timeline_and_stays_small(site: Site, world: World) -> None:
    qid = await answered(world)
    browser = await site.browser(world.executive, **{"accept-encoding": "gzip"})
    response = await browser.get(f"/h5/questions/{qid}")
    assert re.findall(r'<div class="what">([^<]+)</div>', response.text) == [
        "新建问题", "提交海关", "海关回复（答复）"]
    assert "请到大窑湾海关综合业务窗口办理。" in response.text
    size = len(gzip.compress(response.content))
    for asset in ("h5.css", "h5.js"):
        url = re.search(rf'href="(/static/{asset}[^"]*)"|src="(/static/{asset}[^"]*)"', response.text)
        assert url
        size += len(gzip.compress((await site.client.get(url.group(1) or url.group(2))).content))
    assert size < 80_000
