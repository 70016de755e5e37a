"""Plugin calls in turn in one thread (``Calls.call_each``, how an article's detectors run): each bounded by the
limit, an overrunning one abandoned with its thread while the calls after it go on, a plugin with too many
abandoned calls skipped, exceptions handed back per call. Real threads, real time."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time

from monitor.isolation import Calls, Stuck


def _run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_calls_run_in_turn_in_one_thread_and_each_outcome_comes_back_in_order() -> None:
    seen: list[tuple[str, int]] = []

    def call(name: str):  # type: ignore[no-untyped-def]
        def fn() -> str:
            seen.append((name, threading.get_ident()))
            if name == "bad":
                raise ValueError("broken plugin")
            return name.upper()
        return fn

    calls = Calls()
    outcomes = _run(calls.call_each([("a", call("a")), ("bad", call("bad")), ("c", call("c"))], 5.0))
    assert [name for name, _ in seen] == ["a", "bad", "c"]
    assert len({ident for _, ident in seen}) == 1 and seen[0][1] != threading.get_ident()
    assert outcomes[0] == ("A", None) and outcomes[2] == ("C", None)
    assert outcomes[1][0] is None and isinstance(outcomes[1][1], ValueError)


def test_an_overrunning_call_is_abandoned_and_the_ones_after_it_still_run_within_their_own_limit() -> None:
    release = threading.Event()
    threads: dict[str, int] = {}

    def hangs() -> str:
        threads["hangs"] = threading.get_ident()
        release.wait(30)
        return "late"

    def quick() -> str:
        threads["quick"] = threading.get_ident()
        return "ok"

    calls = Calls()
    started = time.monotonic()
    try:
        outcomes = _run(calls.call_each([("first", quick), ("hanger", hangs), ("after", quick)], 0.3))
        took = time.monotonic() - started
        assert outcomes[0] == ("ok", None) and outcomes[2] == ("ok", None)
        assert isinstance(outcomes[1][1], TimeoutError)
        assert 0.3 <= took < 5  # the limit waited for once, not the hanging call's 30 s
        assert threads["quick"] != threads["hangs"]  # the calls after it went on in a new thread
        assert calls.stuck["hanger"] == 1
    finally:
        release.set()
    deadline = time.monotonic() + 5
    while calls.stuck["hanger"] and time.monotonic() < deadline:  # released once its call returns
        time.sleep(0.01)
    assert calls.stuck["hanger"] == 0


def test_each_call_has_the_whole_limit_not_a_share_of_it() -> None:
    def slow() -> str:
        time.sleep(0.2)
        return "done"

    outcomes = _run(Calls().call_each([("a", slow), ("b", slow), ("c", slow)], 0.35))
    assert outcomes == [("done", None)] * 3  # 0.6 s in all, each within 0.35 s


def test_a_plugin_with_too_many_abandoned_calls_is_skipped_and_the_others_run() -> None:
    release = threading.Event()

    def hangs() -> str:
        release.wait(30)
        return "late"

    calls = Calls(max_stuck=2)
    try:
        for _ in range(2):
            outcomes = _run(calls.call_each([("hanger", hangs), ("fine", lambda: "ok")], 0.1))
            assert isinstance(outcomes[0][1], TimeoutError) and outcomes[1] == ("ok", None)
        outcomes = _run(calls.call_each([("hanger", hangs), ("fine", lambda: "ok")], 0.1))
        assert isinstance(outcomes[0][1], Stuck) and "2 earlier calls" in str(outcomes[0][1])
        assert outcomes[1] == ("ok", None)
    finally:
        release.set()


def test_calls_no_thread_starts_are_given_up_after_the_limit(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A job handed to a thread that never runs it (an idle queue whose thread is gone) is not waited for
    forever: the call due is a TimeoutError after the limit, and the rest still run."""
    import queue

    from monitor import isolation

    calls = Calls()
    orphan: queue.SimpleQueue = queue.SimpleQueue()  # type: ignore[type-arg]
    # A pool of its own whose only idle thread is the orphan: a thread of an earlier test going idle meanwhile
    # (in the shared pool) would otherwise be handed the call first.
    pool = isolation._Threads()
    pool._idle.append(orphan)
    monkeypatch.setattr(isolation, "_THREADS", pool)
    started = time.monotonic()
    outcomes = _run(calls.call_each([("a", lambda: "a"), ("b", lambda: "b")], 0.3))
    assert time.monotonic() - started < 5
    assert isinstance(outcomes[0][1], TimeoutError) and outcomes[1] == ("b", None)
    assert calls.stuck["a"] == 0  # nothing ran, nothing is stuck


def test_a_cancelled_caller_abandons_the_calls_still_to_run() -> None:
    release = threading.Event()
    ran: list[str] = []

    def hangs() -> str:
        ran.append("hangs")
        release.wait(30)
        return "late"

    async def cancelled() -> None:
        task = asyncio.ensure_future(calls.call_each([("hanger", hangs), ("after", lambda: ran.append("after"))],
                                                     30))
        await asyncio.sleep(0.2)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    calls = Calls()
    _run(cancelled())
    assert calls.stuck["hanger"] == 1
    release.set()
    deadline = time.monotonic() + 5
    while calls.stuck["hanger"] and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    assert calls.stuck["hanger"] == 0 and ran == ["hangs"]  # the call after it never ran
