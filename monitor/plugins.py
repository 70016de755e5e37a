"""The plugin manager: loads plugins and collects what they register.

Plugins come from the ``monitor`` entry-point group (built-in ones included) and from ``.py`` files in
plugin directories, as in datasette. ``MONITOR_LOAD_PLUGINS`` (a comma-separated list of entry-point names)
limits which entry points load, as ``LLM_LOAD_PLUGINS`` does for llm; ``disable`` removes plugins by name.
A plugin that fails to import or to register is reported and skipped, never fatal.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
import structlog

from monitor import hookspecs
from monitor.errors import PluginError
from monitor.hookspecs import Detector, Sink, Source

log = structlog.get_logger("monitor.plugins")

ENV_LOAD = "MONITOR_LOAD_PLUGINS"


@dataclass(frozen=True)
class PluginInfo:
    """What ``monitor plugins`` shows for one plugin."""

    name: str
    version: str | None
    origin: str
    hooks: tuple[str, ...]
    detectors: tuple[str, ...] = ()
    sinks: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "origin": self.origin,
            "hooks": list(self.hooks),
            "detectors": list(self.detectors),
            "sinks": list(self.sinks),
            "sources": list(self.sources),
        }


@dataclass
class Plugins:
    """The loaded plugins and the classes they registered, keyed by name/type."""

    pm: pluggy.PluginManager
    detectors: dict[str, type[Detector]] = field(default_factory=dict)
    sinks: dict[str, type[Sink]] = field(default_factory=dict)
    sources: dict[str, type[Source]] = field(default_factory=dict)
    #: Which plugin registered each detector/sink/source (for error messages and listings).
    owners: dict[tuple[str, str], str] = field(default_factory=dict)
    origins: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    #: Problems met while loading: plugin name -> message.
    problems: dict[str, str] = field(default_factory=dict)

    def info(self) -> list[PluginInfo]:
        """Name, version, origin and hooks of every loaded plugin, sorted by name."""
        out = []
        for name, plugin in self.pm.list_name_plugin():
            if plugin is None:
                continue
            hooks = tuple(sorted(h.name for h in self.pm.get_hookcallers(plugin) or ()))
            origin, version = self.origins.get(name, ("registered", None))
            out.append(
                PluginInfo(
                    name=name,
                    version=version,
                    origin=origin,
                    hooks=hooks,
                    detectors=self._owned("detector", name),
                    sinks=self._owned("sink", name),
                    sources=self._owned("source", name),
                )
            )
        return sorted(out, key=lambda p: p.name)

    def _owned(self, kind: str, plugin: str) -> tuple[str, ...]:
        return tuple(sorted(n for (k, n), owner in self.owners.items() if k == kind and owner == plugin))

    def enrichers(self) -> list[tuple[str, Any]]:
        """``(plugin name, function)`` for every ``monitor_enrich_article`` implementation, in call order."""
        # Registration order: entry points (built-ins included), then plugin directories.
        impls = self.pm.hook.monitor_enrich_article.get_hookimpls()
        return [(impl.plugin_name, impl.function) for impl in impls]


def _entry_points(selected: set[str] | None) -> Iterable[importlib.metadata.EntryPoint]:
    for ep in importlib.metadata.entry_points(group=hookspecs.PROJECT):
        if selected is None or ep.name in selected:
            yield ep


def _load_module_file(path: Path) -> ModuleType:
    module_name = f"monitor_plugin_dir.{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise PluginError(f"{path}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def build_plugins(
    plugin_dirs: Sequence[str | os.PathLike[str]] = (),
    disable: Iterable[str] = (),
    *,
    load_entrypoints: bool = True,
    extra: Iterable[tuple[str, object]] = (),
) -> Plugins:
    """Load plugins and collect their detectors, sinks and sources.

    ``extra`` registers ready objects under a name (used by tests and embedders).
    """
    disabled = set(disable)
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    plugins = Plugins(pm=pm)

    def add(name: str, obj: object, origin: str, version: str | None) -> None:
        if name in disabled:
            log.info("plugin.disabled", plugin=name)
            return
        try:
            pm.register(obj, name=name)
        except Exception as exc:
            plugins.problems[name] = f"cannot register: {exc}"
            log.warning("plugin.rejected", plugin=name, origin=origin, error=str(exc))
            return
        plugins.origins[name] = (origin, version)

    if load_entrypoints:
        raw = os.environ.get(ENV_LOAD)
        selected = {n.strip() for n in raw.split(",") if n.strip()} if raw is not None else None
        for ep in _entry_points(selected):
            dist = ep.dist
            origin = f"entry point {ep.value}" + (f" ({dist.name})" if dist else "")
            try:
                obj = ep.load()
            except Exception as exc:
                plugins.problems[ep.name] = f"cannot import {ep.value}: {exc}"
                log.warning("plugin.import_failed", plugin=ep.name, origin=origin, error=str(exc))
                continue
            add(ep.name, obj, origin, dist.version if dist else None)

    for directory in plugin_dirs:
        root = Path(directory)
        if not root.is_dir():
            plugins.problems[str(root)] = "plugin directory does not exist"
            log.warning("plugin.dir_missing", path=str(root))
            continue
        for path in sorted(root.glob("*.py")):
            try:
                module = _load_module_file(path)
            except Exception as exc:
                plugins.problems[path.stem] = f"cannot import {path}: {exc}"
                log.warning("plugin.import_failed", plugin=path.stem, origin=str(path), error=str(exc))
                continue
            add(path.stem, module, str(path), None)

    for name, obj in extra:
        add(name, obj, "registered", None)

    pm.check_pending()
    _collect(plugins)
    return plugins


def _collect(plugins: Plugins) -> None:
    """Call each registration hook once per plugin, isolated, and record who registered what."""
    pm = plugins.pm
    kinds: list[tuple[str, str, dict[str, Any], str]] = [
        ("detector", "monitor_register_detectors", plugins.detectors, "name"),
        ("sink", "monitor_register_sinks", plugins.sinks, "type"),
        ("source", "monitor_register_sources", plugins.sources, "type"),
    ]
    for kind, hook_name, registry, key_attr in kinds:
        # Registration order, so the first plugin to claim a name keeps it.
        for impl in getattr(pm.hook, hook_name).get_hookimpls():
            owner = impl.plugin_name

            def register(cls: Any, *, _owner: str = owner, _kind: str = kind, _reg: dict[str, Any] = registry,
                         _key: str = key_attr) -> None:
                key = getattr(cls, _key, None)
                if not isinstance(key, str) or not key:
                    raise PluginError(f"plugin {_owner!r} registered a {_kind} without a {_key!r}")
                if key in _reg:
                    other = plugins.owners[(_kind, key)]
                    raise PluginError(f"plugin {_owner!r} registered {_kind} {key!r}, already registered by {other!r}")
                _reg[key] = cls
                plugins.owners[(_kind, key)] = _owner

            try:
                impl.function(**({"register": register} if "register" in impl.argnames else {}))
            except Exception as exc:
                plugins.problems[owner] = f"{hook_name} failed: {exc}"
                log.warning("plugin.register_failed", plugin=owner, hook=hook_name, error=str(exc))
