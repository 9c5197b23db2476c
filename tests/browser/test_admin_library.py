"""A supervisor uploads audited library data in a desktop browser (1366×860): the template, an upload with a bad
row, the progress and report, the annotated error workbook downloaded and opened, the stored rows."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from openpyxl import load_workbook
from playwright.async_api import Browser, expect

from models.customs_accounts import CustomsAccount
from services.accounts.passwords import hash_password
from services.jobs.worker import JobRunner
from tests.browser.support import scroll_width, shoot
from tests.factories import World
from tests.http.support import CUSTOMS_PASSWORD, Site
from tests.services.library.support import good_row, load_small_reference, workbook

WIDTH, HEIGHT = 1366, 860
SHOTS = Path("/tmp/shots/library")


async def test_a_supervisor_uploads_and_gets_the_bad_rows_back_annotated(
        chromium: Browser, site: Site, world: World, job_worker: JobRunner, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)
    account = await CustomsAccount.get(username="supervisor")
    account.password_hash = hash_password(CUSTOMS_PASSWORD)
    await account.save()
    context = await chromium.new_context(base_url=str(site.client.base_url),
                                         viewport={"width": WIDTH, "height": HEIGHT}, locale="zh-CN",
                                         timezone_id="Asia/Shanghai", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = await context.new_page()
    await page.goto("/admin/login")
    await page.get_by_label("用户名").fill("supervisor")
    await page.get_by_label("密码").fill(CUSTOMS_PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.get_by_role("link", name="规范申报库").click()
    await expect(page.get_by_role("heading", name=re.compile("数据上传"))).to_be_visible()

    async with page.expect_download() as template:
        await page.get_by_role("link", name=re.compile("下载上传模板")).click()
    assert (await template.value).suggested_filename == "library-template.xlsx"

    upload = tmp_path / "审核数据.xlsx"
    upload.write_bytes(workbook([good_row(1), good_row(2, currency="ABC", hs_code="8482109999"), good_row(3),
                                 good_row(4, conclusion="不规范", remarks="")]))
    await page.get_by_label("数据类型").select_option("audited")
    await page.get_by_label("Excel 文件").set_input_files(str(upload))
    await page.get_by_role("button", name="上传并校验").click()
    await expect(page.get_by_text("未通过")).to_be_visible()
    await expect(page.get_by_role("cell", name="币制代码不存在：ABC")).to_be_visible()
    assert await scroll_width(page) <= WIDTH
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(await shoot(page, "admin_library_report"), SHOTS / "report.png")

    async with page.expect_download() as errors:
        await page.get_by_role("link", name="下载错误数据（已标注）").click()
    saved = tmp_path / "errors.xlsx"
    await (await errors.value).save_as(saved)
    sheet = load_workbook(saved)["错误数据"]
    header = [c.value for c in sheet[1]]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [r[header.index("原行号")] for r in rows] == [3, 5]
    assert "币制：币制代码不存在：ABC" in rows[0][-1] and "商品编号：商品编号在2026版商品目录中不存在" in rows[0][-1]
    assert rows[1][-1] == "审核意见：审核结论为不规范时须填写审核意见"
    assert sheet.cell(row=2, column=header.index("币制") + 1).fill.fgColor.rgb == "FFFFC7CE"

    await page.get_by_role("link", name="返回上传记录").click()
    await expect(page.get_by_role("cell", name="审核数据.xlsx")).to_be_visible()
    shutil.copy(await shoot(page, "admin_library_uploads"), SHOTS / "uploads.png")
    await page.get_by_role("link", name="查询已入库数据").click()
    await expect(page.get_by_role("cell", name="深沟球轴承")).to_have_count(2)
    shutil.copy(await shoot(page, "admin_library_rows"), SHOTS / "rows.png")
    await context.close()
