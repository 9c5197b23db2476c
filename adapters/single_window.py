"""The single-window port (services/declarations/single_window.py) over the HTTP protocol of
docs/single_window_protocol.md, with aiohttp like the app's other clients.

Every call has a timeout. A throttled answer (429) is tried again after the server's ``Retry-After`` (capped at
``MAX_RETRY_AFTER``), a failing one (5xx), a network error, a timeout or a page cut short (fewer records than its
``count`` says, or a body that is not whole JSON) after a pause that doubles from ``backoff_ms``; at most
``retries`` more times. Only idempotent calls are retried: every GET, and the send, whose ``Idempotency-Key`` makes
the single window answer the same 统一编号 for the same key. Everything else is a ``SingleWindowError`` with the
protocol's message (in Chinese) or ours.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import logging
from datetime import datetime
from typing import Any

import aiohttp

from core.config import SingleWindowSettings
from services.declarations.single_window import (
    BondedDays,
    BondedTicket,
    DeclarationDays,
    DeclarationTicket,
    Outgoing,
    Page,
    ReceiptBatch,
    RemoteBondedList,
    RemoteDeclaration,
    RemoteReceipt,
    SingleWindowError,
)

log = logging.getLogger("qingling.single_window")
MAX_RETRY_AFTER = 30.0
MSG_THROTTLED = "单一窗口请求过于频繁（限流），请稍后重试"
MSG_UNAVAILABLE = "单一窗口暂时不可用（HTTP {status}），请稍后重试"
MSG_NETWORK = "无法连接单一窗口，请稍后重试"
MSG_TIMEOUT = "单一窗口响应超时，请稍后重试"
MSG_CUT_SHORT = "单一窗口返回的数据不完整，请稍后重试"
MSG_REFUSED = "单一窗口拒绝了请求：{message}"
MSG_UNAUTHORISED = "单一窗口接口认证失败，请联系系统管理员检查接口密钥"


class _Retry(Exception):
    def __init__(self, error: SingleWindowError, wait: float | None = None) -> None:
        self.error, self.wait = error, wait


class SingleWindowClient:
    """One per process (its session belongs to the event loop that first uses it)."""

    def __init__(self, settings: SingleWindowSettings) -> None:
        self._settings = settings
        self._base = settings.endpoint.rstrip("/")
        self._http: aiohttp.ClientSession | None = None

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            headers = {"Accept": "application/json"}
            if self._settings.api_key is not None:
                headers["Authorization"] = f"Bearer {self._settings.api_key}"
            self._http = aiohttp.ClientSession(
                headers=headers, timeout=aiohttp.ClientTimeout(total=self._settings.timeout_seconds),
                connector=aiohttp.TCPConnector(limit=20))
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    # -- the port ------------------------------------------------------------------------------------------------

    async def declare(self, enterprise_code: str, key: str, declaration: Outgoing) -> str:
        body = {"enterprise_code": enterprise_code, "decl_type": declaration.decl_type, "head": declaration.head,
                "items": declaration.items, "containers": declaration.containers,
                "documents": declaration.documents}
        answer = await self._call("POST", "/declarations", json=body, headers={"Idempotency-Key": key})
        seq_no = answer.get("seq_no") if answer else None
        if not isinstance(seq_no, str) or not seq_no:
            raise SingleWindowError(MSG_CUT_SHORT, code="bad_response", retryable=True)
        return seq_no

    async def declaration(self, enterprise_code: str, ticket: DeclarationTicket) -> RemoteDeclaration | None:
        answer = await self._call("GET", f"/declarations/{ticket.seq_no}", params={
            "enterprise_code": enterprise_code, "enterprise_category": ticket.enterprise_category,
            "decl_type": ticket.decl_type}, missing_ok=True)
        return declaration_from(answer["declaration"]) if answer else None

    async def declarations(self, enterprise_code: str, days: DeclarationDays, page: int) -> Page[RemoteDeclaration]:
        params = {"enterprise_code": enterprise_code, "updated_from": days.first.isoformat(),
                  "updated_to": days.last.isoformat(), "enterprise_category": days.enterprise_category,
                  "trade_code": days.trade_code, "page": page, "page_size": self._settings.page_size}
        answer = await self._page("/declarations", params)
        return Page([declaration_from(row) for row in answer["items"]], answer["total"], answer["page"],
                    answer["pages"])

    async def bonded_list(self, enterprise_code: str, ticket: BondedTicket) -> RemoteBondedList | None:
        answer = await self._call("GET", f"/bonded-lists/{ticket.number}", params={
            "enterprise_code": enterprise_code, "by": "list_no" if ticket.by_list_no else "seq_no",
            "enterprise_role": ticket.enterprise_role, "data_source": ticket.data_source,
            "ie_flag": ticket.ie_flag}, missing_ok=True)
        return bonded_from(answer["bonded_list"]) if answer else None

    async def bonded_lists(self, enterprise_code: str, days: BondedDays, page: int) -> Page[RemoteBondedList]:
        params = {"enterprise_code": enterprise_code, "updated_from": days.first.isoformat(),
                  "updated_to": days.last.isoformat(), "enterprise_role": days.enterprise_role,
                  "data_status": days.data_status, "ie_flag": days.ie_flag, "page": page,
                  "page_size": self._settings.page_size}
        answer = await self._page("/bonded-lists", params)
        return Page([bonded_from(row) for row in answer["items"]], answer["total"], answer["page"], answer["pages"])

    async def receipts(self, enterprise_code: str, cursor: str, limit: int = 200) -> ReceiptBatch:
        answer = await self._page("/receipts", {"enterprise_code": enterprise_code, "cursor": cursor,
                                                "limit": limit})
        items = [receipt_from(r) for r in answer["items"]]
        return ReceiptBatch(items, str(answer["next_cursor"]), bool(answer["more"]))

    # -- HTTP ----------------------------------------------------------------------------------------------------

    async def _page(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        answer = await self._call("GET", path, params=params, whole_page=True)
        assert answer is not None
        return answer

    async def _call(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                    json: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
                    missing_ok: bool = False, whole_page: bool = False) -> dict[str, Any] | None:
        if not self._base:
            raise SingleWindowError("未配置单一窗口接口，请联系系统管理员", code="not_configured")
        query = {k: str(v) for k, v in (params or {}).items() if v not in ("", None)}
        for attempt in range(self._settings.retries + 1):
            try:
                return await self._once(method, path, query, json, headers, missing_ok, whole_page)
            except _Retry as retry:
                if attempt >= self._settings.retries:
                    raise retry.error from None
                pause = retry.wait if retry.wait is not None else self._settings.backoff_ms / 1000 * 2 ** attempt
                log.info("single window %s %s: %s; try %d in %.2fs", method, path, retry.error.error_code,
                         attempt + 2, pause)
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")

    async def _once(self, method: str, path: str, query: dict[str, str], json: dict[str, Any] | None,
                    headers: dict[str, str] | None, missing_ok: bool, whole_page: bool) -> dict[str, Any] | None:
        try:
            async with self._session().request(method, self._base + path, params=query, json=json,
                                               headers=headers) as response:
                text = await response.text()
                status = response.status
                retry_after = response.headers.get("Retry-After")
        except TimeoutError:
            raise _Retry(SingleWindowError(MSG_TIMEOUT, code="timeout", retryable=True)) from None
        except aiohttp.ClientError as exc:
            log.warning("single window %s %s: %s", method, path, type(exc).__name__)
            raise _Retry(SingleWindowError(MSG_NETWORK, code="network", retryable=True)) from None
        if status == 429:
            raise _Retry(SingleWindowError(MSG_THROTTLED, code="throttled", retryable=True), _retry_after(retry_after))
        if status >= 500:
            raise _Retry(SingleWindowError(MSG_UNAVAILABLE.format(status=status), code=f"http_{status}",
                                           retryable=True))
        body = _json(text)
        if status == 404 and missing_ok:
            return None
        if status in (401, 403):
            raise SingleWindowError(MSG_UNAUTHORISED, code="unauthorised")
        if status >= 400:
            error = (body or {}).get("error") or {}
            raise SingleWindowError(MSG_REFUSED.format(message=error.get("message") or f"HTTP {status}"),
                                    code=str(error.get("code") or f"http_{status}"))
        if body is None or (whole_page and not _whole(body)):
            raise _Retry(SingleWindowError(MSG_CUT_SHORT, code="cut_short", retryable=True))
        return body


def _retry_after(value: str | None) -> float | None:
    try:
        return min(max(float(value or ""), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return None


def _json(text: str) -> dict[str, Any] | None:
    try:
        body = jsonlib.loads(text)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _whole(body: dict[str, Any]) -> bool:
    """A page holds as many records as its ``count`` says (a page cut short by the server does not)."""
    items = body.get("items")
    return isinstance(items, list) and body.get("count") == len(items)


def _time(text: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        raise SingleWindowError(MSG_CUT_SHORT, code="bad_response") from None


def declaration_from(row: dict[str, Any]) -> RemoteDeclaration:
    return RemoteDeclaration(
        seq_no=str(row["seq_no"]), entry_id=str(row.get("entry_id") or ""), decl_type=str(row["decl_type"]),
        status=str(row.get("status") or ""), enterprise_category=str(row.get("enterprise_category") or ""),
        updated_at=_time(row["updated_at"]), head=dict(row.get("head") or {}), items=list(row.get("items") or []),
        containers=list(row.get("containers") or []), documents=list(row.get("documents") or []))


def receipt_from(row: dict[str, Any]) -> RemoteReceipt:
    return RemoteReceipt(str(row["seq_no"]), str(row["type"]), _time(row["at"]), str(row.get("entry_id") or ""),
                         str(row.get("note") or ""))


def bonded_from(row: dict[str, Any]) -> RemoteBondedList:
    return RemoteBondedList(
        seq_no=str(row["seq_no"]), list_no=str(row.get("list_no") or ""),
        enterprise_role=str(row.get("enterprise_role") or ""), data_source=str(row.get("data_source") or ""),
        ie_flag=str(row.get("ie_flag") or ""), data_status=str(row.get("data_status") or ""),
        pre_approval=str(row.get("pre_approval") or ""), updated_at=_time(row["updated_at"]),
        head=dict(row.get("head") or {}), items=list(row.get("items") or []))


def single_window_for(settings: SingleWindowSettings) -> SingleWindowClient | None:
    """The configured client, or None without an endpoint (the port then refuses in Chinese)."""
    return SingleWindowClient(settings) if settings.endpoint else None
