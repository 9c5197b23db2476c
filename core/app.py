"""The Sanic app factory: listeners open the database and the cache on ``app.ctx``; errors map once."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import secrets
from pathlib import Path

from sanic import Request, Sanic, json
from sanic.response import HTTPResponse

from adapters.file_storage import FileStorage
from adapters.identity_provider import IdentityProviderClient
from adapters.single_window import single_window_for
from adapters.sms_aliyun import sms_sender_for
from adapters.wechat_api import token_holder_warnings, wechat_api_for
from admin_web.auth import ADMIN_SESSION_TTL
from bot.callback import wechat_blueprint
from core.blueprints import web_blueprints
from core.cache import make_cache
from core.config import ConfigError, Settings
from core.db import close_database, connection, ensure_migrated, open_database
from core.logs import setup_logging
from handlers.accounts.central_pages import CALLBACK as CENTRAL_CALLBACK
from handlers.accounts.central_pages import callback as central_callback
from handlers.kit.auth import SAFE_METHODS
from handlers.kit.errors import install_error_handlers
from handlers.kit.fields import PATH_ID, path_id
from handlers.kit.sessions import SessionStore
from services.accounts.oauth_state import OAuthStates
from services.accounts.sms_codes import SmsCodes, policy_from
from services.declarations.single_window import use_single_window
from services.kit.access import begin_request_reads
from services.kit.context import ServiceContext
from services.messages.badges import use_cache as use_badge_cache
from services.notifications.sms import NoSmsChannel
from services.notifications.sms_alerts import AlertingSms

log = logging.getLogger("qingling.app")
APP_NAME = "qingling"

def create_app(settings: Settings) -> Sanic:
    """A fresh app built from ``settings`` (the CLI loads them once; tests pass their own)."""
    setup_logging(settings.logging.level)
    app = Sanic(APP_NAME, configure_logging=False)
    app.config.FALLBACK_ERROR_FORMAT = "json"
    # An image of the largest allowed size plus the rest of the ask form; larger bodies get a Chinese 413.
    app.config.REQUEST_MAX_SIZE = settings.web.upload_max_bytes + 2 * 1024 * 1024
    app.ctx.settings = settings
    app.ctx.services = ServiceContext.from_settings(settings.lifecycle)
    key = secret_key(settings)  # before anything opens: a missing key stops start-up with one line

    @app.before_server_start
    async def open_resources(app: Sanic) -> None:
        await open_database(settings.database)
        try:
            await ensure_migrated()
        except Exception:
            await close_database()
            raise
        app.ctx.cache = cache = make_cache(settings.cache)
        use_badge_cache(cache)  # the message centre tells open pages through it (services/messages/badges.py)
        app.ctx.wechat = wechat_api_for(settings, cache)  # one access_token holder (adapters/wechat_tokens.py)
        for warning in token_holder_warnings(settings):
            log.warning("%s", warning)
        if not hasattr(app.ctx, "customer_service"):  # tests may set a recording fake
            app.ctx.customer_service = app.ctx.wechat
        if not hasattr(app.ctx, "sms"):  # tests may set a recording fake
            app.ctx.sms = sms_sender_for(settings.sms) or NoSmsChannel()
        app.ctx.sessions = SessionStore(cache, settings.web.session_ttl_seconds)
        app.ctx.admin_sessions = SessionStore(cache, ADMIN_SESSION_TTL)
        # Configuration errors of the SMS provider become alerts on the admin pages.
        app.ctx.sms_codes = SmsCodes(cache, AlertingSms(app.ctx.sms), key, policy_from(settings.sms))
        app.ctx.oauth_states = OAuthStates(cache, key)
        app.ctx.storage = FileStorage(Path(settings.web.upload_dir))
        app.ctx.identity_provider = IdentityProviderClient(settings.identity_provider)
        if not hasattr(app.ctx, "single_window"):  # tests may install their own
            app.ctx.single_window = single_window_for(settings.single_window)
            use_single_window(app.ctx.single_window)

    @app.after_server_start
    async def settle_heap(app: Sanic) -> None:
        # Start-up leaves a large heap (the ORM's models, the templates, pydantic's schemas) that never dies: out
        # of the collector's sight (gc.freeze), each collection scans only what requests allocate — measured a
        # sixth of a page's CPU time at 32 concurrent users (bench/pages.py).
        gc.freeze()  # constant time (no collection first: start-up's little garbage waits for the unfreeze)

    @app.on_request(priority=1000)
    async def begin_reads(request: Request) -> None:
        # the reader's membership or account is loaded once per reading request (services/kit/access.py)
        begin_request_reads(request.method in SAFE_METHODS)

    @app.after_server_stop
    async def close_resources(app: Sanic) -> None:
        gc.unfreeze()  # what start-up froze can be collected again (tests start many apps in one process)
        await app.ctx.wechat.aclose()
        await app.ctx.identity_provider.aclose()
        if app.ctx.single_window is not None:
            await app.ctx.single_window.aclose()
        use_badge_cache(None)
        await app.ctx.cache.close()
        await close_database()

    if settings.server.embedded_worker:

        @app.main_process_ready
        async def start_embedded_worker(app: Sanic) -> None:
            """The scheduler as a process managed by Sanic: started once, never once per HTTP worker."""
            app.manager.manage("QinglingWorker", run_embedded_worker, {"settings": settings})

    install_error_handlers(app)
    # Before any route: an ``<id:int>`` beyond the database's range is no route (404), not an overflow (500).
    app.router.register_pattern("int", path_id, PATH_ID)
    app.add_route(healthz, "/healthz", methods=["GET"])
    app.blueprint(wechat_blueprint())
    for blueprint in web_blueprints():
        app.blueprint(blueprint)
    if settings.identity_provider.redirect_path != CENTRAL_CALLBACK:  # a configured callback path of its own
        app.add_route(central_callback, settings.identity_provider.redirect_path, methods=["GET"],
                      name="central_callback_configured")
    if settings.simulators.enabled:
        from simulators.sms.api import blueprint_for as sms_simulator
        from simulators.wechat.api import blueprint_for as wechat_simulator

        app.blueprint(wechat_simulator(settings.wechat))
        app.blueprint(sms_simulator(settings.sms))
        from simulators.idp.api import blueprint_for as idp_simulator

        app.blueprint(idp_simulator(settings.identity_provider, settings.server.public_url))
        from simulators.single_window.api import blueprint_for as single_window_simulator

        app.blueprint(single_window_simulator(str(settings.single_window.api_key or "")))
    return app


async def healthz(request: Request) -> HTTPResponse:
    """Liveness and readiness: the database and the cache answer."""
    checks = {}
    try:
        await asyncio.wait_for(connection().execute_query("SELECT 1"), timeout=2)
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        log.warning("healthz: database check failed: %s", type(exc).__name__)
        checks["database"] = "error"
    try:
        await asyncio.wait_for(request.app.ctx.cache.get("healthz"), timeout=2)
        checks["cache"] = "ok"
    except Exception as exc:  # noqa: BLE001
        log.warning("healthz: cache check failed: %s", type(exc).__name__)
        checks["cache"] = "error"
    ok = all(v == "ok" for v in checks.values())
    return json({"status": "ok" if ok else "error", **checks}, status=200 if ok else 503)


def secret_key(settings: Settings) -> str:
    """security.secret_key; a one-process setup (demo, tests) without one gets a random key per start."""
    if settings.security.secret_key is not None:
        return str(settings.security.secret_key)
    if settings.cache.url or settings.server.workers > 1:
        raise ConfigError("配置项 security.secret_key：多进程部署必须设置（环境变量 QINGLING_SECURITY_SECRET_KEY）")
    log.warning("security.secret_key is not set: sign-ins end when the server restarts")
    return secrets.token_urlsafe(32)


def run_embedded_worker(settings: Settings) -> None:
    """The embedded worker's process: the app's own settings object, passed (pickled), never read again."""
    from scheduler.worker import run_worker

    setup_logging(settings.logging.level)  # a fresh process: logging is not inherited
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C reaches every process of the terminal
        asyncio.run(run_worker(settings))
