"""Media files addressed by key under one root folder.

Keys are relative POSIX paths such as ``projects/3/ab/ab12....jpg``. Writes go to
a temporary name first and are renamed into place, so a crash never leaves half a
file under a real key.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePosixPath


class MediaStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        relative = PurePosixPath(key)
        if relative.is_absolute() or ".." in relative.parts:
            raise ValueError(f"media key {key!r} must be a relative path without '..'")
        return self.root.joinpath(*relative.parts)

    def put(self, key: str, data: bytes) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def read(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)
