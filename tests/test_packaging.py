"""The wheel carries every package of the source tree (the hand-written list once left out monitor.runners,
monitor.store and monitor.alerts). Installing and running that wheel is .ci/wheel-smoke's job in CI."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from monitor.plugins import DEFAULT_PLUGINS
from tests.conftest import ROOT


def test_wheel_holds_every_package_and_only_existing_data(tmp_path: Path) -> None:
    # Built from a copy of the sources: a stale build/ in the checkout could supply files the tree lacks.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for name in ("monitor", "plugins"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                            "--wheel-dir", str(tmp_path), str(src)], capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = tmp_path.glob("media_monitor-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"monitor/{p.relative_to(ROOT / 'monitor').as_posix()}" for p in (ROOT / "monitor").rglob("*.py")}
    # The built-in detectors are packages (plugins/casualties/ -> monitor_plugins.casualties): all their modules.
    plugins = ROOT / "plugins"
    expected |= {f"monitor_plugins/{p.relative_to(plugins).as_posix()}" for p in plugins.rglob("*.py")}
    assert expected - names == set()
    assert "monitor/py.typed" in names
    # The console's pages and stylesheet are package data (pyproject's package-data globs): it renders nothing
    # without them, and it fetches nothing from elsewhere.
    console = ROOT / "monitor" / "console"
    assets = {f"monitor/console/{p.relative_to(console).as_posix()}" for d in ("templates", "static")
              for p in (console / d).iterdir() if p.is_file()}
    assert {"monitor/console/templates/alert.html", "monitor/console/static/style.css"} <= assets
    assert assets - names == set()
    # Without its model file a detector falls back to its rules alone: the learned decisions must ship.
    models = {f"monitor_plugins/models/{p.name}" for p in (ROOT / "plugins" / "models").glob("*.json")}
    assert models and models <= names
    # The built-ins are registered by module name (DEFAULT_PLUGINS), so each of those modules must ship.
    for _, module in DEFAULT_PLUGINS:
        path = module.replace(".", "/")
        assert f"{path}.py" in names or f"{path}/__init__.py" in names, module
