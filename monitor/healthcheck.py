"""``python -m monitor.healthcheck [--config FILE]``: exit 0 when the daemon on this machine is alive.

The container image's ``HEALTHCHECK``. It works with any configuration the image is run with: when the config
has ``health_listen``, ``/healthz`` must answer 200; without a listener, the daemon's heartbeat in
``state_dir/status.json`` (rewritten every few seconds while it runs) must be fresh and its pid alive (a
clean exit writes one last heartbeat). Nothing else is read, so
the check costs one file read or one local request.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from monitor.config import load_config
from monitor.errors import MonitorError
from monitor.times import timestamp

#: A heartbeat older than this is a daemon that stopped or hangs (it is written every 5 s by default).
MAX_HEARTBEAT_AGE = 30.0


def check_listener(listen: str, timeout: float = 4.0) -> str | None:
    """None when ``/healthz`` on the configured address answers 200, else why not."""
    host, _, port = listen.rpartition(":")
    if host in ("", "0.0.0.0", "::", "[::]"):
        host = "127.0.0.1"
    url = f"http://{host}:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return None if resp.status == 200 else f"{url}: HTTP {resp.status}"
    except urllib.error.HTTPError as exc:
        return f"{url}: HTTP {exc.code}"
    except OSError as exc:
        return f"{url}: {exc}"


def check_heartbeat(state_dir: str, max_age: float = MAX_HEARTBEAT_AGE) -> str | None:
    """None when ``status.json`` in ``state_dir`` carries a heartbeat younger than ``max_age`` seconds."""
    path = Path(state_dir) / "status.json"
    try:
        status = json.loads(path.read_text(encoding="utf-8"))
        beat = timestamp(str(status["heartbeat"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"{path}: no heartbeat ({exc.__class__.__name__}: {exc})"
    age = time.time() - beat
    if age > max_age:
        return f"{path}: last heartbeat {age:.0f} s ago (limit {max_age:.0f} s)"
    pid = status.get("pid")
    if isinstance(pid, int) and not _alive(pid):
        return f"{path}: the daemon that wrote it (pid {pid}) has exited"
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitor.healthcheck", description=__doc__)
    parser.add_argument("--config", default=os.environ.get("MONITOR_CONFIG"), help="the daemon's config file")
    parser.add_argument("--max-age", type=float, default=MAX_HEARTBEAT_AGE, help="heartbeat age limit, seconds")
    args = parser.parse_args(argv)
    try:
        daemon = load_config(args.config).daemon
    except MonitorError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    problem = (check_listener(daemon.health_listen) if daemon.health_listen
               else check_heartbeat(daemon.state_dir, args.max_age))
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
