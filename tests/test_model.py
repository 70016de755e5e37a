"""The data model: JSON round trips, invariants, deterministic identities."""

from __future__ import annotations

import json

import pytest

from monitor import Alert, Article, Evidence, Finding, Severity


def _finding(**kw: object) -> Finding:
    base: dict[str, object] = {
        "detector": "casualties", "severity": "high", "score": 0.7, "summary": "14 killed",
        "evidence": [Evidence("killing at least 14 people", 10, 36)],
        "attributes": {"category": "killed", "count": 14, "qualifier": "at_least"},
    }
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


def test_article_id_is_stable_and_derived_from_locator() -> None:
    a = Article.create("text one", url="https://example.org/a")
    b = Article.create("text changed", url="https://example.org/a")
    c = Article.create("text one")
    assert a.id == b.id
    assert c.id != a.id
    assert Article.create("text one").id == c.id


def test_content_hash_ignores_whitespace_and_locator() -> None:
    a = Article.create("Three  soldiers\ndied.", url="https://a.example/1")
    b = Article.create("Three soldiers died.", url="https://b.example/2")
    assert a.content_hash == b.content_hash


def test_article_json_round_trip() -> None:
    a = Article.create("body", url="https://example.org/x", title="T", metadata={"author": "A"})
    again = Article.from_dict(json.loads(json.dumps(a.to_dict())))
    assert again == a


def test_finding_json_shape_and_round_trip() -> None:
    f = _finding()
    doc = json.loads(json.dumps(f.to_dict()))
    assert set(doc) == {"detector", "severity", "score", "summary", "evidence", "attributes"}
    assert doc["evidence"][0] == {"text": "killing at least 14 people", "start": 10, "end": 36}
    assert Finding.from_dict(doc) == f


def test_finding_rejects_score_outside_unit_interval() -> None:
    with pytest.raises(ValueError, match="score"):
        _finding(score=1.5)


def test_severity_order() -> None:
    assert Severity.CRITICAL.at_least("high")
    assert not Severity.LOW.at_least(Severity.MEDIUM)
    assert [s.rank for s in Severity] == [0, 1, 2, 3, 4]


def test_alert_fingerprint_is_deterministic_and_ignores_wording() -> None:
    art = Article.create("x", url="https://example.org/a")
    one = Alert.create("desk", art, [_finding()])
    reworded = Alert.create("desk", art, [_finding(summary="other words", evidence=[])])
    other_route = Alert.create("ops", art, [_finding()])
    assert one.id == reworded.id
    assert one.id != other_route.id
    assert one.to_dict()["version"] == 1
    assert one.severity is Severity.HIGH
