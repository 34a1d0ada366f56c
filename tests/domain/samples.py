"""Location of the shared folder of real sample data used by domain tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def find_repo_root(start: Path) -> Path:
    for folder in start.resolve().parents:
        if (folder / "pyproject.toml").is_file():
            return folder
    raise RuntimeError(f"no pyproject.toml above {start}")


def shared_data_dir() -> Path:
    """Return the sample data folder: $LABELLOOP_SHARED_DATA, else ../shared/data."""
    configured = os.environ.get("LABELLOOP_SHARED_DATA")
    if configured:
        return Path(configured)
    return find_repo_root(Path(__file__)).parent / "shared" / "data"


def require_sample(name: str) -> Path:
    """Return a sample folder, or skip the test with the path that is missing."""
    folder = shared_data_dir() / name
    if not folder.is_dir():
        pytest.skip(
            f"sample data {folder} is absent; set LABELLOOP_SHARED_DATA to the shared data folder"
        )
    return folder
