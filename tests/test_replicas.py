"""Three ``monitor run`` replicas on one PostgreSQL database, with procrastinate as the work queue, one of them
killed with SIGKILL several times and restarted: every expected alert arrives, the alert table holds one row
per fingerprint, no source is polled by two replicas at once, and every Idempotency-Key belongs to one alert."""

from __future__ import annotations

import http.server
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import psycopg
import pytest

from monitor.sinks.webhook import verify
from tests.conftest import kill_group, start_monitor, wait_for
from tests.newsroom import page, rss, start_server

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300), pytest.mark.usefixtures("no_orphans")]
SECRET = "replica-secret"


def test_three_replicas_one_killed_repeatedly(pg_url: str, tmp_path: Path) -> None:
    rng = random.Random(3)
    routes: dict[str, bytes] = {}
    keys: dict[str, set[str]] = {}
    lock = threading.Lock()

    class Newsroom(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(0.02)
            body = routes.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Type", "application/rss+xml" if self.path.startswith("/feed") else "text/html")
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ok = verify(SECRET, self.headers.get("X-Monitor-Signature", ""), body)
            if ok:
                with lock:
                    keys.setdefault(self.headers["Idempotency-Key"], set()).add(json.loads(body)["alert_id"])
            self.send_response(200 if ok else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server, base = start_server(Newsroom)
    feeds, per_feed = 3, 8
    for f in range(feeds):
        items = []
        for i in range(per_feed):
            n = f * per_feed + i
            routes[f"/news/{n}"] = page(f"Raid {n}", f"Gunmen killed {n + 2} villagers in raid number {n} on the "
                                                     f"town of district {n}, officials said on Monday evening.")
            items.append((str(n), f"Raid {n}", ""))
        routes[f"/feed{f}"] = rss(base, items).replace(b"?utm_source=rss", b"")
    sources = "".join(f'[[sources]]\nname = "feed{f}"\ntype = "feed"\nurl = "{base}/feed{f}"\ninterval = "1s"\n'
                      for f in range(feeds))
    config = tmp_path / "monitor.toml"
    config.write_text(f'[store]\nurl = "{pg_url}"\n[daemon]\nstate_dir = "state"\nallow_private_networks = true\n'
                      'delivery_backoff = "0.2s"\ndelivery_lease = "3s"\nstalled_after = "3s"\nshutdown_grace = "3s"\n'
                      f'{sources}[[sinks]]\nname = "ops"\ntype = "webhook"\nurl = "{base}/hook"\nsecret = "{SECRET}"\n')
    env = {k: v for k, v in os.environ.items() if k != "NOTIFY_SOCKET"}
    logs: list[tuple[Path, float | None]] = []

    def start(tag: str) -> subprocess.Popen[bytes]:
        log = tmp_path / f"{tag}-{len(logs)}.log"
        logs.append((log, None))
        return start_monitor(["--log-format", "json", "--log-level", "INFO", "run", "--config", str(config)],
                             cwd=tmp_path, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)

    replicas = [start(f"r{i}") for i in range(3)]
    killed_log = len(logs) - 3
    kills = 0
    try:
        for _ in range(3):
            time.sleep(rng.uniform(0.8, 2.5))
            kill_group(replicas[0])  # the replica and its forkserver and extraction workers
            logs[killed_log] = (logs[killed_log][0], time.time())
            kills += 1
            replicas[0] = start("r0")
            killed_log = len(logs) - 1
        expected = feeds * per_feed

        def all_arrived() -> bool:
            crashed = [p.args for p in replicas if p.poll() is not None]
            assert not crashed, f"a replica exited on its own: see {logs[-1][0].parent}"
            return len(keys) >= expected

        wait_for(all_arrived, timeout=90, interval=0.5)
        time.sleep(2)
        status = subprocess.run([sys.executable, "-m", "monitor", "status", "--json", "--config", str(config)],
                                cwd=tmp_path, capture_output=True, env=env, check=True)
        report = json.loads(status.stdout)
    finally:
        for proc in replicas:
            proc.send_signal(signal.SIGTERM)
        codes = [proc.wait(timeout=30) for proc in replicas]
        server.shutdown()
    assert codes == [0, 0, 0]
    assert kills == 3
    assert report["replicas"]["replicas_alive"] >= 3
    with psycopg.connect(pg_url) as conn:
        alerts = conn.execute("SELECT id, article_id FROM alerts").fetchall()
        undelivered = conn.execute("SELECT COUNT(*) FROM outbox WHERE status <> 'delivered'").fetchone()[0]
    assert len(alerts) == expected and len({a for _, a in alerts}) == expected  # one row per event and route
    assert undelivered == 0
    assert all(len(ids) == 1 and key == f"{next(iter(ids))}-ops" for key, ids in keys.items())

    taken_over = sum(log.read_text(errors="replace").count('"replica.stalled_job"') for log, _ in logs)
    print("replicas:", json.dumps({"kills": kills, "alerts": len(alerts), "keys": len(keys),
                                   "stalled_jobs_taken_over": taken_over}))

    # No source was polled by two replicas at once: the poll intervals of different processes never overlap.
    intervals: dict[str, list[tuple[float, float, int]]] = {}
    for index, (log, killed_at) in enumerate(logs):
        open_polls: dict[str, float] = {}
        for line in log.read_text(errors="replace").splitlines():
            if not line.startswith("{"):
                continue
            event = json.loads(line)
            at = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")).timestamp()
            if event["event"] == "source.poll_started":
                open_polls[event["source"]] = at
            elif event["event"] in ("source.polled", "source.failed") and event.get("source") in open_polls:
                intervals.setdefault(event["source"], []).append((open_polls.pop(event["source"]), at, index))
        for source, started in open_polls.items():  # cut short by SIGKILL
            intervals.setdefault(source, []).append((started, killed_at or time.time(), index))
    for source, spans in intervals.items():
        spans.sort()
        for (_s1, e1, p1), (s2, _e2, p2) in itertools.pairwise(spans):
            assert not (p1 != p2 and s2 < e1), f"{source} polled by two replicas at once"
