"""HTML → PDF with WeasyPrint (Debian's pango draws the text; the CJK font is Debian's ``fonts-wqy-microhei``).

Rendering is CPU work: it runs in a helper process (one, started on the first print and kept), so the event
loop stays free and WeasyPrint never runs beside the app's own threads — on Python 3.11 cssselect2's selector
``eval`` in a thread can race the interpreter's AST work in another (SystemError "AST constructor recursion depth
mismatch"), and WeasyPrint's import flips Pillow's process-wide LOAD_TRUNCATED_IMAGES. One document at a time
(WeasyPrint's font configuration and pango's layout caches are shared state). The font configuration is made
once and kept (it is what WeasyPrint loads slowest), and so are the images: a stamp is printed again and again.
Images come inside the HTML as ``data:`` URIs; the fetcher refuses every other URL, so a document can never
reach the network or the disk.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_LOCK = threading.Lock()
_FONTS: list[Any] = []  # the one FontConfiguration, made on the first print
# Decoded and re-encoded images by their data: URI (a person's stamp, the enterprise seal), reused by the next
# print; emptied when it holds more than a few people's.
_IMAGES: dict[str, Any] = {}
MAX_IMAGES = 64


def render_pdf(html: str) -> bytes:
    """The PDF of ``html`` (A4 and margins come from its own ``@page`` rule)."""
    # Imported here: WeasyPrint loads pango when imported, and the app starts (and serves everything else) on a
    # machine without it.
    from PIL import ImageFile
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    # weasyprint.images sets Pillow's process-wide LOAD_TRUNCATED_IMAGES on import; the upload checks
    # (services.kit.images) refuse a truncated photo only while it is off. Our PDFs embed stored, checked images.
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    with _LOCK:
        if not _FONTS:
            _FONTS.append(FontConfiguration())
        if len(_IMAGES) > MAX_IMAGES:
            _IMAGES.clear()
        fetcher = URLFetcher(allowed_protocols=["data"])
        pdf: bytes = HTML(string=html, url_fetcher=fetcher).write_pdf(font_config=_FONTS[0], cache=_IMAGES)
        return pdf


_POOL: list[ProcessPoolExecutor] = []


def _pool() -> ProcessPoolExecutor:
    with _LOCK:
        if not _POOL:
            _POOL.append(ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")))
        return _POOL[0]


async def html_to_pdf(html: str) -> bytes:
    return await asyncio.get_running_loop().run_in_executor(_pool(), render_pdf, html)
