"""Query strings and ids in routes at the edge: each query a class, documented from itself; out-of-range ids,
unreadable text and over-long names are a 404 or a Chinese 400, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.config import DatabaseSettings
from handlers.kit.fields import MAX_ID
from handlers.questions.bodies import PublicQuestionsQuery
from tests.factories import World
from tests.http.support import Site, desk_for, running_site, web_settings

TOO_BIG = "99999999999999999999"


@pytest.fixture
async def site(db: DatabaseSettings, world: World, tmp_path: Path) -> AsyncIterator[Site]:
    async with running_site(web_settings(db, web={"upload_dir": str(tmp_path / "uploads")})) as running:
        yield running


@pytest.mark.parametrize("path", [f"/api/v1/questions/{TOO_BIG}", f"/api/v1/questions/{MAX_ID + 1}/image",
                                  f"/api/v1/public/questions/{TOO_BIG}", "/api/v1/questions/0"])
async def test_an_id_beyond_the_database_in_an_api_path_is_a_chinese_404(site: Site, world: World, path: str) -> None:
    api = await site.api(world.staff)
    response = await api.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "页面或数据不存在"


async def test_an_id_beyond_the_database_in_a_page_path_is_the_404_page(site: Site, world: World) -> None:
    browser = await site.browser(world.staff)
    for path in (f"/h5/questions/{TOO_BIG}", f"/h5/public/{TOO_BIG}", f"/h5/questions/{MAX_ID + 1}/evaluate"):
        response = await browser.get(path)
        assert response.status_code == 404 and "页面或数据不存在" in response.text, path
    desk = await desk_for(site, "officer")
    response = await desk.get(f"/admin/questions/{TOO_BIG}")
    assert response.status_code == 404 and "页面或数据不存在" in response.text


@pytest.mark.parametrize(("query", "field", "message"), [
    (f"/api/v1/public/questions?type_id={TOO_BIG}", "type_id", "问题类型不正确"),
    ("/api/v1/public/questions?limit=1e999", "limit", "每页条数应为整数"),
    ("/api/v1/public/questions?limit=0", "limit", "每页条数应为 1 到 50"),
    ("/api/v1/public/questions/similar?q=%E6%B5%8B%00", "q", "含有不允许的控制字符"),
    ("/api/v1/questions?status=%07", "status", "含有不允许的控制字符"),
    ("/api/v1/questions?status=nonsense", "status", "状态筛选无效"),
    ("/api/v1/questions/1/image?attachment_id=-3", "attachment_id", "图片编号无效"),
    (f"/api/v1/ask/options?accepting_office_id={TOO_BIG}", "accepting_office_id", "受理单位无效"),
])
async def test_a_bad_query_string_is_a_chinese_400_naming_the_parameter(
        site: Site, world: World, query: str, field: str, message: str) -> None:
    api = await site.api(world.staff)
    response = await api.get(query)
    assert response.status_code == 400
    assert (response.json()["error"]["field"], response.json()["error"]["message"]) == (field, message)


async def test_bad_admin_filters_are_a_chinese_400_page(site: Site) -> None:
    desk = await desk_for(site, "supervisor")
    for path, message in (("/admin/?type_id=x", "问题类型筛选无效"), ("/admin/?keyword=%00", "含有不允许的控制字符"),
                          ("/admin/statistics?from=2026-13-01", "日期格式应为 年-月-日"),
                          ("/admin/statistics?from=2026-02-01&to=2026-01-01", "开始日期不能晚于结束日期"),
                          ("/admin/audit?actor=%01", "含有不允许的控制字符")):
        response = await desk.get(path)
        assert response.status_code == 400 and message in response.text, path


async def test_a_51_character_user_name_is_refused_beside_the_field(site: Site) -> None:
    name = "a" * 51
    api = await site.client.post("/api/v1/auth/password-login", json={"username": name, "password": "secret2026"})
    assert api.status_code == 400
    assert api.json()["error"]["fields"] == {"username": "长度不能超过 50 个字符"}
    admin = await site.client.post("/admin/login", data={"username": name, "password": "secret2026"})
    assert admin.status_code == 400 and "长度不能超过 50 个字符" in admin.text


async def test_query_parameters_are_documented_from_their_class(site: Site) -> None:
    document = (await site.client.get("/api/v1/openapi.json")).json()
    params = {p["name"]: p for p in document["paths"]["/public/questions"]["get"]["parameters"]}
    assert set(params) == set(PublicQuestionsQuery.model_fields)
    assert params["type_id"]["schema"] == {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    assert params["limit"]["schema"]["maximum"] == 50 and params["limit"]["required"] is False
    assert params["cursor"]["description"].startswith("上一页返回的 next_cursor")


async def test_a_bad_member_to_edit_is_a_chinese_400_page(site: Site, world: World) -> None:
    browser = await site.browser(world.solo_staff)  # the enterprise's admin
    assert (await browser.get("/h5/people?edit=1")).status_code == 200
    response = await browser.get("/h5/people?edit=%C2%B2")  # "²": a digit to str.isdigit, not to int()
    assert response.status_code == 400 and "人员编号无效" in response.text
