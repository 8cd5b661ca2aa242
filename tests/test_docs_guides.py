"""The admin and integration guides (docs/<guide>.<en|zh>.md) checked against the code: each in both languages with
the same headings, linked from the README, every setting (``INTERVIEW_*``) and ``interview-server`` flag they name a
real one, every API path (and method) they name a served route, and the webhook check they print accepting what the
server's own sender signs (and nothing else)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from aiohttp import web

import server.http.app  # noqa: F401  (imported for its routes: every route module registers on import)
from server.http.routes.common import api
from server.platform.cli import build_parser
from server.platform.settings import Settings
from server.recruiting.invitations import WebhookSender, sign_webhook
from tests.harness import free_port

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
GUIDES = ("admin-guide", "integration-guide")
LANGUAGES = ("en", "zh")
PAIRS = [(g, lang) for g in GUIDES for lang in LANGUAGES]
# commands whose flags are not interview-server's (a code span or code line starting with one is not checked)
OTHER_COMMANDS = {"docker", "curl", "systemctl", "bash", "cp", "chmod", "cd", "python", "python3", "pip"}

FENCE = re.compile(r"^```")
SPAN = re.compile(r"`([^`]+)`")  # a code span may run over a line break
SETTING = re.compile(r"\bINTERVIEW_([A-Z0-9_]+)(\*?)")
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
PATH = re.compile(r"(?:\b(GET|POST|PUT|DELETE|PATCH)\s+)?(/(?:api|ws)/v1/[A-Za-z0-9_{}./-]*)")


def text(guide: str, lang: str) -> str:
    return (ROOT / "docs" / f"{guide}.{lang}.md").read_text(encoding="utf-8")


def prose_and_code(md: str) -> tuple[list[str], list[str]]:
    """(lines outside fenced blocks, lines inside them)."""
    prose, code, fenced = [], [], False
    for line in md.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif fenced:
            code.append(line)
        else:
            prose.append(line)
    return prose, code


def runs_other_command(snippet: str) -> bool:
    words = snippet.split()
    return bool(words) and words[0] in OTHER_COMMANDS


def flags_named(md: str) -> set[str]:
    """Every ``--flag`` of the guide, leaving out code spans and code lines that run another program."""
    prose, code = prose_and_code(md)
    kept = [SPAN.sub(lambda m: "" if runs_other_command(m.group(1)) else m.group(1), "\n".join(prose))]
    kept += [line for line in code if not runs_other_command(line)]
    return {flag for line in kept for flag in FLAG.findall(line)}


def known_flags() -> set[str]:
    """Every option of ``interview-server`` and of each of its commands (settings flags, ``--no-x`` forms too)."""
    parser = build_parser()
    parsers = [parser] + [p for action in parser._subparsers._group_actions for p in action.choices.values()]
    return {opt for p in parsers for action in p._actions for opt in action.option_strings}


def template(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def served_routes() -> tuple[set[str], set[tuple[str, str]]]:
    paths = {template(r.path) for r in api.routes}
    return paths, {(r.method.upper(), template(r.path)) for r in api.routes}


def python_block(md: str, defines: str) -> str:
    blocks = re.findall(r"```python\n(.*?)```", md, flags=re.S)
    found = [b for b in blocks if f"def {defines}(" in b]
    assert len(found) == 1, f"expected one python block defining {defines}()"
    return found[0]


@pytest.mark.parametrize("guide", GUIDES)
def test_each_guide_is_in_both_languages_linked_from_the_readme_and_to_each_other(guide):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for lang in LANGUAGES:
        assert f"docs/{guide}.{lang}.md" in readme, f"README.md links no docs/{guide}.{lang}.md"
        other = next(x for x in LANGUAGES if x != lang)
        assert f"({guide}.{other}.md)" in text(guide, lang), f"{guide}.{lang}.md links not its {other} version"


@pytest.mark.parametrize("guide", GUIDES)
def test_both_languages_have_the_same_headings(guide):
    def levels(md: str) -> list[int]:
        prose, _ = prose_and_code(md)
        return [len(m.group(1)) for line in prose if (m := re.match(r"^(#+) ", line))]

    en, zh = levels(text(guide, "en")), levels(text(guide, "zh"))
    assert len(en) > 5
    assert en == zh, f"{guide}: headings by level differ between en {en} and zh {zh}"


@pytest.mark.parametrize("guide", GUIDES)
def test_both_languages_name_the_same_settings_flags_and_routes(guide):
    """A translation that drops or adds a setting, a flag or a route says something else."""
    def named(md: str) -> tuple[set, set, set]:
        return set(SETTING.findall(md)), flags_named(md), set(PATH.findall(md))

    en, zh = named(text(guide, "en")), named(text(guide, "zh"))
    for kind, a, b in zip(("settings", "flags", "routes"), en, zh):
        assert a == b, f"{guide}: {kind} only in en {sorted(a - b)}, only in zh {sorted(b - a)}"


@pytest.mark.parametrize(("guide", "lang"), PAIRS)
def test_every_setting_named_is_a_real_setting(guide, lang):
    fields = set(Settings.model_fields)
    named = SETTING.findall(text(guide, lang))
    assert named, "the guide names no setting"
    unknown = []
    for name, star in named:
        key = name.lower()
        if star:  # INTERVIEW_LOGIN_*: a family, at least one of which exists
            ok = any(f.startswith(key) for f in fields)
        else:
            ok = key in fields
        if not ok:
            unknown.append("INTERVIEW_" + name + star)
    assert not unknown, f"{guide}.{lang}.md names settings that do not exist: {sorted(set(unknown))}"


@pytest.mark.parametrize(("guide", "lang"), PAIRS)
def test_every_flag_named_is_a_flag_of_the_server(guide, lang):
    named = flags_named(text(guide, lang))
    unknown = named - known_flags()
    assert not unknown, f"{guide}.{lang}.md names flags interview-server does not have: {sorted(unknown)}"


@pytest.mark.parametrize(("guide", "lang"), PAIRS)
def test_every_api_path_named_is_a_served_route(guide, lang):
    paths, pairs = served_routes()
    named = PATH.findall(text(guide, lang))
    assert named, "the guide names no API path"
    wrong = []
    for method, raw in named:
        path = template(raw.split("?")[0].rstrip(".,;:)"))
        if path not in paths or (method and (method, path) not in pairs):
            wrong.append(f"{method} {raw}".strip())
    assert not wrong, f"{guide}.{lang}.md names routes the server does not serve: {wrong}"


def test_the_checks_find_what_is_wrong():
    """The checks above would catch a wrong name (so their passing means something)."""
    assert flags_named("`--no-such-flag` and `docker compose up --build`") == {"--no-such-flag"}
    assert "--no-such-flag" not in known_flags() and {"--llm-engine", "--ice-host", "--demo"} <= known_flags()
    paths, pairs = served_routes()
    assert template("/api/v1/jobs/{id}/plan") in paths and template("/api/v1/jobs/{id}/planz") not in paths
    assert ("DELETE", template("/api/v1/jobs/{x}/plan")) not in pairs
    assert "no_such_setting" not in Settings.model_fields


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_printed_webhook_check_accepts_what_the_server_signs_and_nothing_else(lang):
    code = python_block(text("integration-guide", lang), "verify")
    namespace: dict = {}
    exec(compile(code, f"integration-guide.{lang}.md", "exec"), namespace)  # noqa: S102 - our own document
    verify = namespace["verify"]
    secret = "whsec-例-0123456789"
    seen: list[tuple[bool, str, dict]] = []

    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        ok = verify(secret, request.headers["X-Interview-Timestamp"], request.headers["X-Interview-Signature"], body)
        seen.append((ok, request.headers["Idempotency-Key"], json.loads(body)))
        return web.json_response({"ok": True}) if ok else web.Response(status=401)

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        sender = WebhookSender(Settings(), url=f"http://127.0.0.1:{port}/hook", secret=secret)
        payload = {"event": "interview.invitation", "v": 1, "candidate": {"name": "王小明", "email": "w@example.com"}}
        await sender.send("inv-1", payload, attempts=1)  # a refused signature would raise (HTTP 401)
        wrong = WebhookSender(Settings(), url=f"http://127.0.0.1:{port}/hook", secret="another secret")
        with pytest.raises(RuntimeError, match="HTTP 401"):
            await wrong.send("inv-2", payload, attempts=1)
    finally:
        await runner.cleanup()
    assert [(ok, key) for ok, key, _ in seen] == [(True, "inv-1"), (False, "inv-2")]
    assert seen[0][2] == payload

    ts = str(int(time.time()))
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    assert verify(secret, ts, sign_webhook(secret, ts, body), body)
    assert not verify(secret, ts, sign_webhook(secret, ts, body), body.replace("王".encode(), "汪".encode()))
    old = str(int(time.time()) - 3600)
    assert not verify(secret, old, sign_webhook(secret, old, body), body)
    assert not verify(secret, "not a number", sign_webhook(secret, ts, body), body)
