"""Helpers of the console tests: the console served on 127.0.0.1 from a thread of its own, a state directory
made by a real ``monitor run --once`` on the seed article, and form tokens read off a page."""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from monitor.config import ConsoleConfig
from monitor.console.app import Console, create_app
from monitor.console.auth import Credentials
from monitor.console.server import ConsoleServer
from monitor.store.base import Store
from tests.conftest import ROOT


@contextlib.contextmanager
def serving(store: Store, *, detectors: Mapping[str, Any] | None = None, sources: list[str] | None = None,
            token: str | None = None) -> Iterator[str]:
    """The console over ``store`` on 127.0.0.1 (a free port), in its own event loop; yields its base URL."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    app = create_app(Console(store, detectors, sources or []), Credentials(token))
    server = ConsoleServer(app, ConsoleConfig(listen="127.0.0.1:0", token=token))
    try:
        asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
        yield f"http://{server.address}"
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def seeded_state(directory: Path) -> Path:
    """``monitor run --once`` (the real command) over a drop folder holding the seed articles; the
    directory, with its ``state/``."""
    inbox = directory / "inbox"
    inbox.mkdir(parents=True)
    for seed in (ROOT / "seeds").iterdir():
        shutil.copy2(seed, inbox / seed.name)
    done = subprocess.run([sys.executable, "-m", "monitor", "run", "--once"], cwd=directory, capture_output=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return directory


def form_token(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def alert_links(html: str) -> list[str]:
    return re.findall(r'<a class="alert-link" href="/alerts/([0-9a-f]+)"', html)


def copy_state(seeded: Path, to: Path) -> Path:
    """A copy of a seeded ``state/`` under ``to`` (without the daemon's lock file); returns the copy."""
    shutil.copytree(seeded / "state", to / "state", ignore=shutil.ignore_patterns("monitor.lock"))
    return to / "state"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
