"""Shared fixtures: real HTTP servers on 127.0.0.1, the monitor command as a subprocess, temp dirs."""

from __future__ import annotations

import contextlib
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from monitor.store.base import Store

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


@pytest.fixture(scope="session")
def seeded_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory whose ``state/`` a real ``monitor run --once`` made from a drop folder of the seed articles
    (once per session; tests that write copy it: ``tests.console_support.copy_state``)."""
    from tests.console_support import seeded_state as make

    return make(tmp_path_factory.mktemp("seeded"))


@pytest.fixture
def seeded_store(seeded_state: Path, tmp_path: Path) -> Iterator[Store]:
    """A copy of the seeded state per test, opened: forms posted by one test are not seen by another."""
    from monitor.store import open_store
    from tests.console_support import copy_state

    s = open_store(copy_state(seeded_state, tmp_path))
    yield s
    s.close()


PG_ADMIN = os.environ.get("MONITOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def store_on(backend: str, tmp_path: Path) -> Iterator[Store]:
    """A store for one test on ``backend``: "sqlite" (a file in ``tmp_path``) or "postgres" (a fresh database,
    dropped after). For a fixture parametrised over both: ``yield from store_on(request.param, tmp_path)``."""
    from monitor.store import open_store

    if backend == "sqlite":
        s = open_store(tmp_path)
        yield s
        s.close()
        return
    for url in pg_database():
        s = open_store(tmp_path, url)
        yield s
        s.close()


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


# -- no process left behind ------------------------------------------------------------------------------------

#: Every process the suite starts inherits this variable (subprocesses, their forkservers, their pool workers),
#: so the ones left alive can be found in /proc whoever their parent is now, even after a SIGKILL orphaned them.
SESSION_MARK = "MONITOR_TEST_SESSION"


def marked_processes(mark: str) -> dict[int, str]:
    """Live processes (not this one) whose environment carries ``SESSION_MARK=mark``: pid → command line."""
    needle = f"{SESSION_MARK}={mark}".encode()
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if state != "Z":
            found[int(entry.name)] = cmdline
    return found


def processes_left(mark: str, timeout: float = 10.0) -> dict[int, str]:
    """Marked processes still alive after ``timeout`` (exiting ones get the time to finish)."""
    import time

    deadline = time.monotonic() + timeout
    while (left := marked_processes(mark)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def _reap(left: dict[int, str]) -> None:
    import signal

    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _report(left: dict[int, str]) -> str:
    return "processes left behind:\n" + "\n".join(f"  {pid}: {cmd[:160]}" for pid, cmd in left.items())


def start_monitor(args: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
    """``python -m monitor ARGS`` in its own process group, so ``kill_group`` reaches its forkserver, its
    extraction workers and its resource tracker too, as a container runtime or systemd would."""
    return subprocess.Popen([sys.executable, "-m", "monitor", *args], start_new_session=True,
                            **kwargs)  # type: ignore[call-overload, no-any-return]


def kill_group(proc: subprocess.Popen[bytes], timeout: float = 10) -> int:
    """SIGKILL a process started by ``start_monitor`` and everything it started; wait for it."""
    import signal

    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    return proc.wait(timeout=timeout)


@pytest.fixture
def no_orphans() -> Iterator[None]:
    """This test's processes (and theirs) carry their own mark; fail the test if any outlives it."""
    import uuid

    session = os.environ.get(SESSION_MARK)
    mark = os.environ[SESSION_MARK] = uuid.uuid4().hex
    try:
        yield
    finally:
        if session is None:
            os.environ.pop(SESSION_MARK, None)
        else:
            os.environ[SESSION_MARK] = session
    left = processes_left(mark)
    _reap(left)
    assert not left, _report(left)


@pytest.fixture(scope="session", autouse=True)
def no_process_left_behind() -> Iterator[None]:
    """Fail the run if any process started by a test outlives the suite; kill what is found so it cannot pile
    up across runs. The suite's own forkserver and resource tracker are stopped first."""
    import uuid

    if not Path("/proc/self/environ").exists():
        yield
        return
    mark = uuid.uuid4().hex
    os.environ[SESSION_MARK] = mark
    yield
    from multiprocessing import forkserver, resource_tracker

    # The suite's own helpers (in-process runner tests start them) would end with pytest; stop them now.
    for helper in (forkserver._forkserver, resource_tracker._resource_tracker):  # type: ignore[attr-defined]
        stop = getattr(helper, "_stop", None)
        if stop is not None:
            stop()
    left = processes_left(mark)
    _reap(left)
    assert not left, _report(left)
