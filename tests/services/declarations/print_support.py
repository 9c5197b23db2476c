"""Reading printed declarations back: the text of a PDF's pages, its fonts (embedded or not), its images; and the
images a printing test uploads (a red round stamp and seal on a transparent ground, as people scan them)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw
from pypdf import PdfReader

CJK_FONT = "WenQuanYi-Micro-Hei"  # the PostScript name of Debian's fonts-wqy-microhei, as a PDF embeds it


def round_stamp(size: int = 240, colour: tuple[int, int, int, int] = (200, 20, 20, 255)) -> bytes:
    """A PNG of a red ring with a star, the rest transparent."""
    picture = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(picture)
    pen.ellipse((8, 8, size - 8, size - 8), outline=colour, width=10)
    m = size // 2
    pen.polygon([(m, m - 40), (m + 12, m - 10), (m + 40, m - 10), (m + 18, m + 10), (m + 26, m + 40), (m, m + 22),
                 (m - 26, m + 40), (m - 18, m + 10), (m - 40, m - 10), (m - 12, m - 10)], fill=colour)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


@dataclass(frozen=True)
class ReadPdf:
    pages: int
    text: str
    page_texts: list[str]
    fonts: dict[str, set[str]]  # base font name -> the font-file keys of its descriptor (FontFile2 / FontFile3 …)
    images: int  # image XObjects over all pages


def _fonts_of(resources: object, found: dict[str, set[str]]) -> None:
    fonts = resources.get("/Font") if resources else None  # type: ignore[attr-defined]
    for ref in (fonts or {}).values():
        font = ref.get_object()
        descendants = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
        for one in descendants:
            descriptor = one.get("/FontDescriptor")
            files = {k for k in ("/FontFile", "/FontFile2", "/FontFile3")
                     if descriptor is not None and k in descriptor.get_object()}
            found.setdefault(str(one.get("/BaseFont")), set()).update(files)


def read_pdf(data: bytes) -> ReadPdf:
    reader = PdfReader(io.BytesIO(data))
    fonts: dict[str, set[str]] = {}
    images = 0
    for page in reader.pages:
        resources = page.get("/Resources")
        _fonts_of(resources, fonts)
        xobjects = resources.get("/XObject") if resources else None
        for ref in (xobjects or {}).values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Image":
                images += 1
            elif xobject.get("/Subtype") == "/Form":  # WeasyPrint draws a positioned image inside a form XObject
                inner = xobject.get("/Resources")
                _fonts_of(inner, fonts)
                for inner_ref in ((inner or {}).get("/XObject") or {}).values():
                    images += inner_ref.get_object().get("/Subtype") == "/Image"
    texts = [page.extract_text() for page in reader.pages]
    return ReadPdf(len(reader.pages), "\n".join(texts), texts, fonts, images)
