"""Image decoding, EXIF orientation, decompression-bomb checks and thumbnails."""

from __future__ import annotations

import hashlib
import io
import math
from dataclasses import dataclass
from pathlib import PurePosixPath

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from labelloop.domain.errors import InvalidInput

# Pillow's process-wide bomb limit (89 megapixels, warning first) would override the
# configurable `max_pixels`; decode_image checks that limit itself instead.
Image.MAX_IMAGE_PIXELS = None

# Pillow format name -> MIME type. MPO is how Pillow reports many camera JPEGs that
# carry a second, multi-picture frame, so it is stored and served as JPEG.
MIME_TYPES = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "BMP": "image/bmp",
    "GIF": "image/gif",
    "TIFF": "image/tiff",
}
IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}
)
SUPPORTED_HINT = "upload JPEG, PNG, WebP, BMP, GIF or TIFF"
EXIF_ORIENTATION = 0x0112
MIN_THUMBNAIL_SIDE = 64


@dataclass
class DecodedImage:
    """A validated image: its displayed size and the bytes to store.

    `data` is the original file when no EXIF rotation is needed, else the upright image
    re-encoded in the same format, so stored pixels match what viewers display.
    """

    width: int
    height: int
    mime_type: str
    data: bytes
    format: str


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_image_name(name: str) -> bool:
    """Return whether a file name has a supported image extension.

    macOS resource forks inside archives (`._photo.jpg`) are not images.
    """
    path = PurePosixPath(name.replace("\\", "/"))
    if path.name.startswith("._"):
        return False
    return path.suffix.lower() in IMAGE_EXTENSIONS


def decode_image(data: bytes, name: str, max_pixels: int = 200_000_000) -> DecodedImage:
    """Decode an image fully, turn it upright per EXIF and reject anything unsafe.

    Raises InvalidInput naming the file for non-images, unsupported formats, truncated
    or corrupt files, and images above `max_pixels` or Pillow's own bomb limit.
    """
    image = _open(data, name, max_pixels)
    try:
        # Read before load: Pillow's TIFF loader turns the pixels upright itself and
        # drops the tag, but the original bytes would still need the rotation.
        orientation = image.getexif().get(EXIF_ORIENTATION, 1)
        image.load()
    except Image.DecompressionBombError as error:
        raise _bomb_error(name, str(error)) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise InvalidInput(
            f"{name}: image data is truncated or corrupt ({error}); "
            "export the image again or repair the file"
        ) from error

    format_name = "JPEG" if image.format == "MPO" else image.format
    stored = data
    if orientation in range(2, 9):
        upright = ImageOps.exif_transpose(image)
        stored = _encode(upright, format_name, image)
        image = upright
    return DecodedImage(
        width=image.width,
        height=image.height,
        mime_type=MIME_TYPES[format_name],
        data=stored,
        format=format_name,
    )


def make_thumbnail(data: bytes, max_side: int = 256) -> bytes:
    """Return an upright RGB JPEG whose long side is at most `max_side` pixels.

    Images smaller than 64 pixels on their long side (such as 8x8 digits) are scaled
    up by a whole factor with nearest-neighbour sampling, so they stay crisp.
    """
    if max_side < 1:
        raise ValueError(f"max_side must be at least 1, got {max_side}")
    image = _open(data, "thumbnail source", max_pixels=None)
    image.draft("RGB", (max_side, max_side))
    image = ImageOps.exif_transpose(image)
    image = _to_rgb(image)

    long_side = max(image.size)
    if long_side < MIN_THUMBNAIL_SIDE:
        factor = math.ceil(MIN_THUMBNAIL_SIDE / long_side)
        size = (image.width * factor, image.height * factor)
        image = image.resize(size, Image.Resampling.NEAREST)
        image.thumbnail((max_side, max_side), Image.Resampling.NEAREST)
    else:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)

    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def _open(data: bytes, name: str, max_pixels: int | None) -> Image.Image:
    """Open the image header and check format and pixel count before decoding."""
    # The check below applies `max_pixels` from the header, before any pixel is
    # decoded. Pillow's own limit is switched off where this module is imported.
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError as error:
        raise InvalidInput(
            f"{name}: not a readable image (cannot identify image file); {SUPPORTED_HINT}"
        ) from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _bomb_error(name, str(error)) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise InvalidInput(f"{name}: not a readable image ({error}); {SUPPORTED_HINT}") from error

    if image.format not in MIME_TYPES:
        raise InvalidInput(f"{name}: unsupported image format {image.format}; {SUPPORTED_HINT}")
    pixels = image.width * image.height
    if max_pixels is not None and pixels > max_pixels:
        limit = max_pixels
        raise _bomb_error(name, f"{image.width}x{image.height} = {pixels} pixels, limit {limit}")
    return image


def _bomb_error(name: str, reason: str) -> InvalidInput:
    return InvalidInput(
        f"{name}: image too large, possible decompression bomb ({reason}); "
        "downscale or split the image"
    )


def _encode(image: Image.Image, format_name: str, original: Image.Image) -> bytes:
    """Encode the upright image in its original format, keeping colour profile and EXIF."""
    options: dict[str, object] = {}
    if icc_profile := original.info.get("icc_profile"):
        options["icc_profile"] = icc_profile
    if format_name in ("JPEG", "WEBP", "PNG"):
        # exif_transpose has already removed the orientation tag from this EXIF. TIFF
        # is left out because its EXIF is the main tag directory, whose stale width
        # and height tags would overwrite the rotated size.
        options["exif"] = image.getexif()
    if format_name in ("JPEG", "WEBP"):
        options["quality"] = 95
    if format_name == "JPEG" and image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=format_name, **options)
    return buffer.getvalue()


def _to_rgb(image: Image.Image) -> Image.Image:
    """Convert any Pillow mode to RGB, flattening transparency onto white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        scale = 255.0 / (high - low) if high > low else 0.0
        gray = ((values - low) * scale).clip(0, 255).astype(np.uint8)
        return Image.fromarray(gray).convert("RGB")
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")
