"""The plugin manager: loads plugins and collects what they register.

The built-in detectors, sources and sinks are :data:`DEFAULT_PLUGINS`, registered first and always, through
the same hooks a third-party plugin uses (datasette's ``DEFAULT_PLUGINS``). Third-party plugins come from the
``monitor`` entry-point group and from ``.py`` files in plugin directories. ``MONITOR_LOAD_PLUGINS`` (a
comma-separated list of entry-point names) limits which third-party entry points load, as
``LLM_LOAD_PLUGINS`` does for llm, and never removes a built-in; ``disable`` removes plugins by name, built-in
ones included. ``MONITOR_TRACE_PLUGINS=1`` logs every hook implementation and detector call with its plugin
and duration. A plugin that fails to import or to register is reported and skipped, never fatal.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import importlib.util
import os
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
import structlog

from monitor import __version__, hookspecs
from monitor.errors import PluginError
from monitor.hookspecs import Detector, Sink, Source

log = structlog.get_logger("monitor.plugins")

ENV_LOAD = "MONITOR_LOAD_PLUGINS"
ENV_TRACE = "MONITOR_TRACE_PLUGINS"
#: Seconds one object's ``aclose()`` may take at reload or shutdown.
CLOSE_TIMEOUT = 10.0

#: The built-in plugins: ``(name, module)``, registered on every run whatever ``MONITOR_LOAD_PLUGINS`` says.
DEFAULT_PLUGINS: tuple[tuple[str, str], ...] = (
    ("casualties", "monitor_plugins.casualties"),
    ("deployments", "monitor_plugins.deployments"),
    ("escalation", "monitor_plugins.escalation"),
    ("builtin_sources", "monitor.sources.folder"),
    ("feeds", "monitor.sources.feed"),
    ("builtin_sinks", "monitor.sinks.builtin"),
    ("webhook", "monitor.sinks.webhook"),
    ("email", "monitor.sinks.email"),
    ("apprise", "monitor.sinks.apprise"),
)


async def close_all(objects: Iterable[object]) -> None:
    """Await ``aclose()`` on every object that defines it (configured sinks and sources), each on its own:
    one that raises or hangs is logged and the others are still closed."""
    for obj in objects:
        aclose: Callable[[], Awaitable[object]] | None = getattr(obj, "aclose", None)
        if aclose is None:
            continue
        name = getattr(obj, "name", type(obj).__name__)
        try:
            await asyncio.wait_for(aclose(), CLOSE_TIMEOUT)
        except Exception as exc:  # a plugin's close must not stop the others' nor the daemon's shutdown
            log.error("plugin.aclose_failed", object=str(name), type=type(obj).__name__,
                      error=f"{exc.__class__.__name__}: {exc}")


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
    """Third-party entry points (an older install may still list a built-in module: it is registered already)."""
    builtin = {module for _, module in DEFAULT_PLUGINS}
    for ep in importlib.metadata.entry_points(group=hookspecs.PROJECT):
        if ep.value in builtin:
            continue
        if selected is None or ep.name in selected:
            yield ep


def tracing() -> bool:
    """True when ``MONITOR_TRACE_PLUGINS`` asks for every plugin call to be logged."""
    return os.environ.get(ENV_TRACE, "").strip().lower() not in ("", "0", "false", "no", "off")


def _traced(function: Callable[..., Any], plugin: str, hook: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            log.info("plugin.call", plugin=plugin, hook=hook, ms=round((time.perf_counter() - started) * 1000, 3))

    return call


def _trace_hooks(pm: pluggy.PluginManager) -> None:
    """Time every hook implementation (pluggy's call monitoring times a hook call as a whole, not each plugin)."""
    for caller in _hookcallers(pm):
        for impl in caller.get_hookimpls():
            impl.function = _traced(impl.function, impl.plugin_name, caller.name)


def _hookcallers(pm: pluggy.PluginManager) -> list[Any]:
    return [getattr(pm.hook, name) for name in dir(pm.hook) if name.startswith(f"{hookspecs.PROJECT}_")]


def _traced_detector(cls: type[Detector], plugin: str) -> type[Detector]:
    """A subclass of ``cls`` whose ``detect`` logs its plugin, detector and duration."""
    original = cls.detect

    def detect(self: Any, article: Any) -> Any:
        started = time.perf_counter()
        try:
            return list(original(self, article))
        finally:
            log.info("plugin.call", plugin=plugin, hook="detect", detector=cls.name,
                     ms=round((time.perf_counter() - started) * 1000, 3))

    return type(cls.__name__, (cls,), {"detect": detect, "__module__": cls.__module__, "__doc__": cls.__doc__})


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
    load_defaults: bool = True,
    load_entrypoints: bool = True,
    extra: Iterable[tuple[str, object]] = (),
) -> Plugins:
    """Load plugins and collect their detectors, sinks and sources.

    ``extra`` registers ready objects under a name (used by tests and embedders). ``load_defaults=False``
    leaves out the built-in plugins (a test of one plugin alone); ``load_entrypoints=False`` the installed
    third-party ones.
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

    for name, module_name in DEFAULT_PLUGINS if load_defaults else ():
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:
            plugins.problems[name] = f"cannot import {module_name}: {exc}"
            log.warning("plugin.import_failed", plugin=name, origin=module_name, error=str(exc))
            continue
        add(name, module, f"built-in {module_name}", __version__)

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
    trace = tracing()
    if trace:
        _trace_hooks(pm)
    _collect(plugins)
    if trace:
        for (kind, key), owner in plugins.owners.items():
            if kind == "detector":
                plugins.detectors[key] = _traced_detector(plugins.detectors[key], owner)
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
