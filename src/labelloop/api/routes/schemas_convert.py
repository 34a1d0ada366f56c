"""Convert label schemas from other tools' formats."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request

from labelloop.api.deps import UserDep
from labelloop.domain.errors import InvalidInput
from labelloop.domain.formats.labelstudio_config import parse_label_config
from labelloop.domain.schema import LabelSchema

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/schemas", tags=["schemas"])

# Label Studio configs are a few kilobytes; this bounds the XML one request can make
# the server parse.
MAX_CONFIG_BYTES = 1 << 20


@router.post(
    "/from-label-studio",
    response_model=LabelSchema,
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The Label Studio labeling config, an XML <View> document",
            "content": {"application/xml": {"schema": {"type": "string"}}},
        }
    },
)
async def schema_from_label_studio(request: Request, user: UserDep) -> LabelSchema:
    """Return the label schema for a Label Studio labeling config sent as the body.

    Nothing is stored: create the project with the returned schema.
    """
    body = await request.body()
    if len(body) > MAX_CONFIG_BYTES:
        raise InvalidInput(
            f"the labeling config is {len(body)} bytes, more than {MAX_CONFIG_BYTES}; "
            "send only the <View> document",
            status=413,
        )
    if not body.strip():
        raise InvalidInput("the request body is empty; send the labeling config as XML")
    schema = parse_label_config(body, "labeling config")
    logger.info(
        "user %s converted a Label Studio config with %d controls", user.id, len(schema.controls)
    )
    return schema
