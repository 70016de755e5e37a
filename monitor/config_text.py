"""A configuration file's text: ``${ENV}`` substitution, where a key sits in the file (``file:line``), messages
that say so, and the copy with secrets hidden that ``monitor config check`` prints."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from monitor.errors import ConfigError

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")

#: Keys whose values are secrets: never printed back by ``monitor config check``.
SECRET_KEYS = frozenset({"secret", "password", "token", "api_key", "apikey", "urls"})

@dataclass(frozen=True)
class MissingEnv:
    """A ``${NAME}`` whose variable is not set (and has no default), at ``loc`` in the document."""

    loc: tuple[int | str, ...]
    name: str

    @property
    def in_sink(self) -> bool:
        return len(self.loc) >= 2 and self.loc[0] == "sinks"

    def message(self, origin: str, text: str) -> str:
        line = line_of(text, self.loc)
        where = f"{origin}:{line}" if line else origin
        return f"{where}: {_key_path(self.loc)}: environment variable {self.name} is not set"


def substitute_env(value: Any, env: Mapping[str, str], where: str = "",
                   missing: list[MissingEnv] | None = None, loc: tuple[int | str, ...] = ()) -> Any:
    """Replace ``${NAME}`` and ``${NAME:-default}`` in every string of a parsed TOML document. A variable that
    is not set raises ConfigError, or — when ``missing`` is a list — is recorded there and left as written."""
    if isinstance(value, str):

        def repl(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in env:
                return env[name]
            if default is not None:
                return default
            if missing is None:
                raise ConfigError(f"{where or 'value'}: environment variable {name} is not set")
            missing.append(MissingEnv(loc, name))
            return m.group(0)

        return _ENV.sub(repl, value)
    if isinstance(value, dict):
        return {k: substitute_env(v, env, f"{where}.{k}" if where else k, missing, (*loc, k))
                for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_env(v, env, f"{where}[{i}]", missing, (*loc, i)) for i, v in enumerate(value)]
    return value


def _key_path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


def line_of(text: str, loc: Sequence[int | str]) -> int | None:
    """The line of ``loc`` (e.g. ``("sinks", 1, "secret")``, ``("detectors", "casualties", "min_count")``) in
    the TOML source: the n-th ``[[sinks]]`` table, or the longest ``[a.b]`` table header that is a prefix of
    ``loc``, then the first key of the rest inside that table; the table's header line when the key is not
    written there."""
    if not text or not loc:
        return None
    lines = text.splitlines()
    headers = [(i, m.group(1), m.group(2).replace('"', "").replace(" ", "")) for i, line in enumerate(lines)
               if (m := _HEADER.match(line))]
    start, rest = -1, list(loc)
    if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
        tables = [i for i, kind, name in headers if kind == "[[" and name == loc[0]]
        if loc[1] < len(tables):
            start, rest = tables[loc[1]], list(loc[2:])
    else:
        names = [str(p) for p in loc]
        for n in range(len(names), 0, -1):
            found = [i for i, kind, name in headers if kind == "[" and name == ".".join(names[:n])]
            if found:
                start, rest = found[0], list(names[n:])
                break
    end = next((i for i, _, _ in headers if i > start), len(lines))
    keys = [str(p) for p in rest if isinstance(p, str)]
    if keys:
        key = re.compile(rf"^\s*(\"?){re.escape(keys[0])}\1\s*[=.]")
        for i in range(start + 1, end):
            if key.match(lines[i]):
                return i + 1
        if start < 0:
            return None
    return start + 1 if start >= 0 else None


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when ``name`` is close to one of ``known``, else ``""``."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def format_validation_error(origin: str, exc: ValidationError, source_text: str = "",
                            prefix: Sequence[int | str] = ()) -> str:
    """One line per problem: ``file:line: key: what was expected (got …)``, secrets never shown."""
    from monitor.masking import mask_text, mask_url

    lines = []
    for err in exc.errors():
        loc = (*prefix, *err["loc"])
        line = line_of(source_text, loc)
        where = f"{origin}:{line}" if line else origin
        got = err.get("input")
        shown = "" if err["type"] == "missing" or isinstance(got, dict) else f" (got {got!r})"
        if any(str(p).lower() in SECRET_KEYS or str(p).lower() == "headers" for p in loc):
            shown = ""
        elif isinstance(got, str) and loc and loc[-1] == "url" and "sinks" in loc:
            shown = f" (got {mask_url(got, hide_path=True)!r})"  # a sink URL carries its token in the path
        else:
            shown = mask_text(shown)
        lines.append(f"{where}: {_key_path(loc) or '<top>'}: {err['msg']}{shown}")
    return "\n".join(lines)

def at(origin: str, text: str, loc: Sequence[int | str]) -> str:
    line = line_of(text, loc)
    return f"{origin}:{line}" if line else origin

def source_text(origin: str) -> str:
    try:
        return Path(origin).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def redact(value: Any, key: str = "") -> Any:
    """A copy of a config document with secret values replaced by ``'***'``, header values masked, sink URLs
    cut to their host and every other URL's password and secret query values masked (:mod:`monitor.masking`)."""
    from monitor.masking import MASK, mask_headers, mask_text, mask_url

    if key.lower() in SECRET_KEYS and value:
        return MASK
    if key.lower() == "headers" and isinstance(value, dict):
        return mask_headers(value)
    if isinstance(value, str):
        return mask_text(value) if "://" in value else value
    if key == "sinks" and isinstance(value, list):
        return [redact({**v, "url": mask_url(v["url"], hide_path=True)}
                       if isinstance(v, dict) and isinstance(v.get("url"), str) else v) for v in value]
    if isinstance(value, dict):
        return {k: redact(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, key) for v in value]
    return value

def where(origin: str, loc: Sequence[int | str]) -> str:
    """``file:line`` of ``loc`` in the config file ``origin`` (just ``file`` when the line cannot be found)."""
    line = line_of(source_text(origin), loc)
    return f"{origin}:{line}" if line else origin
