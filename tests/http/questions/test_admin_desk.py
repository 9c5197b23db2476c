"""The customs desk's remaining pieces over HTTP: forwarding a question from its page, the audit log page,
the WeChat binding page, and an interrupted export's page with its retry button."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.customs_accounts import CustomsAccount, CustomsRole
from models.lifecycle import Status
from models.questions import Question
from services.jobs.exports import exports_folder
from services.jobs.runs import MAX_ATTEMPTS, claim
from services.jobs.worker import JobRunner
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from tests.factories import World
from tests.http.support import Site, desk_for

ctx = ServiceContext()


@pytest.fixture
async def submitted(world: World) -> Question:
    q = await create_draft(ctx, world.solo_staff, world.solo.id, world.form(title="<b>报关单修改</b>"))
    return await submit_question(ctx, world.solo_staff, q.id)


async def test_an_officer_forwards_from_the_question_page_and_loses_it(site: Site, world: World,
                                                                      submitted: Question) -> None:
    await CustomsAccount.create(username="tariff_officer", name="关税科关员", password_hash="-",
                                office=world.tariff_dept, role=CustomsRole.OFFICER)
    officer = await desk_for(site, "officer")
    shown = await officer.get(f"/admin/questions/{submitted.id}")
    assert "转交其他部门" in shown.text and f'<option value="{world.tariff_dept.id}">' in shown.text
    assert f'<option value="{world.nanjing.id}"' not in shown.text

    no_reason = await officer.post(f"/admin/questions/{submitted.id}/forward", office_id=str(world.tariff_dept.id),
                                   reason=" ")
    assert no_reason.status_code == 400 and "请填写转交原因" in no_reason.text
    assert f'<option value="{world.tariff_dept.id}" selected>' in no_reason.text
    bad = await officer.post(f"/admin/questions/{submitted.id}/forward", office_id=str(world.nanjing.id),
                             reason="原因")
    assert bad.status_code == 400 and "所选部门不属于本问题的受理单位" in bad.text
    junk = await officer.post(f"/admin/questions/{submitted.id}/forward", office_id="x1", reason="原因")
    assert junk.status_code == 400 and "所选部门无效" in junk.text

    done = await officer.post(f"/admin/questions/{submitted.id}/forward", office_id=str(world.tariff_dept.id),
                              reason="涉及关税，请关税科办理")
    assert done.status_code == 303 and done.headers["location"] == f"/admin/?forwarded={submitted.number}"
    queue = await officer.get(done.headers["location"])
    assert f"问题 {submitted.number} 已转交" in queue.text and "没有符合条件的问题" in queue.text
    assert (await officer.get(f"/admin/questions/{submitted.id}")).status_code == 404
    assert (await officer.post(f"/admin/questions/{submitted.id}/accept")).status_code == 404

    await site.client.post("/admin/logout", data={"csrf_token": officer.csrf})
    tariff = await desk_for(site, "tariff_officer")
    assert "报关单修改" in (await tariff.get("/admin/")).text
    page = await tariff.get(f"/admin/questions/{submitted.id}")
    assert "转交 大窑湾海关 → 关税科" in page.text and "涉及关税，请关税科办理" in page.text
    assert "&lt;b&gt;报关单修改" in page.text


async def test_a_supervisor_forwards_and_stays_on_the_page(site: Site, world: World, submitted: Question) -> None:
    supervisor = await desk_for(site, "supervisor")
    done = await supervisor.post(f"/admin/questions/{submitted.id}/forward", office_id=str(world.tariff_dept.id),
                                 reason="请关税科办理")
    assert done.status_code == 303 and done.headers["location"].endswith("?done=forwarded")
    assert "已转交" in (await supervisor.get(done.headers["location"])).text
    question = await Question.get(id=submitted.id)
    assert (question.office_id, question.status) == (world.tariff_dept.id, Status.SUBMITTED)


async def test_forward_refusals_csrf_scope_and_customs_admin(site: Site, world: World, submitted: Question) -> None:
    stranger = await desk_for(site, "nj_officer")
    refused = await stranger.post(f"/admin/questions/{submitted.id}/forward", office_id=str(world.tariff_dept.id),
                                  reason="原因")
    assert refused.status_code == 404
    no_token = await site.client.post(f"/admin/questions/{submitted.id}/forward",
                                      data={"office_id": str(world.tariff_dept.id), "reason": "原因"})
    assert no_token.status_code == 403
    await site.client.post("/admin/logout", data={"csrf_token": stranger.csrf})
    admin = await desk_for(site, "customs_admin")
    assert "转交其他部门" not in (await admin.get(f"/admin/questions/{submitted.id}")).text
    forbidden = await admin.post(f"/admin/questions/{submitted.id}/forward", office_id=str(world.tariff_dept.id),
                                 reason="原因")
    assert forbidden.status_code == 403
    assert (await Question.get(id=submitted.id)).office_id == world.dayaowan.id


async def test_the_audit_page_for_supervisors_and_admins_only(site: Site, world: World,
                                                              submitted: Question) -> None:
    officer = await desk_for(site, "officer")
    await officer.post(f"/admin/questions/{submitted.id}/accept")
    assert (await officer.get("/admin/audit")).status_code == 403
    await site.client.post("/admin/logout", data={"csrf_token": officer.csrf})

    supervisor = await desk_for(site, "supervisor")
    page = await supervisor.get("/admin/audit")
    assert page.status_code == 200 and "<td>受理问题</td>" in page.text and submitted.number in page.text
    assert "<td>登录工作台</td>" in page.text  # the supervisor's own sign-in
    filtered = await supervisor.get(f"/admin/audit?action=question.accept&object_type=question"
                                    f"&object_id={submitted.number}&actor=officer")
    assert filtered.status_code == 200 and filtered.text.count("<td>受理问题</td>") == 1
    assert "<td>登录工作台</td>" not in filtered.text
    bad = await supervisor.get("/admin/audit?date_from=2026-02-30")
    assert bad.status_code == 400 and "日期格式应为 YYYY-MM-DD" in bad.text
    assert (await supervisor.get("/admin/audit?cursor=xyz")).status_code == 400


async def test_the_wechat_page_shows_a_qr_code_or_the_binding_with_unbind(site: Site, world: World) -> None:
    officer = await desk_for(site, "officer")
    account = await CustomsAccount.get(username="officer")
    account.wechat_openid = "o_officer"
    await account.save()
    page = await officer.get("/admin/account/wechat")
    assert page.status_code == 200 and "您的账号已绑定微信" in page.text and "微信提醒已开" in page.text
    assert (await site.client.post("/admin/account/wechat/unbind", data={})).status_code == 403
    done = await officer.post("/admin/account/wechat/unbind")
    assert done.status_code == 303
    assert (await CustomsAccount.get(id=account.id)).wechat_openid is None
    after = await officer.get(done.headers["location"])  # this site has no WeChat: no QR code, a clear 503
    assert after.status_code == 503 and "已解除微信绑定" in after.text and "暂时无法生成绑定二维码" in after.text


async def test_an_interrupted_export_offers_to_export_again(site: Site, world: World, submitted: Question) -> None:
    officer = await desk_for(site, "officer")
    started = await officer.post("/admin/exports", keyword="报关单", status="submitted")
    token = started.headers["location"].rsplit("/", 1)[-1]
    runner = JobRunner(ctx, exports_folder(site.app.ctx.settings.web.upload_dir), lease_seconds=30)
    for attempt in range(MAX_ATTEMPTS):  # a worker claims it, then dies; its lease passes; again and again
        later = ServiceContext(clock=lambda n=attempt: ctx.now() + timedelta(seconds=31 * n))
        assert (await claim(later, runner.name, runner.lease_seconds)) is not None
    dead = ServiceContext(clock=lambda: ctx.now() + timedelta(seconds=31 * MAX_ATTEMPTS))
    assert await claim(dead, runner.name, runner.lease_seconds) is None  # given up: failed as interrupted

    page = await officer.get(f"/admin/exports/{token}")
    assert page.status_code == 200 and "导出中断，请重新导出" in page.text and "重新导出" in page.text
    assert "服务停止响应" in page.text
    assert '<input type="hidden" name="keyword" value="报关单">' in page.text
    assert '<input type="hidden" name="status" value="submitted">' in page.text
    assert (await officer.get(f"/admin/exports/{token}/file")).status_code == 303
    again = await officer.post("/admin/exports", keyword="报关单", status="submitted")
    assert again.status_code == 303 and again.headers["location"] != started.headers["location"]
