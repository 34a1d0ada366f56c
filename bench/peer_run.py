"""Run the shared peer workload (``peer_bench.py run``) against labelloop.

By default this starts a labelloop server in a new data folder on 127.0.0.1 (SQLite,
or ``--database-url`` for a database created on a PostgreSQL server), runs the image
workload against it and stops it. Options this script does not know go to
``peer_bench.py run`` unchanged:

    .venv/bin/python bench/peer_run.py --out /tmp/labelloop.json --connection keepalive
    .venv/bin/python bench/peer_run.py --quick
    .venv/bin/python bench/peer_run.py --base-url http://127.0.0.1:8080 --token TOKEN
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from labelloop_adapter import PAGE_MODES, LabelloopAdapter, peer_bench  # noqa: E402
from labelloop_server import Server, create_database, drop_database  # noqa: E402

ADMIN_PASSWORD = "bench-password-1"


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--page-mode",
        choices=PAGE_MODES,
        default="index",
        help="index: two requests a page; walk: page p costs p requests; "
        "cached: reuse cursors seen before",
    )
    parser.add_argument("--base-url", help="use this running server instead of starting one")
    parser.add_argument("--token", help="API token for --base-url")
    parser.add_argument("--data-dir", type=Path, help="new data folder; temporary when unset")
    parser.add_argument("--database-url", help="PostgreSQL server URL; SQLite when unset")
    parser.add_argument("--database-name", default="labelloop_peer_bench")
    return parser.parse_known_args(argv)


def run_workload(args: argparse.Namespace, passthrough: list[str], server=None) -> int:
    peer_bench.ADAPTERS["labelloop"] = functools.partial(LabelloopAdapter, page_mode=args.page_mode)
    argv = ["run", "--adapter", "labelloop", "--kinds", "image"]
    if server is None:
        argv += ["--base-url", args.base_url, "--token", args.token]
    else:
        argv += ["--base-url", server.base_url, "--token", server.token]
        argv += ["--server-pid", str(server.process.pid)]
        if not args.database_url:
            argv += ["--db-path", str(server.data_dir / "labelloop.sqlite3")]
    return peer_bench.main(argv + passthrough)


def main(argv: list[str] | None = None) -> int:
    args, passthrough = parse_args(argv)
    if args.base_url:
        if not args.token:
            raise SystemExit("--base-url needs --token")
        return run_workload(args, passthrough)
    scratch = None
    if args.data_dir is None:
        scratch = tempfile.TemporaryDirectory(prefix="labelloop-peer-")
        args.data_dir = Path(scratch.name)
    database_url = None
    if args.database_url:
        database_url = create_database(args.database_url, args.database_name)
    try:
        server = Server(args.data_dir, database_url)
        server.run_cli("init", "--password", ADMIN_PASSWORD)
        server.token = server.run_cli("token", "--name", "peer benchmark").strip()
        with server:
            return run_workload(args, passthrough, server)
    finally:
        if database_url:
            drop_database(args.database_url, args.database_name)
        if scratch is not None:
            scratch.cleanup()


if __name__ == "__main__":
    sys.exit(main())
