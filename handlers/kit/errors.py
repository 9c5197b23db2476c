"""Errors mapped once for the web edges: a page (/h5, /admin) answers with a Chinese page, everything else
(the API, the callback) with JSON ``{"error": {code, message, field}}``.

A refusal (``DomainError``) keeps its status and reason; Sanic's own errors (404, 405, 413 …) get a Chinese
message; anything else is logged with the request's method, route and path (never its query or body, which
may carry codes and phone numbers) and answered 500 with a generic message and no traceback.
"""

from __future__ import annotations

import logging

from sanic import Request, Sanic
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse, html

from handlers.kit.auth import MSG_SIGN_IN
from handlers.kit.responses import is_page, ok, page_error
from models.errors import DomainError

log = logging.getLogger("qingling.errors")
INTERNAL = "服务器内部错误，请稍后再试"
# Sanic's own errors, in the user's language.
HTTP_MESSAGES = {
    400: "请求格式不正确",
    401: MSG_SIGN_IN,
    403: "没有权限执行此操作",
    404: "页面或数据不存在",
    405: "不支持该请求方法",
    413: "上传内容过大",
    429: "操作过于频繁，请稍后再试",
    503: "服务暂时不可用，请稍后再试",
}
# When even the error page cannot be rendered (a broken template, the settings missing): plain HTML.
BARE_PAGE = ("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>出错了</title>"
             "<p role=\"alert\">{message}</p></html>")


def install_error_handlers(app: Sanic) -> None:
    app.error_handler.add(DomainError, _domain_error)
    app.error_handler.add(SanicException, _http_error)
    app.error_handler.add(Exception, _unexpected_error)


def _domain_error(request: Request, exc: DomainError) -> HTTPResponse:
    if is_page(request):
        return page_error(request, exc)
    return ok(exc.to_dict(), status=exc.status)


def _http_error(request: Request, exc: SanicException) -> HTTPResponse:
    status = exc.status_code
    if status == 500:  # sanic.exceptions.ServerError: a failure like any other
        return _unexpected_error(request, exc)
    return _answer(request, status, f"http_{status}", HTTP_MESSAGES.get(status, "请求无法处理"))


def _unexpected_error(request: Request, exc: Exception) -> HTTPResponse:
    route = request.route.name if request.route else "-"
    log.error("unhandled %s on %s %s (route %s)", type(exc).__name__, request.method, request.path, route,
              exc_info=exc)
    return _answer(request, 500, "internal", INTERNAL)


def _answer(request: Request, status: int, code: str, message: str) -> HTTPResponse:
    if not is_page(request):
        return ok({"error": {"code": code, "message": message, "field": None}}, status=status)
    try:
        return page_error(request, DomainError(message), status=status)
    except Exception:  # noqa: BLE001 - the page itself failed: the reason still reaches the user
        log.exception("the error page could not be rendered")
        return html(BARE_PAGE.format(message=message), status=status)
