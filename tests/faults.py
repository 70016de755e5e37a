"""Misbehaving and honest receivers on 127.0.0.1 for the delivery fault tests (and bench/faults.py): a server
that accepts connections and never answers, one that trickles an endless reply, a POST recorder, an SMTP server."""

from __future__ import annotations

import email
import email.policy
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.newsroom import STORIES, start_server


class Stuck:
    """Accepts every connection and then says nothing (``trickle=False``: a hung SMTP server, a webhook or
    Apprise service that never answers) or trickles an HTTP reply that never ends, one byte at a time."""

    def __init__(self, trickle: bool = False) -> None:
        self.trickle = trickle
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        self.connections: list[socket.socket] = []
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)
            if self.trickle:
                threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        try:
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while not self.stopped.wait(0.2):
                conn.sendall(b"x")
        except OSError:
            pass

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()
        for conn in self.connections:
            conn.close()


@dataclass
class Recorder:
    """A POST receiver: records each body with its Idempotency-Key and answers 200."""

    url: str = ""
    bodies: list[dict[str, Any]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    server: Any = None

    @classmethod
    def start(cls) -> Recorder:
        rec = cls()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                rec.bodies.append(json.loads(body or b"{}"))
                rec.keys.append(self.headers.get("Idempotency-Key", ""))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        rec.server, base = start_server(Handler)
        rec.url = f"{base}/hook"
        return rec

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    """aiosmtpd on 127.0.0.1, collecting the idempotency key of each message."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.keys: list[str] = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.keys.append(str(msg["X-Monitor-Idempotency-Key"]))
        return "250 accepted"

    def close(self) -> None:
        self.controller.stop()


def stories(n: int) -> dict[str, str]:
    """``n`` distinct articles that each raise one alert (a casualty toll in a different town)."""
    title, text = STORIES["blast"]
    towns = ["Kunduz", "Herat", "Mosul", "Aleppo", "Gao", "Kidal", "Sirte", "Marib", "Idlib", "Raqqa", "Tikrit", "Homs"]
    return {f"story-{i:02d}.txt": f"{title.replace('Kunduz', towns[i % 12])} {i}\n\n"
            + text.replace("Kunduz", towns[i % 12]).replace("at least 14", f"at least {14 + i}")
            for i in range(n)}


def start_daemon(cwd: Path, config: Path, log_name: str, level: str = "INFO") -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("NOTIFY_SOCKET", None)
    log = (cwd / log_name).open("ab")
    return subprocess.Popen([sys.executable, "-m", "monitor", "--log-format", "json", "--log-level", level, "run",
                             "--config", str(config)], cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env)


def stop_daemon(proc: subprocess.Popen[bytes], timeout: float = 30) -> tuple[int, float]:
    """SIGTERM; the exit status and how long the exit took."""
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"the daemon did not exit within {timeout} s of SIGTERM") from None
    return code, time.monotonic() - started


def events(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
