"""The desktop card helper as one download: a zipapp (the format of ``python -m zipapp``) of card_desktop_helper/
with this site's address baked in, built by the app on first request and served under a content-hash URL.

The helper's only other dependency, pyscard, is compiled for each platform, so it cannot travel in the zip; the
install page tells the user to install it once with pip. Entries carry a fixed date, so the same sources and
site give the same bytes (and the same hash) in every process.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import card_desktop_helper
from card_desktop_helper.settings import DEFAULT_PORT, SITE_FILE

SOURCE = Path(card_desktop_helper.__file__).parent
FILE_NAME = "qingling-card-helper.pyz"
URL = f"/h5/card/helper/{FILE_NAME}"
SHEBANG = b"#!/usr/bin/env python3\n"  # Linux: chmod +x; Windows' py launcher reads it too
ENTRY = '''"""清零 读卡助手：用 Python 3.11 或更新版本运行本文件（Windows 双击即可），见网站的《读卡助手安装说明》。"""
import sys

from card_desktop_helper.__main__ import main

sys.exit(main())
'''
FIXED_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class HelperDownload:
    body: bytes
    digest: str  # SHA-256, hex

    @property
    def version(self) -> str:
        return self.digest[:12]

    @property
    def url(self) -> str:
        return f"{URL}?v={self.version}"


def site_origin(public_url: str) -> str:
    """``https://host[:port]`` of the site: what the browser sends as ``Origin`` from its pages."""
    parts = urlsplit(public_url)
    return f"{parts.scheme}://{parts.netloc}"


def helper_port(helper_url: str) -> int:
    return urlsplit(helper_url).port or DEFAULT_PORT


@cache
def helper_download(origin: str, port: int) -> HelperDownload:
    """The zipapp for the site at ``origin`` whose pages call the helper on ``port``."""
    buffer = io.BytesIO()
    buffer.write(SHEBANG)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "__main__.py", ENTRY.encode())
        for path in sorted(SOURCE.iterdir()):
            if path.suffix == ".py" or path.name == "README.md":
                _add(archive, f"card_desktop_helper/{path.name}", path.read_bytes())
        site = {"allowed_origins": [origin], "port": port}
        _add(archive, f"card_desktop_helper/{SITE_FILE}", json.dumps(site, ensure_ascii=False).encode())
    body = buffer.getvalue()
    return HelperDownload(body, hashlib.sha256(body).hexdigest())


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    entry = zipfile.ZipInfo(name, FIXED_DATE)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16
    archive.writestr(entry, data)
