"""The card pages a clerk meets without a card reader: the helper's install page and its download (a zipapp
that runs), the links to them, and the check that a card's enterprise may register before an SMS code is spent."""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from card_desktop_helper import PYSCARD_REQUIREMENT
from models.enterprises import Enterprise, EnterpriseStatus
from tests.factories import World, credit_code
from tests.http.support import PUBLIC_URL, Site

CARD_PAGES = ("/h5/card/login", "/h5/card/register", "/h5/card", "/h5/card/authorisations")


def download_link(html: str) -> str:
    found = re.search(r'href="(/h5/card/helper/qingling-card-helper\.pyz\?v=[0-9a-f]{12})"', html)
    assert found, html
    return found.group(1)


async def test_every_card_page_links_the_install_page(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    for path in CARD_PAGES:
        page = await admin.client.get(path)
        assert page.status_code == 200, path
        assert 'href="/h5/card/helper"' in page.text and "《读卡助手安装说明》" in page.text, path


async def test_the_install_page_offers_the_download_and_plain_windows_steps(site: Site) -> None:
    page = await site.client.get("/h5/card/helper")  # no sign-in needed: it is read before the first card login
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Add python.exe to PATH" in text and f'py -m pip install "{PYSCARD_REQUIREMENT}"' in text
    assert "不能放进上面的下载文件" in text and "配对码" in text and "shell:startup" in text
    body = (await site.client.get(download_link(text))).content
    assert hashlib.sha256(body).hexdigest() in text


async def test_the_download_is_a_zipapp_that_runs_and_knows_the_site(site: Site, tmp_path: Path) -> None:
    link = download_link((await site.client.get("/h5/card/helper")).text)
    answer = await site.client.get(link)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    assert answer.headers["content-disposition"] == 'attachment; filename="qingling-card-helper.pyz"'
    assert "immutable" in answer.headers["cache-control"]
    assert link.endswith(hashlib.sha256(answer.content).hexdigest()[:12])
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert "__main__.py" in archive.namelist() and "card_desktop_helper/server.py" in archive.namelist()
    site_file = json.loads(archive.read("card_desktop_helper/site.json"))
    assert site_file == {"allowed_origins": [PUBLIC_URL], "port": 17380}

    helper = tmp_path / "qingling-card-helper.pyz"
    helper.write_bytes(answer.content)
    shown = subprocess.run([sys.executable, "-S", str(helper), "--help"], capture_output=True, text=True, timeout=30,
                           cwd=tmp_path)
    assert shown.returncode == 0 and "清零 读卡助手" in shown.stdout, shown.stderr
    without_pyscard = subprocess.run([sys.executable, "-S", str(helper), "serve", "--config", str(tmp_path / "x.json")],
                                     capture_output=True, text=True, timeout=30, cwd=tmp_path)  # -S: no site-packages
    assert without_pyscard.returncode == 1
    assert '缺少读卡组件 pyscard。请按《读卡助手安装说明》第 3 步' in without_pyscard.stdout
    assert f'py -m pip install "{PYSCARD_REQUIREMENT}"' in without_pyscard.stdout
    config = tmp_path / "config.json"
    token = subprocess.run([sys.executable, str(helper), "token", "--config", str(config)], capture_output=True,
                           text=True, timeout=30, cwd=tmp_path)
    assert token.returncode == 0 and token.stdout.strip() == json.loads(config.read_text())["pairing_token"]
    assert json.loads(config.read_text())["allowed_origins"] == [PUBLIC_URL]  # the site it came from


async def test_the_download_is_the_same_bytes_each_time_and_revalidates(site: Site) -> None:
    link = download_link((await site.client.get("/h5/card/helper")).text)
    first, again = await site.client.get(link), await site.client.get(link)
    assert first.content == again.content
    unchanged = await site.client.get(link, headers={"if-none-match": first.headers["etag"]})
    assert unchanged.status_code == 304
    bare = await site.client.get("/h5/card/helper/qingling-card-helper.pyz")
    assert bare.content == first.content and "immutable" not in bare.headers["cache-control"]


async def test_a_new_enterprise_is_registrable(site: Site) -> None:
    answer = await site.client.get("/api/v1/card/registrable", params={"credit_code": credit_code("91210200MA0CARD01")})
    assert answer.status_code == 200 and answer.json() == {"registrable": True, "reason": ""}


async def test_a_registered_or_pending_enterprise_is_not_registrable(site: Site, world: World) -> None:
    active = await site.client.get("/api/v1/card/registrable", params={"credit_code": world.acme.credit_code})
    assert active.json() == {"registrable": False, "reason": "该企业已注册，请联系本企业管理员为您添加账号"}
    await Enterprise.filter(id=world.solo.id).update(status=EnterpriseStatus.PENDING_REVIEW)
    pending = await site.client.get("/api/v1/card/registrable", params={"credit_code": world.solo.credit_code})
    assert pending.json() == {"registrable": False, "reason": "该企业的注册申请正在海关审核中，请勿重复注册"}


async def test_a_bad_credit_code_is_refused_by_field(site: Site) -> None:
    answer = await site.client.get("/api/v1/card/registrable", params={"credit_code": "123"})
    assert answer.status_code == 400 and answer.json()["error"]["field"] == "credit_code"


async def test_the_register_page_keeps_the_code_button_off_until_the_card_is_checked(site: Site) -> None:
    page = (await site.client.get("/h5/card/register")).text
    assert re.search(r"<button[^>]*data-send-code[^>]*disabled", page)
    assert "请先读取卡内企业信息" in page


async def test_home_links_the_card_features_by_role(site: Site, world: World) -> None:
    admin_home = (await (await site.browser(world.admin)).client.get("/h5/")).text
    staff_home = (await (await site.browser(world.staff)).client.get("/h5/")).text
    for home in (admin_home, staff_home):
        assert 'href="/h5/card"' in home and 'href="/h5/library"' in home and 'href="/h5/card/helper"' in home
    assert 'href="/h5/card/authorisations"' in admin_home and 'href="/h5/card/authorisations"' not in staff_home
