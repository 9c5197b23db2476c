"""The admin web's library pages: template, upload through the form and the worker, report, error workbook,
stored rows and their export; refusals beside the file field; officers and enterprise people kept out."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.jobs import Job, JobStatus
from services.jobs.worker import JobRunner
from tests.factories import World
from tests.http.support import Desk, Site, desk_for
from tests.services.library.support import good_row, load_small_reference, workbook


@pytest.fixture
async def reference(site: Site, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


async def upload(desk: Desk, data: bytes, kind: str = "audited") -> object:
    return await desk.client.post("/admin/library/uploads", data={"csrf_token": desk.csrf, "kind": kind},
                                  files={"file": ("审核数据.xlsx", data, "application/octet-stream")})


async def test_the_template_has_drop_down_lists_from_the_code_tables(site: Site, reference: None) -> None:
    desk = await desk_for(site, "supervisor")
    response = await desk.get("/admin/library/template")

    book = load_workbook(io.BytesIO(response.content))
    sheet, codes = book["数据"], book["代码表"]
    assert [c.value for c in sheet[1]][:3] == ["海关编号", "项号", "申报日期"]
    assert codes.sheet_state == "hidden" and "0110 一般贸易" in [c.value for c in codes["D"]]
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["E2:E1048576"] == "'代码表'!$D$2:$D$103"  # 监管方式: 102 codes
    assert lists["D2:D1048576"] == '"I,E"' and lists["X2:X1048576"] == '"规范,不规范"'


async def test_an_upload_runs_in_the_worker_and_its_report_and_error_workbook_follow(
        site: Site, reference: None, job_worker: JobRunner) -> None:
    desk = await desk_for(site, "supervisor")
    await desk.get("/admin/library")
    sent = await upload(desk, workbook([good_row(1), good_row(2, hs_code="8482109999"), good_row(3)]))
    assert sent.status_code == 303
    report_url = sent.headers["location"]

    page = await desk.get(report_url)
    for _ in range(200):
        if "正在校验" not in page.text:
            break
        page = await desk.get(report_url)
    assert "未通过</dt><dd>1 行，共 1 处错误" in page.text
    assert "商品编号在2026版商品目录中不存在" in page.text
    errors = await desk.get(report_url + "/errors")
    book = load_workbook(io.BytesIO(errors.content))
    assert [c.value for c in book["错误数据"][2]][-2:] == [3, "商品编号：商品编号在2026版商品目录中不存在"]
    listing = await desk.get("/admin/library")
    assert "审核数据.xlsx" in listing.text and "下载错误数据" in listing.text
    rows = await desk.get("/admin/library/rows?hs_code=8482")
    assert rows.text.count("深沟球轴承") == 2


@pytest.mark.parametrize(("data", "message"), [
    (b"not a workbook", "文件不是 Excel（.xlsx）格式，请使用下载的模板"),
    (b"", "请选择要上传的 Excel 文件"),
])
async def test_a_broken_file_is_refused_beside_the_file_field(site: Site, reference: None, data: bytes,
                                                              message: str) -> None:
    desk = await desk_for(site, "supervisor")
    await desk.get("/admin/library")
    refused = await upload(desk, data, kind="nonsense")

    assert refused.status_code == 400
    assert message in refused.text and "请从列表中选择" in refused.text


async def test_officers_and_enterprise_people_cannot_upload_or_query(site: Site, world: World,
                                                                      reference: None) -> None:
    officer = await desk_for(site, "officer")
    await officer.get("/admin/")
    for url in ("/admin/library", "/admin/library/rows"):
        assert (await officer.get(url)).status_code == 403
    assert (await upload(officer, workbook([good_row()]))).status_code == 403
    person = await site.browser(world.staff)
    assert (await person.get("/admin/library")).status_code in (302, 303)


async def test_an_upload_whose_worker_died_reads_as_interrupted(site: Site, reference: None) -> None:
    desk = await desk_for(site, "supervisor")
    await desk.get("/admin/library")
    sent = await upload(desk, workbook([good_row(1)]))
    await Job.filter(kind="library_upload").update(status=JobStatus.FAILED, error="导出过程中服务停止响应")

    page = await desk.get(sent.headers["location"])
    assert "校验中断（导出过程中服务停止响应）" in page.text and 'http-equiv="refresh"' not in page.text
