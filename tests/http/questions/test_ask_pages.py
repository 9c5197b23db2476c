"""我要提问 as H5 pages, as a browser without JavaScript sends them: multipart forms with the CSRF token."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from core.config import DatabaseSettings
from models.enterprises import EnterpriseStatus
from models.questions import Attachment, Question
from services.kit.context import ServiceContext
from services.questions.asking import withdraw_question
from tests.factories import World
from tests.http.support import SignedIn, Site, running_site, web_settings

MB = 1024 * 1024
DESCRIPTION = "我司新设立，请问电子口岸IC卡在哪里办理、需要哪些材料？"


@pytest.fixture
async def site(db: DatabaseSettings, world: World, tmp_path: Path) -> AsyncIterator[Site]:
    async with running_site(web_settings(db, web={"upload_dir": str(tmp_path / "uploads")})) as running:
        yield running


def fields(world: World, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "accepting_office_id": str(world.dalian.id), "office_id": str(world.tariff_dept.id),
        "title": "电子口岸IC卡如何办理", "type_ids": [str(world.type_ids[0]), str(world.type_ids[2])],
        "business_category_id": str(world.category_id), "contact_name": "王经理", "contact_phone": "0411-82345678",
        "description": DESCRIPTION, "remarks": "急", "allow_publication": "1",
        "executive_id": str(world.executive2.person_id),
    }
    return values | changes


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(out, "JPEG")
    return out.getvalue()


def bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


async def post_ask(browser: SignedIn, data: dict[str, Any], image: tuple[str, bytes] | None = None,
                   url: str = "/h5/ask") -> httpx.Response:
    files = {"image": (image[0], image[1], "image/jpeg")} if image else {"image": ("", b"", "application/octet-stream")}
    return await browser.post_form(url, data, files=files)  # multipart, as the page's form is


def field_error(html: str, name: str) -> str:
    match = re.search(rf'id="err-{name}">([^<]*)<', html)
    return match.group(1) if match else ""


async def test_the_form_has_every_field_of_the_manual(site: Site, world: World) -> None:
    html = (await (await site.browser(world.staff)).get("/h5/ask")).text
    for needle in ('enctype="multipart/form-data"', 'name="csrf_token"', "大连海关", 'name="title"', 'maxlength="20"',
                   'data-count="title-count"', 'data-suggest="suggest-box"', 'id="suggest-box"', 'name="type_ids"',
                   'name="office_id"', "　　关税科", 'name="business_category_id"', "大连示例进出口有限公司",
                   'name="contact_name" value="关务丁"', 'value="13900000004"', 'name="description"',
                   'name="remarks"', 'accept="image/jpeg,image/png"', 'name="allow_publication"',
                   "提交给哪位高管", "高管乙", "高管丙"):
        assert needle in html, needle
    assert html.count('type="checkbox" name="type_ids"') == 3


async def test_asking_with_an_image_goes_to_the_chosen_executive(site: Site, world: World) -> None:
    browser = await site.browser(world.staff)
    response = await post_ask(browser, fields(world), ("现场.jpg", jpeg()))
    assert response.status_code == 303
    question = await Question.get()
    assert response.headers["location"] == f"/h5/ask/done/{question.id}"
    assert (question.status.value, question.assigned_executive_id) == ("pending_exec_review",
                                                                        world.executive2.person_id)
    assert (question.office_id, question.contact_phone, question.allow_publication) == (
        world.tariff_dept.id, "0411-82345678", True)
    assert await Attachment.filter(question_id=question.id).count() == 1
    done = (await browser.get(response.headers["location"])).text
    for needle in ("提交成功", question.number, "待高管审核", f'href="/h5/questions/{question.id}"', "查看问题",
                   'href="/h5/ask"', "继续提问"):
        assert needle in done, needle


async def test_without_review_there_is_no_reviewer_and_it_is_submitted(site: Site, world: World) -> None:
    browser = await site.browser(world.solo_staff)
    assert "提交给哪位高管" not in (await browser.get("/h5/ask")).text
    response = await post_ask(browser, fields(world, executive_id=""))
    assert response.status_code == 303
    assert "已提交" in (await browser.get(response.headers["location"])).text


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": "电子口岸卡办理流程及所需材料清单咨询问题吗"}, "title", "标题不能超过 20 个字（现为 21 个）"),
    ({"type_ids": []}, "type_ids", "请至少选择一个问题类型"),
    ({"contact_phone": "12345"}, "contact_phone", "联系电话格式不正确（手机号或带区号的座机号）"),
    ({"office_id": "nanjing"}, "office_id", "受理海关/部门不属于所选受理单位"),
    ({"executive_id": ""}, "executive_id", "企业有多位高管，请选择审核高管"),
])
async def test_a_refused_form_comes_back_with_the_message_and_every_value(
        site: Site, world: World, changes: dict[str, Any], field: str, message: str) -> None:
    changes = {k: str(world.nanjing.id) if v == "nanjing" else v for k, v in changes.items()}
    response = await post_ask(await site.browser(world.staff), fields(world, **changes))
    assert response.status_code == 400
    html = response.text
    assert field_error(html, field) == message
    sent = fields(world, **changes)
    for kept in (f'value="{sent["title"]}"', 'value="王经理"', f'value="{sent["contact_phone"]}"',
                 f">{DESCRIPTION}</textarea>", ">急</textarea>", 'name="allow_publication" value="1" checked'):
        assert kept in html, kept
    for type_id in sent["type_ids"]:
        assert f'value="{type_id}" checked' in html
    assert await Question.all().count() == 0


@pytest.mark.parametrize(("name", "data", "message"), [
    ("photo.jpg", b"#!/bin/sh\necho pwned\n", "只支持 JPG、PNG 格式的图片"),
    ("big.jpg", b"\xff\xd8\xff\xe0" + b"\0" * (20 * MB - 3), "图片不能超过 20 MB"),
    ("bomb.png", bomb(), "图片尺寸过大，无法处理"),
], ids=["renamed-script", "20MB-plus-1", "decompression-bomb"])
async def test_a_bad_image_is_refused_beside_the_field(site: Site, world: World, name: str, data: bytes,
                                                       message: str) -> None:
    response = await post_ask(await site.browser(world.staff), fields(world), (name, data))
    assert response.status_code == 400
    assert field_error(response.text, "image") == message
    assert 'value="电子口岸IC卡如何办理"' in response.text
    assert await Question.all().count() == 0


async def test_a_body_above_the_request_limit_is_a_chinese_page(site: Site, world: World) -> None:
    url = httpx.URL(str(site.client.base_url))
    reader, writer = await asyncio.open_connection(url.host, url.port)
    length = site.app.config.REQUEST_MAX_SIZE + 1
    writer.write(f"POST /h5/ask HTTP/1.1\r\nHost: {url.host}\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                 f"Content-Length: {length}\r\n\r\n".encode() + b"\0" * 65536)
    await writer.drain()
    answer = (await asyncio.wait_for(reader.read(65536), 10)).decode(errors="replace")
    writer.close()
    assert answer.startswith("HTTP/1.1 413")
    assert "上传内容过大" in answer


async def test_the_form_without_its_csrf_token_is_refused(site: Site, world: World) -> None:
    browser = await site.browser(world.staff)
    response = await browser.client.post("/h5/ask", data=fields(world))
    assert response.status_code == 403
    assert await Question.all().count() == 0


async def test_markup_in_the_title_is_shown_as_text(site: Site, world: World) -> None:
    browser = await site.browser(world.solo_staff)
    refused = await post_ask(browser, fields(world, title="<script>alert(1)</script>"))  # 25 characters
    assert refused.status_code == 400
    assert "<script>alert(1)" not in refused.text
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in refused.text
    asked = await post_ask(browser, fields(world, title='"><img src=x>'))
    question = await Question.get(id=int(asked.headers["location"].rsplit("/", 1)[1]))
    await withdraw_question(ServiceContext(), world.solo_staff, question.id)
    html = (await browser.get(f"/h5/questions/{question.id}/edit")).text
    assert "<img src=x" not in html
    assert 'value="&#34;&gt;&lt;img src=x&gt;"' in html


async def test_a_pending_enterprise_sees_the_reason_instead_of_the_form(site: Site, world: World) -> None:
    world.solo.status = EnterpriseStatus.PENDING_REVIEW
    await world.solo.save()
    browser = await site.browser(world.solo_staff)
    html = (await browser.get("/h5/ask")).text
    assert "暂不能提问" in html and "企业注册尚未通过海关审核，暂不能提问" in html
    assert 'name="title"' not in html
    response = await post_ask(browser, fields(world, executive_id=""))
    assert response.status_code == 409
    assert "企业注册尚未通过海关审核，暂不能提问" in response.text


async def test_a_withdrawn_question_is_modified_and_resubmitted(site: Site, world: World) -> None:
    browser = await site.browser(world.solo_staff)
    asked = await post_ask(browser, fields(world, executive_id=""), ("a.jpg", jpeg()))
    question_id = int(asked.headers["location"].rsplit("/", 1)[1])
    url = f"/h5/questions/{question_id}/edit"
    refused = await browser.get(url)
    assert refused.status_code == 409 and "问题已提交，不能修改" in refused.text
    await withdraw_question(ServiceContext(), world.solo_staff, question_id)
    html = (await browser.get(url)).text
    assert "修改问题" in html and 'value="电子口岸IC卡如何办理"' in html and "已上传：a.jpg" in html
    bad = await post_ask(browser, fields(world, title="", executive_id=""), url=url)
    assert bad.status_code == 400 and field_error(bad.text, "title") == "请填写标题"
    response = await post_ask(browser, fields(world, title="撤回后修改", executive_id=""), ("b.png", jpeg()), url=url)
    assert response.status_code == 303 and response.headers["location"] == f"/h5/ask/done/{question_id}"
    question = await Question.get(id=question_id)
    assert (question.title, question.status.value) == ("撤回后修改", "submitted")
    assert [a.filename for a in await Attachment.filter(question_id=question_id)] == ["b.jpg"]


async def test_the_reviewing_executive_edits_on_the_same_form(site: Site, world: World) -> None:
    asked = await post_ask(await site.browser(world.staff), fields(world, executive_id=str(world.executive.person_id)))
    question_id = int(asked.headers["location"].rsplit("/", 1)[1])
    executive = await site.browser(world.executive)
    url = f"/h5/questions/{question_id}/edit"
    html = (await executive.get(url)).text
    assert "审核修改" in html and 'type="file"' not in html and "提交给哪位高管" not in html
    response = await post_ask(executive, fields(world, title="高管修改后的标题"), url=url)
    assert response.status_code == 303 and response.headers["location"] == f"/h5/questions/{question_id}"
    question = await Question.get(id=question_id)
    assert (question.title, question.status.value) == ("高管修改后的标题", "pending_exec_review")
    other = await (await site.browser(world.executive2)).get(url)
    assert other.status_code == 409 and "问题正在等待高管审核，不能修改" in other.text


async def test_another_enterprise_cannot_open_or_send_the_edit_form(site: Site, world: World) -> None:
    asked = await post_ask(await site.browser(world.staff), fields(world))
    url = f"/h5/questions/{int(asked.headers['location'].rsplit('/', 1)[1])}/edit"
    stranger = await site.browser(world.solo_staff)
    assert (await stranger.get(url)).status_code == 404
    assert (await post_ask(stranger, fields(world), url=url)).status_code == 404
    assert (await stranger.get(asked.headers["location"])).status_code == 404
