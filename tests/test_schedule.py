"""The one scheduling rule (monitor.schedule) and the one content-type rule (monitor.extract)."""

from __future__ import annotations

from monitor.extract import kind_for_content_type
from monitor.schedule import MAX_BACKOFF, backing_off, backoff, due_at, is_due
from monitor.store.base import SourceState
from monitor.times import iso_in, utcnow


def test_backoff_doubles_per_failure_is_capped_and_honours_retry_after() -> None:
    assert [backoff(60, n) for n in (1, 2, 3)] == [60, 120, 240]
    assert backoff(60, 40) == MAX_BACKOFF
    assert backoff(60, 1, retry_after=900) == 900


def test_a_source_is_due_one_interval_after_its_last_attempt_unless_backing_off() -> None:
    assert is_due(SourceState("new"), 300)  # never polled: now
    recent = SourceState("recent", last_attempt=utcnow())
    assert not is_due(recent, 300) and is_due(recent, 0)
    failing = SourceState("failing", last_attempt=iso_in(-3600), next_due=iso_in(600))
    assert backing_off(failing) and not is_due(failing, 300) and due_at(failing, 300) == failing.next_due
    assert not is_due(SourceState("gone", gone=True), 300)
    assert not backing_off(SourceState("bad", last_attempt="not a time")) and is_due(
        SourceState("bad", last_attempt="not a time"), 300)


def test_one_content_type_rule_for_the_daemon_and_check() -> None:
    assert kind_for_content_type("text/html; charset=utf-8") == "html"
    assert kind_for_content_type("application/xhtml+xml") == "html"
    assert kind_for_content_type("text/plain") == "text" and kind_for_content_type("text/markdown") == "text"
    assert kind_for_content_type("application/octet-stream") is None
