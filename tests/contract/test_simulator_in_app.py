"""The simulator mounted by ``create_app`` when ``simulators.enabled`` is set, and only then."""

from __future__ import annotations

from sanic import Sanic

from core.app import create_app
from core.config import DatabaseSettings, Settings

Sanic.test_mode = True
TOKEN_QUERY = {"grant_type": "client_credential", "appid": "wx_demo_app", "secret": "any"}


def demo_settings(db: DatabaseSettings, enabled: bool) -> Settings:
    return Settings().override(database={"url": db.url}, server={"embedded_worker": False},
                               simulators={"enabled": enabled}, wechat={"app_id": "wx_demo_app"})


async def test_enabled_simulator_serves_wechat_under_sim_wechat(db_settings: DatabaseSettings) -> None:
    app = create_app(demo_settings(db_settings, enabled=True))

    _, response = await app.asgi_client.get("/sim/wechat/cgi-bin/token", params=TOKEN_QUERY)

    assert response.status == 200 and response.json["expires_in"] == 7200
    platform = app.blueprints["wechat_simulator"].ctx.platform
    assert platform.calls["cgi-bin/token"] == 1 and response.json["access_token"] in platform.tokens


async def test_simulator_is_absent_unless_enabled(db_settings: DatabaseSettings) -> None:
    app = create_app(demo_settings(db_settings, enabled=False))

    _, response = await app.asgi_client.get("/sim/wechat/cgi-bin/token", params=TOKEN_QUERY)

    assert response.status == 404
    assert "wechat_simulator" not in app.blueprints
