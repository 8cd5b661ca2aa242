"""The deployment files (server/deploy/) against the code they deploy: the compose file is valid Compose (the
specification's JSON schema), every INTERVIEW_* variable it or the systemd environment file sets is a real setting
with a valid value, the proxy's upstreams are the processes' ports, the engine runs exactly as the embedded engine
would, and the systemd units pass ``systemd-analyze verify``."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema_rs
import pytest
import yaml

from analyzers.llm_engine import EngineConfig, LlamaServerEngine, llama_server_binary
from analyzers.model_registry import JUDGE_MODEL_ID
from server.platform.cli import build_parser
from server.platform.settings import Settings

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "server" / "deploy"
UNITS = DEPLOY / "systemd"
PREFIX = Settings.model_config["env_prefix"]
MODEL_FILE = f"{JUDGE_MODEL_ID}/{JUDGE_MODEL_ID}.gguf"
# what compose's ${VAR:?...} placeholders stand for in a filled-in .env
DOTENV = {"DOMAIN": "interviews.example.com", "PUBLIC_IP": "203.0.113.7", "POSTGRES_PASSWORD": "pw",
          "INTERVIEW_SECRET_KEY": "s" * 48, "INTERVIEW_DATA_KEYS": '{"k1": "' + "A" * 43 + '="}'}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def interpolate(value: str) -> str:
    """Compose's ``${VAR}``, ``${VAR:?message}`` and ``${VAR:-default}`` with the values of a filled-in .env."""
    def one(m: re.Match) -> str:
        name, op, rest = m.group(1), m.group(2) or "", m.group(3) or ""
        if name in DOTENV:
            return DOTENV[name]
        if op == ":-":
            return rest
        raise AssertionError(f"compose file needs ${{{name}}}, which env.example does not set")
    return re.sub(r"\$\{(\w+)(:[?-])?([^}]*)\}", one, value)


def settings_from(env: dict[str, str], monkeypatch) -> Settings:
    """The Settings a process gets from these variables (and nothing else of this machine's environment)."""
    for name in [n for n in os.environ if n.startswith(PREFIX)]:
        monkeypatch.delenv(name)
    unknown = sorted(n for n in env if n.startswith(PREFIX) and n[len(PREFIX):].lower() not in Settings.model_fields)
    assert unknown == [], f"not settings: {unknown}"
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings()


def app_services(compose: dict) -> dict[str, dict]:
    return {name: s for name, s in compose["services"].items() if re.fullmatch(r"app\d+", name)}


def test_the_compose_file_is_valid_compose():
    schema = json.loads((ROOT / "tests" / "fixtures" / "deploy" / "compose-spec.json").read_text())
    validator = jsonschema_rs.validator_for(schema)
    doc = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert [str(e) for e in validator.iter_errors(doc)] == []
    broken = {**doc, "services": {**doc["services"], "redis": {**doc["services"]["redis"], "restartt": "always"}}}
    assert list(validator.iter_errors(broken))  # the schema does catch a misspelt key


def test_compose_runs_the_product_behind_tls_with_several_processes(compose):
    services = compose["services"]
    assert {"proxy", "migrate", "postgres", "redis", "llm", "llm-model"} <= set(services)
    apps = app_services(compose)
    assert len(apps) >= 2
    assert interpolate(services["proxy"]["image"]).startswith("caddy:")
    for name in ("postgres", "redis", "llm"):
        published = [interpolate(p).split(":") for p in services[name]["ports"]]
        assert all(p[0] == "127.0.0.1" for p in published), f"{name} must only listen on loopback"
    for name, app in apps.items():
        assert app["network_mode"] == "host"  # WebRTC media: UDP ports the process picks itself
        assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert build_parser().parse_args(services["migrate"]["command"]).action == "upgrade"
    fetch = services["llm-model"]["command"][-1].split("exec interview-server ", 1)[1]
    assert build_parser().parse_args(shlex.split(fetch)).model_id == JUDGE_MODEL_ID


def test_every_public_image_can_be_replaced_by_an_offline_stand_in(compose):
    """A site without Docker Hub names its own images in .env: every image compose pulls and every base the
    Dockerfile builds on is a variable whose default is the public image, and offline/build.sh prints each one."""
    printed = set(re.findall(r"^(\w+_IMAGE)=", (DEPLOY / "offline" / "build.sh").read_text(), re.M))
    pulled = {name: s["image"] for name, s in compose["services"].items() if "build" not in s}
    for name, image in pulled.items():
        m = re.fullmatch(r"\$\{(\w+_IMAGE):-([^}]+)\}", image)
        assert m and m.group(1) in printed, f"{name}: {image}"
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    bases = set(re.findall(r"^FROM \$\{(\w+)\} AS", dockerfile, re.M))
    assert bases and bases <= printed
    assert not re.search(r"^FROM (?!\$\{)", dockerfile, re.M), "a base image that cannot be replaced"
    args = compose["x-app"]["build"]["args"]
    assert set(args) == bases and all(re.fullmatch(r"\$\{%s:-[^}]+\}" % k, v) for k, v in args.items())
    offline = (DEPLOY / "offline" / "Dockerfile").read_text()
    targets = set(re.findall(r"^FROM \S+ AS (\w+)", offline, re.M))
    assert {t for t in re.findall(r"^build (\w+) ", (DEPLOY / "offline" / "build.sh").read_text(), re.M)} == targets


def test_every_server_variable_in_compose_is_a_setting_with_a_valid_value(compose, monkeypatch):
    apps = app_services(compose)
    ports = set()
    for name, app in apps.items():
        env = {k: interpolate(str(v)) for k, v in app["environment"].items()}
        s = settings_from(env, monkeypatch)
        ports.add(s.port)
        assert s.database_url.startswith("postgresql+asyncpg://") and "@127.0.0.1:5432/" in s.database_url
        assert s.bus_url == "redis://127.0.0.1:6379/0"
        assert s.ice_host_addresses == [DOTENV["PUBLIC_IP"]] and s.trusted_proxies == ["127.0.0.1"]
        assert s.public_base_url == f"https://{DOTENV['DOMAIN']}"
        assert (s.log_format, s.metrics) == ("json", "loopback")
        assert s.llm_engine == "http://127.0.0.1:8090/v1" and s.llm_model == JUDGE_MODEL_ID
        assert s.secret_key and s.resolved_data_keys[1] == "k1"  # secrets from .env, never generated
        assert [c for c in app["healthcheck"]["test"] if "/api/v1/health" in c] == [
            f"http://127.0.0.1:{s.port}/api/v1/health"]
    assert len(ports) == len(apps), "each process its own port"
    for extra in ("migrate", "llm-model"):
        env = {k: interpolate(str(v)) for k, v in compose["services"][extra]["environment"].items()}
        settings_from(env, monkeypatch)
    postgres = compose["services"]["postgres"]["environment"]
    assert (postgres["POSTGRES_USER"], postgres["POSTGRES_DB"]) == ("interview", "interview")


def caddy_upstreams() -> list[str]:
    text = (DEPLOY / "Caddyfile").read_text()
    lines = [ln.split() for ln in text.splitlines() if ln.strip().startswith("reverse_proxy")]
    assert len(lines) == 1
    return [u for u in lines[0][1:] if u != "{"]


def test_the_proxy_sends_to_every_process_and_keeps_metrics_inside(compose, monkeypatch):
    ports = {interpolate(str(app["environment"]["INTERVIEW_PORT"])) for app in app_services(compose).values()}
    assert set(caddy_upstreams()) == {f"127.0.0.1:{p}" for p in ports}
    text = (DEPLOY / "Caddyfile").read_text()
    assert "respond /metrics 404" in text and "lb_policy cookie" in text
    # a killed process is left out at once, so the candidate's page reconnects through a live one
    assert re.search(r"^\s*lb_try_duration [1-9]\d*s$", text, re.M) and re.search(r"^\s*fail_duration \d+s$", text, re.M)
    assert "header_up X-Request-ID" in text  # taken by the server because 127.0.0.1 is a trusted proxy


def engine_args(host: str) -> list[str]:
    """The embedded engine's command line (analyzers/llm_engine.py) on port 8090, the model in the models volume."""
    engine = LlamaServerEngine(Path("llama-server"), Path("/models") / MODEL_FILE, JUDGE_MODEL_ID, EngineConfig())
    args = engine.command(8090)[1:]
    return [host if a == "127.0.0.1" else a for a in args]


def test_the_engine_runs_as_the_embedded_engine_would(compose):
    args = compose["services"]["llm"]["command"]
    assert args == engine_args("0.0.0.0")  # in its own network namespace; published on 127.0.0.1 only
    unit = unit_exec_start(UNITS / "interview-llm.service")
    assert unit[1:] == [a.replace("/models/", "/var/lib/interview-server/models/") for a in engine_args("127.0.0.1")]


def unit_exec_start(path: Path) -> list[str]:
    text = path.read_text().replace("\\\n", " ")
    lines = [ln for ln in text.splitlines() if ln.startswith("ExecStart=")]
    assert len(lines) == 1
    return shlex.split(lines[0][len("ExecStart="):])


def test_the_engine_binary_knows_every_flag_the_units_pass():
    try:
        binary = llama_server_binary()
    except Exception as e:  # noqa: BLE001 - not built on this machine
        pytest.skip(f"SKIPPED LOUDLY: llama-server is not built here ({e}); scripts/build_llama_server.sh")
    usage = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=60).stdout
    flags = [a for a in unit_exec_start(UNITS / "interview-llm.service")[1:] if a.startswith("--")]
    assert [f for f in flags if f not in usage] == []


def test_the_units_start_real_commands_with_real_settings(monkeypatch):
    serve = unit_exec_start(UNITS / "interview-server@.service")
    args = build_parser().parse_args([a.replace("%i", "8081") for a in serve[1:]])
    assert (args.command, args.host, args.port) == ("serve", "127.0.0.1", 8081)
    assert build_parser().parse_args(unit_exec_start(UNITS / "interview-migrate.service")[1:]).action == "upgrade"
    env = dict(line.split("=", 1) for line in (UNITS / "interview.env.example").read_text().splitlines()
               if line.strip() and not line.startswith("#"))
    env = {k: v or DOTENV.get(k, "") for k, v in env.items()}
    s = settings_from(env, monkeypatch)
    assert s.llm_engine == "http://127.0.0.1:8090/v1" and s.trusted_proxies == ["127.0.0.1"]
    for unit in ("interview-server@.service", "interview-migrate.service"):
        text = (UNITS / unit).read_text()
        assert "EnvironmentFile=/etc/interview-server/interview.env" in text
        for name in re.findall(r"\b(INTERVIEW_\w+)=", text):
            assert name[len(PREFIX):].lower() in Settings.model_fields, name
    assert {f"127.0.0.1:{p}" for p in (8081, 8082)} == set(caddy_upstreams())  # the instances the unit names


def test_systemd_analyze_verifies_the_units(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("SKIPPED LOUDLY: systemd-analyze is not installed; the units were not verified")
    venv_bin = Path(sys.executable).parent
    try:
        engine = str(llama_server_binary())
    except Exception:  # noqa: BLE001 - not built here: a stand-in executable, the unit's syntax is still verified
        engine = shutil.which("true")
    for unit in UNITS.iterdir():
        if unit.suffix not in (".service", ".target"):
            continue
        text = unit.read_text().replace("/opt/interview-server/.venv/bin/", f"{venv_bin}/").replace(
            "/opt/interview-server/bin/llama-server", engine)
        name = unit.name.replace("@.", "@8081.")  # a template is verified as an instance
        (tmp_path / name).write_text(text)
    files = sorted(str(p) for p in tmp_path.iterdir())
    result = subprocess.run(["systemd-analyze", "verify", *files], capture_output=True, text=True, timeout=120)
    ours = [ln for ln in (result.stdout + result.stderr).splitlines()
            if str(tmp_path) in ln or "interview-" in ln]
    assert result.returncode == 0 and ours == [], result.stdout + result.stderr


@pytest.mark.parametrize(("args", "expected"), [
    (["redis-server", "--save", "", "--appendonly", "no"],  # compose.yaml's command
     ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no"]),
    (["redis-server"], ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no"]),  # the image's own CMD
    (["redis-server", "/etc/redis/redis.conf"], ["redis-server", "/etc/redis/redis.conf"]),  # a config decides
    (["redis-cli", "ping"], ["redis-cli", "ping"]),  # compose.yaml's health check
])
def test_the_offline_redis_image_listens_as_the_public_one(tmp_path, args, expected):
    """The stand-in's entrypoint (set -eu) turns the commands compose gives into what the public image runs."""
    for name in ("redis-server", "redis-cli"):  # stand-ins that print the arguments they got, one per line
        stub = tmp_path / name
        stub.write_text('#!/bin/sh\nprintf "%s\\n" "$(basename "$0")" "$@"\n')
        stub.chmod(0o755)
    run = subprocess.run(["sh", str(DEPLOY / "offline" / "redis-entrypoint.sh"), *args], capture_output=True,
                         text=True, env={**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}, timeout=10)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[:-1] == expected
