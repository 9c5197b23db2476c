"""Checks of the JSON bodies the simulated platform accepts (menu, QR code, messages), with WeChat's codes.

Menu limits follow the current official page: 1–3 buttons, 1–5 sub-buttons, names at most 16 bytes
(sub-buttons 60), keys at most 128 bytes, URLs at most 1024 bytes, counted as UTF-8.
"""

from __future__ import annotations

import struct
import zlib
from hashlib import sha256
from typing import Any

from simulators.wechat.platform import WechatError

MENU_TYPES = {"click", "view", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album",
              "pic_weixin", "location_select", "media_id", "view_limited", "article_id",
              "article_view_limited", "miniprogram"}
CUSTOM_TYPES = {"text", "image", "voice", "video", "music", "news", "mpnews", "mpnewsarticle", "msgmenu",
                "wxcard", "miniprogrampage"}
QR_ACTIONS = {"QR_SCENE", "QR_STR_SCENE", "QR_LIMIT_SCENE", "QR_LIMIT_STR_SCENE"}
QR_DEFAULT_EXPIRY, QR_MAX_EXPIRY = 60, 2_592_000


def _size(value: Any) -> int:
    return len(value.encode("utf-8")) if isinstance(value, str) else 0


def check_menu(body: dict[str, Any]) -> None:
    buttons = body.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise WechatError(40016, "invalid button size")
    for button in buttons:
        if not isinstance(button, dict):
            raise WechatError(47001)
        subs = button.get("sub_button")
        if not 0 < _size(button.get("name")) <= 16:
            raise WechatError(40018, "invalid button name size")
        if subs is None:
            _check_action(button, 40017, 40019, 40020)
            continue
        if "type" in button or not isinstance(subs, list) or not 1 <= len(subs) <= 5:
            raise WechatError(40023, "invalid sub button size")
        for sub in subs:
            if not isinstance(sub, dict) or not 0 < _size(sub.get("name")) <= 60:
                raise WechatError(40025, "invalid sub button name size")
            _check_action(sub, 40024, 40026, 40027)


def _check_action(button: dict[str, Any], type_code: int, key_code: int, url_code: int) -> None:
    kind = button.get("type")
    if kind not in MENU_TYPES:
        raise WechatError(type_code, "invalid button type" if type_code == 40017 else "invalid sub button type")
    if kind not in ("view", "miniprogram", "media_id", "view_limited", "article_id", "article_view_limited") and (
            not 0 < _size(button.get("key")) <= 128):
        raise WechatError(key_code, "invalid button key size" if key_code == 40019 else "invalid sub button key size")
    if kind in ("view", "miniprogram") and not 0 < _size(button.get("url")) <= 1024:
        raise WechatError(url_code, "invalid button url size" if url_code == 40020 else "invalid sub button url size")


def check_template(body: dict[str, Any]) -> None:
    template_id = body.get("template_id")
    if not isinstance(template_id, str) or not template_id:
        raise WechatError(40036)
    if not isinstance(body.get("data"), dict):
        raise WechatError(47001)


def check_custom(body: dict[str, Any]) -> None:
    kind = body.get("msgtype")
    if kind not in CUSTOM_TYPES or not isinstance(body.get(kind), dict):
        raise WechatError(40008)
    if kind == "text" and not body["text"].get("content"):
        raise WechatError(44004, "empty content")


def qr_request(body: dict[str, Any]) -> tuple[str, dict[str, Any], int | None]:
    """(action_name, scene, expire_seconds or None for a permanent code) from a qrcode/create body."""
    action = body.get("action_name")
    scene = (body.get("action_info") or {}).get("scene") if isinstance(body.get("action_info"), dict) else None
    if action not in QR_ACTIONS or not isinstance(scene, dict):
        raise WechatError(40053, "invalid action info")
    if "STR" in action:
        if not 1 <= _size(scene.get("scene_str")) <= 64:
            raise WechatError(40053, "invalid action info")
    elif not isinstance(scene.get("scene_id"), int) or scene["scene_id"] == 0:
        raise WechatError(40053, "invalid action info")
    if "LIMIT" in action:
        return action, scene, None
    expiry = body.get("expire_seconds", QR_DEFAULT_EXPIRY)
    if not isinstance(expiry, int) or expiry <= 0:
        raise WechatError(47001)
    return action, scene, min(expiry, QR_MAX_EXPIRY)


def qr_png(ticket: str, modules: int = 21, scale: int = 8) -> bytes:
    """A QR-code-looking picture (not a decodable QR code): a grid drawn from the ticket's hash, as PNG."""
    bits = int.from_bytes(sha256(ticket.encode()).digest() * 2, "big")
    side = (modules + 2) * scale
    rows = []
    for y in range(side):
        row = bytearray([0])  # filter type "none"
        for x in range(side):
            mx, my = x // scale - 1, y // scale - 1
            inside = 0 <= mx < modules and 0 <= my < modules
            dark = inside and (bits >> ((my * modules + mx) % 512)) & 1
            row.append(0 if dark else 255)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))
