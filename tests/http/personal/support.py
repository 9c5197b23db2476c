"""What the personal centre's HTTP tests share: images good and bad, the messages beside fields."""

from __future__ import annotations

import io
import re

from PIL import Image

MB = 1024 * 1024
DESK, H5, API = "/workbench/personal", "/h5/personal", "/api/v1/workspace/personal"


def png(alpha: int = 0, size: tuple[int, int] = (120, 120)) -> bytes:
    image = Image.new("RGBA", size, (200, 20, 20, 255))
    image.putpixel((0, 0), (0, 0, 0, alpha))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(out, "JPEG")
    return out.getvalue()


def bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG", optimize=True)  # 400 megapixels in a few kilobytes
    return out.getvalue()


SCRIPT = b"#!/bin/sh\nrm -rf / --no-preserve-root\n"
TOO_BIG = b"\x89PNG\r\n\x1a\n" + b"\0" * (20 * MB - 7)  # 20 MB + 1 byte, starting like a PNG
BAD_IMAGES = [("stamp.png", SCRIPT, "只支持 JPG、PNG 格式的图片"), ("big.png", TOO_BIG, "图片不能超过 20 MB"),
              ("bomb.png", bomb(), "图片尺寸过大，无法处理")]
BAD_IDS = ["renamed-script", "20MB-plus-1", "decompression-bomb"]


def desk_error(html: str, name: str) -> str:
    """The message beside a field on a desktop page."""
    match = re.search(rf'id="{name}-error">([^<]*)<', html)
    return match.group(1) if match else ""


def h5_error(html: str, name: str) -> str:
    match = re.search(rf'id="err-{name}">([^<]*)<', html)
    return match.group(1) if match else ""
