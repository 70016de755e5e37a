"""One masking helper for every place text leaves the process: logs, ``status``, ``config check``, error
messages and the source-health alerts sent to sinks.

What is credential-bearing: a URL's password (``user:password@``), the values of query parameters whose name
says token, key, secret, password, signature, auth or session, header values (``Authorization: Bearer …``),
and — for sink URLs only, where Slack and Teams put the token — the path.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

MASK = "***"

#: Query parameter names that carry credentials (matched anywhere in the name, case-insensitively).
_SECRET_PARAM = re.compile(r"token|key|secret|pass|pwd|auth|sig|session|credential|bearer|jwt|code", re.I)
#: A URL inside free text: a scheme, ``://`` and everything up to white space or a quote.
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>`]+")
_QUERY_PAIR = re.compile(r"([^&;=]*)=([^&;]*)")
_LOOSE_USERINFO = re.compile(r"(^|//)([^/@:\s]*):[^/@\s]*@")


def mask_url(url: str, *, hide_path: bool = False) -> str:
    """``url`` with its password, secret query values (and, with ``hide_path``, its path and whole query)
    replaced by ``***``. A string that is not a URL comes back as ``***`` when ``hide_path`` is set, else with
    anything after an ``@`` or a ``?`` masked."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        parts = None
    if parts is None or not parts.scheme or not parts.netloc:
        if hide_path:
            return MASK
        return _mask_loose(url)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if at:
        user, colon, _ = userinfo.partition(":")
        netloc = f"{user}:{MASK}@{hostport}" if colon else f"{MASK}@{hostport}"
    else:
        netloc = hostport
    if hide_path:
        path = "/" + MASK if parts.path not in ("", "/") or parts.query else parts.path
        return urlunsplit((parts.scheme, netloc, path, "", ""))
    return urlunsplit((parts.scheme, netloc, parts.path, _mask_query(parts.query), parts.fragment))


def _mask_loose(text: str) -> str:
    text = _LOOSE_USERINFO.sub(lambda m: f"{m[1]}{m[2]}:{MASK}@", text)
    before, q, query = text.partition("?")
    return before + q + _mask_query(query) if q else text


def _mask_query(query: str) -> str:
    return _QUERY_PAIR.sub(lambda m: f"{m[1]}={MASK}" if _SECRET_PARAM.search(m[1]) else m[0], query)


@functools.lru_cache(maxsize=1024)  # every log line masks its bound values again: the same item URL, the same source
def mask_text(text: str) -> str:
    """Every URL inside ``text`` passed through :func:`mask_url`."""
    if "://" not in text:
        return text
    return _URL_IN_TEXT.sub(lambda m: mask_url(m[0]), text)


def mask_headers(headers: Mapping[str, Any]) -> dict[str, str]:
    """Header names kept, every value masked: a configured header is there to authenticate."""
    return {name: MASK for name in headers}


#: Values with no text inside, passed through as they are: most of a log line's values (counts, flags, times),
#: and asking whether one is a ``Mapping`` goes through the ABC machinery.
_PLAIN = frozenset({int, float, bool, type(None)})


def mask_value(value: Any) -> Any:
    """:func:`mask_text` applied to every string inside ``value`` (dicts, lists and tuples walked)."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: mask_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(mask_value(v) for v in value)
    return value


def mask_log_event(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    """A structlog processor: the masking applied to every value of every log line."""
    return {k: mask_value(v) for k, v in event.items()}
