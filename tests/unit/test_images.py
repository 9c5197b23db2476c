"""The ask form's image check: content decides the format, size and pixel limits hold, EXIF never survives."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import ExifTags, Image

from models.errors import ValidationFailed
from services.kit.images import MAX_PIXELS, check_image, human_size, safe_filename

SMALL_LIMIT = 200_000
DEFAULT_LIMIT = 20 * 1024 * 1024
GPS = ExifTags.IFD.GPSInfo


def jpeg(size: tuple[int, int] = (64, 48), *, orientation: int | None = None, gps: bool = False,
         quality: int = 85) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1] // 4))  # a blue block top-left shows rotation
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "ExamplePhone"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif[GPS] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (38.0, 55.0, 12.0),
                     ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (121.0, 38.0, 7.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, exif=exif)
    return out.getvalue()


def png(size: tuple[int, int] = (40, 30), mode: str = "RGBA", **save: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 0).save(out, "PNG", **save)  # type: ignore[arg-type]
    return out.getvalue()


def refusal(data: bytes, filename: str = "photo.jpg", max_bytes: int = SMALL_LIMIT) -> str:
    with pytest.raises(ValidationFailed) as caught:
        check_image(data, filename, max_bytes=max_bytes)
    assert caught.value.field == "image"
    return caught.value.message


def test_jpeg_with_gps_is_stored_without_any_exif() -> None:
    original = jpeg(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS)  # the fixture really carries a position

    checked = check_image(original, "IMG_0001.JPG", max_bytes=SMALL_LIMIT)

    stored = Image.open(io.BytesIO(checked.data))
    assert (checked.content_type, stored.format, checked.width, checked.height) == ("image/jpeg", "JPEG", 64, 48)
    assert not stored.getexif().get_ifd(GPS)
    assert len(stored.getexif()) == 0 and "exif" not in stored.info
    assert b"Exif" not in checked.data and b"ExamplePhone" not in checked.data
    assert checked.sha256 == hashlib.sha256(checked.data).hexdigest()
    assert checked.filename == "IMG_0001.jpg"
    assert checked.size == len(checked.data)


def test_jpeg_keeps_its_quantisation_tables() -> None:
    original = jpeg(quality=60)
    checked = check_image(original, "a.jpg", max_bytes=SMALL_LIMIT)
    assert Image.open(io.BytesIO(checked.data)).quantization == Image.open(io.BytesIO(original)).quantization


def test_exif_orientation_is_applied_to_the_pixels() -> None:
    checked = check_image(jpeg((64, 48), orientation=6), "rotated.jpg", max_bytes=SMALL_LIMIT)

    stored = Image.open(io.BytesIO(checked.data))
    assert (checked.width, checked.height) == stored.size == (48, 64)  # shown upright without the tag
    assert ExifTags.Base.Orientation not in stored.getexif()
    r, g, b = stored.convert("RGB").getpixel((40, 5))  # the blue block is now top-right
    assert b > 150 and r < 100


def test_png_is_accepted_and_loses_text_and_exif_chunks() -> None:
    from PIL.PngImagePlugin import PngInfo

    text = PngInfo()
    text.add_text("Comment", "shot at 38.92N 121.63E")
    exif = Image.Exif()
    exif[GPS] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (38.0, 55.0, 12.0)}

    checked = check_image(png(pnginfo=text, exif=exif), "截图.PNG", max_bytes=SMALL_LIMIT)

    stored = Image.open(io.BytesIO(checked.data))
    assert (checked.content_type, stored.format, stored.size, stored.mode) == ("image/png", "PNG", (40, 30), "RGBA")
    assert b"tEXt" not in checked.data and b"eXIf" not in checked.data and b"38.92N" not in checked.data
    assert checked.filename == "截图.png"


def test_the_name_does_not_decide_the_format() -> None:
    checked = check_image(png(), "picture.jpg", max_bytes=SMALL_LIMIT)
    assert (checked.content_type, checked.filename) == ("image/png", "picture.png")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"#!/bin/sh\nrm -rf /\n", id="renamed-script"),
        pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', id="svg"),
        pytest.param(b"%PDF-1.7\n", id="pdf"),
    ],
)
def test_non_images_named_jpg_are_refused(data: bytes) -> None:
    assert refusal(data, "x.jpg") == "只支持 JPG、PNG 格式的图片"


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "BMP", "TIFF"])
def test_other_image_formats_are_refused(fmt: str) -> None:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, fmt)
    assert refusal(out.getvalue(), "x.png") == "只支持 JPG、PNG 格式的图片"


def test_empty_upload_asks_for_an_image() -> None:
    assert refusal(b"") == "请选择图片"


def test_exactly_max_bytes_is_accepted_one_more_is_refused() -> None:
    data = png((50, 50), mode="RGB")
    padded = data + b"\0" * (1000 - len(data))  # bytes after IEND are ignored by decoders
    assert len(padded) == 1000
    assert check_image(padded, "a.png", max_bytes=1000).content_type == "image/png"
    assert refusal(padded + b"\0", max_bytes=1000) == "图片不能超过 1000 字节"


def test_the_real_20_mb_limit_refuses_before_decoding() -> None:
    too_big = b"\xff\xd8\xff" + b"\0" * (DEFAULT_LIMIT + 1 - 3)
    assert refusal(too_big, max_bytes=DEFAULT_LIMIT) == "图片不能超过 20 MB"


@pytest.mark.parametrize(
    "side",
    [
        pytest.param(10_000, id="100-megapixels-pillow-warns"),
        pytest.param(20_000, id="400-megapixels-pillow-raises"),
    ],
)
def test_a_decompression_bomb_is_refused(side: int) -> None:
    bomb = png((side, side), mode="1", optimize=True)  # one colour: compresses to a few kilobytes
    assert len(bomb) < SMALL_LIMIT
    assert refusal(bomb, "bomb.png") == "图片尺寸过大，无法处理"


def test_above_our_pixel_limit_but_below_pillows_is_refused_undecoded() -> None:
    side = int(MAX_PIXELS**0.5) + 1
    assert refusal(png((side, side), mode="1", optimize=True), "big.png", max_bytes=DEFAULT_LIMIT) == (
        "图片尺寸过大，无法处理")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        pytest.param(jpeg((256, 256))[:-400], "half.jpg", id="truncated-jpeg"),
        pytest.param(png((256, 256), mode="RGB")[:-30], "half.png", id="truncated-png"),
        pytest.param(b"\xff\xd8\xff\xe0" + b"garbage" * 10, "junk.jpg", id="jpeg-magic-then-junk"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "junk.png", id="png-magic-then-junk"),
    ],
)
def test_truncated_or_corrupt_images_are_refused(data: bytes, name: str) -> None:
    assert refusal(data, name) == "图片已损坏，无法读取"


@pytest.mark.parametrize(
    ("given", "content_type", "expected"),
    [
        ("../../etc/passwd.jpg", "image/jpeg", "passwd.jpg"),
        ("C:\\Users\\王\\Desktop\\报关单.JPEG", "image/jpeg", "报关单.jpeg"),
        ("photo.gif", "image/png", "photo.png"),
        ("报告.2024年", "image/jpeg", "报告.2024年.jpg"),
        ("a\x00b\r\n<script>.png", "image/png", "ab_script_.png"),
        ("", "image/png", "图片.png"),
        ("...", "image/jpeg", "图片.jpg"),
        ("x" * 300 + ".jpg", "image/jpeg", "x" * 100 + ".jpg"),
    ],
)
def test_display_filename_is_safe(given: str, content_type: str, expected: str) -> None:
    assert safe_filename(given, content_type) == expected


def test_human_size() -> None:
    assert (human_size(20 * 1024 * 1024), human_size(512_000), human_size(999)) == ("20 MB", "500 KB", "999 字节")


def test_printing_a_pdf_does_not_let_truncated_images_through_afterwards() -> None:
    """WeasyPrint flips Pillow's process-wide LOAD_TRUNCATED_IMAGES when imported; the PDF adapter turns it back."""
    from adapters.pdf import render_pdf

    assert render_pdf("<p>章</p>").startswith(b"%PDF")
    assert refusal(jpeg((256, 256))[:-400], "half.jpg")
