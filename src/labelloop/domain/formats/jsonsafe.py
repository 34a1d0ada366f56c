"""Read untrusted JSON annotation files: BOM and UTF-16 aware, with the line and
column of syntax errors, and with NaN and Infinity kept as markers that no number
check accepts, so a reader reports them at the region they occur in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from labelloop.domain.errors import InvalidInput

MAX_JSON_BYTES = 1 << 30


class NonFinite(str):
    """A NaN or Infinity constant from a JSON file; a ``str``, so every number check
    rejects it and error messages show it as written."""

    def __repr__(self) -> str:
        return str(self)


def load_json(data: bytes | str | Path, source_name: str) -> Any:
    """Parse JSON from bytes, text or a file, raising InvalidInput that names ``source_name``."""
    text = decode_text(data, source_name)
    try:
        return json.loads(text, parse_constant=NonFinite)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"{source_name}: invalid JSON at line {error.lineno}, column {error.colno}: "
            f"{error.msg}; fix the file or export it again"
        ) from error
    except RecursionError as error:
        raise InvalidInput(f"{source_name}: JSON is nested too deeply to be read") from error


def decode_text(data: bytes | str | Path, source_name: str) -> str:
    """Return the text of a file given as bytes, text or a path, honouring a BOM."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if isinstance(data, Path):
        try:
            if data.stat().st_size > MAX_JSON_BYTES:
                raise InvalidInput(
                    f"{source_name}: the file is larger than {MAX_JSON_BYTES >> 20} MiB; "
                    "split the export into smaller files"
                )
            data = data.read_bytes()
        except OSError as error:
            raise InvalidInput(f"{source_name}: cannot read the file ({error.strerror})") from error
    raw = bytes(data)
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        encoding = "utf-32"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"{source_name}: not valid {encoding.removesuffix('-sig').upper()} text "
            f"(bad byte at offset {error.start}); save the file as UTF-8"
        ) from error
