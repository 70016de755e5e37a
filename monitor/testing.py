"""Helpers for plugin authors' tests: run one detector on a string in one line.

    from monitor.testing import detect, pairs

    def test_finds_ransomware():
        findings = detect(CyberDetector, "A ransomware attack shut the port.")
        assert [f.summary for f in findings] == ["Cyber incident: ransomware"]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from monitor.model import Article, Finding


def detect(detector: type[Any] | str, text: str, **options: Any) -> list[Finding]:
    """Findings of ``detector`` (a detector class, or the name of an installed one) on ``text``.

    ``options`` are the detector's config keys, validated by its ``options_model`` as in a config file.
    Every finding's evidence is checked to point into the text, as the pipeline does.
    """
    if isinstance(detector, str):
        from monitor.plugins import build_plugins

        plugins = build_plugins()
        if detector not in plugins.detectors:
            raise LookupError(f"no detector named {detector!r} (installed: {', '.join(sorted(plugins.detectors))})")
        detector = plugins.detectors[detector]
    impl = detector(detector.options_model.model_validate(options))
    article = Article.create(text)
    findings = list(impl.detect(article))
    for f in findings:
        assert isinstance(f, Finding), f"detect() yielded {type(f).__name__}, not a Finding"
        for ev in f.evidence:
            assert text[ev.start:ev.end] == ev.text, f"evidence {ev.text!r} does not match text[{ev.start}:{ev.end}]"
    return findings


def pairs(findings: Iterable[Finding], *keys: str) -> set[tuple[Any, ...]]:
    """The set of attribute tuples, e.g. ``pairs(findings, "category", "count")``."""
    return {tuple(f.attributes.get(k) for k in keys) for f in findings}
