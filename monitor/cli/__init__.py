"""The ``monitor`` command. Thin: parses arguments, calls into the rooms that do the work, prints.

``base`` holds the group and what commands share; each other module registers its commands on import.
A new command goes in a module of its own here, imported below.
"""

from monitor.cli import (  # noqa: F401  (registers the commands)
    alerts,
    console,
    daemon,
    db,
    events,
    learning,
    plugins,
    silence,
)
from monitor.cli.base import main

__all__ = ["main"]
