"""Image features for the baseline classifier: small grayscale images flattened to vectors.

A feature vector is the image converted to grayscale, resized to a fixed
``(width, height)`` and scaled to [0, 1], in row-major order (``width * height``
float32 values). The size is chosen once per trained model and logged with it, so
prediction resizes every image exactly as training did.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from labelloop.storage.media import MediaStore

DEFAULT_FEATURE_SIZE = (16, 16)
# Images no larger than this on both sides keep their own size when they all share it.
MAX_NATIVE_SIDE = 16
_HIGH_BIT_MODES = ("I;16", "I;16B", "I;16L", "I", "F")


@dataclass
class FeatureBatch:
    """Feature rows for the images that loaded, and the reason for each one that did not.

    ``features[i]`` belongs to input position ``loaded[i]``, and ``errors`` maps an
    input position to the reason its image could not be read.
    """

    features: np.ndarray
    loaded: list[int]
    errors: dict[int, str] = field(default_factory=dict)


def choose_feature_size(sizes: Iterable[tuple[int | None, int | None]]) -> tuple[int, int]:
    """Return the ``(width, height)`` that images are resized to.

    When every image has the same size and neither side exceeds 16 pixels (such as
    the 8x8 scikit-learn digits), that size is kept so no pixel is resampled.
    Anything else, including unknown sizes, gets 16x16.
    """
    distinct = set(sizes)
    if len(distinct) == 1:
        width, height = next(iter(distinct))
        if width and height and max(width, height) <= MAX_NATIVE_SIDE:
            return int(width), int(height)
    return DEFAULT_FEATURE_SIZE


def to_grayscale(image: Image.Image) -> Image.Image:
    """Convert any Pillow mode to 8-bit grayscale ("L"), flattening transparency onto white."""
    if image.mode in _HIGH_BIT_MODES:
        # 16-bit and float images are stretched to their own value range, because a
        # plain convert("L") clips everything above 255 to white.
        values = np.asarray(image, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        scale = 255.0 / (high - low) if high > low else 0.0
        return Image.fromarray(np.rint((values - low) * scale).clip(0, 255).astype(np.uint8))
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("L")
    return image.convert("L")


def image_pixels(data: bytes, size: tuple[int, int]) -> np.ndarray:
    """Decode one image into a uint8 array of shape ``(height, width)`` at ``size``.

    Raises ``OSError``, ``ValueError`` or ``Image.DecompressionBombError`` when the bytes
    are not a readable image of a safe size.
    """
    with Image.open(io.BytesIO(data)) as image:
        # For JPEG, draft() decodes at a reduced scale that still covers ``size``.
        image.draft("L", size)
        gray = to_grayscale(image)
    if gray.size != size:
        # Pillow's bilinear filter widens its support when shrinking, so downscaling
        # averages the covered pixels instead of skipping them.
        gray = gray.resize(size, Image.Resampling.BILINEAR)
    return np.asarray(gray, dtype=np.uint8)


def load_features(
    media: MediaStore, media_keys: Sequence[str], size: tuple[int, int]
) -> FeatureBatch:
    """Read the images stored under ``media_keys`` and return their feature rows.

    An image that is missing or cannot be decoded is reported in ``errors`` and left
    out of ``features``, so one broken file does not stop a batch.
    """
    width, height = size
    pixels: list[np.ndarray] = []
    loaded: list[int] = []
    errors: dict[int, str] = {}
    for position, key in enumerate(media_keys):
        try:
            pixels.append(image_pixels(media.read(key), size))
        except FileNotFoundError:
            errors[position] = f"media file {key} is missing"
            continue
        except (OSError, ValueError, Image.DecompressionBombError) as error:
            errors[position] = f"media file {key} cannot be decoded ({error})"
            continue
        loaded.append(position)
    if pixels:
        # One conversion for the whole batch: (n, height, width) uint8 -> (n, features).
        stacked = np.stack(pixels).reshape(len(pixels), width * height)
        features = stacked.astype(np.float32) / np.float32(255.0)
    else:
        features = np.empty((0, width * height), dtype=np.float32)
    return FeatureBatch(features=features, loaded=loaded, errors=errors)
