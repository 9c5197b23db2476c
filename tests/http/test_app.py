"""The app factory over HTTP: health, error mapping, refusal to serve an unmigrated database."""

from __future__ import annotations

import pytest
from sanic import Sanic

from core.app import create_app
from core.config import DatabaseSettings, Secret, Settings
from core.db import UnmigratedDatabase
from tests.conftest import REDIS_URL
from tests.services.sms_fake import SECRET

Sanic.test_mode = True


def app_settings(db: DatabaseSettings, cache_url: str = "") -> Settings:
    return Settings().override(database={"url": db.url}, cache={"url": cache_url, "prefix": "qingling-test:"},
                               server={"embedded_worker": False}, security={"secret_key": Secret(SECRET)})


@pytest.fixture(params=["memory", "redis"] if REDIS_URL else ["memory"])
def app(request: pytest.FixtureRequest, db_settings: DatabaseSettings) -> Sanic:
    return create_app(app_settings(db_settings, REDIS_URL if request.param == "redis" else ""))


async def test_healthz_reports_database_and_cache(app: Sanic) -> None:
    _, response = await app.asgi_client.get("/healthz")
    assert response.status == 200
    assert response.json == {"status": "ok", "database": "ok", "cache": "ok"}


async def test_unknown_path_is_a_chinese_json_404(app: Sanic) -> None:
    _, response = await app.asgi_client.get("/no/such/page")
    assert response.status == 404
    assert response.json == {"error": {"code": "http_404", "message": "页面或数据不存在", "field": None}}


async def test_wrong_method_is_a_chinese_json_405(app: Sanic) -> None:
    _, response = await app.asgi_client.post("/healthz")
    assert response.status == 405
    assert response.json["error"]["message"] == "不支持该请求方法"


async def test_app_refuses_to_start_on_an_unmigrated_database(tmp_path) -> None:
    app = create_app(app_settings(DatabaseSettings(url=f"sqlite://{tmp_path}/empty.sqlite3")))
    with pytest.raises(UnmigratedDatabase, match="qingling db upgrade"):
        await app.asgi_client.get("/healthz")


def test_a_shared_cache_without_a_secret_key_is_refused_at_start(db_settings: DatabaseSettings) -> None:
    from core.config import ConfigError

    settings = app_settings(db_settings, "redis://127.0.0.1:6379/0").override(security={"secret_key": None})
    with pytest.raises(ConfigError, match="security.secret_key"):
        create_app(settings)


async def boom(request) -> None:
    raise RuntimeError("a bug, with a secret: hunter2")


@pytest.fixture
def failing_app(db_settings: DatabaseSettings) -> Sanic:
    """The app with one route that raises on each edge: H5 page, admin page, JSON API."""
    app = create_app(app_settings(db_settings))
    for path in ("/h5/boom", "/admin/boom", "/api/v1/boom"):
        app.add_route(boom, path, methods=["GET"], name=path.strip("/").replace("/", "_"))
    return app


@pytest.mark.parametrize("path", ["/h5/boom", "/admin/boom"])
async def test_an_unexpected_error_on_a_page_is_a_chinese_html_500(failing_app: Sanic, path: str) -> None:
    _, response = await failing_app.asgi_client.get(path)
    assert response.status == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "服务器内部错误，请稍后再试" in response.text
    assert "Traceback" not in response.text and "hunter2" not in response.text and "RuntimeError" not in response.text


async def test_an_unexpected_error_in_the_api_is_a_json_500(failing_app: Sanic) -> None:
    _, response = await failing_app.asgi_client.get("/api/v1/boom")
    assert response.status == 500
    assert response.json == {"error": {"code": "internal", "message": "服务器内部错误，请稍后再试", "field": None}}


@pytest.mark.parametrize(("method", "path", "status", "message"), [
    ("get", "/h5/no-such-page", 404, "页面或数据不存在"),
    ("get", "/admin/no-such-page", 404, "页面或数据不存在"),
    ("delete", "/h5/boom", 405, "不支持该请求方法"),
    ("delete", "/admin/boom", 405, "不支持该请求方法"),
])
async def test_unknown_routes_on_pages_are_chinese_html(failing_app: Sanic, method: str, path: str, status: int,
                                                        message: str) -> None:
    _, response = await getattr(failing_app.asgi_client, method)(path)
    assert response.status == status
    assert response.headers["content-type"].startswith("text/html")
    assert message in response.text


@pytest.mark.parametrize(("method", "path", "status", "message"), [
    ("get", "/api/v1/no-such-thing", 404, "页面或数据不存在"),
    ("delete", "/api/v1/boom", 405, "不支持该请求方法"),
])
async def test_unknown_routes_in_the_api_are_chinese_json(failing_app: Sanic, method: str, path: str, status: int,
                                                          message: str) -> None:
    _, response = await getattr(failing_app.asgi_client, method)(path)
    assert response.status == status
    assert response.json == {"error": {"code": f"http_{status}", "message": message, "field": None}}
