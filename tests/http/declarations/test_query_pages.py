"""业务数据查询 through HTTP: the page's filters with refusals beside their fields, the print links and 申报 of an
approved one, 提交审核 of the selected with each result, 列表导出 (scoped: another enterprise's rows never in it),
the import page (template, upload through the worker, the annotated workbook, the same file again), 概要申报;
the JSON API (cursor paging, error shapes, batch submit, the export job)."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.declaration_lifecycle import DeclarationStatus
from models.declarations import Declaration, DeclarationImport
from services.declarations.single_window import MSG_NOT_CONFIGURED
from services.jobs.worker import JobRunner
from tests.factories import World
from tests.http.support import Site
from tests.services.declarations.support import good_head, good_item
from tests.services.declarations.test_imports import line, workbook
from tests.services.library.support import load_small_reference

QUERY = "/workbench/declarations/query"
API = "/api/v1/workspace/declarations"


@pytest.fixture
async def reference(site: Site, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


async def _draft(site: Site, person: object, bill_no: str, complete: bool = True) -> int:
    api = await site.api(person)  # type: ignore[arg-type]
    body = {"kind": "export", "head": good_head(bill_no=bill_no), "items": [good_item()]} if complete else \
        {"kind": "export", "head": {"bill_no": bill_no}}
    made = await api.post(API, json=body)
    assert made.status_code == 201
    return int(made.json()["declaration"]["id"])


async def test_the_page_filters_links_prints_and_refuses_beside_fields(site: Site, world: World,
                                                                       reference: None) -> None:
    first = await _draft(site, world.staff, "QUERY-1")
    await _draft(site, world.staff, "QUERY-2")
    staff = await site.browser(world.staff)
    page = await staff.get(f"{QUERY}?bill_no=QUERY-1")
    assert page.status_code == 200 and "QUERY-1" in page.text and "QUERY-2" not in page.text
    assert f'/workbench/declarations/{first}/print/declaration.pdf' in page.text
    assert f'/workbench/declarations/{first}/print/notice.pdf' in page.text
    bad = await staff.get(f"{QUERY}?date_from=2026-02-30&declare_office=ABCDE&bill_no=KEPT")
    assert bad.status_code == 400
    assert 'id="err-date_from">日期格式应为 YYYY-MM-DD' in bad.text and 'id="err-declare_office"' in bad.text
    assert 'name="bill_no" value="KEPT"' in bad.text


async def test_submit_selected_reports_each_and_an_approved_one_is_declared(site: Site, world: World,
                                                                          reference: None) -> None:
    good = await _draft(site, world.staff, "GOOD")
    half = await _draft(site, world.staff, "HALF", complete=False)
    staff = await site.browser(world.staff)
    await staff.get(QUERY)
    done = await staff.post_form(f"{QUERY}/submit", {"ids": [str(good), str(half)]})
    assert done.status_code == 200
    assert "已提交审核 1 份，未提交 1 份" in done.text and "处需修改" in done.text
    none = await staff.post_form(f"{QUERY}/submit", {})
    assert none.status_code == 400 and "请勾选报关单" in none.text

    await Declaration.filter(id=good).update(status=DeclarationStatus.APPROVED)
    listed = await staff.get(QUERY)
    assert f'formaction="{QUERY}/{good}/declare"' in listed.text
    # this site has no single window configured: 申报 is refused in Chinese on the list (its 409), the declaration
    # stays approved (sending through the simulator: tests/http/declarations/test_declare.py, the journey tests)
    refused = await staff.post_form(f"{QUERY}/{good}/declare")
    assert refused.status_code == 409 and MSG_NOT_CONFIGURED in refused.text
    assert (await Declaration.get(id=good)).status is DeclarationStatus.APPROVED
    await Declaration.filter(id=good).update(status=DeclarationStatus.DECLARED)
    again = await staff.post_form(f"{QUERY}/{good}/declare")
    assert again.status_code == 409 and 'id="form-error"' in again.text


async def test_export_and_api_never_show_another_enterprises_rows(site: Site, world: World,
                                                                  reference: None) -> None:
    await _draft(site, world.staff, "ACME-ROW")
    await _draft(site, world.solo_staff, "SOLO-ROW")
    solo = await site.browser(world.solo_staff)
    exported = await solo.get(f"{QUERY}/export")
    sheet = load_workbook(io.BytesIO(exported.content)).worksheets[0]
    assert [r[8] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["SOLO-ROW"]
    api = await site.api(world.solo_staff)
    listed = (await api.get(f"{API}/query")).json()
    assert [row["bill_no"] for row in listed["items"]] == ["SOLO-ROW"]
    assert (await api.get(f"{API}/query?bill_no=ACME-ROW")).json()["items"] == []


async def test_the_api_pages_and_answers_errors_as_json(site: Site, world: World, reference: None,
                                                        job_worker: JobRunner) -> None:
    for n in range(3):
        await _draft(site, world.staff, f"API-{n}")
    api = await site.api(world.staff)
    first = (await api.get(f"{API}/query?limit=2")).json()
    second = (await api.get(f"{API}/query?limit=2&cursor={first['next_cursor']}")).json()
    assert [r["bill_no"] for r in first["items"] + second["items"]] == ["API-2", "API-1", "API-0"]
    assert second["next_cursor"] is None and first["items"][0]["prints"]["notice"].endswith("/notice.pdf")
    bad = await api.get(f"{API}/query?status=sent&date_from=x")
    assert bad.status_code == 400 and bad.json()["error"]["field"] in ("status", "date_from")
    cursor = await api.get(f"{API}/query?cursor=garbage")
    assert cursor.status_code == 400 and cursor.json()["error"]["field"] == "cursor"
    results = (await api.post(f"{API}/query/submit", json={"ids": [first["items"][0]["id"], 999999]})).json()
    assert [(r["submitted"], r["reason"]) for r in results["results"]] == [
        (True, ""), (False, "报关单不存在或无权查看")]
    empty = await api.post(f"{API}/query/submit", json={"ids": []})
    assert empty.status_code == 400
    assert empty.json()["error"] == {"code": "validation_failed", "message": "请勾选报关单", "field": "ids"}
    job = await api.post(f"{API}/query/export?bill_no=API-1")
    assert job.status_code == 202
    token = job.json()["token"]
    for _ in range(200):
        state = (await api.get(f"{API}/query/exports/{token}")).json()
        if state["state"] == "done":
            break
        await asyncio.sleep(0.05)
    assert state["total"] == 1 and state["file"] == f"{QUERY}/exports/{token}/file"


async def test_import_through_the_page_and_the_worker(site: Site, world: World, reference: None,
                                                      job_worker: JobRunner) -> None:
    admin = await site.browser(world.admin)
    page = await admin.get(f"{QUERY}/import")
    assert page.status_code == 200 and "下载导入模板" in page.text
    template = await admin.get(f"{QUERY}/import/template")
    assert load_workbook(io.BytesIO(template.content))["报关单"]["A1"].value == "报关单序号"
    data = workbook([line("1"), line("2", head=good_head(trade_mode="9999"))])
    sent = await admin.post_form(f"{QUERY}/import", files={"file": ("报关单.xlsx", data, "application/octet-stream")})
    assert sent.status_code == 303
    for _ in range(200):
        listing = await admin.get(f"{QUERY}/import")
        if "处理中" not in listing.text:
            break
        await asyncio.sleep(0.05)
    assert "完成" in listing.text and "下载（1 行，1 处）" in listing.text
    assert await Declaration.filter(enterprise_id=world.acme.id).count() == 1
    record = await DeclarationImport.get()
    errors = await admin.get(f"{QUERY}/import/{record.id}/errors")
    rows = list(load_workbook(io.BytesIO(errors.content))["错误数据"].iter_rows(values_only=True))
    assert rows[1][-2:] == (3, "监管方式：监管方式“9999”不在监管方式代码表中，请从列表中选择")
    again = await admin.post_form(f"{QUERY}/import", files={"file": ("again.xlsx", data, "application/octet-stream")})
    assert again.status_code == 200 and "未重复导入" in again.text
    refused = await admin.post_form(f"{QUERY}/import", files={"file": ("x.xlsx", b"nope", "application/octet-stream")})
    assert refused.status_code == 400 and 'id="err-file"' in refused.text


async def test_the_summary_page_defaults_to_the_last_seven_days(site: Site, world: World, reference: None) -> None:
    sent = await _draft(site, world.staff, "SUMMARY-SENT")
    await _draft(site, world.staff, "SUMMARY-DRAFT")
    await Declaration.filter(id=sent).update(status=DeclarationStatus.DECLARED, seq_no="I20260000000000001")
    staff = await site.browser(world.staff)
    page = await staff.get(f"{QUERY}/summary")
    assert page.status_code == 200
    assert "SUMMARY-SENT" in page.text and "SUMMARY-DRAFT" not in page.text
    today = site.app.ctx.services.now().astimezone(site.app.ctx.services.tz).date()
    assert f'name="date_to" value="{today.isoformat()}"' in page.text
