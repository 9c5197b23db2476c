"""Request bodies at the edge: every refused field at once on a page, and hostile JSON answered in Chinese."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from core.config import DatabaseSettings
from handlers.kit.openapi import OPERATIONS
from models.questions import Question
from tests.factories import World
from tests.http.support import Site, running_site, web_settings


@pytest.fixture
async def site(db: DatabaseSettings, world: World, tmp_path: Path) -> AsyncIterator[Site]:
    async with running_site(web_settings(db, web={"upload_dir": str(tmp_path / "uploads")})) as running:
        yield running


def ask(world: World, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "accepting_office_id": world.dalian.id, "title": "电子口岸IC卡如何办理", "type_ids": [world.type_ids[0]],
        "contact_name": "王经理", "contact_phone": "13800138000", "description": "请问在哪里办理？",
    }
    return values | changes


async def test_a_form_with_several_bad_fields_shows_every_error_and_keeps_what_was_typed(
        site: Site, world: World) -> None:
    browser = await site.browser(world.staff)
    form = {"accepting_office_id": "大连", "title": "标题\x00", "type_ids": ["通关", "1"],
            "contact_name": "王经理", "contact_phone": "13800138000", "description": "我司新设立\n请问如何办理"}
    response = await browser.post_form("/h5/ask", form)
    assert response.status_code == 400
    html = response.text
    assert 'id="err-accepting_office_id"' in html and "请选择受理单位" in html
    assert 'id="err-title"' in html and "含有不允许的控制字符" in html
    assert 'id="err-type_ids"' in html and "问题类型无效，请重新选择" in html
    assert 'value="王经理"' in html and "我司新设立\n请问如何办理" in html
    assert await Question.all().count() == 0


@pytest.mark.parametrize(("raw", "field", "message"), [
    ('{"title": "a\\u0000b"}', "title", "含有不允许的控制字符"),
    ('{"title": "a\\ud800"}', "title", "含有无法识别的字符"),
    ('{"contact_name": "王\\n经理"}', "contact_name", "含有不允许的控制字符"),
    ('{"accepting_office_id": 1e999}', "accepting_office_id", "请选择受理单位"),
    ('{"accepting_office_id": Infinity}', "accepting_office_id", "请选择受理单位"),
    ('{"accepting_office_id": 9223372036854775808}', "accepting_office_id", "请选择受理单位"),
    ('{"office_id": 2147483648}', "office_id", "请选择受理海关/部门"),
    ('{"allow_publication": {"a": 1}}', "allow_publication", "请选择是或否"),
    ('{"remarks": 5}', "remarks", "请输入文字"),
])
async def test_hostile_json_is_a_chinese_400_beside_the_field(site: Site, world: World, raw: str, field: str,
                                                              message: str) -> None:
    api = await site.api(world.staff)
    good = ask(world)
    patch = json.dumps(good, ensure_ascii=False)[:-1] + ", " + raw[1:]
    response = await api.post("/api/v1/questions", content=patch.encode("utf-8", "surrogatepass"),
                              headers={"content-type": "application/json"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"], error["message"]) == ("validation_failed", field, message)
    assert error["fields"] == {field: message}
    assert await Question.all().count() == 0


async def test_all_bad_fields_of_a_json_body_are_named_at_once(site: Site, world: World) -> None:
    api = await site.api(world.staff)
    response = await api.post("/api/v1/questions", json=ask(world, accepting_office_id=True, type_ids=[0],
                                                             description="\x07"))
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "accepting_office_id": "请选择受理单位", "type_ids": "问题类型无效，请重新选择",
        "description": "含有不允许的控制字符"}


@pytest.mark.parametrize("raw", [b"[" * 2000 + b"]" * 2000, b'{"card": ' + b"[" * 2000 + b"]" * 2000 + b"}",
                                 b'{"title": "', b"\xff\xfe", b"[1, 2]"])
async def test_deep_or_broken_json_is_a_chinese_400(site: Site, world: World, raw: bytes) -> None:
    api = await site.api(world.staff)
    response = await api.post("/api/v1/questions", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["message"] in ("请求内容嵌套过深", "请求格式不正确，应为 JSON 对象")


async def test_every_documented_body_has_its_schema_from_its_class(site: Site) -> None:
    document = (await site.client.get("/api/v1/openapi.json")).json()
    schemas = document["components"]["schemas"]
    bodies = {op.body for op in OPERATIONS if op.body is not None}
    assert bodies, "no API route documents a body"
    for body in bodies:
        schema = body.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, referred in schema.pop("$defs", {}).items():
            assert schemas[name] == referred
        assert schemas[body.__name__] == schema
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                ref = content["schema"]["$ref"]
                assert ref.removeprefix("#/components/schemas/") in schemas, (method, path)
