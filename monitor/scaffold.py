"""``monitor plugin new NAME``: a pip-installable detector plugin package whose test passes as generated,
and ``monitor plugin hooks``: the hook reference, generated from the hookspec docstrings."""

from __future__ import annotations

import inspect
import re
import textwrap
from pathlib import Path

from monitor import __version__, hookspecs
from monitor.errors import MonitorError

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")


def plugin_names(name: str) -> tuple[str, str]:
    """``(distribution, identifier)`` for a plugin name given either way: ``flood-watch`` and ``flood_watch``
    both give ``("monitor-flood-watch", "flood_watch")``; a leading ``monitor-`` is not doubled. The identifier
    names the detector, its config table and (prefixed with ``monitor_``) the module."""
    bare = re.sub(r"^monitor[-_]", "", name)
    if not _NAME.match(bare):
        raise MonitorError(f"plugin name {name!r}: use lower-case letters and digits, words joined by '-' or "
                           "'_', starting with a letter (e.g. flood-watch)")
    return f"monitor-{bare.replace('_', '-')}", bare.replace("-", "_")


def scaffold(name: str, directory: Path) -> Path:
    """Write the package ``monitor-<name>`` (module ``monitor_<name>``) under ``directory``; returns its root."""
    dist, name = plugin_names(name)
    root = directory / dist
    if root.exists():
        raise MonitorError(f"{root} already exists")
    module = f"monitor_{name}"
    cls = "".join(part.capitalize() for part in name.split("_")) + "Detector"
    files = {
        "pyproject.toml": f'''
            [build-system]
            requires = ["setuptools>=64"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "{dist}"
            version = "0.1.0"
            description = "A media-monitor detector plugin: {name}"
            requires-python = ">=3.11"
            dependencies = ["media-monitor>={__version__}"]

            [project.optional-dependencies]
            test = ["pytest"]

            # media-monitor finds the plugin through this entry point.
            [project.entry-points.monitor]
            {name} = "{module}"

            [tool.setuptools]
            py-modules = ["{module}"]
        ''',
        f"{module}.py": f'''
            """media-monitor detector plugin: {name}."""

            from __future__ import annotations

            import re
            from collections.abc import Iterable

            from pydantic import Field

            from monitor import Article, DetectorOptions, Evidence, Finding, hookimpl


            class {cls}Options(DetectorOptions):
                #: Words that make this detector fire; set them in [detectors.{name}] of the config.
                words: list[str] = Field(default_factory=lambda: ["cyberattack", "ransomware"])


            class {cls}:
                name = "{name}"
                version = "0.1.0"
                options_model = {cls}Options

                def __init__(self, options: {cls}Options) -> None:
                    self.options = options
                    alternatives = "|".join(re.escape(w) for w in options.words)
                    self.pattern = re.compile(rf"\\b(?:{{alternatives}})\\b", re.IGNORECASE)

                def detect(self, article: Article) -> Iterable[Finding]:
                    for m in self.pattern.finditer(article.text):
                        yield Finding(
                            detector=self.name,
                            severity="medium",
                            score=0.6,
                            summary=f"{name}: {{m.group()}}",
                            evidence=[Evidence.at(article.text, m.start(), m.end())],
                            attributes={{"word": m.group().lower()}},
                        )


            @hookimpl
            def monitor_register_detectors(register):
                register({cls})
        ''',
        f"tests/test_{name}.py": f'''
            from monitor.testing import detect, pairs

            from {module} import {cls}


            def test_fires_on_a_listed_word() -> None:
                findings = detect({cls}, "A ransomware attack shut the port's systems on Monday.")
                assert pairs(findings, "word") == {{("ransomware",)}}


            def test_silent_without_one() -> None:
                assert detect({cls}, "The port reopened on Monday.") == []


            def test_words_come_from_the_config() -> None:
                assert pairs(detect({cls}, "A DDoS hit the bank.", words=["ddos"]), "word") == {{("ddos",)}}
        ''',
        "README.md": f'''
            # {dist}

            A [media-monitor](https://github.com/media-monitor/media-monitor) detector plugin.

            ```bash
            pip install -e '.[test]' && pytest    # its tests
            monitor plugins                       # lists "{name}" once installed
            ```

            Options, in the media-monitor config:

            ```toml
            [detectors.{name}]
            words = ["cyberattack", "ransomware", "ddos"]
            ```
        ''',
    }
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content).lstrip(), encoding="utf-8")
    return root


def hook_reference() -> str:
    """Markdown reference of every hook and contract class, from the docstrings in ``monitor.hookspecs``."""
    out = ["# Plugin hooks", "",
           "Generated from `monitor/hookspecs.py` by `monitor plugin hooks > docs/hooks.md`; do not edit by hand.",
           "", inspect.cleandoc(hookspecs.__doc__ or ""), ""]
    for name, func in inspect.getmembers(hookspecs, inspect.isfunction):
        if not name.startswith("monitor_"):
            continue
        out += [f"## `{name}{inspect.signature(func)}`", "", inspect.cleandoc(func.__doc__ or ""), ""]
    out += ["# Objects plugins register", ""]
    for cls in (hookspecs.Detector, hookspecs.Sink, hookspecs.SinkBase, hookspecs.Source, hookspecs.SourceBase,
                hookspecs.SourceContext, hookspecs.SourceMemory, hookspecs.HttpClient, hookspecs.HttpResponse,
                hookspecs.DetectorOptions, hookspecs.Receipt):
        out += [f"## `{cls.__name__}`", "", inspect.cleandoc(cls.__doc__ or ""), ""]
        if not issubclass(cls, hookspecs.BaseModel):
            out += [f"- `{attr}: {kind}`" for attr, kind in inspect.get_annotations(cls).items()]
        for attr, member in cls.__dict__.items():
            if isinstance(member, property):
                doc = " ".join((member.__doc__ or "").split())
                out += [f"- `{attr}` (read-only){': ' + doc if doc else ''}"]
            elif callable(member) and not attr.startswith("_") and member.__doc__:
                out += [f"- `{attr}{inspect.signature(member)}`: {' '.join(member.__doc__.split())}"]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
