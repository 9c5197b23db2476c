"""审单 through HTTP: the review list and its filters refused beside the field, the visual review page, marks
through the JSON API (409 with the field's fresh state, error shapes), 高级审核's refusal on the page, a return
with red marks that the preparer sees beside the field, 二复核 by another person, another enterprise's 404, and the
month's 单证复核记录 download."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.company import CompanySettings
from models.workspace import RoleGrant, WorkspaceRole
from services.workspace.permissions import bump_version
from tests.factories import World
from tests.http.support import Site
from tests.services.declarations.support import good_head, good_item
from tests.services.library.support import load_small_reference

REVIEW, REVIEW2 = "/workbench/declarations/review", "/workbench/declarations/review2"
API = "/api/v1/workspace/declarations"
ENTRY = "/workbench/declarations/entry"


@pytest.fixture
async def reference(site: Site, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


async def _submitted(site: Site, world: World) -> int:
    api = await site.api(world.staff)
    created = (await api.post(API, json={"kind": "export", "head": good_head(), "items": [good_item()]})).json()
    did = created["declaration"]["id"]
    assert (await api.post(f"{API}/{did}/submit", json={"version": 1})).status_code == 200
    return int(did)


async def test_the_list_filters_and_refuses_bad_values_beside_the_field(site: Site, world: World,
                                                                        reference: None) -> None:
    did = await _submitted(site, world)
    reviewer = await site.browser(world.admin)
    opened = await reviewer.get(REVIEW)
    assert opened.status_code == 200 and f"{REVIEW}/{did}" in opened.text and "可视化审核" in opened.text
    bad = await reviewer.get(REVIEW, params={"review_status": "done", "updated_from": "2026-13-01",
                                             "bill_no": "COSU"})
    assert bad.status_code == 400 and 'id="err-review_status"' in bad.text and 'id="err-updated_from"' in bad.text
    assert 'value="COSU"' in bad.text  # what was typed is kept
    api = await site.api(world.admin)
    listed = (await api.get(f"{API}/review", params={"bill_no": "COSU6321457890"})).json()
    assert [d["id"] for d in listed["items"]] == [did]
    refused = await api.get(f"{API}/review", params={"declare_office": "9"})
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "declare_office"


async def test_marks_through_the_api_and_a_return_the_preparer_sees(site: Site, world: World,
                                                                   reference: None) -> None:
    did = await _submitted(site, world)
    api = await site.api(world.admin)
    page = await (await site.browser(world.admin)).get(f"{REVIEW}/{did}")
    assert page.status_code == 200 and 'data-path="items[0].hs_code"' in page.text and "出口货物报关单" in page.text
    marks = f"{API}/review/{did}/marks"
    green = await api.post(marks, json={"path": "head.trade_mode", "mark": "right", "seen": 0})
    assert green.status_code == 200 and green.json()["mark"] == "right"
    stale = await api.post(marks, json={"path": "head.trade_mode", "mark": "wrong", "comment": "x", "seen": 0})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    assert stale.json()["state"]["last_id"] == green.json()["last_id"]
    no_comment = await api.post(marks, json={"path": "items[0].price", "mark": "wrong", "seen": 0})
    assert no_comment.status_code == 400 and no_comment.json()["error"] == {
        "code": "validation_failed", "message": "标为有误时请填写意见", "field": "comment"}
    bad_mark = await api.post(marks, json={"path": "items[0].price", "mark": "blue", "seen": 0})
    assert bad_mark.status_code == 400 and bad_mark.json()["error"]["field"] == "mark"
    red = await api.post(marks, json={"path": "items[0].price", "mark": "wrong", "comment": "单价与发票不符",
                                      "seen": 0})
    assert red.status_code == 200

    reviewer = await site.browser(world.admin)
    advanced = await reviewer.post_form(f"{REVIEW}/{did}/approve", {"version": "2", "mode": "advanced"})
    assert advanced.status_code == 400 and 'id="marks-error"' in advanced.text
    back = await reviewer.post_form(f"{REVIEW}/{did}/return", {"version": "2", "reason": ""})
    assert back.status_code == 303
    staff = await site.browser(world.staff)
    form = (await staff.get(f"{ENTRY}/{did}")).text
    assert "审核意见：单价与发票不符" in form and "review-red" in form and 'id="review-red"' in form

    state = (await api.get(f"{API}/review/{did}")).json()
    assert state["declaration"]["status"] == "returned" and state["may_decide"] is False
    assert {f["path"]: f["mark"] for f in state["fields"]}["items[0].price"] == "wrong"
    outsider = await site.api(world.solo_staff)
    assert (await outsider.get(f"{API}/review/{did}")).status_code in (403, 404)


async def test_second_review_by_another_person(site: Site, world: World, reference: None) -> None:
    first = await site.browser(world.admin)
    assert 'id="second_review"' in (await first.get("/workbench/admin/company")).text
    turned_on = await first.post_form("/workbench/admin/company/review", {"second_review": "1"})
    assert turned_on.status_code == 303 and await CompanySettings.filter(second_review=True).count() == 1
    now = site.app.ctx.services.now()
    role = await WorkspaceRole.create(enterprise_id=world.acme.id, name="复核", codes=["declaration:review2"],
                                      created_at=now, updated_at=now)
    await RoleGrant.create(person_id=world.executive.person_id, role=role, valid_from=now, granted_at=now)
    await bump_version(site.app.ctx.cache, world.acme.id)
    did = await _submitted(site, world)
    passed = await first.post_form(f"{REVIEW}/{did}/approve", {"version": "2", "mode": "normal"})
    assert passed.status_code == 303 and "done=passed" in passed.headers["location"]
    again = await first.post_form(f"{REVIEW2}/{did}/approve", {"version": "3", "mode": "normal"})
    assert again.status_code == 403
    second = await site.browser(world.executive)
    listed = await second.get(REVIEW2)
    assert f"{REVIEW2}/{did}" in listed.text
    done = await second.post_form(f"{REVIEW2}/{did}/approve", {"version": "3", "mode": "normal"})
    assert done.status_code == 303
    assert (await (await site.api(world.admin)).get(f"{API}/review/{did}")).json()["declaration"]["status"] == \
        "approved"


async def test_the_month_record_downloads(site: Site, world: World, reference: None) -> None:
    did = await _submitted(site, world)
    api = await site.api(world.admin)
    await api.post(f"{API}/review/{did}/marks", json={"path": "head.bill_no", "mark": "right", "seen": 0})
    month = site.app.ctx.services.now().astimezone(site.app.ctx.services.tz).strftime("%Y-%m")
    got = await (await site.browser(world.admin)).get(f"{REVIEW}/export", params={"month": month})
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    rows = list(load_workbook(io.BytesIO(got.content)).active.iter_rows(values_only=True))
    assert rows[2][3:6] == ("提运单号", "head.bill_no", "正确")
    bad = await (await site.browser(world.admin)).get(f"{REVIEW}/export", params={"month": "2026-13"})
    assert bad.status_code == 400 and 'id="err-month"' in bad.text and 'value="2026-13"' in bad.text
