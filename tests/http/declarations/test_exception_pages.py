"""异常处理 through HTTP: a refused 新增 with every error beside its field and what was typed kept (a bad 附件 too),
a good one with an image, 变更状态 of one checked row, 删除 of the checked rows, the streamed export read back, the
报关差错率 tab with its charts; the JSON API's shapes and refusals; who may open the page."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook
from PIL import Image

from tests.factories import World
from tests.http.support import Site

PAGE = "/workbench/declarations/exceptions"
API = "/api/v1/workspace/declaration-exceptions"


def typed(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": "declaration", "number": "090120260000012345",
                            "trade_name": "大连示例进出口有限公司", "ie_flag": "E", "client_name": "",
                            "exception_type": "modify_delete",
                            "occurred_on": "2026-01-02", "post": "制单", "responsible": "张关务", "penalized": "0",
                            "penalty_target": "", "status": "pending", "done_on": "", "reason": "品名有误"}
    data.update(changes)
    return data


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


async def test_add_refused_then_saved_with_an_image_then_status_and_delete(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    refused = await admin.post_form(f"{PAGE}/new", typed(number="12", occurred_on="2026-02-30", penalized="1",
                                                         trade_name="大连示例"),
                                    files={"attachment": ("a.png", b"not an image", "image/png")})
    assert refused.status_code == 400
    assert 'id="number-error">报关单号应为 18 位数字' in refused.text
    assert 'id="occurred_on-error">发生日期应为日期' in refused.text
    assert 'id="penalty_target-error">海关处罚时请填写处罚对象' in refused.text
    assert 'id="attachment-error">' in refused.text
    assert 'name="trade_name" value="大连示例"' in refused.text and 'value="12"' in refused.text

    made = await admin.post_form(f"{PAGE}/new", typed(), files={"attachment": ("证据.png", png(), "image/png")})
    assert made.status_code == 303
    url = made.headers["location"].split("?")[0]
    shown = await admin.get(made.headers["location"])
    assert "已保存异常登记" in shown.text and "证据.png" in shown.text
    picture = await admin.get(f"{url}/attachment")
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    row_id = url.rsplit("/", 1)[1]

    listed = await admin.get(PAGE)
    assert "090120260000012345" in listed.text and "待处理" in listed.text
    none = await admin.post_form(f"{PAGE}/status", {"status": "done", "back": PAGE})
    assert none.status_code == 400 and 'id="err-ids">请勾选要操作的记录' in none.text
    done = await admin.post_form(f"{PAGE}/status", {"ids": row_id, "status": "done",
                                                    "back": f"{PAGE}?kind=declaration"})
    assert done.status_code == 303
    after = await admin.get(done.headers["location"])
    assert "已变更处理状态" in after.text and "已完成" in after.text

    gone = await admin.post_form(f"{PAGE}/delete", {"ids": [row_id], "back": PAGE})
    assert gone.status_code == 303 and "已删除 1 条异常记录" in (await admin.get(gone.headers["location"])).text
    assert (await admin.get(url)).status_code == 404


async def test_filters_refused_beside_fields_and_the_export_has_every_filtered_row(site: Site, world: World) -> None:
    api = await site.api(world.admin)
    for n in range(25):
        body = typed(number=f"0901202600000{n:05d}", responsible="张关务" if n % 2 else "李制单", penalized=False)
        assert (await api.post(API, json=body)).status_code == 201
    admin = await site.browser(world.admin)
    bad = await admin.get(f"{PAGE}?date_from=2026-03-05&date_to=2026-03-01&status=lost")
    assert bad.status_code == 400 and 'id="err-date_from">开始日期不能晚于结束日期' in bad.text
    assert 'id="err-status">' in bad.text and 'value="2026-03-05"' in bad.text
    page = await admin.get(f"{PAGE}?responsible=张关务")
    assert "共 12 条" in page.text
    exported = await admin.get(f"{PAGE}/export?responsible=张关务")
    assert exported.status_code == 200 and "xlsx" in exported.headers["content-disposition"]
    rows = list(load_workbook(io.BytesIO(exported.content), read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == 13 and {r[7] for r in rows[1:]} == {"张关务"}


async def test_the_api_refuses_as_json_and_checks_versions(site: Site, world: World) -> None:
    api = await site.api(world.admin)
    refused = await api.post(API, json=typed(number="", exception_type="boom", penalized=False))
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "validation_failed" and set(error["fields"]) == {"number", "exception_type"}
    no_kind = await api.post(API, json={**typed(), "kind": "ship", "penalized": False})
    assert no_kind.json()["error"]["field"] == "kind"
    made = (await api.post(API, json=typed(penalized=False))).json()
    assert made["status_label"] == "待处理" and made["automatic"] is False
    one = f"{API}/{made['id']}"
    stale = await api.put(one, json={**typed(penalized=False), "version": 7})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    saved = await api.put(one, json={**typed(penalized=False, responsible="李制单"), "version": 1})
    assert saved.status_code == 200 and saved.json()["responsible"] == "李制单"
    done = await api.post(f"{one}/status", json={"status": "done"})
    assert done.json()["status"] == "done" and done.json()["done_on"]
    bad_status = await api.post(f"{one}/status", json={"status": "lost"})
    assert bad_status.status_code == 400 and bad_status.json()["error"]["field"] == "status"
    assert (await api.get(f"{API}/999999")).status_code == 404
    rate = await api.get(f"{API}/error-rate?from=2026-13")
    assert rate.status_code == 400 and rate.json()["error"]["field"] == "from"
    assert (await api.get(f"{API}/error-rate")).json()["total"]["percent"] == "0.00"
    assert (await api.post(f"{API}/delete", json={"ids": [made["id"]]})).json() == {"deleted": 1}


async def test_only_holders_of_exception_edit_and_the_rate_tab(site: Site, world: World) -> None:
    staff = await site.browser(world.staff)  # 报关员: declaration:entry, not exception:edit
    assert (await staff.get(PAGE)).status_code == 403
    assert (await (await site.api(world.staff)).get(API)).status_code == 403
    admin = await site.browser(world.admin)
    rate = await admin.get(f"{PAGE}/rate")
    assert rate.status_code == 200 and rate.text.count("<svg") == 3 and "报关差错率" in rate.text
    bad = await admin.get(f"{PAGE}/rate?from=2026-05&to=2026-01")
    assert bad.status_code == 400 and 'id="err-from">开始月份不能晚于结束月份' in bad.text
