"""The configuration file: TOML, ``${ENV}`` substitution, a schema, and errors that say where.

Every table is validated with pydantic. An error names the file, the key (and its line when it can be
found) and what was expected. Plugin-specific tables (``[detectors.NAME]``, each ``[[sinks]]`` and
``[[sources]]``) are validated by the ``options_model`` of the class that uses them, so the schema of a
plugin lives with the plugin.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from monitor.errors import ConfigError
from monitor.model import Severity

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")

#: Keys whose values are secrets: never printed back by ``monitor config check``.
SECRET_KEYS = frozenset({"secret", "password", "token", "api_key", "apikey", "urls"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _duration(value: str) -> str:
    from monitor.durations import parse_duration

    parse_duration(value)
    return value


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
    politeness_delay: str = "0s"
    #: Connect/read timeout of every request, and the largest body accepted (after decompression).
    fetch_timeout: str = "30s"
    max_body_bytes: int = Field(default=10_000_000, ge=1024)
    #: Extraction worker processes (0: one per core).
    extract_processes: int = Field(default=0, ge=0, le=256)
    #: A page whose extraction takes longer is set aside with that reason (its worker finishes it anyway).
    extract_timeout: str = "60s"
    #: On SIGTERM, in-flight work gets this long to finish before it is cancelled (and redone on restart).
    shutdown_grace: str = "20s"
    #: Delivery: attempts per (alert, sink) before it is marked failed, and the first retry delay (doubling,
    #: capped at 15 minutes, with jitter; a receiver's Retry-After wins when longer).
    delivery_attempts: int = Field(default=8, ge=1, le=100)
    delivery_backoff: str = "2s"
    #: Replicas on PostgreSQL: how long an attempted delivery is reserved for the replica attempting it
    #: (longer than any sink's timeout); a replica that dies mid-attempt leaves it to others after this.
    delivery_lease: str = "60s"
    #: Replicas: a replica silent (no heartbeat) this long is taken for dead and its jobs go to the others.
    stalled_after: str = "30s"
    #: "host:port" for /healthz and /metrics (e.g. "127.0.0.1:9108"); off when empty.
    health_listen: str = ""

    @field_validator("allow")
    @classmethod
    def _allow(cls, value: list[str]) -> list[str]:
        from monitor.fetch import AllowEntry

        for entry in value:
            AllowEntry.parse(entry)
        return value

    _check_durations = field_validator("politeness_delay", "shutdown_grace", "fetch_timeout",
                                       "delivery_backoff", "extract_timeout", "delivery_lease",
                                       "stalled_after")(_duration)


class StoreConfig(_Strict):
    #: postgresql://user@host/db for several replicas on one database; empty: SQLite under state_dir.
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _postgres(cls, value: str | None) -> str | None:
        if value and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL (leave it out for the embedded SQLite store)")
        return value or None


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


class SinkConfig(BaseModel):
    """One ``[[sinks]]`` table; keys beyond ``name``/``type`` belong to the sink type."""

    model_config = ConfigDict(extra="allow")
    name: str
    type: str


class ThrottleConfig(_Strict):
    #: At most ``max`` alerts per ``per``; the rest are held and summarised in one message per window.
    max: int = Field(ge=1)
    per: str

    _check = field_validator("per")(_duration)


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
    digest: str | None = None

    @field_validator("digest")
    @classmethod
    def _digest(cls, value: str | None) -> str | None:
        return None if value is None else _duration(value)

    @field_validator("where")
    @classmethod
    def _where(cls, value: dict[str, str | int | float | bool]) -> dict[str, str | int | float | bool]:
        from monitor.alerts.conditions import parse_condition

        for key, cond in value.items():
            parse_condition(key, cond)
        return value


class Config(_Strict):
    daemon: DaemonConfig = Field(default_factory=DaemonConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    plugins: PluginsConfig = Field(default_factory=PluginsConfig)
    detectors: dict[str, dict[str, Any]] = Field(default_factory=dict)
    sources: list[SourceConfig] = Field(default_factory=list)
    sinks: list[SinkConfig] = Field(default_factory=list)
    routes: list[RouteConfig] = Field(default_factory=list)
    #: The file this was read from, for error messages (not a config key).
    origin: str = Field(default="<defaults>", exclude=True)


def substitute_env(value: Any, env: Mapping[str, str], where: str = "") -> Any:
    """Replace ``${NAME}`` and ``${NAME:-default}`` in every string of a parsed TOML document."""
    if isinstance(value, str):

        def repl(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in env:
                return env[name]
            if default is not None:
                return default
            raise ConfigError(f"{where or 'value'}: environment variable {name} is not set")

        return _ENV.sub(repl, value)
    if isinstance(value, dict):
        return {k: substitute_env(v, env, f"{where}.{k}" if where else k) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_env(v, env, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


def _key_path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(text: str, loc: Sequence[int | str]) -> int | None:
    """Best-effort line number of the last named key of ``loc`` in the TOML source."""
    names = [p for p in loc if isinstance(p, str)]
    if not names or not text:
        return None
    pattern = re.compile(rf"^\s*(\"?){re.escape(names[-1])}\1\s*=", re.MULTILINE)
    m = pattern.search(text)
    if m is None:
        table = re.compile(rf"^\s*\[+\s*{re.escape('.'.join(names))}\s*\]+", re.MULTILINE).search(text)
        m = table
    return text.count("\n", 0, m.start()) + 1 if m else None


def format_validation_error(origin: str, exc: ValidationError, source_text: str = "",
                            prefix: Sequence[int | str] = ()) -> str:
    """One line per problem: ``file:line: key: what was expected (got …)``."""
    lines = []
    for err in exc.errors():
        loc = (*prefix, *err["loc"])
        line = _line_of(source_text, loc)
        where = f"{origin}:{line}" if line else origin
        got = err.get("input")
        shown = "" if err["type"] == "missing" or isinstance(got, dict) else f" (got {got!r})"
        if any(str(p).lower() in SECRET_KEYS for p in loc):
            shown = ""
        lines.append(f"{where}: {_key_path(loc) or '<top>'}: {err['msg']}{shown}")
    return "\n".join(lines)


def parse_config(text: str, origin: str = "<string>", env: Mapping[str, str] | None = None) -> Config:
    """Parse and validate a TOML configuration document."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: not valid TOML: {exc}") from None
    raw = substitute_env(raw, os.environ if env is None else env)
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(origin, exc, text)) from None
    config.origin = origin
    _check_references(config)
    return config


def _check_references(config: Config) -> None:
    sink_names = [s.name for s in config.sinks]
    for kind, names in (("sinks", sink_names), ("sources", [s.name for s in config.sources])):
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ConfigError(f"{config.origin}: {kind}: duplicate name(s) {', '.join(dupes)}")
    for i, route in enumerate(config.routes):
        for sink in route.sinks:
            if sink not in sink_names:
                raise ConfigError(
                    f"{config.origin}: routes[{i}].sinks: unknown sink {sink!r} "
                    f"(defined sinks: {', '.join(sink_names) or 'none'})"
                )


def default_config() -> Config:
    """The embedded defaults: state in ./state, a drop folder ./inbox, alerts to the console and
    ./alerts.jsonl."""
    return Config.model_validate({
        "sources": [{"name": "inbox", "type": "folder", "path": "inbox"}],
        "sinks": [{"name": "console", "type": "console"}, {"name": "file", "type": "jsonl", "path": "alerts.jsonl"}],
    })


def load_config(path: str | os.PathLike[str] | None, env: Mapping[str, str] | None = None) -> Config:
    """Read the config file at ``path``, or return the embedded defaults when ``path`` is None."""
    if path is None:
        return default_config()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read config file: {exc}") from None
    return parse_config(text, str(p), env)


M = TypeVar("M", bound=BaseModel)


def validate_options(model: type[M], data: Mapping[str, Any], origin: str, key: Sequence[int | str]) -> M:
    """Validate a plugin's table with its own options model; errors name the file and key."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise ConfigError(format_validation_error(origin, exc, _source_text(origin), key)) from None


def _source_text(origin: str) -> str:
    try:
        return Path(origin).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _mask_url(url: str) -> str:
    """Scheme and host only: webhook URLs (Slack, Teams) carry their token in the path."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}/***" if parts.scheme and parts.path not in ("", "/") else url


def redact(value: Any, key: str = "") -> Any:
    """A copy of a config document with secret values replaced by ``'***'`` (and sink URLs cut to their host)."""
    if key.lower() in SECRET_KEYS and value:
        return "***"
    if isinstance(value, str) and "://" in value and "@" in value.split("://", 1)[1].split("/", 1)[0]:
        scheme, rest = value.split("://", 1)
        userinfo, _, hostpart = rest.partition("@")
        return f"{scheme}://{userinfo.split(':', 1)[0]}{':***' if ':' in userinfo else ''}@{hostpart}"
    if key == "sinks" and isinstance(value, list):
        return [redact({**v, "url": _mask_url(v["url"])} if isinstance(v, dict) and isinstance(v.get("url"), str)
                       else v) for v in value]
    if isinstance(value, dict):
        return {k: redact(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, key) for v in value]
    return value
