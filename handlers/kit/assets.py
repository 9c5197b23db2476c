"""The H5 pages' style sheet and script: WeUI's parts from node_modules (npm, never copied into the repo)
plus our own few lines, bundled once per process and served compressed with a content-hash URL.

Only the WeUI widgets the pages use are bundled, so a page with its style sheet and script stays far below
80 KB on the wire.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw

from core.config import PROJECT_ROOT

WEUI = PROJECT_ROOT / "node_modules" / "weui" / "dist" / "style"
OWN = Path(__file__).parent.parent / "static"
ADMIN = Path(__file__).parent.parent.parent / "admin_web" / "static"
WEUI_PARTS = (
    "base/base.min.css", "icon/weui-icon.min.css",
    "widget/weui-cell/weui-cell.min.css", "widget/weui-cell/weui-cell-form.min.css",
    "widget/weui-cell/weui-check.min.css", "widget/weui-cell/weui-uploader.min.css",
    "widget/weui-button/weui-button.min.css", "widget/weui-page/weui-form.min.css",
    "widget/weui-page/weui-msg.min.css", "widget/weui-page/weui-article.min.css",
    "widget/weui-panel/weui-panel.min.css", "widget/weui-media-box/weui-media-box.min.css",
    "widget/weui-tips/weui-loadmore.min.css", "widget/weui-tips/weui-toptips.min.css",
    "widget/weui-tips/weui-badge.min.css", "widget/weui-footer/weui-footer.min.css",
    "widget/weui-tab/weui-tab.min.css", "widget/weui-text/weui-link.min.css",
)
MISSING = "WeUI 样式未安装：请在项目目录运行 npm ci（make demo / make test 会自动完成）"


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    content_type: str
    digest: str

    @property
    def version(self) -> str:
        return self.digest[:12]


def _asset(body: bytes, content_type: str) -> Asset:
    return Asset(body, gzip.compress(body, 9, mtime=0), content_type, hashlib.sha256(body).hexdigest())


@cache
def bundle(name: str) -> Asset:
    """``h5.css`` (WeUI parts + ours), ``h5.js``, ``card.js`` (the card helper's client), ``badge.js`` (the
    workspace's live message badge), ``admin.css`` and ``workbench.css`` (the desktop kit ``desk.css`` + each
    one's own rules), ``admin.js``, ``workbench.js``, ``declaration.js`` (the declaration entry form),
    ``declaration_review.js`` (its visual review),
    ``favicon.svg`` (the site's icon, drawn in the repo); RuntimeError naming the fix when WeUI is not installed."""
    if name == "h5.css":
        if not WEUI.is_dir():
            raise RuntimeError(MISSING)
        parts = [(WEUI / part).read_bytes() for part in WEUI_PARTS] + [(OWN / "h5.css").read_bytes(),
                                                                        (OWN / "picker.css").read_bytes()]
        return _asset(b"\n".join(parts), "text/css; charset=utf-8")
    if name in ("h5.js", "workbench.js"):  # each with the shared Chinese file picker
        return _asset((OWN / name).read_bytes() + b"\n" + (OWN / "picker.js").read_bytes(),
                      "text/javascript; charset=utf-8")
    if name in ("card.js", "badge.js", "declaration.js", "declaration_review.js"):
        return _asset((OWN / name).read_bytes(), "text/javascript; charset=utf-8")
    if name == "favicon.svg":
        return _asset((OWN / name).read_bytes(), "image/svg+xml")
    if name == "admin.css":  # the desktop kit, then the admin web's own rules
        return _asset((OWN / "desk.css").read_bytes() + (ADMIN / "admin.css").read_bytes(), "text/css; charset=utf-8")
    if name == "workbench.css":  # the same kit, then the workspace's own rules
        return _asset((OWN / "desk.css").read_bytes() + (OWN / "picker.css").read_bytes()
                      + (OWN / "workbench.css").read_bytes(),
                      "text/css; charset=utf-8")
    if name == "admin.js":
        return _asset((ADMIN / "admin.js").read_bytes(), "text/javascript; charset=utf-8")
    raise KeyError(name)


def asset_url(name: str) -> str:
    return f"/static/{name}?v={bundle(name).version}"


def assets_blueprint() -> Blueprint:
    bp = Blueprint("assets")

    @bp.get("/static/<name:(h5\\.css|h5\\.js|card\\.js|badge\\.js|admin\\.css|workbench\\.css|workbench\\.js|declaration\\.js|declaration_review\\.js|admin\\.js|favicon\\.svg)>")
    async def serve(request: Request, name: str) -> HTTPResponse:
        asset = bundle(name)
        headers = {"cache-control": "public, max-age=31536000, immutable" if request.args.get("v") else
                   "public, max-age=300", "etag": f'"{asset.version}"', "vary": "accept-encoding"}
        if request.headers.get("if-none-match") == f'"{asset.version}"':
            return HTTPResponse(status=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", ""):
            return raw(asset.gzipped, content_type=asset.content_type, headers={**headers, "content-encoding": "gzip"})
        return raw(asset.body, content_type=asset.content_type, headers=headers)

    @bp.get("/favicon.ico")
    async def favicon(request: Request) -> HTTPResponse:
        """Browsers ask for it on their own, whatever the page links: the same icon."""
        return await serve(request, "favicon.svg")

    return bp
