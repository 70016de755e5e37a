"""What a SIGHUP reload may change while the daemon runs, and what needs a restart.

Everything is applied on reload — sources, sinks, routes, detectors, the network guard and the fetcher's
limits (a new HTTP client is built), delivery settings, timeouts — except the settings below, which shape what
the process was started with. A reload that changes one of them is refused as a whole, naming them, and the
daemon keeps running on its previous configuration.
"""

from __future__ import annotations

from monitor.config import Config
from monitor.errors import ConfigError

#: (table, key) of the settings only a restart applies, and why.
RESTART_ONLY: dict[tuple[str, str], str] = {
    ("daemon", "state_dir"): "the open database and the state-directory lock",
    ("daemon", "health_listen"): "the listening socket",
    ("daemon", "extract_processes"): "the extraction process pool",
    ("daemon", "delivery_lease"): "replicas agree on it",
    ("daemon", "stalled_after"): "replicas agree on it",
    ("daemon", "stall_timeout"): "the stall guard is armed at start",
    ("store", "url"): "the open database",
    ("console", "listen"): "the console's listening socket",
    ("console", "token"): "the console's credentials are read at start",
    ("console", "username"): "the console's credentials are read at start",
    ("console", "password"): "the console's credentials are read at start",
    ("plugins", "dirs"): "plugins are loaded once",
    ("plugins", "disable"): "plugins are loaded once",
}


class ReloadRefused(ConfigError):
    """The new configuration changes settings that only a restart applies."""


def check_reload(old: Config, new: Config) -> None:
    """Raise :class:`ReloadRefused` naming every restart-only setting that differs between ``old`` and ``new``."""
    changed = [f"[{table}] {key} ({why})" for (table, key), why in RESTART_ONLY.items()
               if getattr(getattr(old, table), key) != getattr(getattr(new, table), key)]
    if changed:
        raise ReloadRefused(f"{new.origin}: not reloaded: {', '.join(changed)} changed, which needs a restart; "
                            "the daemon keeps running on its previous configuration")
