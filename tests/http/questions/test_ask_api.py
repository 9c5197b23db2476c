"""我要提问 through the JSON API: options, every field's check, create and submit, edit, resubmit, the image."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from core.config import DatabaseSettings
from models.enterprises import EnterpriseStatus
from models.questions import Attachment, Question, QuestionEvent
from services.kit.context import ServiceContext
from services.questions.asking import withdraw_question
from tests.factories import World
from tests.http.support import Site, running_site, web_settings

MB = 1024 * 1024
TWENTY_CHINESE = "电子口岸卡办理流程及所需材料清单咨询问题"  # 20 characters
assert len(TWENTY_CHINESE) == 20


@pytest.fixture
async def site(db: DatabaseSettings, world: World, tmp_path: Path) -> AsyncIterator[Site]:
    async with running_site(web_settings(db, web={"upload_dir": str(tmp_path / "uploads")})) as running:
        yield running


def body(world: World, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "accepting_office_id": world.dalian.id, "office_id": world.dayaowan.id, "title": "电子口岸IC卡如何办理?",
        "type_ids": list(world.type_ids[:2]), "business_category_id": world.category_id, "contact_name": "王经理",
        "contact_phone": "13800138000", "description": "我司新设立，请问电子口岸IC卡在哪里办理？", "remarks": "",
        "allow_publication": True,
    }
    return values | changes


def jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, "JPEG")
    return out.getvalue()


def bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG", optimize=True)  # 400 megapixels in a few kilobytes
    return out.getvalue()


SCRIPT = b"#!/bin/sh\nrm -rf / --no-preserve-root\n"
TOO_BIG = b"\xff\xd8\xff\xe0" + b"\0" * (20 * MB - 3)  # 20 MB + 1 byte, starting like a JPEG


async def create(client: httpx.AsyncClient, world: World, **changes: Any) -> httpx.Response:
    return await client.post("/api/v1/questions", json=body(world, **changes))


def error_of(response: httpx.Response) -> tuple[int, str, str | None]:
    error = response.json()["error"]
    return response.status_code, error["message"], error["field"]


async def test_options_offer_the_configured_units_the_tree_and_the_reviewers(site: Site, world: World) -> None:
    client = await site.api(world.staff)
    options = (await client.get("/api/v1/ask/options")).json()
    assert [u["name"] for u in options["accepting_offices"]] == ["大连海关"]  # config: 0900 only
    assert [(o["name"], o["depth"]) for o in options["offices"]] == [("大连海关", 0), ("大窑湾海关", 1),
                                                                      ("关税科", 2)]
    assert [t["name"] for t in options["types"]] == ["通关运行", "关税征管", "其他"]
    assert [c["name"] for c in options["categories"]] == ["通关"]
    assert (options["enterprise_name"], options["contact_name"], options["contact_phone"]) == (
        "大连示例进出口有限公司", "关务丁", "13900000004")
    assert options["review_required"] is True
    assert [e["name"] for e in options["executives"]] == ["高管乙", "高管丙"]
    assert options["refusal"] == ""


async def test_an_executive_and_a_no_review_enterprise_choose_no_reviewer(site: Site, world: World) -> None:
    for person in (world.executive, world.solo_staff):
        options = (await (await site.api(person)).get("/api/v1/ask/options")).json()
        assert (options["review_required"], options["executives"]) == (False, [])


async def test_a_pending_enterprise_is_told_why_it_cannot_ask(site: Site, world: World) -> None:
    world.solo.status = EnterpriseStatus.PENDING_REVIEW
    await world.solo.save()
    client = await site.api(world.solo_staff)
    assert (await client.get("/api/v1/ask/options")).json()["refusal"] == "企业注册尚未通过海关审核，暂不能提问"
    response = await create(client, world)
    assert response.status_code == 409
    assert response.json()["error"]["message"] == "企业注册尚未通过海关审核，暂不能提问"
    assert await Question.all().count() == 0


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": TWENTY_CHINESE + "吗"}, "title", "标题不能超过 20 个字（现为 21 个）"),
    ({"title": "  "}, "title", "请填写标题"),
    ({"type_ids": []}, "type_ids", "请至少选择一个问题类型"),
    ({"type_ids": [999]}, "type_ids", "问题类型无效，请重新选择"),
    ({"type_ids": ["通关"]}, "type_ids", "问题类型无效，请重新选择"),
    ({"contact_phone": "1380013800"}, "contact_phone", "联系电话格式不正确（手机号或带区号的座机号）"),
    ({"contact_name": ""}, "contact_name", "请填写联系人"),
    ({"description": ""}, "description", "请填写问题描述"),
    ({"accepting_office_id": None}, "accepting_office_id", "请选择受理单位"),
    ({"office_id": "nanjing"}, "office_id", "受理海关/部门不属于所选受理单位"),
    ({"business_category_id": 999}, "business_category_id", "业务类别无效，请重新选择"),
    ({"executive_id": None}, "executive_id", "企业有多位高管，请选择审核高管"),
    ({"executive_id": "staff"}, "executive_id", "所选审核高管不是本企业的企业高管"),
])
async def test_every_field_is_checked_and_nothing_is_stored(site: Site, world: World, changes: dict[str, Any],
                                                            field: str, message: str) -> None:
    named = {"nanjing": world.nanjing.id, "staff": world.staff.person_id}
    changes = {k: named.get(v, v) if isinstance(v, str) else v for k, v in changes.items()}
    client = await site.api(world.staff)
    response = await create(client, world, **{"executive_id": world.executive.person_id, **changes})
    assert error_of(response) == (400, message, field)
    assert await Question.all().count() == 0


async def test_twenty_chinese_characters_pass_and_go_to_the_chosen_executive(site: Site, world: World) -> None:
    client = await site.api(world.staff)
    response = await create(client, world, title=TWENTY_CHINESE, executive_id=world.executive2.person_id)
    assert response.status_code == 201
    answer = response.json()
    question = await Question.get(id=answer["id"])
    assert answer == {"id": question.id, "number": question.number, "status": "pending_exec_review",
                      "status_label": "待高管审核"}
    assert (question.title, question.assigned_executive_id) == (TWENTY_CHINESE, world.executive2.person_id)
    assert question.number.startswith(world.acme.credit_code)
    assert sorted(await question.types.all().values_list("id", flat=True)) == sorted(world.type_ids[:2])


async def test_without_review_the_question_goes_straight_to_customs(site: Site, world: World) -> None:
    for person in (world.solo_staff, world.executive):  # no review; an executive's own question skips it
        response = await create(await site.api(person), world)
        assert (response.status_code, response.json()["status"], response.json()["status_label"]) == (
            201, "submitted", "已提交")


async def test_a_draft_is_kept_edited_and_then_submitted(site: Site, world: World) -> None:
    client = await site.api(world.solo_staff)
    draft = (await create(client, world, submit=False)).json()
    assert draft["status"] == "draft"
    edited = await client.put(f"/api/v1/questions/{draft['id']}", json=body(world, title="改过的标题"))
    assert (edited.status_code, edited.json()["status"]) == (200, "draft")
    sent = await client.post(f"/api/v1/questions/{draft['id']}/resubmit", json=body(world, title="再改一次"))
    assert (sent.status_code, sent.json()["status"]) == (200, "submitted")
    assert (await Question.get(id=draft["id"])).title == "再改一次"


async def test_a_withdrawn_question_is_modified_and_resubmitted(site: Site, world: World) -> None:
    client = await site.api(world.solo_staff)
    asked = (await create(client, world)).json()
    await withdraw_question(ServiceContext(), world.solo_staff, asked["id"])
    response = await client.post(f"/api/v1/questions/{asked['id']}/resubmit",
                                 json=body(world, title="撤回后修改", office_id=world.tariff_dept.id))
    assert (response.status_code, response.json()["status"]) == (200, "submitted")
    question = await Question.get(id=asked["id"])
    assert (question.title, question.office_id) == ("撤回后修改", world.tariff_dept.id)
    again = await client.post(f"/api/v1/questions/{asked['id']}/resubmit", json=body(world))
    assert error_of(again) == (409, "问题已提交，不能修改", None)


async def test_the_reviewing_executive_edits_and_the_asker_may_not(site: Site, world: World) -> None:
    asked = (await create(await site.api(world.staff), world, executive_id=world.executive.person_id)).json()
    url = f"/api/v1/questions/{asked['id']}"
    response = await (await site.api(world.executive)).put(url, json=body(world, title="高管改的标题"))
    assert (response.status_code, response.json()["status"]) == (200, "pending_exec_review")
    assert (await Question.get(id=asked["id"])).title == "高管改的标题"
    assert await QuestionEvent.filter(question_id=asked["id"], action="exec_edit").count() == 1
    for someone_else in (world.executive2, world.staff):  # another executive; the asker during review
        refused = await (await site.api(someone_else)).put(url, json=body(world))
        assert error_of(refused) == (409, "问题正在等待高管审核，不能修改", None)


async def test_another_enterprise_finds_no_question(site: Site, world: World) -> None:
    asked = (await create(await site.api(world.staff), world, submit=False)).json()
    stranger = await site.api(world.solo_staff)
    url = f"/api/v1/questions/{asked['id']}"
    assert (await stranger.put(url, json=body(world))).status_code == 404
    assert (await stranger.post(f"{url}/resubmit", json=body(world))).status_code == 404
    upload = await stranger.post(f"{url}/image", files={"image": ("a.jpg", jpeg(), "image/jpeg")})
    assert upload.status_code == 404
    assert await Attachment.all().count() == 0


async def test_one_image_is_attached_to_a_draft(site: Site, world: World) -> None:
    client = await site.api(world.solo_staff)
    asked = (await create(client, world, submit=False)).json()
    response = await client.post(f"/api/v1/questions/{asked['id']}/image",
                                 files={"image": ("现场照片.jpeg", jpeg(), "application/octet-stream")})
    assert response.status_code == 201
    assert (response.json()["filename"], response.json()["content_type"]) == ("现场照片.jpeg", "image/jpeg")
    assert await Attachment.filter(question_id=asked["id"]).count() == 1


@pytest.mark.parametrize(("name", "data", "message"), [
    ("photo.jpg", SCRIPT, "只支持 JPG、PNG 格式的图片"),
    ("big.jpg", TOO_BIG, "图片不能超过 20 MB"),
    ("bomb.png", bomb(), "图片尺寸过大，无法处理"),
    ("none.jpg", b"", "请选择图片"),
], ids=["renamed-script", "20MB-plus-1", "decompression-bomb", "empty"])
async def test_a_bad_image_is_refused_with_a_clear_message(site: Site, world: World, name: str, data: bytes,
                                                           message: str) -> None:
    client = await site.api(world.solo_staff)
    asked = (await create(client, world, submit=False)).json()
    response = await client.post(f"/api/v1/questions/{asked['id']}/image", files={"image": (name, data, "image/jpeg")})
    assert error_of(response) == (400, message, "image")
    assert await Attachment.all().count() == 0


async def test_a_body_above_the_request_limit_is_a_chinese_413(site: Site, world: World) -> None:
    limit = site.app.config.REQUEST_MAX_SIZE
    assert limit > 21 * MB  # a 20 MB image and the form's fields reach our own check
    status, answer = await announce_body(site, "/api/v1/questions/1/image", limit + 1)
    assert status == 413
    assert answer["error"]["message"] == "上传内容过大"


async def announce_body(site: Site, path: str, length: int) -> tuple[int, dict[str, Any]]:
    """Send only the headers of a body of ``length`` bytes (and its first bytes), as a big upload starts."""
    url = httpx.URL(str(site.client.base_url))
    reader, writer = await asyncio.open_connection(url.host, url.port)
    writer.write(f"POST {path} HTTP/1.1\r\nHost: {url.host}\r\nContent-Type: application/octet-stream\r\n"
                 f"Content-Length: {length}\r\n\r\n".encode() + b"\0" * 65536)
    await writer.drain()
    head, _, rest = (await asyncio.wait_for(reader.read(65536), 10)).partition(b"\r\n\r\n")
    writer.close()
    return int(head.split()[1]), json.loads(rest.decode())


async def test_the_ask_routes_are_documented(site: Site) -> None:
    paths = (await site.client.get("/api/v1/openapi.json")).json()["paths"]
    assert paths["/questions"]["post"]["tags"] == ["提问"]
    assert "multipart/form-data" in paths["/questions/{question_id}/image"]["post"]["requestBody"]["content"]
    assert {"get"} <= set(paths["/ask/options"])
    assert {"put"} <= set(paths["/questions/{question_id}"])
    assert {"post"} <= set(paths["/questions/{question_id}/resubmit"])
