"""Import items that point at external media (URLs), without uploading files."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from labelloop.api.deps import IdPath, SessionDep, UserDep
from labelloop.api.problems import problem
from labelloop.services import projects, references

logger = logging.getLogger(__name__)
router = APIRouter(tags=["items"])


class ReferenceImport(BaseModel):
    items: list[Any] = Field(
        description=(
            "Records {url, width, height, meta}: url is an http(s), s3 or gs URL or a path "
            "starting with '/', width and height are pixels or null, meta is an object; "
            f"at most {references.MAX_RECORDS} records"
        )
    )


class ReferenceImportResult(BaseModel):
    imported: int
    skipped: int
    ids: list[int] = Field(
        description="The item id of each record in request order; a skipped record has the "
        "id of the item that already had its URL"
    )


@router.post(
    "/projects/{project_id}/items/references",
    response_model=ReferenceImportResult,
    responses={422: {"description": "Invalid records; `invalid_indices` lists them"}},
)
def import_references(
    project_id: IdPath, body: ReferenceImport, session: SessionDep, user: UserDep
) -> ReferenceImportResult | JSONResponse:
    """Create items that point at external media; the server never fetches the URLs."""
    project = projects.get_project(session, project_id, user)
    try:
        records = references.parse_records(body.items)
    except references.InvalidRecords as error:
        logger.info(
            "project %d: rejected a reference import with %d invalid records",
            project.id,
            len(error.indices),
        )
        return problem(
            422,
            "Unprocessable Content",
            error.detail,
            code=error.code,
            invalid_indices=error.indices,
        )
    report = references.import_references(session, project, records)
    session.commit()
    return ReferenceImportResult(imported=report.imported, skipped=report.skipped, ids=report.ids)
