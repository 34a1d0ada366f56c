"""The ``labelloop`` command line.

Commands work on the local data directory (``--data-dir`` or ``LABELLOOP_DATA_DIR``)
and its database directly, acting as the user named by ``--user`` (by default the
first admin). ``labelloop serve`` and ``labelloop demo`` run the web app.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from labelloop.domain.errors import DomainError

app = typer.Typer(
    name="labelloop",
    help="Annotate data, freeze dataset versions, train and predict, in one loop.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
# soft_wrap keeps long messages on one line, so paths and values can be copied whole.
console = Console(stderr=True, soft_wrap=True)
logger = logging.getLogger(__name__)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Data directory (database, media, MLflow); default ./labelloop-data"
    ),
]
UserName = Annotated[
    str | None, typer.Option("--user", help="Act as this user; default: the first admin")
]
DEMO_USER = "demo"
DEMO_PASSWORD = "labelloop-demo"


def _context(data_dir: Path | None):
    from labelloop.services.context import Context
    from labelloop.settings import Settings

    if data_dir is not None:
        os.environ["LABELLOOP_DATA_DIR"] = str(data_dir)
    return Context.from_settings(Settings())


def _fail(message: str, code: int = 1) -> typer.Exit:
    # Messages quote values such as [x, y, width, height], which Rich would read as markup.
    console.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(code)


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except DomainError as error:
        raise _fail(error.detail) from None


@contextmanager
def _progress_bar(description: str) -> Iterator[Callable[[int, int | None, str], None]]:
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[message]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=None, message="")

        def update(done: int, total: int | None, message: str) -> None:
            bar.update(task, completed=done, total=total, message=message)

        yield update


def _acting_user(context, username: str | None):
    from sqlalchemy import select

    from labelloop.db.models import User

    with context.session() as session:
        if username:
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                raise _fail(f"user {username!r} not found: create it with `labelloop user-add`")
        else:
            user = session.scalar(select(User).where(User.is_admin.is_(True)).order_by(User.id))
            if user is None:
                raise _fail("no admin user exists: run `labelloop init` first")
        return user


def _ready_context(data_dir: Path | None):
    context = _context(data_dir)
    if not context.settings.resolved_data_dir.exists() and not context.settings.database_url:
        raise _fail(
            f"data directory {context.settings.resolved_data_dir} does not exist: "
            "run `labelloop init` first or pass --data-dir"
        )
    with _errors():
        context.prepare()
    return context


@app.command()
def init(
    data_dir: DataDir = None,
    admin: Annotated[str, typer.Option(help="Name of the admin user to create")] = "admin",
    password: Annotated[
        str | None,
        typer.Option(help="Admin password; read from LABELLOOP_ADMIN_PASSWORD or asked when unset"),
    ] = None,
) -> None:
    """Create the data directory, migrate the database and create an admin user."""
    from labelloop.services.users import create_user, get_user_by_name

    context = _context(data_dir)
    with _errors():
        context.prepare()
        with context.session() as session:
            if get_user_by_name(session, admin) is not None:
                console.print(f"user {admin!r} exists; database is up to date")
                return
            password = password or os.environ.get("LABELLOOP_ADMIN_PASSWORD")
            if not password:
                password = typer.prompt(
                    f"password for {admin}", hide_input=True, confirmation_prompt=True
                )
            create_user(session, admin, password, is_admin=True)
    console.print(f"initialised {context.settings.resolved_data_dir} with admin {admin!r}")


@app.command()
def serve(
    data_dir: DataDir = None,
    host: Annotated[str | None, typer.Option(help="Address to bind; default 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="Port; default 8080")] = None,
) -> None:
    """Run the web app and the API with in-process job workers."""
    context = _ready_context(data_dir)
    _serve(context, host or context.settings.host, port or context.settings.port)


def _serve(context, host: str, port: int) -> None:
    import uvicorn

    from labelloop.api.app import create_app

    uvicorn.run(create_app(context), host=host, port=port, log_level="info", access_log=False)


@app.command()
def demo(
    data_dir: DataDir = None,
    host: Annotated[str | None, typer.Option(help="Address to bind; default 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="Port; default 8080")] = None,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Load the demo projects and exit")
    ] = False,
) -> None:
    """Load the Digits and Photos demo projects, then serve them."""
    from labelloop.services.demo import load_demo
    from labelloop.services.users import create_user, get_user_by_name

    context = _context(data_dir)
    with _errors():
        context.prepare()
        with context.session() as session:
            user = get_user_by_name(session, DEMO_USER)
            if user is None:
                user = create_user(session, DEMO_USER, DEMO_PASSWORD, is_admin=True)
        with _progress_bar("demo") as update:
            load_demo(context, user, lambda name, done, total: update(done, total, name))
    host = host or context.settings.host
    port = port or context.settings.port
    console.print(f"demo data in {context.settings.resolved_data_dir}")
    if no_serve:
        return
    console.print(f"open http://{host}:{port}/ and log in as {DEMO_USER} / {DEMO_PASSWORD}")
    _serve(context, host, port)


@app.command("import")
def import_command(
    project: Annotated[str, typer.Argument(help="Project name or id")],
    path: Annotated[
        Path, typer.Argument(help="Image folder, .zip, or an annotation file or folder")
    ],
    format: Annotated[
        str,
        typer.Option(
            "--format", help="auto, images, coco, voc, yolo, cvat, labelstudio or labelme"
        ),
    ] = "auto",
    images: Annotated[
        Path | None, typer.Option("--images", help="Folder of the images an annotation file names")
    ] = None,
    as_predictions: Annotated[
        bool, typer.Option("--as-predictions", help="Keep imported boxes as model predictions")
    ] = False,
    data_dir: DataDir = None,
    user: UserName = None,
) -> None:
    """Import images, or annotated data in COCO, VOC, YOLO, CVAT, Label Studio or LabelMe."""
    from labelloop.services.imports import import_path

    context = _ready_context(data_dir)
    acting = _acting_user(context, user)
    with _errors(), _progress_bar("import") as update:
        report = import_path(
            context,
            project,
            path,
            acting,
            format=format,
            images_dir=images,
            as_predictions=as_predictions,
            progress=update,
        )
    for problem in report.errors:
        console.print(f"[yellow]skipped[/yellow] {escape(problem.file)}: {escape(problem.reason)}")
    console.print(
        f"imported {report.imported} items with {report.annotations} annotations; "
        f"{report.skipped} already present; {len(report.errors)} files rejected"
    )
    if report.errors and not report.imported and not report.skipped:
        raise typer.Exit(1)


@app.command()
def export(
    project: Annotated[str, typer.Argument(help="Project name or id")],
    out: Annotated[Path, typer.Option("--out", help="Output folder, or a path ending in .zip")],
    format: Annotated[
        str, typer.Option("--format", help="coco, voc, yolo, cvat, labelstudio or labelme")
    ] = "coco",
    split: Annotated[
        str, typer.Option("--split", help="train,validation,test fractions")
    ] = "0.8,0.1,0.1",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the split")] = 0,
    data_dir: DataDir = None,
    user: UserName = None,
) -> None:
    """Freeze a dataset version with a seeded, stratified split and export it."""
    from labelloop.domain.splits import parse_fractions
    from labelloop.services.datasets import export_project

    context = _ready_context(data_dir)
    acting = _acting_user(context, user)
    with _errors():
        fractions = parse_fractions(split)
        with _progress_bar("export") as update:
            result = export_project(
                context,
                project,
                acting,
                format=format,
                target=out,
                fractions=fractions,
                seed=seed,
                progress=update,
            )
    console.print(
        f"dataset version {result['dataset_version']} ({result['items']} items) "
        f"written as {format} to {out}"
    )


@app.command()
def train(
    project: Annotated[str, typer.Argument(help="Project name or id")],
    seed: Annotated[int, typer.Option(help="Seed of the model")] = 0,
    algorithm: Annotated[
        str, typer.Option(help="svm_rbf (default) or logistic_regression")
    ] = "svm_rbf",
    data_dir: DataDir = None,
    user: UserName = None,
) -> None:
    """Train a classifier on a new dataset version and track it in MLflow."""
    from labelloop.services.ml.training import train_project

    context = _ready_context(data_dir)
    acting = _acting_user(context, user)
    with _errors(), _progress_bar("train") as update:
        result = train_project(
            context, project, acting, algorithm=algorithm, seed=seed, progress=update
        )
    typer.echo(json.dumps(result, indent=2, default=str))


@app.command()
def predict(
    project: Annotated[str, typer.Argument(help="Project name or id")],
    data_dir: DataDir = None,
    user: UserName = None,
) -> None:
    """Store predictions with confidences for the project's unlabeled items."""
    from labelloop.services.ml.prediction import predict_project

    context = _ready_context(data_dir)
    acting = _acting_user(context, user)
    with _errors(), _progress_bar("predict") as update:
        result = predict_project(context, project, acting, progress=update)
    typer.echo(json.dumps(result, indent=2, default=str))


@app.command()
def evaluate(
    project: Annotated[str, typer.Argument(help="Project name or id")],
    dataset_version: Annotated[
        int | None, typer.Option("--dataset-version", help="Version number; default newest")
    ] = None,
    model_version: Annotated[
        int | None, typer.Option("--model-version", help="Only this model version's predictions")
    ] = None,
    split: Annotated[str, typer.Option(help="train, validation, test or all")] = "test",
    iou: Annotated[float, typer.Option(help="IoU that counts as a match")] = 0.5,
    data_dir: DataDir = None,
    user: UserName = None,
) -> None:
    """Score predictions against a dataset version: COCO AP or accuracy, and confusion."""
    from labelloop.services.evaluation import evaluate_project

    context = _ready_context(data_dir)
    acting = _acting_user(context, user)
    with _errors():
        result = evaluate_project(
            context,
            project,
            acting,
            dataset_version=dataset_version,
            model_version_id=model_version,
            split=split,
            iou_threshold=iou,
        )
    _print_evaluation(result)


def _print_evaluation(result: dict) -> None:
    from rich.table import Table

    console.print(
        f"{result['project']}: dataset version {result['dataset_version']}, "
        f"split {result['split']}, {result['items_with_predictions']} of "
        f"{result['items']} items predicted"
    )
    if result["task"] == "detection":
        summary = Table("metric", "value")
        names = {"map": "mAP@[.5:.95]", "ap50": "AP50", "ap75": "AP75"}
        for key, name in names.items():
            summary.add_row(name, f"{result[key]:.4f}")
        for label, value in result["per_class"].items():
            if value is not None:
                summary.add_row(f"AP {label}", f"{value:.4f}")
    else:
        summary = Table("metric", "value")
        summary.add_row("accuracy", f"{result['accuracy']:.4f}")
        summary.add_row("macro F1", f"{result['macro_f1']:.4f}")
    Console().print(summary)
    # Only classes that occur: a COCO schema has 80 labels, most absent from a split.
    labels, matrix = result["confusion"]["labels"], result["confusion"]["matrix"]
    used = [i for i in range(len(labels)) if any(matrix[i]) or any(row[i] for row in matrix)]
    confusion = Table("reference \\ predicted", *(labels[i] for i in used))
    for i in used:
        confusion.add_row(labels[i], *(str(matrix[i][j]) for j in used))
    Console().print(confusion)


@app.command("create-project")
def create_project_command(
    name: Annotated[str, typer.Argument(help="Project name")],
    schema: Annotated[
        Path | None, typer.Option("--schema", help="JSON file with the label schema")
    ] = None,
    label_studio_config: Annotated[
        Path | None,
        typer.Option(
            "--label-studio-config",
            help="Label Studio labeling config (XML) to turn into the label schema",
        ),
    ] = None,
    guidelines: Annotated[
        Path | None, typer.Option("--guidelines", help="Markdown file shown beside the editor")
    ] = None,
    data_dir: DataDir = None,
    user: UserName = None,
) -> None:
    """Create a project from a label schema file or a Label Studio labeling config."""
    from labelloop.domain.formats.labelstudio_config import parse_label_config
    from labelloop.services.projects import create_project

    if (schema is None) == (label_studio_config is None):
        raise _fail("give exactly one of --schema and --label-studio-config")
    context = _ready_context(data_dir)
    acting = _acting_user(context, user)
    try:
        if label_studio_config is not None:
            with _errors():
                parsed = parse_label_config(
                    label_studio_config.read_bytes(), str(label_studio_config)
                )
            definition = parsed.model_dump(mode="json")
        else:
            definition = json.loads(schema.read_text(encoding="utf-8-sig"))
        text = guidelines.read_text(encoding="utf-8") if guidelines else ""
    except OSError as error:
        raise _fail(f"cannot read {error.filename}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise _fail(f"{schema}: invalid JSON at line {error.lineno}: {error.msg}") from None
    with _errors(), context.session() as session:
        project = create_project(session, session.merge(acting), name, definition, guidelines=text)
        console.print(f"created project {project.name!r} (id {project.id})")


@app.command()
def projects(data_dir: DataDir = None) -> None:
    """List the projects with their item counts."""
    from sqlalchemy import select

    from labelloop.db.models import Project
    from labelloop.services.projects import project_counts

    context = _ready_context(data_dir)
    with context.session() as session:
        for project in session.scalars(select(Project).order_by(Project.id)):
            counts = project_counts(session, project.id)
            typer.echo(
                f"{project.id}\t{project.name}\t{counts['total']} items, "
                f"{counts['submitted']} submitted, {counts['predicted']} predicted"
            )


@app.command()
def token(
    name: Annotated[str, typer.Option(help="A note to recognise the token by")] = "cli",
    data_dir: DataDir = None,
    user: UserName = None,
) -> None:
    """Create an API token for scripts (send it as 'Authorization: Bearer <token>')."""
    from labelloop.services.users import issue_token

    context = _ready_context(data_dir)
    acting = _acting_user(context, user)
    with context.session() as session:
        typer.echo(issue_token(session, session.merge(acting), kind="api", name=name))


@app.command("user-add")
def user_add(
    username: Annotated[str, typer.Argument(help="New user name")],
    admin: Annotated[bool, typer.Option(help="Make the user an admin")] = False,
    data_dir: DataDir = None,
) -> None:
    """Create a user; the password is read from LABELLOOP_NEW_PASSWORD or asked."""
    from labelloop.services.users import create_user

    context = _ready_context(data_dir)
    password = os.environ.get("LABELLOOP_NEW_PASSWORD") or typer.prompt(
        "password", hide_input=True, confirmation_prompt=True
    )
    with _errors(), context.session() as session:
        create_user(session, username, password, is_admin=admin)
    console.print(f"created user {username!r}")


@app.command()
def worker(
    data_dir: DataDir = None,
    burst: Annotated[bool, typer.Option("--burst", help="Exit when the queue is empty")] = False,
) -> None:
    """Run jobs from the Redis queue named by LABELLOOP_QUEUE_URL."""
    from labelloop.jobs.redis_queue import work

    context = _ready_context(data_dir)
    if not context.settings.queue_url:
        raise _fail(
            "LABELLOOP_QUEUE_URL is not set: point it at Redis, e.g. redis://127.0.0.1:6379/0"
        )
    logging.getLogger("labelloop").setLevel(logging.INFO)
    work(context.settings, burst=burst)


@app.command()
def openapi() -> None:
    """Print the OpenAPI schema of the HTTP API (the front end's types come from it)."""
    from labelloop.api.app import create_app

    json.dump(create_app(None, run_workers=False).openapi(), sys.stdout, indent=2)
    sys.stdout.write("\n")


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug detail")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
