"""Start and stop a labelloop server for the benchmarks, on loopback only.

The server is the real one (``labelloop serve``, uvicorn, one process) in a
subprocess. PostgreSQL runs use a benchmark database that is created here and
dropped by ``drop_database``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

HOST = "127.0.0.1"
LABELLOOP = Path(sys.executable).with_name("labelloop")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _admin_engine(server_url: str):
    url = make_url(server_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(url, isolation_level="AUTOCOMMIT"), url


def create_database(server_url: str, name: str) -> str:
    """Create database ``name`` (dropping an old one) on the server and return its URL."""
    engine, url = _admin_engine(server_url)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    engine, _ = _admin_engine(server_url)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


class Server:
    """A ``labelloop serve`` subprocess on 127.0.0.1; use it as a context manager."""

    def __init__(self, data_dir: Path, database_url: str | None = None, port: int | None = None):
        self.data_dir = data_dir
        self.database_url = database_url
        self.port = port or free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / "server.log"

    def environment(self) -> dict[str, str]:
        env = dict(os.environ, MLFLOW_DISABLE_TELEMETRY="true", DO_NOT_TRACK="true")
        if self.database_url:
            env["LABELLOOP_DATABASE_URL"] = self.database_url
        return env

    def run_cli(self, *args: str) -> str:
        """Run one ``labelloop`` command against this data folder and return its output."""
        done = subprocess.run(
            [str(LABELLOOP), *args, "--data-dir", str(self.data_dir)],
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"labelloop {' '.join(args)} failed: {done.stderr[-2000:]}")
        return done.stdout

    def start(self, timeout: float = 60.0) -> None:
        command = [str(LABELLOOP), "serve", "--data-dir", str(self.data_dir)]
        command += ["--host", HOST, "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.environment(), stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited with {self.process.returncode}: see {self.log_path}"
                )
            try:
                if httpx.get(f"{self.base_url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"the server did not respond to /api/v1/health within {timeout:.0f} s: "
            f"see {self.log_path}"
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
