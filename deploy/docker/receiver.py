"""Demo webhook receiver for the compose file: verifies X-Monitor-Signature, drops repeated
Idempotency-Keys, and prints each alert."""

import hashlib
import hmac
import http.server
import json
import os
import time

SECRET = os.environ.get("WEBHOOK_SECRET", "change-me").encode()
seen: set[str] = set()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            parts = dict(p.split("=", 1) for p in self.headers.get("X-Monitor-Signature", "").split(","))
            expected = hmac.new(SECRET, parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
            ok = hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - int(parts["t"])) < 300
        except (KeyError, ValueError):
            ok = False
        if not ok:
            self.send_response(401)
            self.end_headers()
            return
        key = self.headers.get("Idempotency-Key", "")
        if key not in seen:
            seen.add(key)
            alert = json.loads(body)
            print(json.dumps({"received": alert["alert_id"], "title": alert["article"]["title"],
                              "findings": [f["summary"] for f in alert["findings"]]}), flush=True)
        self.send_response(204)
        self.end_headers()


http.server.ThreadingHTTPServer(("0.0.0.0", 8080), Handler).serve_forever()
