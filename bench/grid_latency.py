"""Measure the latency of the item grid (GET /projects/{id}/items) on a large project.

Fills a fresh data folder with one project of ``--items`` items through bulk inserts
and starts the real server (``labelloop serve``) in a subprocess on 127.0.0.1. Then it
times the first page and a deep page for each grid filter. The deep page is the page
after item ``--deep-position``, requested with its keyset cursor. By default every
5th item is submitted and every 3rd has a prediction; raise ``--submitted-every`` and
``--predicted-every`` to make those filters rare.

    .venv/bin/python bench/grid_latency.py
    .venv/bin/python bench/grid_latency.py \
        --database-url postgresql://postgres@127.0.0.1:5432/test --explain

With ``--database-url`` the items go into a database ``--database-name`` created on
that server, which is dropped afterwards.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import event, insert, select, text

from labelloop.db.models import Item, Project
from labelloop.services import items as item_service
from labelloop.services.context import Context
from labelloop.services.pagination import encode_cursor
from labelloop.services.projects import create_project
from labelloop.services.users import create_user, issue_token
from labelloop.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from labelloop_server import Server, create_database, drop_database  # noqa: E402

FILTERS = (None, "unlabeled", "submitted", "predicted")
INSERT_CHUNK = 5_000
SCHEMA = {
    "data_type": "image",
    "controls": [{"name": "objects", "type": "bbox", "labels": [{"name": "car"}]}],
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000, help="items in the project")
    parser.add_argument("--repetitions", type=int, default=100, help="timed requests per cell")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per cell first")
    parser.add_argument("--page-size", type=int, default=100, help="the grid's limit parameter")
    parser.add_argument(
        "--deep-position", type=int, default=90_000, help="item position the deep page follows"
    )
    parser.add_argument(
        "--database-url", help="PostgreSQL server URL; SQLite in the data folder when unset"
    )
    parser.add_argument("--database-name", default="labelloop_bench")
    parser.add_argument(
        "--submitted-every", type=int, default=5, help="every Nth item is submitted"
    )
    parser.add_argument(
        "--predicted-every", type=int, default=3, help="every Nth item is predicted"
    )
    parser.add_argument("--data-dir", type=Path, help="a new folder; a temporary one when unset")
    parser.add_argument(
        "--explain", action="store_true", help="print the query plan of each grid query"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=900, help="stop measuring after this many seconds"
    )
    return parser.parse_args(argv)


def fill_project(
    context: Context, count: int, submitted_every: int, predicted_every: int, seed: int = 7
) -> tuple[int, str]:
    """Create the user, token and project, bulk insert ``count`` items; return (project, token)."""
    rng = random.Random(seed)
    with context.session() as session:
        user = create_user(session, "bench", "bench-password-1", is_admin=True)
        token = issue_token(session, user, kind="api", name="grid benchmark")
        project_id = create_project(session, user, "grid", SCHEMA).id
    for start in range(0, count, INSERT_CHUNK):
        rows = []
        for index in range(start, min(start + INSERT_CHUNK, count)):
            predicted = index % predicted_every == 0
            rows.append(
                {
                    "project_id": project_id,
                    "media_key": f"items/{project_id}/{index:064x}.jpg",
                    "thumb_key": f"thumbs/{project_id}/{index:064x}.jpg",
                    "file_name": f"img_{index:07d}.jpg",
                    "mime_type": "image/jpeg",
                    "width": 1280,
                    "height": 720,
                    "content_hash": f"{index:064x}",
                    "status": "submitted" if index % submitted_every == 0 else "unlabeled",
                    "predicted": predicted,
                    "uncertainty": rng.random() if predicted else None,
                    "meta": {"camera": f"cam-{index % 12:02d}"},
                }
            )
        with context.session() as session:
            session.execute(insert(Item), rows)
    return project_id, token


def deep_cursor(context: Context, project_id: int, position: int) -> str:
    with context.session() as session:
        after = session.scalar(
            select(Item.id)
            .where(Item.project_id == project_id)
            .order_by(Item.id)
            .offset(position - 1)
            .limit(1)
        )
    if after is None:
        raise SystemExit(f"--deep-position {position} is beyond the last item")
    return encode_cursor([after])


def explain_queries(
    context: Context, project_id: int, cursors: dict[str, str | None], page_size: int
) -> None:
    """Print the plan of the SQL that the grid service runs for each filter and page."""
    with context.session() as session:
        engine = session.get_bind()
        postgres = engine.dialect.name == "postgresql"
        project = session.get(Project, project_id)
        captured: list[tuple[str, object]] = []

        def capture(conn, cursor_, statement, parameters, context_, executemany):
            captured.append((statement, parameters))

        for status in FILTERS:
            for page, cursor in cursors.items():
                captured.clear()
                event.listen(engine, "before_cursor_execute", capture)
                try:
                    item_service.list_items(
                        session, project, status=status, cursor=cursor, limit=page_size
                    )
                finally:
                    event.remove(engine, "before_cursor_execute", capture)
                statement, parameters = captured[-1]
                prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
                plan = session.connection().exec_driver_sql(prefix + statement, parameters)
                print(f"\n-- {status or 'all'}, {page} page\n{statement}\n")
                for line in plan:
                    print("   ", " | ".join(str(part) for part in line))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def measure(
    server: Server, token: str, project_id: int, cursors: dict[str, str | None], args
) -> dict[tuple[str, str], dict[str, float]]:
    cells = [(status, page) for status in FILTERS for page in cursors]
    samples: dict[tuple[str | None, str], list[float]] = {cell: [] for cell in cells}
    returned: dict[tuple[str | None, str], int] = {}
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/projects/{project_id}/items"
    deadline = time.monotonic() + args.max_seconds
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as client:

        def fetch(status: str | None, page: str) -> float:
            params: dict[str, str | int] = {"limit": args.page_size}
            if status:
                params["status"] = status
            if cursors[page]:
                params["cursor"] = cursors[page]
            started = time.perf_counter()
            response = client.get(url, params=params)
            elapsed = time.perf_counter() - started
            response.raise_for_status()
            returned[(status, page)] = len(response.json()["items"])
            return elapsed

        for _ in range(args.warmup):
            for cell in cells:
                fetch(*cell)
        # Rounds over all cells, so machine noise spreads over every cell alike.
        for _ in range(args.repetitions):
            if time.monotonic() > deadline:
                print(f"stopped after {args.max_seconds:.0f} s", file=sys.stderr)
                break
            for cell in cells:
                samples[cell].append(fetch(*cell))
    results = {}
    for (status, page), values in samples.items():
        milliseconds = [value * 1000 for value in values]
        results[(status or "all", page)] = {
            "n": len(milliseconds),
            "items": returned[(status, page)],
            "p50": percentile(milliseconds, 0.5),
            "p95": percentile(milliseconds, 0.95),
            "mean": statistics.fmean(milliseconds),
        }
    return results


def print_table(results, args, backend: str, setup_seconds: float) -> None:
    print(
        f"\nitem grid, {args.items:,} items (1 in {args.submitted_every} submitted, 1 in "
        f"{args.predicted_every} predicted), page size {args.page_size}, "
        f"{args.repetitions} timed requests per cell after {args.warmup} warm-up; {backend}; "
        f"filled in {setup_seconds:.1f} s; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"Python {platform.python_version()}\n"
    )
    print("| filter | page | items returned | p50 ms | p95 ms | mean ms |")
    print("|---|---|---:|---:|---:|---:|")
    for (status, page), row in results.items():
        print(
            f"| {status} | {page} | {row['items']} | {row['p50']:.1f} | {row['p95']:.1f} | "
            f"{row['mean']:.1f} |"
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scratch = None
    if args.data_dir is None:
        scratch = tempfile.TemporaryDirectory(prefix="labelloop-grid-")
        args.data_dir = Path(scratch.name)
    elif args.data_dir.exists() and any(args.data_dir.iterdir()):
        raise SystemExit(f"--data-dir {args.data_dir} is not empty: pass a new folder")
    database_url = None
    if args.database_url:
        database_url = create_database(args.database_url, args.database_name)
    try:
        context = Context.from_settings(Settings(data_dir=args.data_dir, database_url=database_url))
        context.prepare()
        started = time.perf_counter()
        project_id, token = fill_project(
            context, args.items, args.submitted_every, args.predicted_every
        )
        if database_url:
            with context.session() as session:
                session.execute(text("ANALYZE item"))
        setup_seconds = time.perf_counter() - started
        cursors = {"first": None, "deep": deep_cursor(context, project_id, args.deep_position)}
        if args.explain:
            explain_queries(context, project_id, cursors, args.page_size)
        backend = f"PostgreSQL ({args.database_name})" if database_url else "SQLite (WAL)"
        with Server(args.data_dir, database_url) as server:
            results = measure(server, token, project_id, cursors, args)
        print_table(results, args, backend, setup_seconds)
    finally:
        if database_url:
            from labelloop.db.session import get_engine

            get_engine(database_url).dispose()
            drop_database(args.database_url, args.database_name)
        if scratch is not None:
            scratch.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
