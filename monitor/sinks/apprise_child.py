"""One Apprise notification in a child process: ``python -m monitor.sinks.apprise_child``.

Apprise blocks in its own thread pools, whose workers the interpreter joins at exit, and its timeouts are per
socket operation: a service that trickles its reply holds a call for ever, and a daemon that made that call
could not exit on SIGTERM. In a child the call can be ended — the parent kills it at the delivery deadline or
at shutdown — and it ends by itself when the parent dies (its stdin reaches end of file).

Protocol: one JSON line on stdin, ``{"urls": [...], "title": ..., "body": ...}``; stdin then stays open while the
parent waits. One JSON line on stdout: ``{"ok": bool, "permanent": bool, "detail": str}``.
"""

from __future__ import annotations

import json
import os
import sys
import threading


def _exit_when_parent_goes() -> None:
    sys.stdin.buffer.read()  # returns at end of file: the parent closed the pipe or died
    os._exit(3)


def main() -> int:
    request = json.loads(sys.stdin.buffer.readline())
    threading.Thread(target=_exit_when_parent_goes, daemon=True).start()
    try:
        import apprise
    except ImportError:
        reply = {"ok": False, "permanent": True,
                 "detail": "the apprise sink needs: pip install 'media-monitor[apprise]'"}
    else:
        app = apprise.Apprise()
        if not all(app.add(url) for url in request["urls"]):
            reply = {"ok": False, "permanent": True, "detail": "an Apprise URL was not understood"}
        else:
            ok = bool(app.notify(body=request["body"], title=request["title"]))
            reply = {"ok": ok, "permanent": False, "detail": "sent" if ok else "apprise reported a failure"}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
    os._exit(0)  # Apprise's pools may still hold a worker; nothing else is left to do


if __name__ == "__main__":
    sys.exit(main())
