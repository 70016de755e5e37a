"""The console's ASGI app: its pages and forms over one store, behind auth, CSRF and strict headers.

Store calls run in Starlette's thread pool, one at a time (the console's store connection is its own, never
the daemon's), so a slow query never blocks the event loop the daemon shares with it."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monitor.alerts.routing import MAX_SILENCE, add_silence
from monitor.alerts.vocabulary import declared_attributes, vocabulary_problems
from monitor.console.auth import Credentials, RequireAuth
from monitor.console.charts import charts, days_back
from monitor.console.csrf import COOKIE, CSRF, FIELD, CSRFCookie
from monitor.console.views import (
    PAGE,
    Filters,
    alert_rows,
    finding_views,
    highlight,
    like_conditions,
    safe_url,
    source_rows,
)
from monitor.durations import parse_duration
from monitor.model import Alert, Finding
from monitor.store.base import Store

#: No script, no frame, nothing from elsewhere: styles and images from the console itself only.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
SECURITY_HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff",
                    "referrer-policy": "no-referrer", "x-frame-options": "DENY", "cache-control": "no-store"}
#: Days shown by the charts, and over which items per day are counted.
CHART_DAYS, ITEM_DAYS = 14, 7
#: The silence lengths the page offers (any duration is accepted when posted).
DURATIONS = ("1h", "8h", "1d", "7d", "30d")
VERDICT_NAMES = {"right": "right", "false_alarm": "false alarm", "wrong_figure": "wrong figure"}
#: The largest figure a "wrong figure" may give (PostgreSQL's INTEGER) and the longest silence the console sets
#: (a year): beyond them a post is a 400, not the 500 of an integer or a date that no longer fits.
MAX_FIGURE = 2**31 - 1
#: At most this many fields in a posted form, each at most this many bytes (as sent, percent-encoded).
FORM_FIELDS, FORM_FIELD_BYTES = 20, 16 * 1024

#: The only notes a page shows from its ``done`` parameter: those :meth:`Console._back` writes. Any other text
#: would be a link's words shown as the console's own (``?done=Session expired: log in at evil.example``).
DONE = re.compile(r"judged: (right|false alarm|wrong figure)|silence [0-9a-f]{8} added until [0-9T:.+-]{19,32}")

T = TypeVar("T")


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in SECURITY_HEADERS.items():
                    headers[k] = v
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


class Console:
    """The pages and forms, over ``store``. ``detectors`` (name → class) lets a silence be checked against
    what the detectors declare; ``sources`` (configured names) lists sources never polled yet."""

    def __init__(self, store: Store, detectors: Mapping[str, Any] | None = None, sources: Sequence[str] = (),
                 csrf: CSRF | None = None) -> None:
        self.store = store
        self.detectors = dict(detectors or {})
        self.sources = list(sources)
        # keyed by a secret kept in the state: a form served by one replica, or before a restart, posts to any
        self.csrf = csrf or CSRF(store.shared_secret("console_csrf"))
        self._lock = threading.Lock()
        self.templates = Environment(loader=PackageLoader("monitor.console", "templates"), autoescape=True,
                                     undefined=StrictUndefined)
        self.templates.globals.update(urlencode=urlencode, verdict_names=VERDICT_NAMES, durations=DURATIONS,
                                      csrf_field=FIELD)

    async def _read(self, fn: Callable[..., T], *args: Any) -> T:
        def locked() -> T:
            with self._lock:
                return fn(*args)

        return await run_in_threadpool(locked)

    def _page(self, request: Request, name: str, code: int = 200, **context: Any) -> HTMLResponse:
        html = self.templates.get_template(name).render(csrf_token=request.state.csrf_token, page=name, **context)
        return HTMLResponse(html, status_code=code)

    def _error(self, request: Request, code: int, message: str) -> HTMLResponse:
        return self._page(request, "error.html", code, status=code, message=message)

    # -- pages -----------------------------------------------------------------------------------------

    async def alerts(self, request: Request) -> Response:
        filters = Filters.from_query(request.query_params)
        rows, total = await self._read(lambda: self.store.console_alerts(
            detector=filters.detector or None, severities=filters.severities, source=filters.source or None,
            route=filters.route or None, text=filters.q or None, limit=PAGE, offset=(filters.page - 1) * PAGE))
        days = days_back(CHART_DAYS)
        per_day = await self._read(self.store.findings_per_day, days[0], "detector")
        values = await self._read(self.store.filter_values)
        return self._page(request, "alerts.html", alerts=alert_rows(rows), total=total, filters=filters,
                          values=values, severities=("low", "medium", "high", "critical"),
                          pages=max(1, -(-total // PAGE)), charts=charts(per_day, days))

    async def alert(self, request: Request) -> Response:
        row = await self._read(self.store.alert_row, request.path_params["alert_id"])
        if row is None:
            return self._error(request, 404, "no such alert")
        alert = Alert.from_record(json.loads(row["doc"]))
        deliveries = await self._read(self.store.alert_deliveries, alert.id)
        attempts = await self._read(self.store.delivery_attempts, alert.id)
        judgements = await self._read(self.store.feedback, alert.article.id)
        segments, unplaced = highlight(alert.article.text, alert.findings)
        declared = {name: declared_attributes(cls) for name, cls in self.detectors.items()}
        return self._page(request, "alert.html", alert=alert, row=row, segments=segments, unplaced=unplaced,
                          findings=finding_views(alert.findings, judgements, declared), deliveries=deliveries,
                          attempts=attempts,
                          link=safe_url(alert.article.url), done=_done(request.query_params.get("done", "")))

    async def sources_page(self, request: Request) -> Response:
        states = await self._read(self.store.source_states)
        items = await self._read(self.store.items_per_source, days_back(ITEM_DAYS)[0])
        days = days_back(CHART_DAYS)
        per_day = await self._read(self.store.findings_per_day, days[0], "source")
        return self._page(request, "sources.html", sources=source_rows(states, self.sources, items, ITEM_DAYS),
                          item_days=ITEM_DAYS, charts=charts(per_day, days))

    # -- forms -----------------------------------------------------------------------------------------

    async def _posted(self, request: Request) -> tuple[dict[str, str], Alert, Finding] | Response:
        """A form posted about one finding of one alert: its fields, the alert and the finding; or the error
        page to answer with (403 when CSRF fails, 404 when the alert or finding is unknown)."""
        # The forms have six short fields and no file: Starlette's own limits (1,000 fields of 1 MB, files of any
        # size spooled to disk) let one post hold a gigabyte, parsed in the event loop the daemon shares.
        form = await request.form(max_files=0, max_fields=FORM_FIELDS, max_part_size=FORM_FIELD_BYTES)
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        headers = request.headers
        refused = self.csrf.problem(request.cookies.get(COOKIE), fields.get(FIELD), headers.get("origin"),
                                    headers.get("host"), headers.get("sec-fetch-site"), headers.get("referer"))
        if refused:
            return self._error(request, 403, refused)
        row = await self._read(self.store.alert_row, request.path_params["alert_id"])
        alert = Alert.from_record(json.loads(row["doc"])) if row is not None else None
        finding = next((f for f in alert.findings if f.identity == fields.get("identity")), None) if alert else None
        if alert is None or finding is None:
            return self._error(request, 404, "no such alert or finding")
        return fields, alert, finding

    async def feedback(self, request: Request) -> Response:
        posted = await self._posted(request)
        if isinstance(posted, Response):
            return posted
        fields, alert, finding = posted
        verdict = fields.get("verdict", "")
        if verdict not in VERDICT_NAMES:
            return self._error(request, 400, f"verdict must be one of {', '.join(VERDICT_NAMES)}")
        correct: int | None = None
        if verdict == "wrong_figure":
            try:
                correct = int(fields.get("correct_count", "").strip())
                if not 0 <= correct <= MAX_FIGURE:
                    raise ValueError
            except ValueError:
                return self._error(request, 400, f"wrong figure: give the right figure, a whole number from 0 to "
                                                 f"{MAX_FIGURE}")
        await self._read(self.store.record_feedback, alert.article.id, finding.identity, finding.detector, verdict,
                         correct, fields.get("note", "")[:1000])
        return self._back(alert, f"judged: {VERDICT_NAMES[verdict]}", finding.identity)

    async def silence(self, request: Request) -> Response:
        posted = await self._posted(request)
        if isinstance(posted, Response):
            return posted
        fields, alert, finding = posted
        try:
            seconds = parse_duration(fields.get("duration", ""))
        except ValueError as exc:
            return self._error(request, 400, f"duration: {exc}")
        if not 0 < seconds <= MAX_SILENCE:
            return self._error(request, 400,
                               f"duration: {fields.get('duration')!r} must be more than 0 and at most 366d")
        scope = fields.get("scope")
        declared = declared_attributes(self.detectors[finding.detector]) if finding.detector in self.detectors \
            else None
        if scope == "source":
            source, attributes = alert.article.source, {}
        elif scope == "like":
            source, attributes = None, like_conditions(finding, declared)
        else:
            return self._error(request, 400, "scope must be 'source' (this detector for this source) or 'like'")
        problems = vocabulary_problems(self.detectors, finding.detector, attributes, flag="silence") \
            if self.detectors else []
        if problems:
            return self._error(request, 400, "; ".join(problems))
        reason = fields.get("reason", "").strip()[:500] or f"from the console, alert {alert.id}"
        silence_id, until = await self._read(add_silence, self.store, finding.detector, source, attributes, reason,
                                             seconds)
        return self._back(alert, f"silence {silence_id} added until {until}", finding.identity)

    @staticmethod
    def _back(alert: Alert, done: str, identity: str) -> RedirectResponse:
        return RedirectResponse(f"/alerts/{alert.id}?{urlencode({'done': done})}#f-{identity}", status_code=303)

    async def index(self, request: Request) -> Response:
        return RedirectResponse("/alerts", status_code=307)

    async def no_icon(self, request: Request) -> Response:
        """Browsers ask for one; there is none (and no 404 in their console)."""
        return Response(status_code=204)


def _done(note: str) -> str:
    return note if DONE.fullmatch(note) else ""


def create_app(console: Console, credentials: Credentials | None = None) -> Starlette:
    """The console as an ASGI app: auth (when credentials are set) outside, then headers, then CSRF cookies."""
    static = Path(__file__).with_name("static")
    routes = [
        Route("/", console.index),
        Route("/alerts", console.alerts),
        Route("/alerts/{alert_id}", console.alert),
        Route("/alerts/{alert_id}/feedback", console.feedback, methods=["POST"]),
        Route("/alerts/{alert_id}/silence", console.silence, methods=["POST"]),
        Route("/sources", console.sources_page),
        Route("/favicon.ico", console.no_icon),
        Mount("/static", StaticFiles(directory=static), name="static"),
    ]
    async def server_error(request: Request, exc: Exception) -> Response:
        # Starlette answers a 500 outside every middleware: the headers are set here, or the page has none.
        return Response("Internal Server Error", status_code=500, media_type="text/plain", headers=SECURITY_HEADERS)

    middleware = [Middleware(SecurityHeaders), Middleware(RequireAuth, credentials=credentials or Credentials()),
                  Middleware(CSRFCookie, csrf=console.csrf)]
    return Starlette(routes=routes, middleware=middleware, exception_handlers={500: server_error})
