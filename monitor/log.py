"""Configure structlog once: JSON lines off a terminal, readable console output on one.

The standard library's loggers (httpx, APScheduler, trafilatura) are routed through the same processors.
Context such as the article id, source and plugin is bound with ``bind_contextvars``, never formatted
into messages.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any, TextIO

import structlog
from structlog.tracebacks import ExceptionDictTransformer

from monitor.masking import mask_log_event

#: The one processor list structlog is configured with, changed in place by each ``configure_logging``: loggers
#: are cached on first use (binding a logger anew for every call cost about a third of a log line), and a cached
#: logger keeps the list it was built with, so a later configuration, or ``structlog.testing.capture_logs`` (which
#: also edits the list in place), must edit that same list to reach it.
_PROCESSORS: list[Any] = []


class _Target:
    """Where the daemon's own log lines go, and from which level."""

    def __init__(self) -> None:
        self.stream: TextIO = sys.stderr
        self.level = logging.INFO
        self.lock: threading.RLock | threading.Lock = threading.Lock()


_TARGET = _Target()
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "warn": logging.WARNING,
           "error": logging.ERROR, "exception": logging.ERROR, "critical": logging.CRITICAL,
           "fatal": logging.CRITICAL}


def _below_level(logger: Any, method_name: str, event_dict: Any) -> Any:
    if _LEVELS.get(method_name, logging.INFO) < _TARGET.level:
        raise structlog.DropEvent
    return event_dict


class _Writer:
    """structlog's logger: writes each rendered line to the configured stream, and has the name it was asked
    for (``add_logger_name`` reads ``.name``)."""

    def __init__(self, *args: Any) -> None:
        self.name = str(args[0]) if args else ""

    def msg(self, message: str) -> None:
        # Under the standard library handler's own lock: lines from both paths never interleave on the stream.
        with _TARGET.lock:
            try:
                _TARGET.stream.write(message + "\n")
                _TARGET.stream.flush()
            except (OSError, ValueError):  # a closed or broken stream: logging never fails the caller
                pass

    log = debug = info = warn = warning = error = critical = exception = fatal = failure = err = msg


def configure_logging(level: str = "INFO", *, json: bool | None = None, stream: TextIO | None = None) -> None:
    """Set up structlog and stdlib logging; ``json=None`` chooses by whether ``stream`` is a terminal."""
    stream = stream or sys.stderr
    if json is None:
        json = not stream.isatty()
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    renderer: Any
    if json:
        # Tracebacks as data, without each frame's local variables: they repeat article text, options and
        # sometimes secrets, and made one failing plugin's log line tens of kilobytes.
        shared.append(structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False)))
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=stream.isatty())
    # Last before rendering: URLs in any value lose their password and secret query values (a feed URL's
    # ``user:password@`` appears in fetch errors, feed.moved, source.failed).
    shared.append(mask_log_event)
    # The daemon's own events go straight to the stream (:class:`_Writer`), not through the standard library's
    # logging, which cost about two thirds of a log line; the standard library's loggers (httpx, asyncio...)
    # still reach the same stream through its handler below, with the same processors. A debug event below the
    # level is dropped before any other processor runs (time stamp, masking): the daemon emits several per
    # article. Level and stream are read when a line is logged, so loggers cached under an earlier
    # configuration follow the new one.
    _TARGET.level = logging.getLevelNamesMapping()[level.upper()]
    _TARGET.stream = stream
    _PROCESSORS[:] = [_below_level, *shared, renderer]
    structlog.configure(
        processors=_PROCESSORS,
        logger_factory=_Writer,
        wrapper_class=structlog.make_filtering_bound_logger(logging.NOTSET),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(stream)
    _TARGET.lock = handler.lock or threading.RLock()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Chatty third-party loggers only speak up when something is wrong.
    for noisy in ("httpx", "httpcore", "trafilatura", "htmldate", "courlan", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
