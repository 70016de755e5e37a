"""The plugin contract of media-monitor: every hook, and the objects plugins register.

A plugin is a module (or object) with functions marked ``@hookimpl`` whose names match the hooks below. It
is found through the ``monitor`` entry-point group of an installed package, or as a loose ``.py`` file in a
plugin directory. Implementations may accept fewer arguments than a hook declares, so hooks grow by adding
arguments without breaking plugins.

Registration hooks receive a ``register`` callback (as in ``llm`` and ``tox``): a plugin may register
several things. The objects registered are then called by the pipeline one at a time, each in its own
``try``/``except``, so one failing plugin never stops the others.

Built-in detectors, sources and sinks use exactly this contract.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Annotated, Any, ClassVar, Protocol, runtime_checkable

import pluggy
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from monitor.durations import Duration as Duration  # an option type for plugin authors
from monitor.model import Alert, Article, Document, Finding, Severity

PROJECT = "monitor"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


def _http_url(value: str) -> str:
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError("must be an http(s) URL")
    return value


#: An option type for plugin authors: a string that must be an http(s) URL.
HttpUrl = Annotated[str, AfterValidator(_http_url)]


class Options(BaseModel):
    """Base of every plugin object's options; unknown keys are errors so typos are caught."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class DetectorOptions(Options):
    """Options every detector accepts in its ``[detectors.NAME]`` table."""

    enabled: bool = True
    #: Findings below this severity are dropped.
    min_severity: Severity = Severity.INFO
    #: Findings scored below this are dropped (a built-in detector's score is a calibrated probability).
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)


@runtime_checkable
class Detector(Protocol):
    """Finds things in an article.

    Register the class; media-monitor instantiates it with validated options (an instance of
    ``options_model``, filled from the ``[detectors.<name>]`` table of the config).

    Optional: ``attributes = {"category": ("killed", "injured"), "count": None}`` declares the attributes of
    its findings (fixed values, or None for any); ``silence add`` and ``config check`` then refuse attribute
    names and values no finding can have, with a did-you-mean.
    """

    #: Unique name, used in config tables, routes and findings.
    name: ClassVar[str]
    #: Version of the detector's rules, reported by ``monitor plugins``.
    version: ClassVar[str]
    #: The detector's own config schema (a subclass of ``DetectorOptions``).
    options_model: ClassVar[type[DetectorOptions]]

    def __init__(self, options: Any) -> None: ...

    def detect(self, article: Article) -> Iterable[Finding]:
        """Return the findings in ``article``; each evidence span must satisfy
        ``article.text[start:end] == evidence.text``."""
        ...


class Receipt(BaseModel):
    """What a sink reports after a delivery attempt."""

    ok: bool
    #: Permanent failures are not retried (e.g. HTTP 400).
    permanent: bool = False
    detail: str = ""
    retry_after: float | None = None


@runtime_checkable
class Sink(Protocol):
    """Delivers alerts somewhere (console, file, webhook, email …).

    Optional: ``requires = ("apprise",)`` names modules it imports when delivering, and ``extra = "apprise"``
    the media-monitor extra that installs them; ``config check`` reports a missing one. A sink that holds a
    resource (an HTTP client, a connection) defines ``async def aclose(self) -> None``: it is called once when
    the sink is replaced by a reload (SIGHUP) and when the daemon stops (see :class:`SinkBase`).
    """

    options_model: ClassVar[type[Options]]
    #: The ``type`` value that selects this sink in ``[[sinks]]``.
    type: ClassVar[str]

    def __init__(self, name: str, options: Any) -> None: ...

    async def deliver(self, alert: Alert, idempotency_key: str) -> Receipt:
        """Deliver one alert; never raise for an expected failure, return a failed receipt instead."""
        ...


class SinkBase:
    """An optional base for sinks: ``aclose`` that holds nothing. A sink need not inherit it."""

    async def aclose(self) -> None:
        """Release what the sink holds; called on reload and shutdown. Nothing here."""


class HttpResponse(Protocol):
    """One fetched response, as a source sees it."""

    @property
    def url(self) -> str:
        """The URL finally read (after redirects)."""
        ...

    @property
    def status(self) -> int: ...

    @property
    def body(self) -> bytes:
        """The body, decompressed, within the size cap."""
        ...

    @property
    def headers(self) -> Mapping[str, str]:
        """Response headers, names in lower case."""
        ...

    @property
    def permanent_url(self) -> str | None:
        """The new URL when every redirect followed was permanent (301/308), else None."""
        ...


class HttpClient(Protocol):
    """The daemon's one HTTP client: timeouts, size caps, private-network guard, per-host politeness."""

    async def get(self, url: str, headers: dict[str, str] | None = None) -> HttpResponse:
        """GET ``url``; raises ``monitor.fetch.FetchError`` (a ``monitor.InputError``) when it cannot."""
        ...


class SourceMemory(Protocol):
    """What is remembered about a source between polls and restarts; a source may update these fields."""

    #: The URL after permanent redirects (None: the configured one).
    url: str | None
    etag: str | None
    last_modified: str | None
    #: Hash of the last body read, so an unchanged body is not parsed again.
    body_hash: str | None
    #: The source is gone for good (HTTP 410): it is no longer polled.
    gone: bool


class SourceContext(Protocol):
    """What the runner lends a source while it polls."""

    @property
    def fetcher(self) -> HttpClient:
        """The shared HTTP client."""
        ...

    @property
    def state(self) -> SourceMemory:
        """The source's remembered state; the runner saves it once every document of the poll has been
        processed, and restores its validators (ETag, Last-Modified, body hash) when the poll fails."""
        ...

    def seen(self, key: str, version: str) -> bool:
        """True when an item with this key was already processed at this version."""
        ...


#: Defaults of the optional :class:`Source` attributes, filled in on every configured source object that lacks
#: them (``monitor.wiring``), so a runner reads ``source.interval`` and ``source.silence_after`` directly.
SOURCE_DEFAULTS: Mapping[str, object] = {"interval": 300.0, "silence_after": None}


@runtime_checkable
class Source(Protocol):
    """Finds new documents (feed entries, dropped files …) for the runner to extract and detect.

    ``interval`` and ``silence_after`` are optional: a source without them gets :data:`SOURCE_DEFAULTS`. A source
    that holds a resource defines ``async def aclose(self) -> None``, called when a reload replaces it and when
    the daemon stops (see :class:`SourceBase`).
    """

    options_model: ClassVar[type[Options]]
    #: The ``type`` value that selects this source in ``[[sources]]``.
    type: ClassVar[str]
    #: Seconds between polls (default 300).
    interval: float
    #: Seconds without a new document after which the source is reported silent; None (default): never.
    silence_after: float | None

    def __init__(self, name: str, options: Any) -> None: ...

    def poll(self, ctx: SourceContext) -> AsyncIterator[Document]:
        """Yield the documents that are new (or changed) since the last poll. Raise for a failed poll; the
        runner counts it, backs off and reports the source's health."""
        ...

    def done(self, document: Document, ok: bool, reason: str | None = None) -> None:
        """Called after a document was processed (``ok``) or set aside with ``reason``."""
        ...


class SourceBase:
    """An optional base for sources: the defaults of the optional attributes, ``done`` and ``aclose`` that do
    nothing. A source need not inherit it."""

    interval: float = 300.0
    silence_after: float | None = None

    def done(self, document: Document, ok: bool, reason: str | None = None) -> None:
        """Nothing to do after a document by default."""

    async def aclose(self) -> None:
        """Release what the source holds; called on reload and shutdown. Nothing here."""


RegisterDetector = Callable[[type[Detector]], None]
RegisterSink = Callable[[type[Sink]], None]
RegisterSource = Callable[[type[Source]], None]


@hookspec
def monitor_register_detectors(register: RegisterDetector) -> None:
    """Register detector classes.

    Called once when the plugin manager is built. Call ``register(DetectorClass)`` for each detector the
    plugin provides. A detector class has ``name``, ``version``, ``options_model`` and ``detect(article)``
    (see :class:`Detector`).

    .. versionadded:: 0.1
    """


@hookspec
def monitor_register_sinks(register: RegisterSink) -> None:
    """Register sink classes.

    Call ``register(SinkClass)``; ``SinkClass.type`` is the value of ``type`` in a ``[[sinks]]`` table that
    selects it, and ``SinkClass.options_model`` validates the rest of that table (see :class:`Sink`).

    .. versionadded:: 0.1
    """


@hookspec
def monitor_register_sources(register: RegisterSource) -> None:
    """Register source classes.

    Call ``register(SourceClass)``; ``SourceClass.type`` is the value of ``type`` in a ``[[sources]]`` table
    that selects it (see :class:`Source`).

    .. versionadded:: 0.1
    """


@hookspec
def monitor_enrich_article(article: Article) -> Article | None:
    """Add to an article after extraction and before detection.

    Called for every article, once per implementation, in plugin order; each sees the article as the
    previous one left it. Return a new article (use ``article.with_changes(...)``, e.g. to set
    ``language`` or add ``metadata``) or ``None`` to leave it unchanged. An exception is logged with the
    plugin's name and the article id, and the article goes on unchanged.

    .. versionadded:: 0.1
    """
