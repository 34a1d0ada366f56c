"""Request and response models of the HTTP API (published in the OpenAPI schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from labelloop.domain.schema import LabelSchema


class User(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    is_admin: bool


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=1024)


class TokenRequest(BaseModel):
    name: str = Field(default="", max_length=100)


class TokenCreated(BaseModel):
    token: str


class ProjectCounts(BaseModel):
    total: int
    unlabeled: int
    submitted: int
    predicted: int


class Project(BaseModel):
    id: int
    name: str
    description: str
    schema_version: int
    label_schema: LabelSchema = Field(serialization_alias="schema", validation_alias="schema")
    guidelines: str
    order_by_uncertainty: bool
    counts: ProjectCounts

    model_config = ConfigDict(populate_by_name=True)


class ProjectPage(BaseModel):
    items: list[Project]
    next_cursor: str | None


class ProjectCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    label_schema: dict[str, Any] = Field(alias="schema")
    guidelines: str = ""


class ProjectUpdate(BaseModel):
    description: str | None = None
    guidelines: str | None = None
    label_schema: dict[str, Any] | None = Field(default=None, alias="schema")
    order_by_uncertainty: bool | None = None


class ItemSummary(BaseModel):
    id: int
    file_name: str
    width: int | None
    height: int | None
    status: str
    predicted: bool
    uncertainty: float | None
    thumb_url: str


class ItemPage(BaseModel):
    items: list[ItemSummary]
    next_cursor: str | None


class PageStarts(BaseModel):
    page_size: int
    total: int
    cursors: list[str | None] = Field(description="Cursor of each page; the first is null")


class Annotation(BaseModel):
    id: int
    item_id: int
    version: int
    result: dict[str, Any]
    submitted: bool
    updated_at: datetime


class Prediction(BaseModel):
    id: int
    result: dict[str, Any]
    score: float | None
    model_version_id: int | None


class ItemDetail(BaseModel):
    id: int
    project_id: int
    file_name: str
    width: int | None
    height: int | None
    status: str
    media_url: str
    thumb_url: str
    annotation: Annotation | None
    prediction: Prediction | None


class AnnotationSave(BaseModel):
    result: dict[str, Any]
    version: int | None = Field(
        default=None, description="The version the editor loaded; null for a first save"
    )
    submit: bool = False
    lead_time_seconds: float | None = Field(default=None, ge=0)


class QueueNext(BaseModel):
    item_id: int | None


class Job(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    project_id: int | None
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    progress_done: int
    progress_total: int | None
    message: str
    error: str | None
    result: dict[str, Any] | None
    log_tail: str
    created_at: datetime
    finished_at: datetime | None


class JobPage(BaseModel):
    items: list[Job]
    next_cursor: str | None


class ExportRequest(BaseModel):
    format: str = Field(
        default="coco",
        description="coco, voc, yolo, cvat, labelstudio or labelme",
        max_length=40,
    )
    split: tuple[float, float, float] = (0.8, 0.1, 0.1)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class TrainRequest(BaseModel):
    algorithm: Literal["svm_rbf", "logistic_regression"] = "svm_rbf"
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class PredictRequest(BaseModel):
    model_version_id: int | None = Field(default=None, ge=1, le=2**63 - 1)


class DatasetVersion(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: int
    content_hash: str
    schema_version: int
    seed: int
    split_fractions: list[float]
    counts: dict[str, int]
    created_at: datetime


class DatasetVersionPage(BaseModel):
    items: list[DatasetVersion]
    next_cursor: str | None


class ModelVersion(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    dataset_version_id: int
    mlflow_run_id: str
    registered_name: str
    registered_version: str
    model_uri: str
    algorithm: str
    metrics: dict[str, Any]
    created_at: datetime


class ModelVersionPage(BaseModel):
    items: list[ModelVersion]
    next_cursor: str | None


class EvaluationRequest(BaseModel):
    dataset_version: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="Dataset version number; default newest"
    )
    model_version_id: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="Only this model's predictions"
    )
    split: Literal["train", "validation", "test", "all"] = "test"
    iou_threshold: float = Field(default=0.5, gt=0, le=1)
