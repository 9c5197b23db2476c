"""The enterprise library's export in the JSON API (``library:export``): the current page or every filtered row
streamed as .xlsx; beyond ``library.export_direct_limit`` rows a job (202, its progress, then its file). Always the
member's own enterprise: another enterprise's private rows never come out, nor another enterprise's job."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from core.config import DatabaseSettings
from models.library import LibraryMark, LibraryRow
from tests.factories import World
from tests.http.support import Site, running_site, web_settings
from tests.services.library.library_rows import OTHERS, authorise, item, put
from tests.services.library.support import load_small_reference

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT = "/api/v1/workspace/library/export"


@pytest.fixture
async def site(db: DatabaseSettings, world: World) -> AsyncIterator[Site]:
    """The app with a direct limit of two rows, so three rows already go to a job."""
    async with running_site(web_settings(db, library={"export_direct_limit": 2})) as running:
        yield running


@pytest.fixture
async def rows(site: Site, world: World, tmp_path: Path) -> list[LibraryRow]:
    await load_small_reference(tmp_path)
    acme, solo = world.acme.credit_code, world.solo.credit_code
    found = await put(item(1, acme), item(2, acme, mark=LibraryMark.MATCHED, goods_name="圆锥滚子轴承"),
                      item(3, acme, mark=LibraryMark.NONSTANDARD, remarks="型号应按实际申报"),
                      item(4, solo), item(5, solo, mark=LibraryMark.MATCHED), item(6, OTHERS[0]))
    await authorise(world.admin, world.acme.id, world.admin)
    await authorise(world.solo_staff, world.solo.id, world.solo_staff)
    return found


def entries(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX
    sheet = load_workbook(io.BytesIO(answer.content), read_only=True).active
    return [str(r[0]) for r in sheet.iter_rows(min_row=2, values_only=True)]


async def finished(api: httpx.AsyncClient, status_url: str) -> dict[str, object]:
    for _ in range(200):
        job = (await api.get(status_url)).json()
        if job["state"] != "running":
            return dict(job)
        await asyncio.sleep(0.05)
    raise AssertionError("the export job did not finish")


async def test_the_current_page_and_a_few_filtered_rows_are_streamed_at_once(
        site: Site, world: World, rows: list[LibraryRow]) -> None:
    api = await site.api(world.admin)
    page = await api.get(EXPORT, params={"limit": 2})
    assert len(entries(page)) == 2 and "filename*=UTF-8''" in page.headers["content-disposition"]
    filtered = await api.get(EXPORT, params={"all": "true", "mark": "nonstandard"})
    assert entries(filtered) == [rows[2].entry_number]
    solo = await site.api(world.solo_staff)
    assert sorted(entries(await solo.get(EXPORT, params={"all": "true"}))) == sorted(
        r.entry_number for r in rows[3:5])
    book = CalamineWorkbook.from_filelike(io.BytesIO(filtered.content))  # a valid workbook for calamine too
    assert book.get_sheet_by_index(0).to_python()[1][0] == rows[2].entry_number


async def test_many_rows_become_a_job_whose_file_holds_only_the_enterprises_rows(
        site: Site, world: World, rows: list[LibraryRow], job_worker: object) -> None:
    api = await site.api(world.admin)
    queued = await api.get(EXPORT, params={"all": "true"})
    assert queued.status_code == 202
    job = queued.json()
    assert job["state"] in ("running", "done") and job["file_url"] == f"{job['status_url']}/file"
    done = await finished(api, job["status_url"])
    assert done["state"] == "done" and done["total"] == 3 and done["percent"] == 100
    assert sorted(entries(await api.get(job["file_url"]))) == sorted(r.entry_number for r in rows[:3])

    solo = await site.api(world.solo_staff)  # another enterprise: no hint the job exists
    for url in (job["status_url"], job["file_url"]):
        refused = await solo.get(url)
        assert refused.status_code == 404 and refused.json()["error"]["message"] == "导出任务不存在或已过期，请重新导出"


async def test_a_job_not_yet_done_refuses_its_file(site: Site, world: World, rows: list[LibraryRow]) -> None:
    api = await site.api(world.admin)  # no worker: the job waits
    job = (await api.get(EXPORT, params={"all": "1"})).json()
    waiting = await api.get(job["file_url"])
    assert waiting.status_code == 409 and waiting.json()["error"]["message"] == "导出文件尚未生成完毕，请稍后再下载"
    assert (await api.get(job["status_url"])).json()["state"] == "running"


async def test_the_export_needs_the_card_the_permission_and_a_good_filter(
        site: Site, world: World, rows: list[LibraryRow]) -> None:
    staff = await site.api(world.staff)
    assert (await staff.get(EXPORT)).status_code == 403  # staff do not hold library:export
    executive = await site.api(world.executive)  # holds it, not authorised by the card
    refused = await executive.get(EXPORT)
    assert refused.status_code in (403,) and refused.json()["error"]["code"]
    bad = await (await site.api(world.admin)).get(EXPORT, params={"hs_code": "12", "all": "1"})
    assert bad.status_code == 400 and bad.json()["error"]["fields"] == {"hs_code": "商品编号应为4、6、8或10位数字"}
    document = (await site.client.get("/api/v1/openapi.json")).json()
    export = document["paths"]["/workspace/library/export"]["get"]
    assert set(export["responses"]["200"]["content"]) == {XLSX}
    assert export["responses"]["202"]["content"]["application/json"]["schema"]["required"][0] == "token"
