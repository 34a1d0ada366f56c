"""Opaque keyset cursors: a base64 JSON list of the sort key of the last row."""

from __future__ import annotations

import base64
import json
from typing import Any

from labelloop.domain.errors import InvalidInput

MAX_PAGE_SIZE = 500
# Keys are 64-bit database values; a larger number in a forged cursor would overflow
# the driver.
MAX_KEY = 2**63 - 1


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, length: int) -> list[Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInput(
            f"cursor {cursor!r} is not valid: pass the next_cursor of the previous page"
        ) from error
    # Every cursor key is a 64-bit database id; anything else is forged or stale.
    in_range = isinstance(values, list) and all(
        isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_KEY
        for value in values
    )
    if not in_range or len(values) != length:
        raise InvalidInput(
            f"cursor {cursor!r} is not valid here: pass the next_cursor of the previous page"
        )
    return values


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(f"limit={limit} is out of range: use 1 to {MAX_PAGE_SIZE}")
    return limit
