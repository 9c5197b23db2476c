"""The simulated single window over HTTP: the protocol of docs/single_window_protocol.md under
``/sim/single-window/api/v1`` and the simulator's control endpoints under ``/sim/single-window/control`` (faults,
receipts now, more records) for tests and the demo. Point ``single_window.endpoint`` at ``…/api/v1``."""

from __future__ import annotations

import asyncio
import math
from datetime import date
from typing import Any

from sanic import Blueprint, HTTPResponse, Request, json

from simulators.single_window.platform import FAULTS, SingleWindowPlatform

PREFIX = "/sim/single-window"
API = f"{PREFIX}/api/v1"
MAX_PAGE_SIZE = 500


def _error(status: int, code: str, message: str, **headers: str) -> HTTPResponse:
    return json({"error": {"code": code, "message": message}}, status=status, headers=headers)


def _day(text: str | None, name: str) -> date:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        raise _Refused(_error(400, "bad_request", f"{name} 应为日期，如 2026-03-02")) from None


class _Refused(Exception):
    def __init__(self, response: HTTPResponse) -> None:
        self.response = response


def blueprint(platform: SingleWindowPlatform) -> Blueprint:
    """The routes serving ``platform`` (kept on ``bp.ctx.platform`` for tests)."""
    bp = Blueprint("single_window_simulator")
    bp.ctx.platform = platform

    async def gate(request: Request, paged: bool) -> tuple[HTTPResponse | None, bool]:
        """(an answer that ends the request, whether to cut the page short)."""
        platform.requests += 1
        if platform.api_key and request.headers.get("authorization") != f"Bearer {platform.api_key}":
            return _error(401, "unauthorised", "接口密钥无效"), False
        fault = platform.take_fault(paged)
        if fault is None:
            return None, False
        if fault.kind == "slow":
            await asyncio.sleep(fault.seconds)
            return None, False
        if fault.kind == "throttle":
            return _error(429, "throttled", "请求过于频繁", **{"Retry-After": str(fault.seconds or 1)}), False
        if fault.kind == "down":
            return _error(503, "unavailable", "系统维护中"), False
        return None, True

    def code_of(request: Request) -> str:
        code = (request.args.get("enterprise_code") or "").strip()
        if len(code) != 18:
            raise _Refused(_error(400, "bad_request", "enterprise_code 应为 18 位统一社会信用代码"))
        return code

    def paged(request: Request, rows: list[dict[str, Any]], cut: bool) -> HTTPResponse:
        try:
            page = max(int(request.args.get("page") or 1), 1)
            size = min(max(int(request.args.get("page_size") or 50), 1), MAX_PAGE_SIZE)
        except ValueError:
            return _error(400, "bad_request", "page 与 page_size 应为正整数")
        items = rows[(page - 1) * size:page * size]
        shown = items[:-1] if cut and items else items
        return json({"items": shown, "count": len(items) + (1 if cut and not items else 0), "total": len(rows),
                     "page": page, "page_size": size, "pages": max(math.ceil(len(rows) / size), 1)})

    async def answer(request: Request, is_page: bool, work: Any) -> HTTPResponse:
        stop, cut = await gate(request, is_page)
        if stop is not None:
            return stop
        try:
            return work(cut)
        except _Refused as refused:
            return refused.response

    @bp.post(f"{API}/declarations", name="sw_declare")
    async def declare(request: Request) -> HTTPResponse:
        def work(cut: bool) -> HTTPResponse:
            key = (request.headers.get("idempotency-key") or "").strip()
            body = request.json if isinstance(request.json, dict) else {}
            if not key or len(key) > 64:
                return _error(400, "bad_request", "缺少 Idempotency-Key")
            code = str(body.get("enterprise_code") or "")
            if len(code) != 18 or not isinstance(body.get("head"), dict) or not body.get("items"):
                return _error(400, "bad_request", "报文缺少企业代码、表头或表体")
            seq_no, new = platform.declare(code, key, body)
            return json({"seq_no": seq_no, "replayed": not new}, status=201 if new else 200)

        return await answer(request, False, work)

    @bp.get(f"{API}/declarations/<seq_no:str>", name="sw_declaration")
    async def declaration(request: Request, seq_no: str) -> HTTPResponse:
        def work(cut: bool) -> HTTPResponse:
            found = platform.declaration(code_of(request), seq_no, request.args.get("enterprise_category", ""),
                                         request.args.get("decl_type", ""))
            if found is None:
                return _error(404, "not_found", "未找到该报关单")
            return json({"declaration": found})

        return await answer(request, False, work)

    @bp.get(f"{API}/declarations", name="sw_declarations")
    async def declarations(request: Request) -> HTTPResponse:
        def work(cut: bool) -> HTTPResponse:
            rows = platform.declarations(code_of(request), _day(request.args.get("updated_from"), "updated_from"),
                                         _day(request.args.get("updated_to"), "updated_to"),
                                         request.args.get("enterprise_category", ""),
                                         request.args.get("trade_code", ""))
            return paged(request, rows, cut)

        return await answer(request, True, work)

    @bp.get(f"{API}/bonded-lists/<number:str>", name="sw_bonded_list")
    async def bonded_list(request: Request, number: str) -> HTTPResponse:
        def work(cut: bool) -> HTTPResponse:
            a = request.args
            found = platform.bonded_list(code_of(request), number, a.get("by") == "list_no",
                                         a.get("enterprise_role", ""), a.get("data_source", ""), a.get("ie_flag", ""))
            if found is None:
                return _error(404, "not_found", "未找到该核注清单")
            return json({"bonded_list": found})

        return await answer(request, False, work)

    @bp.get(f"{API}/bonded-lists", name="sw_bonded_lists")
    async def bonded_lists(request: Request) -> HTTPResponse:
        def work(cut: bool) -> HTTPResponse:
            a = request.args
            rows = platform.bonded_lists(code_of(request), _day(a.get("updated_from"), "updated_from"),
                                         _day(a.get("updated_to"), "updated_to"), a.get("enterprise_role", ""),
                                         a.get("data_status", ""), a.get("ie_flag", ""))
            return paged(request, rows, cut)

        return await answer(request, True, work)

    @bp.get(f"{API}/receipts", name="sw_receipts")
    async def receipts(request: Request) -> HTTPResponse:
        def work(cut: bool) -> HTTPResponse:
            try:
                limit = min(max(int(request.args.get("limit") or 200), 1), 1000)
            except ValueError:
                return _error(400, "bad_request", "limit 应为正整数")
            items, cursor, more = platform.receipts(code_of(request), request.args.get("cursor", ""), limit)
            shown = items[:-1] if cut and items else items
            return json({"items": shown, "count": len(items) + (1 if cut and not items else 0),
                         "next_cursor": cursor, "more": more})

        return await answer(request, True, work)

    # -- control (simulator only) -----------------------------------------------------------------------------

    @bp.post(f"{PREFIX}/control/faults", name="sw_control_faults")
    async def faults(request: Request) -> HTTPResponse:
        body = request.json or {}
        if body.get("clear"):
            platform.clear_faults()
            return json({"faults": []})
        if body.get("kind") not in FAULTS:
            return _error(400, "bad_request", f"kind 应为 {', '.join(FAULTS)} 之一")
        platform.fail(body["kind"], int(body.get("times", 1)), float(body.get("seconds", 0)),
                      int(body.get("after", 0)))
        return json({"faults": [vars(f) for f in platform.faults]})

    @bp.post(f"{PREFIX}/control/receipts", name="sw_control_receipts")
    async def emit(request: Request) -> HTTPResponse:
        body = request.json or {}
        code = str(body.get("enterprise_code") or "")
        if body.get("due"):
            return json({"emitted": platform.emit_due(code, everything=True)})
        try:
            receipt = platform.emit(code, str(body.get("seq_no") or ""), str(body.get("type") or ""),
                                    str(body.get("note") or ""))
        except ValueError:
            return _error(400, "bad_request", "type 应为 entered / inspected / released / cleared / deleted / rejected")
        return json({"receipt": receipt})

    @bp.post(f"{PREFIX}/control/declarations", name="sw_control_declarations")
    async def more(request: Request) -> HTTPResponse:
        body = request.json or {}
        added = platform.add_declarations(str(body.get("enterprise_code") or ""), int(body.get("count", 1)),
                                          date.fromisoformat(str(body.get("day"))), str(body.get("name") or ""))
        return json({"seq_nos": added})

    return bp


def blueprint_for(api_key: str = "") -> Blueprint:
    """The simulator the app mounts in the demo (receipts a few seconds apart, so a demo declaration moves)."""
    return blueprint(SingleWindowPlatform(receipt_pace=15.0, api_key=api_key))
