"""``monitor config check``: every problem in a configuration at once, each with its file and line.

Stages, each reporting all it finds: TOML syntax (the only stage that stops the rest), ``${ENV}`` variables,
the schema, references between tables (route sinks, duplicate names), then each plugin's own table: sink
and source types (did-you-mean for near misses), their options, the extra a sink needs being installed,
detector tables and route conditions against the registered detectors.
"""

from __future__ import annotations

import importlib.util
import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from monitor.config import Config, RouteConfig, SinkConfig, SourceConfig, reference_problems
from monitor.config_text import MissingEnv, did_you_mean, format_validation_error, line_of, substitute_env
from monitor.hookspecs import DetectorOptions
from monitor.plugins import Plugins
from monitor.wiring import plugin_options


def _at(origin: str, text: str, loc: Sequence[int | str]) -> str:
    line = line_of(text, loc)
    return f"{origin}:{line}" if line else origin


def read_config(path: str, env: Mapping[str, str] | None = None) -> tuple[Config | None, str, list[str]]:
    """``(config or None, source text, problems)`` from the file: syntax, environment and schema problems, all
    of them. The config is None only when the schema has errors; unset sink variables are left as written."""
    origin = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, "", [f"{origin}: config file not found"]
    except (OSError, UnicodeDecodeError) as exc:
        return None, "", [f"{origin}: cannot read config file: {exc}"]
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, text, [f"{origin}: not valid TOML: {exc}"]
    missing: list[MissingEnv] = []
    raw = substitute_env(raw, os.environ if env is None else env, missing=missing)
    problems = [m.message(origin, text) for m in missing]
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        problems += format_validation_error(origin, exc, text).splitlines()
        return None, text, problems
    config.origin = origin
    config.unresolved = missing
    return config, text, problems


def plugin_problems(config: Config, plugins: Plugins, text: str) -> list[str]:
    """Sinks, sources, detector tables and routes checked against the loaded plugins."""
    origin = config.origin
    unresolved = {m.loc[:3] for m in config.unresolved}
    problems = reference_problems(config, text)
    groups: list[tuple[str, Sequence[SinkConfig | SourceConfig], Mapping[str, Any]]] = [
        ("sinks", config.sinks, plugins.sinks), ("sources", config.sources, plugins.sources)]
    for kind, tables, registry in groups:
        for i, table in enumerate(tables):
            cls = registry.get(table.type)
            if cls is None:
                problems.append(f"{_at(origin, text, (kind, i, 'type'))}: {kind}[{i}].type: unknown {kind[:-1]} type "
                                f"{table.type!r}{did_you_mean(table.type, registry)} "
                                f"(available: {', '.join(sorted(registry)) or 'none'})")
                continue
            try:
                cls.options_model.model_validate(plugin_options(table))
            except ValidationError as exc:
                # a value still holding an unset ${ENV} is reported once, as the variable, not again here
                errors = [e for e in exc.errors() if (kind, i, *e["loc"][:1]) not in unresolved]
                if errors:
                    lines = format_validation_error(origin, exc, text, (kind, i)).splitlines()
                    problems += [line for line, e in zip(lines, exc.errors(), strict=True) if e in errors]
            missing_module = next((m for m in getattr(cls, "requires", ()) if not _installed(m)), None)
            if missing_module:
                extra = getattr(cls, "extra", None)
                how = f"pip install 'media-monitor[{extra}]'" if extra else f"pip install {missing_module}"
                problems.append(f"{_at(origin, text, (kind, i, 'type'))}: {kind}[{i}].type: the {table.type} "
                                f"{kind[:-1]} needs the {missing_module!r} package, which is not installed: {how}")
    for name, options in config.detectors.items():
        detector = plugins.detectors.get(name)
        if detector is None:
            problems.append(f"{_at(origin, text, ('detectors', name))}: detectors.{name}: no such detector"
                            f"{did_you_mean(name, plugins.detectors)} "
                            f"(loaded: {', '.join(sorted(plugins.detectors)) or 'none'})")
            continue
        model = getattr(detector, "options_model", DetectorOptions)
        try:
            model.model_validate(dict(options))
        except ValidationError as exc:
            problems += format_validation_error(origin, exc, text, ("detectors", name)).splitlines()
    for i, route in enumerate(config.routes):
        problems += _route_problems(origin, text, i, route, plugins)
    for plugin, problem in sorted(plugins.problems.items()):
        problems.append(f"plugin {plugin}: not loaded: {problem}")
    return problems


def _route_problems(origin: str, text: str, i: int, route: RouteConfig, plugins: Plugins) -> list[str]:
    from monitor.alerts.vocabulary import vocabulary_problems

    problems = []
    for name in route.detectors:
        if name not in plugins.detectors:
            problems.append(f"{_at(origin, text, ('routes', i, 'detectors'))}: routes[{i}].detectors: no such "
                            f"detector {name!r}{did_you_mean(name, plugins.detectors)} "
                            f"(loaded: {', '.join(sorted(plugins.detectors)) or 'none'})")
    known = [d for d in route.detectors if d in plugins.detectors]
    scope = {d: plugins.detectors[d] for d in known} if known else dict(plugins.detectors)
    where = _at(origin, text, ("routes", i, "where"))
    for problem in vocabulary_problems(scope, None, route.where, flag="where"):
        problems.append(f"{where}: routes[{i}].{problem}")
    return problems


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
