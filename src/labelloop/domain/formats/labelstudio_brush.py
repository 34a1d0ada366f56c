"""Label Studio's brush RLE, the ``rle`` list of a ``brushlabels`` result.

The list is a byte stream of bits, most significant bit first. A 32-bit count of
values comes first, then the word size minus one (5 bits) and four run-length field
sizes minus one (4 bits each). Chunks follow until the count is reached: a flag bit,
a 2-bit index into the field sizes, the run length minus one in that many bits, and
then one word repeated for the run (flag 1) or one word per value (flag 0). This is
the packing of the thi.ng ``rle-pack`` library that the Label Studio editor uses.

The values are the RGBA bytes of an image of the task's original size, row by row.
The mask is the alpha channel.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from labelloop.domain.errors import InvalidInput

# Field sizes for run lengths, in bits, that the encoder announces in its header.
RUN_FIELD_BITS = (3, 4, 8, 16)
# An alpha value at or above this is inside the mask; the editor paints 255 and
# anti-aliased stroke edges get lower values.
ALPHA_INSIDE = 128
MAX_PIXELS = 1 << 28


class _Bits:
    def __init__(self, data: np.ndarray) -> None:
        self.bits = np.unpackbits(data)
        self.position = 0

    def read(self, count: int) -> int:
        end = self.position + count
        if end > self.bits.size:
            raise InvalidInput("the brush RLE ends in the middle of a value")
        value = 0
        for bit in self.bits[self.position : end].tolist():
            value = (value << 1) | bit
        self.position = end
        return value

    def read_words(self, count: int, size: int) -> np.ndarray:
        end = self.position + count * size
        if end > self.bits.size:
            raise InvalidInput("the brush RLE ends in the middle of a run")
        words = self.bits[self.position : end].reshape(count, size).astype(np.int64)
        self.position = end
        return words @ (1 << np.arange(size - 1, -1, -1, dtype=np.int64))


def decode_brush(rle: Any, height: int, width: int) -> np.ndarray:
    """Decode a brush RLE into a boolean mask of shape ``(height, width)``.

    Raises InvalidInput when the list is not bytes, is truncated, or its value count
    is not ``height * width * 4``.
    """
    if not isinstance(rle, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255 for v in rle
    ):
        raise InvalidInput("the brush rle must be a list of integers from 0 to 255")
    if height * width > MAX_PIXELS:
        raise InvalidInput(f"a {width}x{height} brush mask is larger than {MAX_PIXELS} pixels")
    stream = _Bits(np.asarray(rle, dtype=np.uint8))
    count = stream.read(32)
    if count != height * width * 4:
        raise InvalidInput(
            f"the brush RLE contains {count} values, but a {width}x{height} RGBA image has "
            f"{height * width * 4}; check original_width and original_height"
        )
    word_size = stream.read(5) + 1
    field_bits = [stream.read(4) + 1 for _ in range(4)]
    values = np.zeros(count, dtype=np.int64)
    index = 0
    while index < count:
        repeated = stream.read(1)
        run = stream.read(field_bits[stream.read(2)]) + 1
        end = min(index + run, count)
        if repeated:
            values[index:end] = stream.read(word_size)
        else:
            values[index:end] = stream.read_words(run, word_size)[: end - index]
        index = end
    return values.reshape(height, width, 4)[:, :, 3] >= ALPHA_INSIDE


def encode_brush(mask: np.ndarray) -> list[int]:
    """Encode a boolean mask as brush RLE: white, opaque pixels inside, transparent outside."""
    height, width = mask.shape
    values = np.repeat(np.where(mask.reshape(-1), 255, 0).astype(np.uint8), 4)
    pieces = [format(values.size, "032b"), format(7, "05b")]
    pieces.extend(format(bits - 1, "04b") for bits in RUN_FIELD_BITS)
    changes = np.flatnonzero(np.diff(values)) + 1
    starts = np.concatenate(([0], changes))
    ends = np.concatenate((changes, [values.size]))
    longest = 1 << RUN_FIELD_BITS[-1]
    for start, end in zip(starts.tolist(), ends.tolist(), strict=False):
        value = format(int(values[start]), "08b")
        remaining = end - start
        while remaining:
            run = min(remaining, longest)
            field = next(i for i, bits in enumerate(RUN_FIELD_BITS) if run - 1 < 1 << bits)
            pieces.append(f"1{field:02b}" + format(run - 1, f"0{RUN_FIELD_BITS[field]}b") + value)
            remaining -= run
    bits = "".join(pieces)
    bits += "0" * (-len(bits) % 8)
    return list(int(bits, 2).to_bytes(len(bits) // 8, "big"))
