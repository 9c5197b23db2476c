"""Pages people use on a phone: a refused form lists every error and keeps its image; the home page's counts."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.config import DatabaseSettings
from models.questions import Attachment, Question
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from services.questions.exec_review import exec_return_question
from tests.factories import World, credit_code, licence_image
from tests.http.accounts.test_registrations import FORM
from tests.http.questions.test_ask_pages import fields, jpeg, post_ask
from tests.http.support import Site, csrf_of, running_site, web_settings

TOKEN = re.compile(r'name="image_token" value="([^"]+)"')


@pytest.fixture
async def site(db: DatabaseSettings, world: World, tmp_path: Path) -> AsyncIterator[Site]:
    async with running_site(web_settings(db, web={"upload_dir": str(tmp_path / "uploads")})) as running:
        yield running


def summary_links(html: str) -> list[str]:
    box = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    return re.findall(r'href="#err-(\w+)"', box.group(0)) if box else []


async def test_a_refused_form_lists_every_error_at_the_top_with_a_link_to_each(site: Site, world: World) -> None:
    browser = await site.browser(world.staff)
    response = await post_ask(browser, fields(world, title="", type_ids=[], contact_phone="12345"))
    assert response.status_code == 400
    assert sorted(summary_links(response.text)) == ["contact_phone", "title", "type_ids"]
    assert "请修改以下 3 处后再提交" in response.text
    for name in ("title", "type_ids", "contact_phone"):
        assert f'id="err-{name}"' in response.text  # each link's target, beside its field
    assert "error-summary" not in (await browser.get("/h5/ask")).text


async def test_a_bad_image_is_refused_together_with_the_other_fields(site: Site, world: World) -> None:
    browser = await site.browser(world.staff)
    response = await post_ask(browser, fields(world, title=""), ("现场.jpg", b"not a picture"))
    assert response.status_code == 400
    assert sorted(summary_links(response.text)) == ["image", "title"]
    assert "只支持 JPG、PNG 格式的图片" in response.text
    assert not TOKEN.search(response.text)


async def test_a_refused_form_keeps_the_chosen_image_until_it_goes_through(site: Site, world: World) -> None:
    browser = await site.browser(world.staff)
    refused = await post_ask(browser, fields(world, title=""), ("现场.jpg", jpeg()))
    assert refused.status_code == 400
    token = TOKEN.search(refused.text).group(1)
    assert "重新选择" in refused.text and "已选择：现场.jpg" in refused.text
    thumbnail = await browser.get("/h5/kept-image", params={"token": token})
    assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/jpeg"
    other = await site.browser(world.executive)
    assert (await other.get("/h5/kept-image", params={"token": token})).status_code == 404
    assert (await site.client.get("/h5/kept-image", params={"token": token})).status_code == 404

    again = await post_ask(browser, fields(world, title="", image_token=token))  # refused again, no new file
    assert again.status_code == 400 and TOKEN.search(again.text).group(1) == token

    done = await post_ask(browser, fields(world, image_token=token))
    assert done.status_code == 303
    question = await Question.get()
    image = await Attachment.get(question_id=question.id)
    assert image.filename == "现场.jpg" and image.storage_key != token
    assert not await Attachment.filter(question_id__isnull=True).exists()
    assert not site.app.ctx.storage.path(token).exists()
    assert (await browser.get("/h5/kept-image", params={"token": token})).status_code == 404


async def test_a_token_of_someone_else_is_not_used(site: Site, world: World) -> None:
    theirs = await post_ask(await site.browser(world.executive), fields(world, title=""), ("他的.jpg", jpeg()))
    token = TOKEN.search(theirs.text).group(1)
    response = await post_ask(await site.browser(world.staff), fields(world, image_token=token))
    assert response.status_code == 400
    assert "图片已过期，请重新选择" in response.text
    assert await Question.all().count() == 0


async def test_a_refused_registration_keeps_the_licence_and_the_code(site: Site) -> None:
    client = site.client
    form = {**FORM, "credit_code": credit_code("91210200MA0KEEP01")}
    csrf = csrf_of((await client.get("/h5/register")).text)
    sent = await client.post("/api/v1/auth/sms-code", json={"phone": form["phone"]},
                             headers={"x-csrf-token": csrf})
    assert sent.status_code == 204  # what the page's script does: the form is not posted, nothing is lost
    code = site.sms.last_code(form["phone"])
    files = {"image": ("营业执照.png", licence_image(), "image/png")}
    refused = await client.post("/h5/register", data={**form, "name": "", "code": code, "csrf_token": csrf},
                                files=files)
    assert refused.status_code == 400 and summary_links(refused.text) == ["name"]
    token = TOKEN.search(refused.text).group(1)
    done = await client.post("/h5/register", data={**form, "code": code, "csrf_token": csrf, "image_token": token},
                             files={"image": ("", b"", "application/octet-stream")})
    assert done.status_code == 303, done.text
    assert not site.app.ctx.storage.path(token).exists()


async def home_counts(site: Site, person) -> dict[str, int]:
    html = (await (await site.browser(person)).get("/h5/")).text
    return {label: int(n) for n, label in re.findall(r"<b>(\d+)</b><span>([^<]+)</span>", html)}


async def test_the_home_page_counts_what_waits(site: Site, world: World) -> None:
    ctx = ServiceContext()
    for executive in (world.executive, world.executive, world.executive2):
        draft = await create_draft(ctx, world.staff, world.acme.id, world.form())
        await submit_question(ctx, world.staff, draft.id, executive_id=executive.person_id)
    returned = await create_draft(ctx, world.staff, world.acme.id, world.form())
    await submit_question(ctx, world.staff, returned.id, executive_id=world.executive.person_id)
    await exec_return_question(ctx, world.executive, returned.id, "请补充单证号")
    await create_draft(ctx, world.staff, world.acme.id, world.form())

    executive = await home_counts(site, world.executive)
    # 未读消息: the message centre's notices, one per question sent to the executive for review
    assert executive == {"待我审核": 2, "已回复待评价": 0, "待追加": 0, "高管退回待修改": 1, "草稿": 1, "未读消息": 3}
    assert (await home_counts(site, world.executive2))["待我审核"] == 1
    assert "待我审核" not in await home_counts(site, world.staff)  # only executives review
    assert (await home_counts(site, world.staff))["草稿"] == 1
    assert (await home_counts(site, world.staff))["未读消息"] == 1  # the executive's return


async def test_the_site_has_an_icon(site: Site, world: World) -> None:
    html = (await (await site.browser(world.staff)).get("/h5/")).text
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html).group(1)
    for url in (href, "/favicon.ico"):
        icon = await site.client.get(url)
        assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
        assert icon.content.startswith(b"<svg")
