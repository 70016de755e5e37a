"""One exception hierarchy: catch `MonitorError` for everything media-monitor raises on purpose."""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error media-monitor raises deliberately."""


class ConfigError(MonitorError):
    """The configuration file is unreadable or does not match the schema.

    The message names the file, the key and what was expected.
    """


class InputError(MonitorError):
    """An input (file, URL, stdin) cannot be turned into an article.

    The message names the input and what is wrong with it.
    """

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str], dict[str, object]]:
        # rebuilt from both arguments: an extraction process sends its refusal back pickled (the default
        # rebuilds from the message alone, which failed, and read as the extraction process dying)
        return type(self), (self.where, self.problem), self.__dict__


class PluginError(MonitorError):
    """A plugin could not be loaded or registered something invalid."""
