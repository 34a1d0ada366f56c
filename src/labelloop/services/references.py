"""Import items that point at external media by URL instead of uploaded files.

The server never fetches the URL. An item stores it in ``Item.media_key`` behind
``EXTERNAL_PREFIX``, so code that reads media files can tell it apart from a key in
the media folder. Items are keyed by the SHA-256 of the URL, so importing the same
URL into a project again is skipped.

NOTE: COCO and YOLO exports read each item's file from the media folder, so an
export job fails while the project has submitted external items.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import posixpath
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labelloop.db.models import Item, Project
from labelloop.domain.errors import Conflict, InvalidInput

logger = logging.getLogger(__name__)

EXTERNAL_PREFIX = "url:"
MAX_RECORDS = 100_000
# Item.media_key is String(500) and contains the prefix too.
MAX_URL_LENGTH = 500 - len(EXTERNAL_PREFIX)
MAX_SIDE = 1_000_000
URL_SCHEMES = ("http", "https", "s3", "gs")
RECORD_FIELDS = frozenset({"url", "width", "height", "meta"})
INSERT_CHUNK = 2_000
# Rows per IN (...) lookup, below 999, the default limit of host parameters before SQLite 3.32.
LOOKUP_CHUNK = 900
UNKNOWN_MIME_TYPE = "application/octet-stream"


class InvalidRecords(InvalidInput):
    """A reference import with bad records; ``indices`` lists each bad record's position."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        error = InvalidInput.from_problems(
            "invalid records, nothing was imported: fix them and send the request again",
            [f"items[{index}]: {message}" for index, message in problems],
        )
        super().__init__(error.detail)
        self.indices = sorted({index for index, _ in problems})


@dataclass
class ReferenceRecord:
    url: str
    width: int | None
    height: int | None
    meta: dict[str, Any]
    content_hash: str = field(init=False)

    def __post_init__(self) -> None:
        self.content_hash = hashlib.sha256(self.url.encode()).hexdigest()


@dataclass
class ReferenceReport:
    imported: int = 0
    skipped: int = 0
    # The item id of each record in request order; a skipped record gets the id of
    # the item that already had its URL.
    ids: list[int] = field(default_factory=list)


def is_external(media_key: str) -> bool:
    return media_key.startswith(EXTERNAL_PREFIX)


def external_url(media_key: str) -> str | None:
    """Return the URL of an external item's media key, or None for a stored file."""
    return media_key[len(EXTERNAL_PREFIX) :] if is_external(media_key) else None


def _url_problem(url: Any) -> str | None:
    if url is None or url == "":
        return "url is missing or empty"
    if not isinstance(url, str):
        return f"url must be a string, got {url!r}"[:200]
    if len(url) > MAX_URL_LENGTH:
        return f"url is {len(url)} characters long; the maximum is {MAX_URL_LENGTH}"
    if any(ord(character) < 33 or ord(character) == 127 for character in url):
        return f"url {url!r} contains a space or control character: percent-encode it"
    parts = urlsplit(url)
    if ".." in unquote(parts.path).split("/"):
        return f"url {url!r} contains a '..' path segment: give the resolved URL"
    if parts.scheme:
        if parts.scheme.lower() not in URL_SCHEMES or not parts.netloc:
            return f"url {url!r} is not supported: use {', '.join(URL_SCHEMES)} URLs or a path"
        return None
    if not url.startswith("/") or url.startswith("//"):
        return f"url {url!r} is relative: give an absolute URL or a path starting with '/'"
    return None


def _side_problem(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{name} must be an integer number of pixels or null, got {value!r}"
    if not 1 <= value <= MAX_SIDE:
        return f"{name}={value} is out of range: use 1 to {MAX_SIDE} pixels"
    return None


def parse_record(raw: Any) -> tuple[ReferenceRecord | None, list[str]]:
    """Check one request record; return it, or None with every problem found."""
    if not isinstance(raw, dict):
        return None, [f"must be an object with url, width, height and meta, got {raw!r}"[:200]]
    problems = [f"unknown field {name!r}" for name in sorted(set(raw) - RECORD_FIELDS)]
    for problem in (
        _url_problem(raw.get("url")),
        _side_problem("width", raw.get("width")),
        _side_problem("height", raw.get("height")),
    ):
        if problem:
            problems.append(problem)
    if (raw.get("width") is None) != (raw.get("height") is None):
        problems.append("width and height must both be set or both be null")
    meta = raw.get("meta", {})
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        problems.append(f"meta must be an object, got {meta!r}"[:200])
    if problems:
        return None, problems
    return ReferenceRecord(raw["url"], raw.get("width"), raw.get("height"), meta), []


def parse_records(raw_records: Any) -> list[ReferenceRecord]:
    """Check every record; raise InvalidRecords naming each bad one, so none are stored."""
    if not isinstance(raw_records, list) or not raw_records:
        raise InvalidInput("items must be a non-empty list of {url, width, height, meta} objects")
    if len(raw_records) > MAX_RECORDS:
        raise InvalidInput(
            f"{len(raw_records)} records in one request; the maximum is {MAX_RECORDS}: "
            "split the import into several requests"
        )
    records: list[ReferenceRecord] = []
    problems: list[tuple[int, str]] = []
    for index, raw in enumerate(raw_records):
        record, found = parse_record(raw)
        if record is not None:
            records.append(record)
        problems.extend((index, message) for message in found)
    if problems:
        raise InvalidRecords(problems)
    return records


def file_name_of(url: str) -> str:
    """Return the last path segment of ``url``, or the whole URL when the path has none."""
    name = posixpath.basename(unquote(urlsplit(url).path))
    return name or url


def mime_type_of(url: str) -> str:
    guessed, _ = mimetypes.guess_type(urlsplit(url).path, strict=False)
    return guessed or UNKNOWN_MIME_TYPE


def _existing_ids(session: Session, project_id: int, hashes: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(hashes), LOOKUP_CHUNK):
        chunk = hashes[start : start + LOOKUP_CHUNK]
        rows = session.execute(
            select(Item.content_hash, Item.id).where(
                Item.project_id == project_id, Item.content_hash.in_(chunk)
            )
        )
        found.update(rows.tuples().all())
    return found


def _item_row(project_id: int, record: ReferenceRecord) -> dict[str, Any]:
    return {
        "project_id": project_id,
        "media_key": EXTERNAL_PREFIX + record.url,
        "thumb_key": None,
        "file_name": file_name_of(record.url)[:500],
        "mime_type": mime_type_of(record.url),
        "width": record.width,
        "height": record.height,
        "content_hash": record.content_hash,
        "status": "unlabeled",
        "predicted": False,
        "meta": record.meta,
    }


def import_references(
    session: Session, project: Project, records: list[ReferenceRecord]
) -> ReferenceReport:
    """Create one item per new URL in ``records``, in chunked multi-row inserts.

    Records whose URL the project already has, or that repeat an earlier record, are
    skipped. The caller commits. Raises Conflict when a concurrent import inserted
    one of the URLs first; the caller must then roll the session back.
    """
    report = ReferenceReport()
    known = _existing_ids(session, project.id, [record.content_hash for record in records])
    new_records: list[ReferenceRecord] = []
    for record in records:
        if record.content_hash in known:
            report.skipped += 1
            continue
        known[record.content_hash] = 0  # placeholder until the insert returns the id
        new_records.append(record)

    statement = insert(Item).returning(Item.content_hash, Item.id, sort_by_parameter_order=True)
    try:
        for start in range(0, len(new_records), INSERT_CHUNK):
            rows = [
                _item_row(project.id, record)
                for record in new_records[start : start + INSERT_CHUNK]
            ]
            known.update(session.execute(statement, rows).tuples().all())
    except IntegrityError as error:
        raise Conflict(
            f"another import added some of these URLs to project {project.id} at the same "
            "time: send the request again, and the URLs stored by then are skipped"
        ) from error
    report.imported = len(new_records)
    report.ids = [known[record.content_hash] for record in records]
    logger.info(
        "project %d: imported %d external items, skipped %d already present",
        project.id,
        report.imported,
        report.skipped,
    )
    return report
