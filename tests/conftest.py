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


@dataclass
class Served:
    """A directory-less HTTP server: ``routes`` maps a path to (status, headers, body)."""

    base: str
    routes: dict[str, tuple[int, dict[str, str], bytes]]

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def http_server() -> Iterator[Served]:
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = routes.get(self.path, (404, {"Content-Type": "text/plain"}, b"not found"))
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_address[1]}", routes)
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
