"""Time to recover from the delivery and state faults of issue 13 (items 3, 7, 8, 11), with alerts lost and
duplicated; the figures in the README's reliability section. Real daemons, real servers on 127.0.0.1.

    python bench/faults.py
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.faults import Mailbox, Recorder, Stuck, events, jsonl, start_daemon, stop_daemon, stories
from tests.test_stuck_sinks import config_text as sinks_config

N = 10


def until(cond, timeout: float = 120) -> float:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while not cond():
        if time.monotonic() - start > timeout:
            raise SystemExit(f"timed out waiting for {cond}")
        time.sleep(0.05)
    return time.monotonic() - start


def outbox(d: Path) -> dict[tuple[str, str], int]:
    with sqlite3.connect(d / "state" / "monitor.sqlite3") as db:
        return {(s, st): n for s, st, n in db.execute("SELECT sink, status, COUNT(*) FROM outbox GROUP BY 1, 2")}


def stuck_sinks(d: Path) -> None:
    trickle, smtp, apprise = Stuck(trickle=True), Stuck(), Stuck()
    cfg = d / "monitor.toml"
    cfg.write_text(sinks_config(f"http://127.0.0.1:{trickle.port}/h", smtp.port,
                                f"json://127.0.0.1:{apprise.port}/?rto=300"))
    (d / "inbox").mkdir()
    for name, text in stories(N).items():
        (d / "inbox" / name).write_text(text)
    proc = start_daemon(d, cfg, "run1.log")
    first = until(lambda: len(jsonl(d / "alerts.jsonl")) == N)
    until(lambda: "phones" in {e.get("sink") for e in events(d / "run1.log") if e["event"] == "alert.retry"})
    code, exit_s = stop_daemon(proc)
    for s in (trickle, smtp, apprise):
        s.close()
    pending = sum(n for (s, st), n in outbox(d).items() if st == "pending")
    hook, phones, desk = Recorder.start(), Recorder.start(), Mailbox()
    cfg.write_text(sinks_config(hook.url, desk.port, phones.url.replace("http://", "json://")))
    proc = start_daemon(d, cfg, "run2.log")
    recover = until(lambda: all(outbox(d).get((s, "delivered")) == N for s in ("hook", "desk", "phones")))
    stop_daemon(proc)
    got = {"file": [a["idempotency_key"] for a in jsonl(d / "alerts.jsonl")], "hook": hook.keys,
           "desk": desk.keys, "phones": [str(i) for i in range(len(phones.bodies))]}
    for r in (hook, phones, desk):
        r.close()
    lost = sum(N - len(set(k)) for k in got.values())
    dup = sum(len(k) - len(set(k)) for k in got.values())
    print(f"3. stuck webhook+SMTP+Apprise: {N} alerts in the file sink after {first:.1f} s; "
          f"SIGTERM exit {exit_s:.1f} s (code {code}) with an Apprise call stuck; {pending} pending kept; "
          f"all delivered {recover:.1f} s after restart; lost {lost}, duplicated {dup}")


def two_daemons(d: Path) -> None:
    from tests.test_state_faults import setup

    cfg = setup(d, N)
    first = start_daemon(d, cfg, "a.log")
    until(lambda: any(e["event"] == "daemon.ready" for e in events(d / "a.log")))
    t = time.monotonic()
    second = subprocess.run([sys.executable, "-m", "monitor", "run", "--config", str(cfg)], cwd=d,
                            capture_output=True, text=True)
    refused = time.monotonic() - t
    until(lambda: len(jsonl(d / "alerts.jsonl")) == N)
    stop_daemon(first)
    keys = [a["idempotency_key"] for a in jsonl(d / "alerts.jsonl")]
    print(f"7. second daemon refused in {refused:.1f} s (exit {second.returncode}: "
          f"{second.stderr.strip()[:60]}…); lost {N - len(set(keys))}, duplicated {len(keys) - len(set(keys))}")


def deleted_db(d: Path) -> None:
    from tests.test_state_faults import setup

    cfg = setup(d, N)
    proc = start_daemon(d, cfg, "a.log")
    until(lambda: len(jsonl(d / "alerts.jsonl")) == N)
    t = time.monotonic()
    for f in (d / "state").glob("monitor.sqlite3*"):
        f.unlink()
    code = proc.wait(timeout=60)
    noticed = time.monotonic() - t
    extra = d / "inbox" / "late.txt"
    extra.write_text(stories(N + 1)[f"story-{N:02d}.txt"])
    proc = start_daemon(d, cfg, "b.log")
    back = until(lambda: len(jsonl(d / "alerts.jsonl")) >= N + 1)
    stop_daemon(proc)
    keys = [a["idempotency_key"] for a in jsonl(d / "alerts.jsonl")]
    print(f"11. database deleted: noticed, written back and exited (code {code}) in {noticed:.1f} s; after restart the "
          f"next alert out in {back:.1f} s; lost {N + 1 - len(set(keys))}, duplicated {len(keys) - len(set(keys))}")


def reload_guard(d: Path) -> None:
    import http.server

    from tests.newsroom import rss, start_server
    from tests.test_reload import config_text

    hits: list[float] = []

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(time.monotonic())
            body = rss("http://x", [])
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a: object) -> None:
            pass

    server, base = start_server(H)
    cfg = d / "monitor.toml"
    cfg.write_text(config_text(base + "/rss", guard_off=True))
    proc = start_daemon(d, cfg, "a.log")
    until(lambda: len(hits) >= 2)
    cfg.write_text(config_text(base + "/rss", guard_off=False))
    t = time.monotonic()
    proc.send_signal(signal.SIGHUP)
    applied = until(lambda: any(e["event"] == "source.failed" and "refused" in e.get("error", "")
                                for e in events(d / "a.log")))
    after = sum(1 for h in hits if h > t + applied)
    stop_daemon(proc)
    server.shutdown()
    print(f"8. guard turned on by SIGHUP: first loopback fetch refused {applied:.1f} s after the signal "
          f"(the next poll); requests reaching loopback after that: {after}")


if __name__ == "__main__":
    for fn in (stuck_sinks, two_daemons, reload_guard, deleted_db):
        with tempfile.TemporaryDirectory() as tmp:
            fn(Path(tmp))
