"""Config → configured objects: the store, sinks and sources, with errors that name file and key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monitor.alerts.routing import Route, routes_for
from monitor.config import Config, SinkConfig, SourceConfig, store_url, validate_options
from monitor.config_text import did_you_mean, where
from monitor.errors import ConfigError
from monitor.hookspecs import SOURCE_DEFAULTS, Sink, Source
from monitor.pipeline import Pipeline, build_pipeline
from monitor.plugins import Plugins
from monitor.store import Store, open_store


def store_for(config: Config, create: bool = True) -> Store:
    """The store a configuration names (:func:`monitor.config.store_url`: PostgreSQL, else SQLite under
    ``state_dir``); ``create=False`` for read-only commands (see :func:`monitor.store.open_store`)."""
    return open_store(config.daemon.state_dir, store_url(config), create)


def plugin_options(table: SinkConfig | SourceConfig) -> dict[str, Any]:
    """A plugin's own keys: every key of its table but those every sink or source has (a source's
    ``credibility`` is read by events)."""
    shared = {"name", "type", "credibility"} if isinstance(table, SourceConfig) else {"name", "type"}
    return {k: v for k, v in table.model_dump().items() if k not in shared}


def build_sinks(config: Config, plugins: Plugins) -> dict[str, Sink]:
    """One configured sink object per ``[[sinks]]`` table."""
    sinks: dict[str, Sink] = {}
    for i, table in enumerate(config.sinks):
        cls = plugins.sinks.get(table.type)
        if cls is None:
            raise ConfigError(f"{where(config.origin, ('sinks', i, 'type'))}: sinks[{i}].type: unknown sink type "
                              f"{table.type!r}{did_you_mean(table.type, plugins.sinks)} "
                              f"(available: {', '.join(sorted(plugins.sinks)) or 'none'})")
        options = validate_options(cls.options_model, plugin_options(table), config.origin, ("sinks", i))
        sinks[table.name] = cls(table.name, options)
    return sinks


def build_sources(config: Config, plugins: Plugins) -> dict[str, Source]:
    """One configured source object per ``[[sources]]`` table."""
    sources: dict[str, Source] = {}
    for i, table in enumerate(config.sources):
        cls = plugins.sources.get(table.type)
        if cls is None:
            raise ConfigError(f"{where(config.origin, ('sources', i, 'type'))}: sources[{i}].type: unknown source "
                              f"type {table.type!r}{did_you_mean(table.type, plugins.sources)} "
                              f"(available: {', '.join(sorted(plugins.sources)) or 'none'})")
        options = validate_options(cls.options_model, plugin_options(table), config.origin, ("sources", i))
        sources[table.name] = _complete(cls(table.name, options), config, i)
    return sources


def _complete(source: Source, config: Config, i: int) -> Source:
    """Give a source the optional attributes of the contract it does not define (``SOURCE_DEFAULTS``), so
    whoever schedules it reads them directly."""
    for attr, default in SOURCE_DEFAULTS.items():
        if not hasattr(source, attr):
            try:
                setattr(source, attr, default)
            except AttributeError:
                raise ConfigError(f"{where(config.origin, ('sources', i, 'type'))}: sources[{i}]: the "
                                  f"{type(source).__name__} object has no {attr!r} and none can be set on it "
                                  f"(define it, or inherit monitor.hookspecs.SourceBase)") from None
    return source


def validate_plugin_tables(config: Config, plugins: Plugins) -> None:
    """Validate every sink and source table against its plugin's schema (without starting anything)."""
    build_sinks(config, plugins)
    build_sources(config, plugins)


@dataclass
class Wiring:
    """Everything built from one config: swapped as a whole on reload."""

    config: Config
    pipeline: Pipeline
    sources: dict[str, Source]
    sinks: dict[str, Sink]
    routes: list[Route]

    @classmethod
    def build(cls, config: Config, plugins: Plugins) -> Wiring:
        return cls(config, build_pipeline(plugins, config), build_sources(config, plugins),
                   build_sinks(config, plugins), routes_for(config))
