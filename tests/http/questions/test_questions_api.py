"""我的问题 and 高管审核 over the JSON API: list, paging, detail, every action, refusals and scoping."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from core.config import DatabaseSettings
from models.lifecycle import Evaluation, ReplyKind
from models.questions import Question
from services.kit.context import ServiceContext
from services.kit.images import check_image
from services.questions.asking import create_draft, submit_question
from services.questions.attachments import attach_image
from services.questions.evaluation import evaluate_question
from services.questions.handling import accept_question, reply_question
from services.questions.numbering import format_number
from tests.factories import World
from tests.http.support import Site, running_site, web_settings

ctx = ServiceContext()


@pytest.fixture
async def site(db: DatabaseSettings, world: World, tmp_path: Path) -> AsyncIterator[Site]:
    async with running_site(web_settings(db, web={"upload_dir": str(tmp_path / "uploads")})) as running:
        yield running


async def draft(world: World, by: str = "staff", title: str = "电子口岸IC卡如何办理?") -> int:
    person = getattr(world, by)
    enterprise = world.solo if by == "solo_staff" else world.acme
    return (await create_draft(ctx, person, enterprise.id, world.form(title))).id


async def sent(world: World, by: str = "executive", title: str = "电子口岸IC卡如何办理?") -> int:
    """A question with customs (status submitted), asked by ``by`` (an executive skips review)."""
    qid = await draft(world, by, title)
    await submit_question(ctx, getattr(world, by), qid)
    return qid


async def answered(world: World, by: str = "executive") -> int:
    qid = await sent(world, by)
    await reply_question(ctx, world.officer, qid, ReplyKind.ANSWER, "请到大窑湾海关综合业务窗口办理。")
    return qid


async def pending_review(world: World) -> int:
    qid = await draft(world, "staff")
    await submit_question(ctx, world.staff, qid, executive_id=world.executive.person_id)
    return qid


def error_of(response: httpx.Response) -> tuple[int, str, str | None]:
    error = response.json()["error"]
    return response.status_code, error["message"], error["field"]


async def test_the_list_pages_with_a_cursor_and_filters_by_status(site: Site, world: World) -> None:
    ids = [await sent(world, title=f"问题{i}") for i in range(3)] + [await draft(world)]
    api = await site.api(world.staff)
    first = (await api.get("/api/v1/questions", params={"limit": 2})).json()
    second = (await api.get("/api/v1/questions", params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert [i["id"] for i in first["items"] + second["items"]] == ids[::-1]
    assert second["next_cursor"] is None
    item = second["items"][-1]
    first_asked = await Question.get(id=ids[0])  # acme's first question of the year: sequence 0001
    number = format_number(world.acme.credit_code, first_asked.created_at.astimezone(ctx.tz).year, 1)
    assert (item["id"], item["number"], item["types"], item["status"], item["status_label"]) == (
        ids[0], number, ["通关运行"], "submitted", "已提交")
    assert item["submitted_at"] and item["accepted_at"] is None and item["actions"] == []
    drafts = (await api.get("/api/v1/questions", params={"status": "draft"})).json()["items"]
    assert [(i["id"], i["actions"]) for i in drafts] == [(ids[3], ["submit", "edit", "delete"])]


async def test_a_bad_cursor_limit_or_filter_is_a_chinese_400(site: Site, world: World) -> None:
    api = await site.api(world.staff)
    assert error_of(await api.get("/api/v1/questions", params={"cursor": "不是游标"})) == (
        400, "分页参数无效，请从第一页重新加载", "cursor")
    assert error_of(await api.get("/api/v1/questions", params={"limit": 0}))[2] == "limit"
    assert error_of(await api.get("/api/v1/questions", params={"status": "x"})) == (400, "状态筛选无效", "status")


async def test_the_detail_carries_the_whole_timeline_and_the_readers_actions(site: Site, world: World) -> None:
    qid = await answered(world)
    api = await site.api(world.staff)
    detail = (await api.get(f"/api/v1/questions/{qid}")).json()
    assert [e["what"] for e in detail["timeline"]] == ["新建问题", "提交海关", "海关回复（答复）"]
    assert detail["timeline"][0]["who"] == "高管乙" and detail["timeline"][0]["role_label"] == "企业高管"
    assert detail["replies"][0]["text"] == "请到大窑湾海关综合业务窗口办理。"
    assert (detail["office"], detail["contact_name"]) == ("大窑湾海关", "王经理")
    assert detail["item"]["actions"] == []  # this staff member did not ask it
    assert (await (await site.api(world.admin)).get(f"/api/v1/questions/{qid}")).json()["item"]["actions"] == [
        "evaluate"]


async def test_withdraw_then_delete_and_withdraw_after_acceptance_is_refused(site: Site, world: World) -> None:
    api = await site.api(world.solo_staff)
    qid = await sent(world, "solo_staff")
    withdrawn = (await api.post(f"/api/v1/questions/{qid}/withdraw")).json()
    assert (withdrawn["item"]["status"], withdrawn["item"]["actions"]) == ("withdrawn", ["edit", "submit", "delete"])
    assert (await api.delete(f"/api/v1/questions/{qid}")).json() == {"id": qid, "status": "deleted"}
    assert (await api.get(f"/api/v1/questions/{qid}")).status_code == 404

    accepted = await sent(world, "solo_staff")
    await accept_question(ctx, world.officer, accepted)
    assert error_of(await api.post(f"/api/v1/questions/{accepted}/withdraw")) == (409, "问题已受理，不能撤回", None)
    assert error_of(await api.delete(f"/api/v1/questions/{accepted}"))[:2] == (409, "问题已受理，不能删除")


async def test_submit_needs_an_executive_when_there_are_several(site: Site, world: World) -> None:
    api = await site.api(world.staff)
    qid = await draft(world)
    assert error_of(await api.post(f"/api/v1/questions/{qid}/submit", json={})) == (
        400, "企业有多位高管，请选择审核高管", "executive_id")
    body = (await api.post(f"/api/v1/questions/{qid}/submit",
                           json={"executive_id": world.executive2.person_id})).json()
    assert (body["item"]["status_label"], body["assigned_executive"]) == ("待高管审核", "高管丙")


async def test_another_member_acts_only_as_the_table_allows(site: Site, world: World) -> None:
    qid = await sent(world)
    staff2 = await site.api(world.staff2)
    assert error_of(await staff2.post(f"/api/v1/questions/{qid}/withdraw")) == (
        403, "只有提问人、企业管理员或企业高管可以撤回该问题", None)
    admin = await site.api(world.admin)
    assert (await admin.post(f"/api/v1/questions/{qid}/withdraw")).json()["item"]["status"] == "withdrawn"
    assert error_of(await staff2.delete(f"/api/v1/questions/{qid}"))[:2] == (
        403, "只有提问人或企业管理员可以删除该问题")


async def test_the_executive_returns_with_a_reason_and_approves_with_an_importance(site: Site, world: World) -> None:
    qid = await pending_review(world)
    executive = await site.api(world.executive)
    queue = (await executive.get("/api/v1/review/questions")).json()["items"]
    assert [(i["id"], i["actions"]) for i in queue] == [(qid, ["exec_edit", "exec_return", "exec_approve"])]
    assert (await (await site.api(world.executive2)).get("/api/v1/review/questions")).json()["items"] == []
    assert error_of(await executive.post(f"/api/v1/questions/{qid}/review/return", json={"reason": " "})) == (
        400, "请填写退回原因", "reason")
    body = (await executive.post(f"/api/v1/questions/{qid}/review/return", json={"reason": "请补充报关单号"})).json()
    assert body["item"]["status_label"] == "高管退回" and body["timeline"][-1]["text"] == "请补充报关单号"

    staff = await site.api(world.staff)
    assert (await staff.post(f"/api/v1/questions/{qid}/submit", json={})).json()["item"]["status"] == (
        "pending_exec_review")
    assert error_of(await executive.post(f"/api/v1/questions/{qid}/review/approve", json={}))[1:] == (
        "请选择问题重要性：一般、重要或紧急", "importance")
    assert error_of(await executive.post(f"/api/v1/questions/{qid}/review/approve",
                                         json={"importance": "很急"}))[2] == "importance"
    body = (await executive.post(f"/api/v1/questions/{qid}/review/approve", json={"importance": "urgent"})).json()
    assert (body["item"]["status_label"], body["importance_label"]) == ("已提交", "紧急")
    assert error_of(await executive.post(f"/api/v1/questions/{qid}/review/return", json={"reason": "晚了"}))[:2] == (
        409, "问题已提交，不能退回")


async def test_the_evaluation_rules(site: Site, world: World) -> None:
    api = await site.api(world.executive)

    async def evaluate(qid: int, **body: str) -> httpx.Response:
        return await api.post(f"/api/v1/questions/{qid}/evaluate", json=body)

    qid = await answered(world)
    assert error_of(await evaluate(qid, evaluation="2")) == (400, "评价为“同意答复意见”时须填写补充说明", "note")
    assert error_of(await evaluate(qid, evaluation="5"))[2] == "evaluation"
    assert error_of(await evaluate(qid, evaluation="1", appended_text="再问"))[2] == "appended_text"
    appended = (await evaluate(qid, evaluation="3", appended_text="具体需要哪些材料？")).json()
    assert (appended["item"]["status"], appended["item"]["round"]) == ("submitted", 2)

    waiting = await answered(world)
    body = (await evaluate(waiting, evaluation="4", note="只解决了一部分")).json()
    assert (body["item"]["status_label"], body["item"]["actions"]) == ("待追加", ["evaluate", "append"])
    assert error_of(await api.post(f"/api/v1/questions/{waiting}/append", json={"appended_text": ""}))[2] == (
        "appended_text")
    again = (await evaluate(waiting, evaluation="1")).json()  # the manual's 重新选择评价类型
    assert (again["item"]["status_label"], [e["kind"] for e in again["evaluations"]]) == ("已办结", ["4", "1"])

    later = await answered(world)
    await evaluate_question(ctx, world.executive, later, Evaluation.NOT_SOLVED, note="未解决")
    body = (await api.post(f"/api/v1/questions/{later}/append", json={"appended_text": "还有一个问题"})).json()
    assert (body["item"]["status"], body["item"]["round"]) == ("submitted", 2)
    assert error_of(await api.post(f"/api/v1/questions/{later}/withdraw")) == (409, "追加的问题不可撤回", None)


async def test_the_image_is_served_within_the_enterprise_only(site: Site, world: World) -> None:
    qid = await draft(world)
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(out, "PNG")
    checked = check_image(out.getvalue(), "照片.png", max_bytes=1024 * 1024)
    await attach_image(ctx, world.staff, qid, checked, site.app.ctx.storage)
    staff2 = await site.api(world.staff2)
    response = await staff2.get(f"/api/v1/questions/{qid}/image")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content == checked.data
    detail = (await staff2.get(f"/api/v1/questions/{qid}")).json()
    assert (await staff2.get(detail["images"][0]["url"])).content == checked.data

    outsider = await site.api(world.solo_staff)
    assert (await outsider.get(f"/api/v1/questions/{qid}/image")).status_code == 404
    assert (await outsider.get(f"/api/v1/questions/{qid}")).status_code == 404
    assert (await outsider.post(f"/api/v1/questions/{qid}/withdraw")).status_code == 404
    assert (await staff2.get(f"/api/v1/questions/{await draft(world, title='无图')}/image")).status_code == 404


async def test_a_cookie_session_needs_the_csrf_header_for_actions(site: Site, world: World) -> None:
    qid = await sent(world)
    browser = await site.browser(world.executive)
    assert (await browser.client.post(f"/api/v1/questions/{qid}/withdraw")).status_code == 403
    assert (await browser.post_json(f"/api/v1/questions/{qid}/withdraw", {})).status_code == 200


async def test_anonymous_callers_get_401(site: Site, world: World) -> None:
    assert (await site.client.get("/api/v1/questions")).status_code == 401
    assert (await site.client.get("/api/v1/review/questions")).status_code == 401
