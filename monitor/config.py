"""The configuration file: its schema (pydantic), loading and the checks across tables; errors that say where.

Every table is validated with pydantic. An error names the file, the key (and its line when it can be
found) and what was expected. Plugin-specific tables (``[detectors.NAME]``, each ``[[sinks]]`` and
``[[sources]]``) are validated by the ``options_model`` of the class that uses them, so the schema of a
plugin lives with the plugin.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from monitor.config_text import MissingEnv, did_you_mean, format_validation_error, source_text, substitute_env
from monitor.config_text import at as _at
from monitor.durations import Duration
from monitor.errors import ConfigError
from monitor.model import Severity


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DaemonConfig(_Strict):
    #: SQLite state lives here (created if missing).
    state_dir: str = "state"
    #: Feed entries are third-party input: links to loopback, private, link-local or metadata addresses are
    #: refused. ``allow`` names what may be reached anyway: "host", "host:port", "10.1.0.0/16",
    #: "127.0.0.1:8080", "[::1]:8080". Cloud metadata addresses (169.254.169.254, fd00:ec2::254, …) only when
    #: named exactly.
    allow: list[str] = Field(default_factory=list)
    #: Broad: every private, loopback and link-local network (not metadata addresses). Prefer ``allow``.
    allow_private_networks: bool = False
    #: Concurrent requests to one host, and the least time between two of them.
    per_host_connections: int = Field(default=4, ge=1, le=64)
    politeness_delay: Duration = "0s"
    #: Connect/read timeout of every request, and the largest body accepted (after decompression).
    fetch_timeout: Duration = "30s"
    #: The longest one fetch may take in all (redirects included), however steadily the server trickles bytes.
    fetch_deadline: Duration = "2m"
    max_body_bytes: int = Field(default=10_000_000, ge=1024)
    #: Extraction worker processes (0: one per core).
    extract_processes: int = Field(default=0, ge=0, le=256)
    #: A page whose extraction takes longer is set aside with that reason (its worker is stopped and replaced).
    extract_timeout: Duration = "60s"
    #: On SIGTERM, in-flight work gets this long to finish before it is cancelled (and redone on restart).
    shutdown_grace: Duration = "20s"
    #: Delivery: attempts per (alert, sink) before it is marked failed, and the first retry delay (doubling,
    #: capped at 15 minutes, with jitter; a receiver's Retry-After wins when longer).
    delivery_attempts: int = Field(default=8, ge=1, le=100)
    delivery_backoff: Duration = "2s"
    #: The most one delivery attempt may take, whatever the sink does (a receiver that never answers or
    #: trickles its reply, a stuck SMTP server, a hanging Apprise service); then it is retried later. Each sink
    #: delivers on its own, so a slow one holds back only its own alerts.
    delivery_timeout: Duration = "45s"
    #: Replicas on PostgreSQL: how long an attempted delivery is reserved for the replica attempting it
    #: (longer than any sink's timeout); a replica that dies mid-attempt leaves it to others after this.
    delivery_lease: Duration = "60s"
    #: Replicas: a replica silent (no heartbeat) this long is taken for dead and its jobs go to the others.
    stalled_after: Duration = "30s"
    #: "host:port" for /healthz and /metrics (e.g. "127.0.0.1:9108"); off when empty.
    health_listen: str = ""
    #: Each detector's (and enricher's) call on one article; one that overruns is abandoned and its findings
    #: dropped, the plugin named in the log.
    detector_timeout: Duration = "10s"
    #: A plugin call stuck in C code that keeps the interpreter's lock (a regular expression that backtracks
    #: without end) freezes every thread and cannot be abandoned: when the event loop has not run this long, the
    #: process writes every thread's stack to ``stall-PID.txt`` in ``state_dir`` and exits 1, for its service
    #: manager to restart it; a document inside a plugin call at two such stalls is set aside (:mod:`monitor.stall`).
    #: Under systemd keep it below the unit's ``WatchdogSec``. "0s": off.
    stall_timeout: Duration = "45s"
    #: The longest article text analysed (characters, after extraction); a longer one is set aside with the
    #: reason, never truncated.
    max_text_chars: int = Field(default=1_000_000, ge=1000)

    @field_validator("allow")
    @classmethod
    def _allow(cls, value: list[str]) -> list[str]:
        from monitor.fetch import AllowEntry

        for entry in value:
            AllowEntry.parse(entry)
        return value


class StoreConfig(_Strict):
    #: postgresql://user@host/db for several replicas on one database; empty: SQLite under state_dir.
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _postgres(cls, value: str | None) -> str | None:
        if value and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL (leave it out for the embedded SQLite store)")
        return value or None


def store_url(config: Config, env: Mapping[str, str] | None = None) -> str | None:
    """The PostgreSQL URL the state lives at — ``[store] url``, else ``MONITOR_STORE_URL`` — or None for the
    embedded SQLite file under ``[daemon] state_dir``. Every caller asks this one function."""
    return config.store.url or (os.environ if env is None else env).get("MONITOR_STORE_URL") or None


def is_loopback(host: str) -> bool:
    """True for a loopback host ("127.0.0.1", "::1", "[::1]", "localhost")."""
    import ipaddress

    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def console_listen_problem(listen: str, token: str | None, username: str | None, password: str | None) -> str | None:
    """Why the console may not listen at ``listen`` with these credentials, or None: anything but loopback
    needs a token or a user name and password (the console shows article text and writes silences)."""
    if not listen:
        return None
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        return f"listen = {listen!r}: expected host:port, e.g. 127.0.0.1:9109"
    if bool(username) != bool(password):
        return "username and password go together (HTTP basic auth)"
    if not is_loopback(host or "0.0.0.0") and not token and not (username and password):
        return (f"listen = {listen!r} is not a loopback address: set token (or username and password) so that "
                "only you can open the console, or listen on 127.0.0.1")
    return None


class ConsoleConfig(_Strict):
    """The analyst's web console (``monitor.console``), served by the daemon when ``listen`` is set."""

    #: "host:port" (e.g. "127.0.0.1:9109"); off when empty. Anything but loopback needs ``token`` or
    #: ``username`` and ``password``.
    listen: str = ""
    #: Required to open the console: the HTTP basic-auth password (any user name) or a Bearer token.
    token: str | None = None
    #: HTTP basic auth instead of (or beside) ``token``.
    username: str | None = None
    password: str | None = None

    @model_validator(mode="after")
    def _safe(self) -> ConsoleConfig:
        problem = console_listen_problem(self.listen, self.token, self.username, self.password)
        if problem:
            raise ValueError(problem)
        return self


class PluginsConfig(_Strict):
    #: Directories whose ``*.py`` files are loaded as plugins.
    dirs: list[str] = Field(default_factory=list)
    #: Plugin names (entry-point or file stem) not to load.
    disable: list[str] = Field(default_factory=list)


class SourceConfig(BaseModel):
    """One ``[[sources]]`` table; keys beyond ``name``/``type`` belong to the source type."""

    model_config = ConfigDict(extra="allow")
    name: str
    type: str
    #: How far this source's figures are trusted when an event's sources disagree (higher wins; then the most
    #: recent figure). See monitor/events/figures.py for the whole rule.
    credibility: float = Field(default=1.0, ge=0.0)


class SinkConfig(BaseModel):
    """One ``[[sinks]]`` table; keys beyond ``name``/``type`` belong to the sink type."""

    model_config = ConfigDict(extra="allow")
    name: str
    type: str


class ThrottleConfig(_Strict):
    #: At most ``max`` alerts per ``per``; the rest are held and summarised in one message per window.
    max: int = Field(ge=1)
    per: Duration


class RouteConfig(_Strict):
    name: str | None = None
    detectors: list[str] = Field(default_factory=list)
    min_severity: Severity = Severity.LOW
    sources: list[str] = Field(default_factory=list)
    #: Attribute conditions, all of which a finding must meet: {count = ">= 10", category = "killed"}.
    where: dict[str, str | int | float | bool] = Field(default_factory=dict)
    sinks: list[str]
    throttle: ThrottleConfig | None = None
    #: Collect this route's alerts over the window and send one digest message (e.g. "1h").
    digest: Duration | None = None
    #: Also route figures about history or long-run statistics (findings with ``background: true``).
    background: bool = False
    #: "article": one alert per (article, route), the default; "event": one alert when an event first matches,
    #: then an update only on a material change (below).
    group: Literal["article", "event"] = "article"
    #: group = "event": a figure moving by more than this share of its last alerted value is an update …
    update_step: float = Field(default=0.1, ge=0.0)
    #: … and by at least this much (so 2 → 3 injured is not "50 % more").
    update_min: int = Field(default=1, ge=0)
    #: group = "event": an update when this many independent sources report the event (0: never).
    confirm_sources: int = Field(default=2, ge=0)

    @model_validator(mode="after")
    def _grouping(self) -> RouteConfig:
        if self.group == "event" and (self.digest or self.throttle):
            raise ValueError("group = \"event\" already sends one alert per event and its updates; digest and "
                             "throttle apply to per-article routes only")
        return self

    @field_validator("where")
    @classmethod
    def _where(cls, value: dict[str, str | int | float | bool]) -> dict[str, str | int | float | bool]:
        from monitor.conditions import parse_condition

        for key, cond in value.items():
            parse_condition(key, cond)
        return value


class EventsConfig(_Strict):
    #: Group articles into events (stored, listed by ``monitor events``); routes with group = "event" need it.
    enabled: bool = True
    #: An event no article has joined for this long is closed: later articles start a new one.
    window: Duration = "96h"


class Config(_Strict):
    daemon: DaemonConfig = Field(default_factory=DaemonConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    plugins: PluginsConfig = Field(default_factory=PluginsConfig)
    console: ConsoleConfig = Field(default_factory=ConsoleConfig)
    detectors: dict[str, dict[str, Any]] = Field(default_factory=dict)
    sources: list[SourceConfig] = Field(default_factory=list)
    sinks: list[SinkConfig] = Field(default_factory=list)
    routes: list[RouteConfig] = Field(default_factory=list)
    events: EventsConfig = Field(default_factory=EventsConfig)
    #: The file this was read from, for error messages (not a config key).
    origin: str = Field(default="<defaults>", exclude=True)
    #: ``${ENV}`` left unset in sink tables, when loaded for a command that delivers nothing.
    _unresolved: list[MissingEnv] = PrivateAttr(default_factory=list)

    @property
    def unresolved(self) -> list[MissingEnv]:
        return self._unresolved

    @unresolved.setter
    def unresolved(self, value: list[MissingEnv]) -> None:
        self._unresolved = value


def parse_config(text: str, origin: str = "<string>", env: Mapping[str, str] | None = None, *,
                 deliver: bool = True) -> Config:
    """Parse and validate a TOML configuration document. With ``deliver=False`` (commands that send nothing)
    an unset ``${ENV}`` inside a sink table is not fatal: it is left as written and listed in
    ``config.unresolved``."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: not valid TOML: {exc}") from None
    missing: list[MissingEnv] = []
    raw = substitute_env(raw, os.environ if env is None else env, missing=missing)
    fatal = [m for m in missing if deliver or not m.in_sink]
    if fatal:
        raise ConfigError("\n".join(m.message(origin, text) for m in fatal))
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(origin, exc, text)) from None
    config.origin = origin
    config.unresolved = missing
    problems = reference_problems(config, text)
    if problems:
        raise ConfigError("\n".join(problems))
    return config


def reference_problems(config: Config, text: str = "") -> list[str]:
    """Duplicate source or sink names and routes naming sinks that do not exist, each with file and line."""
    problems = []
    origin = config.origin
    for kind, names in (("sinks", [s.name for s in config.sinks]), ("sources", [s.name for s in config.sources])):
        for i, name in enumerate(names):
            if name in names[:i]:
                problems.append(f"{_at(origin, text, (kind, i, 'name'))}: {kind}[{i}].name: duplicate name {name!r}")
    sink_names = [s.name for s in config.sinks]
    for i, route in enumerate(config.routes):
        for sink in route.sinks:
            if sink not in sink_names:
                problems.append(f"{_at(origin, text, ('routes', i, 'sinks'))}: routes[{i}].sinks: unknown sink "
                                f"{sink!r}{did_you_mean(sink, sink_names)} "
                                f"(defined sinks: {', '.join(sink_names) or 'none'})")
    return problems


def default_config() -> Config:
    """The embedded defaults: state in ./state, a drop folder ./inbox, alerts to the console and
    ./alerts.jsonl."""
    return Config.model_validate({
        "sources": [{"name": "inbox", "type": "folder", "path": "inbox"}],
        "sinks": [{"name": "console", "type": "console"}, {"name": "file", "type": "jsonl", "path": "alerts.jsonl"}],
    })


def load_config(path: str | os.PathLike[str] | None, env: Mapping[str, str] | None = None, *,
                deliver: bool = True) -> Config:
    """Read the config file at ``path``, or return the embedded defaults when ``path`` is None. ``deliver=False``:
    see :func:`parse_config`."""
    if path is None:
        return default_config()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read config file: {exc}") from None
    return parse_config(text, str(p), env, deliver=deliver)


M = TypeVar("M", bound=BaseModel)


def validate_options(model: type[M], data: Mapping[str, Any], origin: str, key: Sequence[int | str]) -> M:
    """Validate a plugin's table with its own options model; errors name the file and key."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise ConfigError(format_validation_error(origin, exc, source_text(origin), key)) from None



