"""The settings of `qingling demo`: one object, built once and handed to the app and its embedded worker.

The demo always runs on its own SQLite file, an in-process cache, the simulators and the embedded worker
(``FORCED``). Everything else it needs — the simulators' addresses, credentials they accept, fresh random
secrets — is a preset layer under the environment: a ``QINGLING_…`` variable still wins. The environment is
never written.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from core.config import Layer, Settings, load_settings
from services.notifications.events import Event

DEMO_DATABASE = Path("var/demo.sqlite3")  # relative to the working directory, like every var/ path
DEMO_IDP_CLIENT = "qingling-demo"  # the client the identity-provider simulator knows
CARD_DEMO = Path("var/card-demo")  # virtual IC cards and their CA (card_desktop_helper/README.md)
FORCED: Layer = {
    "database": {"url": f"sqlite://{DEMO_DATABASE}"},
    "cache": {"url": ""},
    "simulators": {"enabled": True},
    "server": {"embedded_worker": True},
}


def demo_settings(configured: Settings) -> Settings:
    """The demo's settings, its simulators reached through the configured public URL (host and port)."""
    from simulators.card.demo import demo_ca_paths
    from simulators.sms.platform import SIMULATED_TEMPLATE_CODES
    from simulators.wechat.platform import SIMULATED_MINIPROGRAM_APP_ID

    base = configured.server.public_url.rstrip("/")
    preset: dict[str, dict[str, Any]] = {
        # The WeChat, SMS and identity-provider simulators are served by the demo site itself.
        "wechat": {"api_base": f"{base}/sim/wechat", "app_id": "wx_simulated_app",
                   # the mini-program sign-in: a code from POST /sim/wechat/miniprogram/wx-login
                   "miniprogram_app_id": SIMULATED_MINIPROGRAM_APP_ID,
                   "templates": {e.value: f"TPL_{e.value}" for e in Event},  # ids the phone simulator knows
                   "token": secrets.token_hex(16), "encoding_aes_key": secrets.token_hex(22)[:43]},
        "sms": {"endpoint": base, "access_key_id": "LTAI5tDemoQinglingSim", "sign_name": "清零平台",
                "templates": SIMULATED_TEMPLATE_CODES,
                "access_key_secret": secrets.token_urlsafe(24)},
        # 单一窗口账号快捷登录 against the identity-provider simulator at /sim/idp.
        "identity_provider": {"enabled": True, "issuer": f"{base}/sim/idp", "client_id": DEMO_IDP_CLIENT,
                              "client_secret": secrets.token_urlsafe(24)},
        "card": {"ca_cert_paths": demo_ca_paths(CARD_DEMO, base)},  # IC card / IKey sign-in with a virtual card
        # 申报 and 数据同步 against the single-window simulator (its real interface is not public).
        "single_window": {"endpoint": f"{base}/sim/single-window/api/v1", "backoff_ms": 200, "timeout_seconds": 3,
                          "retries": 1},
        "security": {"secret_key": secrets.token_urlsafe(32)},
    }
    return load_settings(preset=preset, forced=FORCED)


def reset_demo_database() -> None:
    """`qingling demo --reset`: the demo starts again from an empty database."""
    for path in (DEMO_DATABASE, *(DEMO_DATABASE.with_name(DEMO_DATABASE.name + s) for s in ("-wal", "-shm"))):
        path.unlink(missing_ok=True)
