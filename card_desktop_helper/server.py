"""The helper's loopback HTTP API for the site's pages.

Bound to 127.0.0.1 only. Every call must come from an allowed origin (when the browser sends one) and carry
this install's pairing token (``X-Pairing-Token``); CORS headers are sent for allowed origins only. The
helper never sees the site's session: it reads the card and signs what the page hands it, nothing more.

    GET  /v1/status                          readers, card present, PIN tries left
    POST /v1/card/read   {"pin", "wait_seconds"?}               certificate + enterprise data
    POST /v1/card/sign   {"pin", "challenge", "wait_seconds"?}  the same + the card's signature
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from card_desktop_helper.card_reader import CardContents, CardError
from card_desktop_helper.operations import read_card, status
from card_desktop_helper.settings import HelperSettings

log = logging.getLogger("card_helper")
MSG_ORIGIN = "读卡助手不认识本网站：请从本网站的《读卡助手安装说明》页面重新下载并运行读卡助手"
MSG_TOKEN = "配对码不正确：请在页面上填写读卡助手窗口中显示的配对码"
MSG_HOST = "请通过 127.0.0.1 访问读卡助手"
MSG_NOT_FOUND = "没有这个接口"
MSG_BAD_JSON = "请求格式不正确"
MSG_INTERNAL = "读卡助手出错，请重新插卡或重启读卡助手后重试"
MAX_BODY = 4096
MAX_WAIT = 30
STATUS_OF = {"wrong_pin": 401, "bad_pin_format": 400, "bad_challenge": 400, "card_blocked": 423,
             "pcsc_unavailable": 503}


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class HelperServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, settings: HelperSettings, port: int | None = None) -> None:
        self.settings = settings
        self.card_lock = threading.Lock()  # one card operation at a time
        super().__init__(("127.0.0.1", settings.port if port is None else port), HelperHandler)


class HelperHandler(BaseHTTPRequestHandler):
    server: HelperServer
    server_version = "QinglingCardHelper/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # no PINs in logs: only the request line
        log.info("%s %s", self.address_string(), format % args)

    def do_OPTIONS(self) -> None:  # CORS preflight: no token (browsers send none), allowed origins only
        try:
            self._check_host_and_origin()
        except Refused as refused:
            return self._error(refused)
        self.send_response(HTTPStatus.NO_CONTENT)
        self._cors()
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, X-Pairing-Token")
        self.send_header("Access-Control-Allow-Private-Network", "true")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self._dispatch({"/v1/status": self._status})

    def do_POST(self) -> None:
        self._dispatch({"/v1/card/read": self._read, "/v1/card/sign": self._sign})

    def _dispatch(self, routes: dict[str, Any]) -> None:
        try:
            self._check_host_and_origin()
            self._check_token()
            route = routes.get(self.path.split("?")[0])
            if route is None:
                raise Refused(404, "not_found", MSG_NOT_FOUND)
            with self.server.card_lock:
                self._json(200, route())
        except Refused as refused:
            self._error(refused)
        except CardError as error:
            self._error(Refused(STATUS_OF.get(error.code, 409), error.code, error.message), error.tries_left)
        except Exception:  # noqa: BLE001 - the page gets an answer whatever happened; the log has the details
            log.exception("card helper failure")
            self._error(Refused(500, "internal", MSG_INTERNAL))

    def _check_host_and_origin(self) -> None:
        host = self.headers.get("Host", "").rsplit(":", 1)[0]
        if host not in ("127.0.0.1", "localhost"):  # a DNS-rebinding page names another host
            raise Refused(403, "bad_host", MSG_HOST)
        origin = self.headers.get("Origin")
        if origin is not None and origin.rstrip("/") not in self.server.settings.allowed_origins:
            raise Refused(403, "origin_not_allowed", MSG_ORIGIN)

    def _check_token(self) -> None:
        sent = self.headers.get("X-Pairing-Token", "")
        if not hmac.compare_digest(sent.encode(), self.server.settings.pairing_token.encode()):
            raise Refused(403, "bad_pairing_token", MSG_TOKEN)

    def _body(self) -> dict[str, Any]:
        size = int(self.headers.get("Content-Length") or 0)
        if size > MAX_BODY:
            raise Refused(400, "bad_request", MSG_BAD_JSON)
        try:
            body = json.loads(self.rfile.read(size) or b"{}")
        except ValueError:
            raise Refused(400, "bad_request", MSG_BAD_JSON) from None
        if not isinstance(body, dict):
            raise Refused(400, "bad_request", MSG_BAD_JSON)
        return body

    def _status(self) -> dict[str, Any]:
        return status(self.server.settings.reader_filter)

    def _read(self, challenge: bool = False) -> dict[str, Any]:
        body = self._body()
        try:
            wait = min(max(float(body.get("wait_seconds") or 0), 0), MAX_WAIT)
        except (TypeError, ValueError):
            raise Refused(400, "bad_request", MSG_BAD_JSON) from None
        contents = read_card(str(body.get("pin") or ""), name_filter=self.server.settings.reader_filter,
                             wait_seconds=wait, challenge=str(body.get("challenge") or "") if challenge else None)
        return _contents(contents)

    def _sign(self) -> dict[str, Any]:
        return self._read(challenge=True)

    def _cors(self) -> None:
        origin = self.headers.get("Origin")
        if origin is not None and origin.rstrip("/") in self.server.settings.allowed_origins:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")

    def _json(self, code: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(code)
        self._cors()
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _error(self, refused: Refused, tries_left: int | None = None) -> None:
        error: dict[str, Any] = {"code": refused.code, "message": refused.message}
        if tries_left is not None:
            error["tries_left"] = tries_left
        self._json(refused.status, {"error": error})


def _contents(contents: CardContents) -> dict[str, Any]:
    answer = {"reader": contents.reader, "card": contents.data,
              "certificate": base64.b64encode(contents.certificate).decode()}
    if contents.signature is not None:
        answer["signature"] = base64.b64encode(contents.signature).decode()
    return answer
