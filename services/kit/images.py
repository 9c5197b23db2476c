"""Checking the ask form's one image: JPG or PNG by content, bounded in bytes and pixels, without EXIF.

Pure (no database, no files): bytes in, a ``CheckedImage`` or a ``ValidationFailed`` on field ``image`` out.
The image is decoded in full, so a truncated or corrupt file is refused here rather than shown broken later,
and re-encoded without metadata, so no EXIF (GPS position, camera serial), XMP, IPTC or PNG text reaches
storage. The EXIF orientation is applied to the pixels first, so the stored image still shows upright.
JPEGs are re-encoded with their own quantisation tables and subsampling, which keeps their quality.

``check_image`` is CPU-bound (a 20 MB photo takes a second or so): call it through ``asyncio.to_thread``.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps, JpegImagePlugin

from models.errors import ValidationFailed

FIELD = "image"
MAX_PIXELS = 50_000_000  # a 50-megapixel photo decodes to 150-200 MB; anything larger is refused undecoded

MSG_EMPTY = "请选择图片"
MSG_FORMAT = "只支持 JPG、PNG 格式的图片"
MSG_CORRUPT = "图片已损坏，无法读取"
MSG_TOO_LARGE_PIXELS = "图片尺寸过大，无法处理"
MSG_UNPROCESSABLE = "图片无法处理，请换一张图片"
MSG_IMAGE_GONE = "图片不存在"

JPEG = "image/jpeg"
PNG = "image/png"
_MAGIC = ((b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
_PILLOW_FORMATS = {JPEG: ("JPEG", "MPO"), PNG: ("PNG",)}  # MPO: a phone JPEG with extra pictures appended
_SUFFIXES = {JPEG: (".jpg", ".jpeg"), PNG: (".png",)}
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|]')
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,5}")  # the last one replaced by the content's own
_MAX_STEM = 100
DEFAULT_STEM = "图片"


@dataclass(frozen=True)
class CheckedImage:
    """An image fit to store: ``data`` is the cleaned bytes; width and height as displayed (upright)."""

    content_type: str
    data: bytes
    width: int
    height: int
    sha256: str
    filename: str  # safe to display; its suffix matches the content

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def suffix(self) -> str:
        return _SUFFIXES[self.content_type][0]


def stored_image(key: str, image: CheckedImage) -> dict[str, Any]:
    """A stored image as a settings row keeps it (logo, seal, avatar, stamp …): its storage key and what it is."""
    return {"key": key, "content_type": image.content_type, "filename": image.filename, "sha256": image.sha256,
            "width": image.width, "height": image.height}


def shown_image(entry: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stored image as the audit log keeps it: what it was, not where it is stored."""
    return None if entry is None else {k: v for k, v in entry.items() if k not in ("key", "content_type")}


def check_image(data: bytes, filename: str, *, max_bytes: int, max_pixels: int = MAX_PIXELS) -> CheckedImage:
    """Validate an uploaded image and return it cleaned; every refusal is ``ValidationFailed`` on ``image``.

    Precondition: ``data`` is the whole upload (the edge has already capped the request body).
    """
    if not data:
        raise ValidationFailed(MSG_EMPTY, field=FIELD)
    if len(data) > max_bytes:
        raise ValidationFailed(f"图片不能超过 {human_size(max_bytes)}", field=FIELD)
    content_type = sniff(data)
    if content_type is None:
        raise ValidationFailed(MSG_FORMAT, field=FIELD)
    upright = _decode(data, content_type, max_pixels)
    try:
        cleaned = _encode(upright.image, upright.source, content_type)
    except Exception:
        raise ValidationFailed(MSG_UNPROCESSABLE, field=FIELD) from None
    return CheckedImage(
        content_type=content_type, data=cleaned, width=upright.image.width, height=upright.image.height,
        sha256=hashlib.sha256(cleaned).hexdigest(), filename=safe_filename(filename, content_type),
    )


def sniff(data: bytes) -> str | None:
    """The content type the leading bytes announce, if it is one we take."""
    for magic, content_type in _MAGIC:
        if data.startswith(magic):
            return content_type
    return None


@dataclass(frozen=True)
class _Decoded:
    image: Image.Image  # fully decoded, orientation applied
    source: Image.Image  # as opened: its JPEG tables and subsampling are reused


def _decode(data: bytes, content_type: str, max_pixels: int) -> _Decoded:
    """Open with only the plugins the magic bytes named, check the pixel count, then decode every pixel."""
    try:
        # Pillow warns (and above twice its limit raises) when a header announces a huge image;
        # the warning becomes an error here so it is refused like any other bomb.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(data), formats=list(_PILLOW_FORMATS[content_type]))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed(MSG_TOO_LARGE_PIXELS, field=FIELD) from None
    except Exception:
        raise ValidationFailed(MSG_CORRUPT, field=FIELD) from None
    if source.format not in _PILLOW_FORMATS[content_type]:
        raise ValidationFailed(MSG_FORMAT, field=FIELD)
    if source.width * source.height > max_pixels:  # before load(): the header alone is read so far
        raise ValidationFailed(MSG_TOO_LARGE_PIXELS, field=FIELD)
    try:
        source.load()
        return _Decoded(ImageOps.exif_transpose(source), source)
    except Exception:
        raise ValidationFailed(MSG_CORRUPT, field=FIELD) from None


def _encode(image: Image.Image, source: Image.Image, content_type: str) -> bytes:
    """Write the pixels again with nothing but what display needs (colour profile, transparency, tables)."""
    options: dict[str, Any] = {}
    if icc := source.info.get("icc_profile"):
        options["icc_profile"] = icc
    out = io.BytesIO()
    if content_type == JPEG:
        tables = getattr(source, "quantization", None)
        if tables:
            options.update(qtables=tables, subsampling=JpegImagePlugin.get_sampling(source))
        else:
            options["quality"] = 90
        image.save(out, "JPEG", progressive=bool(source.info.get("progressive")), **options)
    else:
        # No pnginfo, no exif: text chunks (tEXt, iTXt, zTXt) and eXIf are not written.
        image.save(out, "PNG", **options)
    return out.getvalue()


def safe_filename(filename: str, content_type: str) -> str:
    """A display name: no directories, control or reserved characters; the suffix follows the content."""
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE_IN_NAME.sub("_", name).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot or not _EXTENSION.fullmatch(extension):
        stem, extension = name, ""
    suffix = f".{extension.lower()}"
    if suffix not in _SUFFIXES[content_type]:
        suffix = _SUFFIXES[content_type][0]
    return (stem.strip(" .")[:_MAX_STEM].strip(" .") or DEFAULT_STEM) + suffix


def human_size(n: int) -> str:
    """20971520 -> '20 MB', 512000 -> '500 KB'."""
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= size:
            return f"{round(n / size, 1):g} {unit}"
    return f"{n} 字节"
