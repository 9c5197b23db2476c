"""报关单录入 through HTTP: the grouped list, a new form with the person's preferences filled in, a draft saved from
the page, a refused submission with every error beside its field and what was typed kept, then a good one; the
JSON API (typed bodies, 409 on a stale version, field errors as 4xx JSON, the code lookups); the reviewer's
buttons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from models.personal import PersonFormPreferences
from tests.factories import World
from tests.http.support import Site
from tests.services.declarations.support import good_head, good_item
from tests.services.library.support import load_small_reference

ENTRY = "/workbench/declarations/entry"
API = "/api/v1/workspace/declarations"


@pytest.fixture
async def reference(site: Site, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


def page_form(head: dict[str, Any], items: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """The page's flat form: the head's fields, and each item field repeated per row (elements joined)."""
    data: dict[str, Any] = dict(head)
    for key in items[0]:
        if key == "elements":
            data["item_model_spec"] = ["|".join(i["elements"]) for i in items]
        else:
            data[f"item_{key}"] = [i[key] for i in items]
    return {**data, **extra}


async def test_a_new_form_carries_the_persons_preferences(site: Site, world: World, reference: None) -> None:
    now = site.app.ctx.services.now()
    await PersonFormPreferences.create(person_id=world.staff.person_id, enterprise_id=world.acme.id, updated_at=now,
                                       values={"declare_office": "0900", "currency": "USD",
                                               "enter_moves_next": False})
    staff = await site.browser(world.staff)
    page = await staff.get(f"{ENTRY}/new?kind=export_transit")
    assert page.status_code == 200
    assert 'id="declare_office" name="declare_office" value="0900"' in page.text
    assert 'name="item_currency" value="USD"' in page.text and 'name="transit_traf_name"' in page.text
    assert 'data-enter-next=""' in page.text and "大连示例进出口有限公司" in page.text
    plain = await staff.get(f"{ENTRY}/new?kind=export")
    assert 'name="transit_traf_name"' not in plain.text


async def test_draft_refused_submission_then_submitted_from_the_page(site: Site, world: World,
                                                                     reference: None) -> None:
    staff = await site.browser(world.staff)
    made = await staff.post_form(f"{ENTRY}/new", {"kind": "export", "trade_mode": "0110", "bill_no": "B1"})
    assert made.status_code == 303
    url = made.headers["location"].split("?")[0]
    listed = await staff.get(ENTRY)
    assert "B1" in listed.text and "需处理 <span class=\"badge\">1</span>" in listed.text

    bad = page_form(good_head(net_weight="140"), [good_item(total="999", elements=["0", "3", "", "SKF", "6205",
                                                                                     "", "", ""])],
                    version="1", op="submit")
    refused = await staff.post_form(url, bad)
    assert refused.status_code == 400
    assert 'id="net_weight-error">净重不能大于毛重' in refused.text
    assert "总价应等于数量 × 单价" in refused.text and "缺少必填申报要素：结构类型" in refused.text
    assert 'name="item_total" value="999"' in refused.text  # what was typed is kept
    assert "共 3 处需要修改" in refused.text

    good = page_form(good_head(), [good_item()], version="1", op="submit")
    sent = await staff.post_form(url, good)
    assert sent.status_code == 303 and sent.headers["location"].endswith("?done=submitted")
    shown = await staff.get(sent.headers["location"])
    assert "待审核" in shown.text and "已提交审核" in shown.text and "0|3|深沟球|SKF|6205-2RS|||" in shown.text


async def test_the_reviewer_returns_with_a_reason(site: Site, world: World, reference: None) -> None:
    staff, admin = await site.browser(world.staff), await site.api(world.admin)
    api = await site.api(world.staff)
    created = (await api.post(API, json={"kind": "export", "head": good_head(), "items": [good_item()]})).json()
    did = created["declaration"]["id"]
    assert (await api.post(f"{API}/{did}/submit", json={"version": 1})).status_code == 200
    reviewer = await site.browser(world.admin)
    form = await reviewer.get(f"{ENTRY}/{did}")
    assert 'id="approve"' in form.text
    empty = await reviewer.post_form(f"{ENTRY}/{did}/return", {"version": "2", "reason": ""})
    assert empty.status_code == 400 and "请填写退回原因" in empty.text
    back = await reviewer.post_form(f"{ENTRY}/{did}/return", {"version": "2", "reason": "合同号有误"})
    assert back.status_code == 303
    assert "合同号有误" in (await staff.get(f"{ENTRY}/{did}")).text
    assert (await admin.get(f"{API}/{did}")).json()["declaration"]["status"] == "returned"


async def test_the_api_creates_updates_with_versions_and_refuses_as_json(site: Site, world: World,
                                                                          reference: None) -> None:
    api = await site.api(world.staff)
    created = await api.post(API, json={"kind": "export", "head": {"gross_weight": 130, "trade_mode": "0110"},
                                        "items": [{"hs_code": "8482102000", "quantity": 100}]})
    assert created.status_code == 201
    body = created.json()
    did = body["declaration"]["id"]
    assert body["head"]["gross_weight"] == "130" and body["items"][0]["quantity"] == "100"

    updated = await api.put(f"{API}/{did}", json={"version": 1, "head": good_head(), "items": [good_item()]})
    assert updated.status_code == 200 and updated.json()["declaration"]["version"] == 2
    stale = await api.put(f"{API}/{did}", json={"version": 1, "head": good_head()})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    bad_number = await api.put(f"{API}/{did}", json={"version": 2, "items": [good_item(quantity="十")]})
    assert bad_number.status_code == 400
    assert bad_number.json()["error"]["fields"] == {"items[0].quantity": "成交数量应为不小于 0 的数字（最多 5 位小数）"}
    too_long = await api.put(f"{API}/{did}", json={"version": 2, "head": {"declare_office": "0900" * 5}})
    assert too_long.status_code == 400 and "declare_office" in too_long.json()["error"]["fields"]
    no_kind = await api.post(API, json={"kind": "import"})
    assert no_kind.status_code == 400 and no_kind.json()["error"]["field"] == "kind"

    await api.put(f"{API}/{did}", json={"version": 2, "head": good_head(trade_mode="9999"), "items": [good_item()]})
    refused = await api.post(f"{API}/{did}/submit", json={"version": 3})
    assert refused.status_code == 400 and "trade_mode" in refused.json()["error"]["fields"]

    outsider = await site.api(world.solo_staff)
    assert (await outsider.get(f"{API}/{did}")).status_code == 404
    listed = (await api.get(API, params={"group": "todo"})).json()
    assert [d["id"] for d in listed["items"]] == [did] and listed["counts"]["todo"] == 1
    assert (await api.get(API, params={"group": "nonsense"})).status_code == 400


async def test_codes_are_found_by_code_or_name(site: Site, world: World, reference: None) -> None:
    api = await site.api(world.staff)
    by_code = (await api.get("/api/v1/workspace/codes/trade_mode", params={"q": "0110"})).json()["items"]
    assert by_code[0] == {"code": "0110", "name": "一般贸易"}
    by_name = (await api.get("/api/v1/workspace/codes/currency", params={"q": "美元"})).json()["items"]
    assert {"code": "USD", "name": "美元"} in by_name
    assert (await api.get("/api/v1/workspace/codes/passwords")).status_code == 404
    hs = (await api.get("/api/v1/workspace/hs-codes/8482102000")).json()
    assert (hs["unit1"], hs["unit2"], hs["elements"][2]["name"]) == ("套", "千克", "结构类型")
    assert hs["elements"][0]["choices"][0][0] == "0"
    assert (await api.get("/api/v1/workspace/hs-codes/8482109999")).status_code == 404
    hs_by_name = (await api.get("/api/v1/workspace/codes/hs_code", params={"q": "深沟球"})).json()["items"]
    assert hs_by_name == [{"code": "8482102000", "name": "深沟球轴承"}]
