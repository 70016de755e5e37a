"""Shared fixtures: real HTTP servers on 127.0.0.1, the monitor command as a subprocess, temp dirs."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_776c1127264d44d4.txt"
SHARED_EVAL = ROOT.parent / "shared" / "eval"


Reply = tuple[int, dict[str, str], bytes]


@dataclass
class Served:
    """An HTTP server on 127.0.0.1: ``routes`` maps a path to (status, headers, body) or to a function of the
    request handler returning one; ``requests`` records (path, headers) of every request."""

    base: str
    routes: dict[str, Reply | Callable[[http.server.BaseHTTPRequestHandler], Reply]]
    requests: list[tuple[str, dict[str, str]]]

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


@pytest.fixture
def http_server() -> Iterator[Served]:
    routes: dict[str, Reply | Callable[[http.server.BaseHTTPRequestHandler], Reply]] = {}
    requests: list[tuple[str, dict[str, str]]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = routes.get(self.path, (404, {"Content-Type": "text/plain"}, b"not found"))
            status, headers, body = route(self) if callable(route) else route
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_address[1]}", routes, requests)
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def monitor(tmp_path: Path) -> Callable[..., Result]:
    """Run the real ``monitor`` command in a subprocess (cwd = a temp dir)."""

    def run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 120) -> Result:
        full_env = {**os.environ, **(env or {})}
        full_env.pop("MONITOR_CONFIG", None)
        proc = subprocess.run(
            [sys.executable, "-m", "monitor", *args],
            input=stdin, capture_output=True, cwd=cwd or tmp_path, env=full_env, timeout=timeout,
        )
        return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))

    return run


def wait_for(condition: Callable[[], object], timeout: float = 30.0, interval: float = 0.1) -> object:
    """Poll ``condition`` until it is truthy; fail the test with a clear message on timeout."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s: {getattr(condition, '__name__', condition)}")


PG_ADMIN = os.environ.get("MONITOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped after it. Skips with the reason outside CI when the
    server cannot be reached; fails in CI, where .ci/run starts it."""
    import uuid

    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN} ({str(exc).strip()[:80]}); "
                    "set MONITOR_TEST_PG or start it to run the PostgreSQL tests")
    name = f"mm_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from pg_database()
