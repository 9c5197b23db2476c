"""Issue 12 over HTTP: the customs page of a question in its second round, the publish form's draft, the work
queue (open work first, handler, no age on closed rows, number suffix), 我的问题's asker, the executive's return
reason and its tab, and the way forward when the enterprise has no executive."""

from __future__ import annotations

import html as html_lib

from models.enterprises import MemberRole, Membership
from models.lifecycle import Evaluation, ReplyKind
from models.questions import Question
from services.kit.context import ServiceContext
from services.questions.evaluation import evaluate_question
from services.questions.exec_review import exec_return_question
from services.questions.handling import accept_question, reply_question
from tests.factories import World
from tests.http.questions.test_questions_api import answered, pending_review, sent
from tests.http.support import Site, desk_for

ctx = ServiceContext()
ROUND_2 = "营业执照要原件还是复印件？"


async def second_round(world: World) -> int:
    """Answered, then evaluated 3 with an appended question: round 2, submitted, accepted by the officer."""
    qid = await answered(world)
    await evaluate_question(ctx, world.executive, qid, Evaluation.NOT_SOLVED, appended_text=ROUND_2)
    await accept_question(ctx, world.officer, qid)
    return qid


async def test_the_customs_page_shows_the_current_round_on_top(site: Site, world: World) -> None:
    qid = await second_round(world)
    page = (await (await desk_for(site, "officer")).get(f"/admin/questions/{qid}")).text
    assert "第 2 轮追加问题" in page and "此前各轮" in page
    assert page.index(ROUND_2) < page.index("我司新设立，请问电子口岸IC卡在哪里办理")  # round 1 below, as history
    assert '<details class="round" open>' in page and "第 1 轮（原始问题）" in page
    assert "<dt>受理时间</dt>" in page and "<dt>本轮提交</dt>" in page


async def test_the_publish_form_starts_from_every_round_with_a_warning(site: Site, world: World) -> None:
    qid = await second_round(world)
    await reply_question(ctx, world.officer, qid, ReplyKind.ANSWER, "复印件加盖公章即可。")
    supervisor = await desk_for(site, "supervisor")
    page = html_lib.unescape((await supervisor.get(f"/admin/questions/{qid}")).text)
    assert "本问题共 2 轮" in page
    assert "第 1 轮提问：我司新设立" in page and f"第 2 轮提问：{ROUND_2}" in page
    assert "第 1 轮答复：请到大窑湾海关综合业务窗口办理。\n\n第 2 轮答复：复印件加盖公章即可。" in page
    single = await answered(world)
    assert "本问题共" not in (await supervisor.get(f"/admin/questions/{single}")).text


async def test_the_queue_opens_on_open_work_oldest_first_with_its_handler(site: Site, world: World) -> None:
    older, newer = await sent(world, title="先提交的问题"), await sent(world, title="后提交的问题")
    await accept_question(ctx, world.officer, newer)
    done = await answered(world)
    await evaluate_question(ctx, world.executive, done, Evaluation.SOLVED)
    officer = await desk_for(site, "officer")
    page = (await officer.get("/admin/")).text
    assert page.index("先提交的问题") < page.index("后提交的问题") and "等待最久的在前" in page
    assert f'href="/admin/questions/{done}"' not in page  # closed: not work
    assert '<option value="submitted,accepted" selected>待办（已提交、已受理）</option>' in page
    assert "<th>处理人</th>" in page and "<td>officer</td>" in page
    everything = (await officer.get("/admin/?status=all")).text
    assert f'href="/admin/questions/{done}"' in everything and everything.index("后提交") < everything.index("先提交")
    closed_row = everything.split(f'href="/admin/questions/{done}"')[1].split("</tr>")[0]
    assert "已办结" in closed_row and "天" not in closed_row  # no 已等待 on a closed row
    assert older != newer


async def test_the_queue_finds_a_number_by_its_last_digits(site: Site, world: World) -> None:
    first, second = await sent(world, title="第一个问题"), await sent(world, title="第二个问题")
    number = (await Question.get(id=second)).number
    officer = await desk_for(site, "officer")
    found = (await officer.get(f"/admin/?status=all&keyword={number[-4:]}")).text
    assert "第二个问题" in found and "第一个问题" not in found
    assert "第二个问题" not in (await officer.get(f"/admin/?status=all&keyword={number[-3:]}")).text
    assert first != second


async def test_my_questions_show_who_asked_and_the_returned_tab(site: Site, world: World) -> None:
    returned = await pending_review(world)
    await exec_return_question(ctx, world.executive, returned, "请补充报关单号")
    waiting = await pending_review(world)
    browser = await site.browser(world.admin)
    listing = (await browser.get("/h5/questions")).text
    assert "提问人 关务丁" in listing
    tab = (await browser.get("/h5/questions?status=returned")).text
    assert '<a href="/h5/questions?status=returned" class="on">高管退回</a>' in tab
    assert f'href="/h5/questions/{returned}"' in tab and f'href="/h5/questions/{waiting}"' not in tab
    detail = (await (await site.browser(world.staff)).get(f"/h5/questions/{returned}")).text
    assert "高管退回原因：请补充报关单号" in detail
    api = await site.api(world.staff)
    body = (await api.get(f"/api/v1/questions/{returned}")).json()
    assert (body["return_reason"], body["item"]["creator_name"]) == ("请补充报关单号", "关务丁")
    assert (await api.get(f"/api/v1/questions/{waiting}")).json()["return_reason"] == ""
    items = (await api.get("/api/v1/questions", params={"status": "returned"})).json()["items"]
    assert [i["id"] for i in items] == [returned]


async def test_without_an_executive_the_admin_is_led_to_add_one(site: Site, world: World) -> None:
    await Membership.filter(enterprise_id=world.acme.id, role=MemberRole.EXECUTIVE).update(active=False)
    admin = await site.browser(world.admin)
    for url in ("/h5/", "/h5/ask"):
        page = (await admin.get(url)).text
        assert 'id="no-executive"' in page and '<a href="/h5/people">去添加企业高管</a>' in page, url
        assert "请企业管理员在“企业人员”中添加企业高管" in page
    staff = await site.browser(world.staff)
    for url in ("/h5/", "/h5/ask"):
        page = (await staff.get(url)).text
        assert 'id="no-executive"' in page and "请联系企业管理员" in page and 'href="/h5/people"' not in page, url
    await Membership.filter(person_id=world.executive.person_id).update(active=True)
    assert 'id="no-executive"' not in (await staff.get("/h5/")).text
    assert 'id="no-executive"' not in (await (await site.browser(world.solo_staff)).get("/h5/")).text
