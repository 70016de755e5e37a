"""The Docker deployment checked without a Docker engine (none runs on this project's machines or CI).

``python -m tests.deploy_check`` (what ``.ci/docker-replay`` runs):

- **Dockerfile**: parsed (continuations, ARG defaults and build args, stages); every file a ``COPY`` names must
  exist in the build context and not be excluded by ``.dockerignore``; the user must be numeric; the build is
  replayed in a scratch directory standing in for the image's filesystem — the ``COPY`` lines copy only what
  they name (less what ``.dockerignore`` drops), the ``RUN`` lines' venv and ``pip install`` steps run as
  written (constraints, extras), container paths mapped into the scratch root — and then the image's
  ``ENTRYPOINT`` + ``CMD`` run with its config: ``config check``, ``run --once`` on the seed, and the daemon
  itself with the ``HEALTHCHECK`` command, once with the image's config and once with ``config/`` mounted over
  ``/config`` as the deploy README's ``docker run`` does.
- **Compose files**: every ``depends_on`` names a service of the same file, named volumes are declared, bind
  mounts and build contexts exist, build args are ARGs of the Dockerfile, and every host the mounted monitor
  config (or ``MONITOR_STORE_URL``) reaches is a service of that file.

The static half runs in the test suite (``tests/test_deploy.py``); the replay installs from the package index
and runs in CI.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"
COMPOSE_FILES = sorted((ROOT / "deploy" / "docker").glob("compose*.yaml"))


class DeployError(AssertionError):
    """A deployment file that would not build or start as written."""


# -- Dockerfile ----------------------------------------------------------------------------------------------


@dataclass
class Instruction:
    line: int
    cmd: str
    args: str


@dataclass
class Stage:
    base: str
    name: str | None
    args: dict[str, str] = field(default_factory=dict)
    instructions: list[Instruction] = field(default_factory=list)


def instructions(text: str) -> list[Instruction]:
    """Logical instructions: comment lines dropped (also inside continuations), backslash lines joined."""
    out: list[Instruction] = []
    buf: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not buf:
            start = number
        if line.endswith("\\"):
            buf.append(line[:-1].strip())
            continue
        buf.append(line)
        joined = " ".join(buf)
        buf = []
        cmd, _, args = joined.partition(" ")
        out.append(Instruction(start, cmd.upper(), args.strip()))
    if buf:
        raise DeployError(f"Dockerfile:{start}: a continuation runs off the end of the file")
    return out


_VAR = re.compile(r"\$(?:\{(\w+)(?::([+-])([^}]*))?\}|(\w+))")


def expand(value: str, env: dict[str, str]) -> str:
    """Docker's variable forms: ``$X``, ``${X}``, ``${X:-default}``, ``${X:+alternative}``."""

    def sub(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(4)
        current = env.get(name, "")
        if m.group(2) == "-":
            return current or expand(m.group(3), env)
        if m.group(2) == "+":
            return expand(m.group(3), env) if current else ""
        return current

    return _VAR.sub(sub, value)


def parse_dockerfile(text: str, build_args: dict[str, str] | None = None) -> list[Stage]:
    build_args = build_args or {}
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for ins in instructions(text):
        if ins.cmd == "ARG":
            name, _, default = ins.args.partition("=")
            value = build_args.get(name, default.strip('"'))
            if stages:
                stages[-1].args[name] = expand(value, stages[-1].args)
            else:
                global_args[name] = value
        elif ins.cmd == "FROM":
            words = [w for w in ins.args.split() if not w.startswith("--")]
            base = expand(words[0], global_args)
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base, name))
        elif not stages:
            raise DeployError(f"Dockerfile:{ins.line}: {ins.cmd} before the first FROM")
        else:
            stages[-1].instructions.append(ins)
    return stages


def exec_form(ins: Instruction) -> list[str]:
    try:
        value = json.loads(ins.args)
    except json.JSONDecodeError:
        raise DeployError(f"Dockerfile:{ins.line}: {ins.cmd} should use the exec (JSON) form") from None
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise DeployError(f"Dockerfile:{ins.line}: {ins.cmd} is not a JSON list of strings")
    return value


def copy_parts(ins: Instruction, env: dict[str, str]) -> tuple[dict[str, str], list[str], str]:
    """(flags, sources, destination) of a COPY line."""
    words = exec_form(ins) if ins.args.startswith("[") else shlex.split(ins.args)
    flags = {}
    while words and words[0].startswith("--"):
        key, _, value = words.pop(0)[2:].partition("=")
        flags[key] = value
    if len(words) < 2:
        raise DeployError(f"Dockerfile:{ins.line}: COPY needs a source and a destination")
    return flags, [expand(w, env) for w in words[:-1]], expand(words[-1], env)


# -- .dockerignore ---------------------------------------------------------------------------------------------


def _pattern(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + r"\Z")


@dataclass
class DockerIgnore:
    rules: list[tuple[bool, re.Pattern[str]]]

    @classmethod
    def load(cls, context: Path) -> DockerIgnore:
        path = context / ".dockerignore"
        rules = []
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                negate = line.startswith("!")
                rules.append((negate, _pattern(os.path.normpath(line.lstrip("!").strip("/")))))
        return cls(rules)

    def excluded(self, relative: str) -> bool:
        """Docker's rule: the last matching pattern wins; a pattern matching a directory excludes its files."""
        parts = relative.strip("/").split("/")
        prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
        result = False
        for negate, pattern in self.rules:
            if any(pattern.match(p) for p in prefixes):
                result = not negate
        return result


# -- the static checks -------------------------------------------------------------------------------------


@dataclass
class Report:
    stages: list[Stage]
    warnings: list[str]


def check_dockerfile(path: Path = DOCKERFILE, context: Path = ROOT,
                     build_args: dict[str, str] | None = None) -> Report:
    """Every COPY source exists and is in the build context; numeric USER; exec-form ENTRYPOINT, CMD and
    HEALTHCHECK; every base pinned by digest."""
    stages = parse_dockerfile(path.read_text(encoding="utf-8"), build_args)
    ignore = DockerIgnore.load(context)
    names = {s.name for s in stages if s.name}
    errors: list[str] = []
    warnings: list[str] = []
    final = stages[-1]
    for stage in stages:
        if "@sha256:" not in stage.base and stage.base not in names:
            errors.append(f"{path.name}: base image {stage.base} is not pinned by digest")
        env = dict(stage.args)
        for ins in stage.instructions:
            where = f"{path.name}:{ins.line}"
            if ins.cmd == "COPY":
                flags, sources, _ = copy_parts(ins, env)
                if "from" in flags:
                    if flags["from"] not in names:
                        errors.append(f"{where}: COPY --from={flags['from']} names no stage of this file")
                    continue
                for source in sources:
                    matches = sorted(context.glob(source))
                    if not matches:
                        errors.append(f"{where}: COPY {source}: no such file in the build context")
                    for match in matches:
                        if ignore.excluded(match.relative_to(context).as_posix()):
                            errors.append(f"{where}: COPY {source}: excluded by .dockerignore")
            elif ins.cmd == "USER" and stage is final:
                user, _, group = expand(ins.args, env).partition(":")
                if not user.isdigit() or (group and not group.isdigit()):
                    errors.append(f"{where}: USER {ins.args} is not numeric (uid:gid), see hadolint DL3066")
            elif ins.cmd in ("ENTRYPOINT", "CMD"):
                exec_form(ins)
            elif ins.cmd == "HEALTHCHECK":
                exec_form(_healthcheck_cmd(ins))
    if not any(i.cmd == "USER" for i in final.instructions):
        errors.append(f"{path.name}: the final stage runs as root (no USER)")
    if not any(i.cmd == "HEALTHCHECK" for i in final.instructions):
        errors.append(f"{path.name}: no HEALTHCHECK")
    for heavy in (".venv", ".git", "state"):
        if (context / heavy).exists() and not ignore.excluded(heavy):
            errors.append(f".dockerignore: {heavy} would be sent with the build context")
    if errors:
        raise DeployError("\n".join(errors))
    return Report(stages, warnings)


def _healthcheck_cmd(ins: Instruction) -> Instruction:
    words = ins.args.split()
    while words and words[0].startswith("--"):
        words.pop(0)
    if not words or words[0].upper() != "CMD":
        raise DeployError(f"Dockerfile:{ins.line}: HEALTHCHECK without CMD")
    return Instruction(ins.line, "HEALTHCHECK", ins.args.split("CMD", 1)[1].strip())


def dockerfile_args(path: Path = DOCKERFILE) -> set[str]:
    return {i.args.partition("=")[0] for i in instructions(path.read_text(encoding="utf-8")) if i.cmd == "ARG"}


# -- compose ---------------------------------------------------------------------------------------------------


def _service_config(service: dict[str, Any], compose_dir: Path) -> Path | None:
    """The monitor config this service runs with: a bind mount at /config/monitor.toml, else the image's."""
    for volume in service.get("volumes", []):
        spec = volume if isinstance(volume, str) else f"{volume.get('source')}:{volume.get('target')}"
        source, _, rest = spec.partition(":")
        if rest.split(":")[0] == "/config/monitor.toml":
            return (compose_dir / source).resolve()
        if rest.split(":")[0] == "/config" and source.startswith("."):
            return (compose_dir / source / "monitor.toml").resolve()
    if "build" in service:
        return ROOT / "deploy" / "docker" / "monitor.toml"
    return None


def _hosts(config_text: str, env: dict[str, str]) -> set[str]:
    """Hosts a monitor config sends to or reads from: URLs and ``host =`` values (``${X:-default}`` expanded
    with the service's environment)."""
    expanded = re.sub(r"\$\{(\w+)(?::-([^}]*))?\}", lambda m: env.get(m.group(1), m.group(2) or ""), config_text)
    data = tomllib.loads(expanded)
    hosts: set[str] = set()

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str):
            if re.match(r"^[a-z][a-z0-9+.-]*://", value):
                host = urlsplit(value).hostname
                if host:
                    hosts.add(host)
            elif key == "host" and value:
                hosts.add(value)

    walk(data)
    return hosts


def check_compose(path: Path) -> list[str]:
    """Errors in one compose file (empty when it would start as written)."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors: list[str] = []
    services: dict[str, Any] = data.get("services") or {}
    volumes = set((data.get("volumes") or {}).keys())
    top_configs = set((data.get("configs") or {}).keys())
    if not services:
        return [f"{path.name}: no services"]
    for name, service in services.items():
        where = f"{path.name}: services.{name}"
        if "image" not in service and "build" not in service:
            errors.append(f"{where}: neither image nor build")
        deps = service.get("depends_on", [])
        for dep in deps if isinstance(deps, list) else deps.keys():
            if dep not in services:
                errors.append(f"{where}.depends_on: {dep} is not a service of this file")
        for volume in service.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else str(volume.get("source", ""))
            if source.startswith((".", "/", "~")):
                if not (path.parent / source).exists():
                    errors.append(f"{where}.volumes: {source} does not exist")
            elif source and source not in volumes:
                errors.append(f"{where}.volumes: named volume {source} is not declared under volumes")
        for config in service.get("configs", []):
            ref = config if isinstance(config, str) else config.get("source")
            if ref not in top_configs:
                errors.append(f"{where}.configs: {ref} is not declared under configs")
        build = service.get("build")
        if build:
            build = {"context": build} if isinstance(build, str) else build
            context = path.parent / build.get("context", ".")
            dockerfile = context / build.get("dockerfile", "Dockerfile")
            if not dockerfile.exists():
                errors.append(f"{where}.build: {dockerfile} does not exist")
            else:
                args = build.get("args") or {}
                for arg in args if isinstance(args, dict) else [a.split("=")[0] for a in args]:
                    if arg not in dockerfile_args(dockerfile):
                        errors.append(f"{where}.build.args: {arg} is not an ARG of {dockerfile.name}")
        env = service.get("environment") or {}
        env = dict(env) if isinstance(env, dict) else dict(e.split("=", 1) for e in env)
        env = {k: re.sub(r"\$\{(\w+)(?::-([^}]*))?\}", lambda m: m.group(2) or "", str(v)) for k, v in env.items()}
        reached: set[str] = set()
        config = _service_config(service, path.parent)
        if config is not None:
            if not config.exists():
                errors.append(f"{where}: its config {config} does not exist")
            else:
                reached |= _hosts(config.read_text(encoding="utf-8"), env)
        if env.get("MONITOR_STORE_URL"):
            reached.add(urlsplit(env["MONITOR_STORE_URL"]).hostname or "")
            if not _has_extra(service, path.parent, "postgres"):
                errors.append(f"{where}: MONITOR_STORE_URL needs the image built with EXTRAS=postgres")
        for host in sorted(reached):
            if "." not in host and host not in services and host != "localhost":
                errors.append(f"{where}: its config reaches host {host!r}, which is not a service of this file")
    return errors


def _has_extra(service: dict[str, Any], compose_dir: Path, extra: str) -> bool:
    build = service.get("build")
    if not isinstance(build, dict):
        return False
    args = build.get("args") or {}
    value = str(args.get("EXTRAS", "")) if isinstance(args, dict) else ""
    return extra in [v.strip() for v in value.split(",")]


# -- the replay ------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Replay:
    """The image's filesystem under a scratch root: container paths (/opt/…, /src, /data, /config) map into it."""

    def __init__(self, root: Path, stages: list[Stage], context: Path = ROOT) -> None:
        self.root = root
        self.stages = stages
        self.context = context
        self.ignore = DockerIgnore.load(context)
        self.env: dict[str, str] = {}
        self.cwd = "/"
        self.tops = sorted(self._container_tops(), key=len, reverse=True)

    def _container_tops(self) -> set[str]:
        tops = set()
        for stage in self.stages:
            for ins in stage.instructions:
                for m in re.finditer(r"(?<![\w.$])(/(?:opt|src|data|config|app|srv)\b)", ins.args):
                    tops.add(m.group(1))
        return tops

    def host(self, value: str) -> str:
        """A string with its container paths mapped into the scratch root."""
        for top in self.tops:
            value = re.sub(rf"(?<![\w./]){re.escape(top)}(?=/|\b|$)", str(self.root) + top, value)
        return value

    def _dest(self, dest: str) -> Path:
        absolute = dest if dest.startswith("/") else f"{self.cwd.rstrip('/')}/{dest}"
        return Path(self.host(absolute))

    def _copy(self, sources: list[str], dest: str) -> None:
        target = self._dest(dest)
        into_dir = dest.endswith("/") or len(sources) > 1
        for source in sources:
            for match in sorted(self.context.glob(source)):
                if match.is_dir():
                    for file in sorted(match.rglob("*")):
                        rel = file.relative_to(self.context).as_posix()
                        if file.is_file() and not self.ignore.excluded(rel):
                            out = target / file.relative_to(match)
                            out.parent.mkdir(parents=True, exist_ok=True)
                            shutil.copy2(file, out)
                else:
                    out = target / match.name if into_dir else target
                    out.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(match, out)

    def _run(self, ins: Instruction, args: dict[str, str]) -> None:
        """Replay the venv and pip steps of a RUN line as written (paths mapped); mkdir in the scratch root;
        user and ownership changes cannot be replayed without root in an image and are only reported."""
        for step in re.split(r"\s*&&\s*", ins.args):
            words = shlex.split(step)
            if not words:
                continue
            tool = Path(words[0]).name
            if tool in ("python", "python3") or tool.startswith("pip"):
                if tool in ("python", "python3"):
                    words[0] = sys.executable
                command = self.host(expand(" ".join(shlex.quote(w) for w in words), {**self.env, **args}))
                print(f"replay: RUN {step}", flush=True)
                started = time.monotonic()
                env = {**self._process_env(args), "PIP_QUIET": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
                proc = subprocess.run(command, shell=True, cwd=self.host(self.cwd), env=env)
                if proc.returncode:
                    raise DeployError(f"Dockerfile:{ins.line}: `{step}` failed (exit {proc.returncode})")
                print(f"replay:   ok in {time.monotonic() - started:.1f} s", flush=True)
            elif tool == "mkdir":
                for word in words[1:]:
                    if not word.startswith("-"):
                        Path(self.host(word)).mkdir(parents=True, exist_ok=True)
            else:
                print(f"replay: not replayed (needs an image): {step}", flush=True)

    def _process_env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        drop = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "NOTIFY_SOCKET", "MONITOR_CONFIG", "MONITOR_STORE_URL",
                "MONITOR_STATE_DIR")
        env = {k: v for k, v in os.environ.items() if k not in drop}
        env.update(extra or {})
        for key, value in self.env.items():  # the image's ENV: its own paths mapped, then $PATH and the like
            env[key] = expand(self.host(value), {**env, "PATH": os.environ.get("PATH", "")})
        return env

    def build(self) -> None:
        for stage in self.stages:
            for ins in stage.instructions:
                if ins.cmd == "WORKDIR":
                    self.cwd = expand(ins.args, self.env)
                    Path(self.host(self.cwd)).mkdir(parents=True, exist_ok=True)
                elif ins.cmd == "ENV":
                    for word in shlex.split(ins.args):
                        key, _, value = word.partition("=")
                        self.env[key] = value
                elif ins.cmd == "COPY":
                    flags, sources, dest = copy_parts(ins, {**stage.args, **self.env})
                    if "from" in flags:  # one scratch root for every stage: the same path is already there
                        if any(self.host(s) != str(self._dest(dest)) for s in sources):
                            raise DeployError(f"Dockerfile:{ins.line}: COPY --from to another path is not replayed")
                        continue
                    self._copy(sources, dest)
                elif ins.cmd == "RUN":
                    self._run(ins, stage.args)

    def command(self, cmd: str) -> list[str]:
        final = self.stages[-1].instructions
        found = [i for i in final if i.cmd == cmd]
        if cmd == "HEALTHCHECK":
            return [self.host(w) for w in exec_form(_healthcheck_cmd(found[-1]))] if found else []
        return [self.host(w) for w in exec_form(found[-1])] if found else []

    def process(self, argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        env = self._process_env()
        exe = shutil.which(argv[0], path=env["PATH"])
        if exe is None:
            raise DeployError(f"{argv[0]}: not on the image's PATH ({env['PATH'].split(':')[0]} first)")
        return subprocess.Popen([exe, *argv[1:]], cwd=self.host(self.cwd), env=env, start_new_session=True,
                                **kwargs)

    def call(self, argv: list[str], timeout: float = 120) -> tuple[int, str]:
        proc = self.process(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            out, _ = proc.communicate(timeout=timeout)
        finally:
            _kill(proc)
        return proc.returncode, out.decode(errors="replace")


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def prepare_config(path: Path, replay: Replay) -> None:
    """A config as the container sees it: container paths mapped, the health listener on a free local port
    (a container has a network namespace of its own; this machine does not)."""
    text = replay.host(path.read_text(encoding="utf-8"))
    text = re.sub(r'health_listen\s*=\s*"[^"]*"', f'health_listen = "127.0.0.1:{_free_port()}"', text)
    path.write_text(text, encoding="utf-8")


def healthy_daemon(replay: Replay, label: str) -> None:
    """Start ENTRYPOINT + CMD as ``docker run`` would, and wait until the HEALTHCHECK command passes."""
    entry, cmd, health = replay.command("ENTRYPOINT"), replay.command("CMD"), replay.command("HEALTHCHECK")
    with tempfile.TemporaryFile() as log:
        _await_health(replay, entry + cmd, health, log, label)


def _await_health(replay: Replay, argv: list[str], health: list[str], log: Any, label: str) -> None:
    daemon = replay.process(argv, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            if daemon.poll() is not None:
                log.seek(0)
                raise DeployError(f"{label}: the daemon exited ({daemon.returncode}):\n{log.read().decode()[-2000:]}")
            code, out = replay.call(health, timeout=10)
            if code == 0:
                break
            if time.monotonic() > deadline:
                raise DeployError(f"{label}: HEALTHCHECK still failing after 30 s: {out.strip()}")
            time.sleep(1)
        print(f"replay: {label}: HEALTHCHECK passes", flush=True)
        daemon.send_signal(signal.SIGTERM)
        if daemon.wait(timeout=30) != 0:
            raise DeployError(f"{label}: the daemon exited {daemon.returncode} on SIGTERM")
    finally:
        _kill(daemon)


def replay_image(build_args: dict[str, str] | None = None, *, run: bool = True) -> None:
    """Build in a scratch root; with ``run``, run the image's commands too (else check the extras import)."""
    report = check_dockerfile(build_args=build_args)
    for warning in dict.fromkeys(report.warnings):
        print(f"replay: warning: {warning}", flush=True)
    with tempfile.TemporaryDirectory(prefix="docker-replay-") as scratch:
        replay = Replay(Path(scratch), report.stages)
        replay.build()
        extras = [e for e in (build_args or {}).get("EXTRAS", "").split(",") if e]
        if extras:
            code, out = replay.call(["python", "-c", _IMPORT_EXTRAS.format(extras=extras)])
            if code:
                raise DeployError(f"EXTRAS={','.join(extras)}: the extras' packages are not installed:\n{out}")
            print(f"replay: extras {', '.join(extras)} installed", flush=True)
        if not run:
            return
        entry, cmd = replay.command("ENTRYPOINT"), replay.command("CMD")
        config = Path(cmd[cmd.index("--config") + 1])
        image_config = config.read_text(encoding="utf-8")
        prepare_config(config, replay)

        code, out = replay.call([*entry, "config", "check", str(config)])
        if code:
            raise DeployError(f"config check of the image's config failed ({code}):\n{out}")
        print("replay: config check passes", flush=True)

        inbox = _inbox_of(config)
        seed = next((ROOT / "seeds").iterdir())
        shutil.copy(seed, inbox / seed.name)
        code, out = replay.call([*entry, *cmd, "--once"], timeout=180)
        if code or not (inbox / "processed" / seed.name).exists():
            raise DeployError(f"run --once with the image's config failed ({code}):\n{out[-3000:]}")
        print("replay: run --once processed the seed", flush=True)

        healthy_daemon(replay, "image config")
        # deploy/README.md: docker run ... -v "$PWD/config:/config:ro" — the repository's config, no listener.
        # A fresh state volume, as a first docker run has: the last run's heartbeat must not count as health.
        state = Path(replay.host("/data/state"))
        shutil.rmtree(state, ignore_errors=True)
        state.mkdir(parents=True)
        config_dir = config.parent
        shutil.rmtree(config_dir)
        shutil.copytree(ROOT / "config", config_dir)
        prepare_config(config_dir / "monitor.toml", replay)
        healthy_daemon(replay, "config/ mounted at /config")
        config_dir.joinpath("monitor.toml").write_text(image_config, encoding="utf-8")


#: Every requirement of the named extras importable in the image's venv (by its distribution's top-level names).
_IMPORT_EXTRAS = """
import importlib, importlib.metadata as md, re
for req in md.requires("media-monitor") or []:
    m = re.match(r"([A-Za-z0-9_.-]+).*extra == .(\\w+).", req)
    if m and m.group(2) in {extras!r}:
        dist = md.distribution(m.group(1))
        for top in (dist.read_text("top_level.txt") or m.group(1).replace("-", "_")).split():
            importlib.import_module(top)
"""


def _inbox_of(config: Path) -> Path:
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    inbox = Path(next(s["path"] for s in data["sources"] if s["type"] == "folder"))
    inbox.mkdir(parents=True, exist_ok=True)
    return inbox


def main() -> int:
    started = time.monotonic()
    problems: list[str] = []
    for compose in COMPOSE_FILES:
        problems += check_compose(compose)
    if problems:
        print("compose files:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print(f"compose: {', '.join(p.name for p in COMPOSE_FILES)} ok", flush=True)
    try:
        for extras in iter_extras():
            print(f"replay: EXTRAS={extras!r}", flush=True)
            replay_image({"EXTRAS": extras}, run=not extras)  # the image's commands once, with the default
    except DeployError as exc:
        print(f"docker replay: {exc}", file=sys.stderr)
        return 1
    print(f"docker replay: ok in {time.monotonic() - started:.0f} s", flush=True)
    return 0


def iter_extras() -> Iterator[str]:
    """The image as built by default and with every EXTRAS value a compose file asks for."""
    import yaml

    seen = [""]
    for compose in COMPOSE_FILES:
        for service in (yaml.safe_load(compose.read_text()) or {}).get("services", {}).values():
            build = service.get("build")
            if isinstance(build, dict) and isinstance(build.get("args"), dict) and "EXTRAS" in build["args"]:
                value = str(build["args"]["EXTRAS"])
                if value not in seen:
                    seen.append(value)
    yield from seen


if __name__ == "__main__":
    sys.exit(main())
