from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from labelloop.domain.errors import InvalidInput
from labelloop.domain.images import (
    DecodedImage,
    decode_image,
    is_image_name,
    make_thumbnail,
    sha256_bytes,
)

from .samples import require_sample

FORMATS = [
    ("JPEG", "image/jpeg", "RGB"),
    ("PNG", "image/png", "RGBA"),
    ("WEBP", "image/webp", "RGB"),
    ("BMP", "image/bmp", "RGB"),
    ("GIF", "image/gif", "P"),
    ("TIFF", "image/tiff", "RGB"),
]


def encode(image: Image.Image, format_name: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format_name, **options)
    return buffer.getvalue()


def two_colour_image(width: int = 40, height: int = 20) -> Image.Image:
    """Red left half, blue right half, so a rotation is visible in the pixels."""
    image = Image.new("RGB", (width, height), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, width // 2, height))
    return image


def png_header_only(width: int, height: int) -> bytes:
    """Return a PNG whose header claims `width` x `height` with almost no pixel data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def test_sha256_known_value():
    assert sha256_bytes(b"abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


@pytest.mark.parametrize(("format_name", "mime_type", "mode"), FORMATS)
def test_decode_supported_formats(format_name, mime_type, mode):
    data = encode(two_colour_image().convert(mode), format_name)
    decoded = decode_image(data, f"sample.{format_name.lower()}")
    assert isinstance(decoded, DecodedImage)
    assert (decoded.width, decoded.height) == (40, 20)
    assert decoded.mime_type == mime_type
    assert decoded.format == format_name
    assert decoded.data is data


@pytest.mark.parametrize("format_name", ["JPEG", "PNG", "WEBP", "TIFF"])
def test_decode_applies_exif_orientation(format_name):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored pixels must be turned 90 degrees clockwise to display
    data = encode(two_colour_image(), format_name, exif=exif)
    decoded = decode_image(data, f"phone.{format_name.lower()}")
    assert (decoded.width, decoded.height) == (20, 40)
    assert decoded.data != data
    assert decoded.format == format_name

    stored = Image.open(io.BytesIO(decoded.data))
    assert stored.size == (20, 40)
    assert stored.getexif().get(0x0112, 1) == 1
    top = np.asarray(stored.convert("RGB"))[5, 10]
    bottom = np.asarray(stored.convert("RGB"))[35, 10]
    assert top[0] > 200, top
    assert top[2] < 60, top
    assert bottom[2] > 200, bottom
    assert bottom[0] < 60, bottom


def test_decode_orientation_one_keeps_bytes():
    exif = Image.Exif()
    exif[0x0112] = 1
    data = encode(two_colour_image(), "JPEG", exif=exif)
    assert decode_image(data, "upright.jpg").data is data


def test_decode_rejects_non_image():
    with pytest.raises(InvalidInput) as caught:
        decode_image(b"%PDF-1.7 not an image", "photo.jpg")
    message = caught.value.detail
    assert message.startswith("photo.jpg: not a readable image (cannot identify image file)")
    assert "upload JPEG, PNG, WebP, BMP, GIF or TIFF" in message


def test_decode_rejects_empty_file():
    with pytest.raises(InvalidInput, match="empty.png: not a readable image"):
        decode_image(b"", "empty.png")


@pytest.mark.parametrize("format_name", ["JPEG", "PNG"])
def test_decode_rejects_truncated(format_name):
    rng = np.random.default_rng(0)
    noise = Image.fromarray(rng.integers(0, 255, (200, 200, 3), dtype=np.uint8))
    data = encode(noise, format_name)
    with pytest.raises(InvalidInput, match=r"cut\.img: image data is truncated or corrupt"):
        decode_image(data[: len(data) // 2], "cut.img")


def test_decode_rejects_unsupported_format():
    data = encode(two_colour_image(), "PPM")
    with pytest.raises(InvalidInput, match="unsupported image format PPM"):
        decode_image(data, "scan.ppm")


def test_decode_rejects_over_max_pixels():
    data = encode(two_colour_image(), "PNG")
    with pytest.raises(InvalidInput) as caught:
        decode_image(data, "big.png", max_pixels=799)
    assert "big.png: image too large, possible decompression bomb" in caught.value.detail
    assert "40x20 = 800 pixels, limit 799" in caught.value.detail


@pytest.mark.parametrize(("side", "max_pixels"), [(10_000, 50_000_000), (20_000, 200_000_000)])
def test_decode_rejects_bomb_sizes_from_header(side, max_pixels):
    # Only the header exists, so rejecting it proves the check runs before decoding.
    data = png_header_only(side, side)
    with pytest.raises(InvalidInput, match="bomb.png: image too large, possible decompression"):
        decode_image(data, "bomb.png", max_pixels=max_pixels)


def test_decode_allows_large_images_under_the_configured_limit():
    # 10,000^2 is above Pillow's default limit but below the one passed in, so the
    # configured limit decides; the header-only file then fails as truncated.
    with pytest.raises(InvalidInput, match="truncated or corrupt"):
        decode_image(png_header_only(10_000, 10_000), "big.png", max_pixels=200_000_000)


def test_decode_real_sample_images():
    folder = require_sample("labelstudio-yolo-lsconverter") / "test_import_yolo_data" / "images"
    paths = sorted(folder.iterdir())
    assert len(paths) == 7
    for path in paths:
        data = path.read_bytes()
        decoded = decode_image(data, path.name)
        with Image.open(path) as image:
            upright = image.size
            if image.getexif().get(0x0112, 1) in (5, 6, 7, 8):
                upright = upright[::-1]
        assert (decoded.width, decoded.height) == upright, path.name
        assert decoded.mime_type in ("image/jpeg", "image/png"), path.name


def test_thumbnail_fits_max_side():
    data = encode(two_colour_image(1000, 500), "PNG")
    thumbnail = Image.open(io.BytesIO(make_thumbnail(data)))
    assert thumbnail.format == "JPEG"
    assert thumbnail.size == (256, 128)
    assert thumbnail.mode == "RGB"


def test_thumbnail_custom_max_side():
    data = encode(two_colour_image(300, 600), "JPEG")
    thumbnail = Image.open(io.BytesIO(make_thumbnail(data, max_side=100)))
    assert thumbnail.size == (50, 100)


def test_thumbnail_upscales_tiny_crisply():
    digit = np.zeros((8, 8), dtype=np.uint8)
    digit[2:6, 3:5] = 255
    data = encode(Image.fromarray(digit), "PNG")
    thumbnail = Image.open(io.BytesIO(make_thumbnail(data)))
    assert thumbnail.size == (64, 64)
    pixels = np.asarray(thumbnail.convert("L")).astype(int)
    # Centres of upscaled 8x8 blocks keep the source value (JPEG noise aside).
    block_centres = pixels[4::8, 4::8]
    assert np.abs(block_centres - digit.astype(int)).max() < 30


def test_thumbnail_keeps_mid_size():
    data = encode(two_colour_image(100, 50), "PNG")
    assert Image.open(io.BytesIO(make_thumbnail(data))).size == (100, 50)


def test_thumbnail_is_upright():
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(two_colour_image(), "JPEG", exif=exif)
    # 20 x 40 once upright, scaled up by a whole factor to reach 64 pixels.
    assert Image.open(io.BytesIO(make_thumbnail(data))).size == (40, 80)


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGBA", (30, 30), (0, 0, 0, 0)),
        Image.new("LA", (30, 30), (0, 0)),
        Image.new("P", (30, 30), 3),
        Image.new("CMYK", (30, 30), (0, 0, 0, 0)),
        Image.new("1", (30, 30), 1),
        Image.fromarray(np.arange(900, dtype=np.uint16).reshape(30, 30) * 70),
        Image.new("F", (30, 30), 0.5),
    ],
    ids=["RGBA", "LA", "P", "CMYK", "1", "I;16", "F"],
)
def test_thumbnail_converts_modes(image):
    format_name = "TIFF" if image.mode in ("CMYK", "F") else "PNG"
    thumbnail = Image.open(io.BytesIO(make_thumbnail(encode(image, format_name))))
    assert thumbnail.mode == "RGB"
    assert thumbnail.size == (90, 90)


def test_thumbnail_transparent_becomes_white():
    data = encode(Image.new("RGBA", (100, 100), (255, 0, 0, 0)), "PNG")
    pixels = np.asarray(Image.open(io.BytesIO(make_thumbnail(data))))
    assert pixels.min() > 240


def test_thumbnail_rejects_non_image():
    with pytest.raises(InvalidInput, match="not a readable image"):
        make_thumbnail(b"hello")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("photo.jpg", True),
        ("PHOTO.JPEG", True),
        ("dir/sub/scan.TIF", True),
        ("dir\\scan.tiff", True),
        ("a.png", True),
        ("a.webp", True),
        ("a.bmp", True),
        ("a.gif", True),
        ("notes.txt", False),
        ("archive.zip", False),
        ("jpg", False),
        ("__MACOSX/._photo.jpg", False),
        ("photo.jpg.exe", False),
    ],
)
def test_is_image_name(name, expected):
    assert is_image_name(name) is expected
