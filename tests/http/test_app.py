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
