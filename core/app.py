"""The Sanic app factory: listeners open the database and the cache on ``app.ctx``; errors map once."""

from __future__ import annotations

import asyncio
import logging

from sanic import Request, Sanic, json
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse

from adapters.wechat_api import WechatApi
from bot.callback import wechat_blueprint
from core.cache import make_cache
from core.config import Settings, load_settings
from core.db import close_database, connection, ensure_migrated, open_database
from core.errors import DomainError
from core.logs import setup_logging
from services.context import ServiceContext

log = logging.getLogger("qingling.app")
APP_NAME = "qingling"
# Sanic's own errors, in the user's language.
HTTP_MESSAGES = {
    400: "请求格式不正确",
    401: "请先登录",
    403: "没有权限执行此操作",
    404: "页面或数据不存在",
    405: "不支持该请求方法",
    413: "上传内容过大",
    429: "操作过于频繁，请稍后再试",
    503: "服务暂时不可用，请稍后再试",
}


def create_app(settings: Settings | None = None) -> Sanic:
    """A fresh app; settings from config.yaml + environment unless given (tests pass their own)."""
    settings = settings or load_settings()
    setup_logging(settings.logging.level)
    app = Sanic(APP_NAME, configure_logging=False)
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.ctx.settings = settings
    app.ctx.services = ServiceContext.from_settings(settings.lifecycle)

    @app.before_server_start
    async def open_resources(app: Sanic) -> None:
        await open_database(settings.database)
        try:
            await ensure_migrated()
        except Exception:
            await close_database()
            raise
        app.ctx.cache = make_cache(settings.cache)
        app.ctx.wechat = WechatApi(settings.wechat, app.ctx.cache)
        if not hasattr(app.ctx, "customer_service"):  # tests may set a recording fake
            app.ctx.customer_service = app.ctx.wechat

    @app.after_server_stop
    async def close_resources(app: Sanic) -> None:
        await app.ctx.wechat.aclose()
        await app.ctx.cache.close()
        await close_database()

    if settings.server.embedded_worker:
        app.main_process_ready(_start_embedded_worker)

    app.error_handler.add(DomainError, _domain_error)
    app.error_handler.add(SanicException, _http_error)
    app.error_handler.add(Exception, _unexpected_error)
    app.add_route(healthz, "/healthz", methods=["GET"])
    app.blueprint(wechat_blueprint())
    if settings.simulators.enabled:
        from simulators.wechat.api import blueprint_for

        app.blueprint(blueprint_for(settings.wechat))
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


def _domain_error(request: Request, exc: DomainError) -> HTTPResponse:
    return json(exc.to_dict(), status=exc.status)


def _http_error(request: Request, exc: SanicException) -> HTTPResponse:
    status = exc.status_code
    message = HTTP_MESSAGES.get(status, "请求无法处理")
    return json({"error": {"code": f"http_{status}", "message": message, "field": None}}, status=status)


def _unexpected_error(request: Request, exc: Exception) -> HTTPResponse:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return json({"error": {"code": "internal", "message": "服务器开小差了，请稍后再试", "field": None}}, status=500)


def _start_embedded_worker(app: Sanic) -> None:
    """The scheduler as a process managed by Sanic: started once, never once per HTTP worker."""
    app.manager.manage("QinglingWorker", run_embedded_worker, {})


def run_embedded_worker() -> None:
    from scheduler.worker import run_worker

    settings = load_settings()
    setup_logging(settings.logging.level)  # a fresh process: logging is not inherited
    asyncio.run(run_worker(settings))
