"""End to end in a real headless browser: Debian's chromium driven by selenium through chromedriver
(``Service("/usr/bin/chromedriver")``, so selenium-manager never downloads anything). After a real
``monitor run --once``, ``monitor console`` serves the state; the browser opens the alerts, clicks through to
the alert, marks a finding a false alarm, and ``monitor feedback export`` writes it out (that the export
scores with ``monitor eval`` is tests/test_feedback.py's).

Skipped, saying why, where chromium is not installed — except in CI (``CI`` set), where .ci/run installs it
and a missing browser fails the test."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import kill_group, start_monitor, wait_for
from tests.console_support import copy_state, free_port

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")

pytestmark = pytest.mark.usefixtures("no_orphans")


def _browser():  # type: ignore[no-untyped-def]
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        why = f"{', '.join(missing)} not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the browser test: {why}")
        pytest.skip(why)
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--disable-extensions", "--disable-background-networking"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


def test_mark_a_false_alarm_in_the_browser_and_export_it(seeded_state: Path, tmp_path: Path, monitor) -> None:
    state = copy_state(seeded_state, tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "console.log").open("wb")
    proc = start_monitor(["console", "--listen", f"127.0.0.1:{port}", "--state-dir", str(state)], cwd=tmp_path,
                         stdout=log, stderr=subprocess.STDOUT)

    def up() -> bool:
        try:
            return httpx.get(base + "/alerts", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    driver = None
    try:
        wait_for(up, timeout=30)
        driver = _browser()
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        def after_click(condition):  # type: ignore[no-untyped-def]
            """A click starts a navigation; wait for the page it leads to, not the one still shown (a loaded CI
            machine took longer than the click's return to load the next page)."""
            from selenium.common.exceptions import TimeoutException

            try:
                return WebDriverWait(driver, 20).until(condition)
            except TimeoutException:
                pytest.fail(f"the page after the click never came: {driver.current_url}\n{driver.page_source[-3000:]}")

        driver.get(base + "/alerts")
        assert "Alerts" in driver.title
        assert driver.find_elements(By.CSS_SELECTOR, "svg rect.bar"), "no chart drawn"
        link = driver.find_element(By.CSS_SELECTOR, "a.alert-link")
        title = link.text
        link.click()
        after_click(lambda d: d.find_element(By.TAG_NAME, "h1").text == title)
        assert driver.find_elements(By.CSS_SELECTOR, ".article-text mark"), "no evidence marked"
        first = driver.find_element(By.CSS_SELECTOR, "li.finding")
        summary = first.find_element(By.CSS_SELECTOR, ".finding-head").text
        first.find_element(By.CSS_SELECTOR, "button.false-alarm").click()
        done = after_click(lambda d: d.find_elements(By.CSS_SELECTOR, ".done"))
        assert "judged: false alarm" in done[0].text, driver.page_source[-2000:]
        judged = driver.find_element(By.CSS_SELECTOR, "li.finding .judged").text
        assert "false alarm" in judged
    finally:
        if driver is not None:
            driver.quit()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            kill_group(proc)
    assert proc.returncode == 0, (tmp_path / "console.log").read_text()[-2000:]

    exported = monitor("feedback", "export", "mine.jsonl", "--state-dir", str(state), cwd=tmp_path)
    assert exported.code == 0, exported.err
    (item,) = [json.loads(line) for line in (tmp_path / "mine.jsonl").read_text().splitlines()]
    (judgement,) = item["judgements"]
    assert judgement["verdict"] == "false_alarm" and judgement["summary"] in summary
