"""media-monitor: a plugin-based media monitoring daemon.

The public surface for plugin authors is re-exported here: the data model, the hook marker and the
base classes of the plugin contract. Helpers for writing detectors live in :mod:`monitor.text`.
"""

from __future__ import annotations

__version__ = "0.1.0"

from monitor.errors import ConfigError, InputError, MonitorError, PluginError
from monitor.hookspecs import DetectorOptions, Options, Receipt, hookimpl
from monitor.model import Alert, Article, Evidence, Finding, Severity

__all__ = [
    "Alert",
    "Article",
    "ConfigError",
    "DetectorOptions",
    "Evidence",
    "Finding",
    "InputError",
    "MonitorError",
    "Options",
    "PluginError",
    "Receipt",
    "Severity",
    "__version__",
    "hookimpl",
]
