"""The daemon's log lines: its own events (structlog, straight to the stream) and the standard library's
(httpx, asyncio...) share one stream, one lock and one set of processors; a broken stream never fails the code
that logs. The daemon's stderr a real pipe, as under systemd or Docker."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import structlog

from monitor.log import configure_logging

_WRITERS = """
import logging, threading, structlog
from monitor.log import configure_logging
configure_logging("INFO", json=True)  # the real stderr, a pipe here as under systemd or Docker
own, std = structlog.get_logger("monitor.test"), logging.getLogger("asyncio")
pad = "x" * 20_000  # longer than a pipe's atomic write and than the text layer's chunks
threads = [threading.Thread(target=lambda i=i: [own.info("own", i=i, j=j, pad=pad) for j in range(200)])
           for i in range(4)]
threads += [threading.Thread(target=lambda i=i: [std.warning("std %s %s %s", i, j, pad) for j in range(200)])
            for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
"""


def test_lines_from_both_paths_never_interleave_on_a_pipe() -> None:
    done = subprocess.run([sys.executable, "-c", _WRITERS], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    events = [json.loads(line)["event"] for line in done.stderr.splitlines()]  # every line whole JSON
    assert events.count("own") == 800 and sum(e.startswith("std ") for e in events) == 800


def test_levels_masking_and_a_closed_stream() -> None:
    buf = io.StringIO()
    configure_logging("INFO", json=True, stream=buf)
    log = structlog.get_logger("monitor.test")
    try:
        log.debug("hidden")
        log.info("fetched", url="https://user:secret@example.org/feed")
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("failed")
        configure_logging("DEBUG", json=True, stream=buf)  # a cached logger follows the new configuration
        log.debug("shown")
        closed = io.StringIO()
        configure_logging("INFO", json=True, stream=closed)
        closed.close()
        log.info("into a closed stream")  # does not raise
    finally:
        configure_logging("INFO", json=True)
    records = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert [r["event"] for r in records] == ["fetched", "failed", "shown"]
    assert "secret" not in records[0]["url"] and records[0]["logger"] == "monitor.test"
    assert records[1]["level"] == "error" and records[1]["exception"][0]["exc_type"] == "ValueError"
