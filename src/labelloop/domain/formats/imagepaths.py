"""Checks on the image file names that annotation files give."""

from __future__ import annotations

import posixpath
from pathlib import PurePosixPath


def relative_image_name(name: str) -> str | None:
    """Return ``name`` as a normalised relative POSIX path, or None when it is absolute,
    has a drive letter or leaves its folder through '..'."""
    if not name or "\x00" in name:
        return None
    posix = name.replace("\\", "/")
    if posix.startswith("/") or (len(posix) > 1 and posix[1] == ":"):
        return None
    normalised = posixpath.normpath(posix)
    if normalised == "." or ".." in PurePosixPath(normalised).parts:
        return None
    return normalised


def base_name(name: str) -> str:
    """Return the last component of a POSIX or Windows path."""
    return PurePosixPath(name.replace("\\", "/")).name
