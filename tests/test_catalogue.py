"""One catalogue of every string a reader sees (web_client/strings/*.json, web_client/catalogue.py): each key once,
in both languages; every key the pages use is in it; the pages' HTML holds no text outside it. (A Chinese report and
its PDF: tests/test_report_words.py; the HR page and the login errors in Chinese: the browser tests.)"""

from __future__ import annotations

import json
import re
from pathlib import Path
from html.parser import HTMLParser

import aiohttp
import pytest

from analyzers.documents.match_result import REASONS
from dialogue.plan import FollowUpTrigger
from server.compliance.audit import READ_ACTIONS
from server.http.access import ROLES
from server.reports.interview_report import ANSWERS_MISSING, ENDED
from server.storage.account_changes import ACCOUNT_ACTIONS
from web_client import WEB_ROOT, catalogue
from tests.harness import running_server

pytestmark = pytest.mark.unit

CAT = catalogue.catalogue()
CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# entries whose Chinese is rightly without Chinese characters: the switch names the other language; names kept
NO_CJK = {"lang_switch", "role_hr", "ch_webhook"}
# text in the pages' HTML that is the same in every language (names of the languages themselves, brands)
SAME_IN_EVERY_LANGUAGE = {"English", "中文", "DingTalk", "钉钉", "YAML", "JSON"}


def test_a_key_in_two_files_is_refused(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"k": {"en": "one", "zh": "一"}}))
    (tmp_path / "b.json").write_text(json.dumps({"k": {"en": "two", "zh": "二"}}))
    with pytest.raises(catalogue.CatalogueError, match="'k' is in both a.json and b.json"):
        catalogue.load(tmp_path)
    (tmp_path / "b.json").write_text(json.dumps({"j": {"en": "two"}}))
    with pytest.raises(catalogue.CatalogueError, match="needs exactly"):
        catalogue.load(tmp_path)


def test_every_string_has_english_and_chinese_with_the_same_placeholders():
    bad = []
    for key, entry in CAT.items():
        en, zh = entry["en"].strip(), entry["zh"].strip()
        if not en or not zh:
            bad.append(f"{key}: empty")
        elif key not in NO_CJK and not CJK.search(zh) and re.search(r"[A-Za-z]", PLACEHOLDER.sub("", zh)):
            bad.append(f"{key}: zh has no Chinese: {zh!r}")
        elif set(PLACEHOLDER.findall(en)) != set(PLACEHOLDER.findall(zh)):
            bad.append(f"{key}: placeholders differ: {en!r} / {zh!r}")
    assert not bad, "\n".join(bad)


def test_text_fills_placeholders_in_the_asked_language():
    assert catalogue.text("requested", "zh-CN", at="2025-01-02 10:00") == "候选人已于 2025-01-02 10:00 申请人工复核。"
    assert catalogue.text("requested", "en", at="x") == "The candidate asked for a human review on x."
    with pytest.raises(KeyError):
        catalogue.text("no_such_key", "en")


def _scripts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(WEB_ROOT.glob("*.js"))}


def _pages() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(WEB_ROOT.glob("*.html"))}


# a key written out in a page or script (a key made of a prefix and a code is checked per code below)
USES = [re.compile(p) for p in (r'\bI18N\.t\(\s*"(\w+)"\s*[,)]', r"\bI18N\.t\(\s*'(\w+)'\s*[,)]",
                                r'\bdataset\.i18n\s*=\s*"(\w+)"', r'<[^>]*\bdata-i18n(?:-label)?="([^"]+)"')]


def test_every_key_the_pages_use_is_in_the_catalogue():
    missing = []
    for name, src in {**_scripts(), **_pages()}.items():
        for pattern in USES:
            missing += [f"{name}: {key}" for key in pattern.findall(src) if key not in CAT]
    assert not missing, "\n".join(missing)


def test_no_script_adds_its_own_strings():
    assert not [name for name, src in _scripts().items() if "I18N.add(" in src]


def test_keys_made_from_codes_exist_for_every_code():
    """Keys the pages and the report build from a code: every follow-up trigger, role, proctoring flag, kind of
    read the access log records (access_log.js shows ``act_<action>``), account change (account_log.js:
    ``acct_<action>``) and match reason, why a report has no
    answers, and how the observer page says an interview is over."""
    triggers = (*FollowUpTrigger.__args__, "clarify")
    wanted = ([f"why_{t}" for t in triggers] + [f"role_{r}" for r in ROLES] + [f"act_{a}" for a in READ_ACTIONS]
              + [f"acct_{a}" for a in ACCOUNT_ACTIONS]
              + [f"flag_{k}" for k in ("no_face", "second_face", "looking_away", "left_frame")]
              + [f"st_{s}" for s in ("created", "consented", "live", "finished", "failed")]
              + [f"cov_{s}" for s in ("met", "partly", "missing")] + [f"rel_{s}" for s in ("on_topic", "partly", "off_topic")]
              + [f"rp_answers_{r}" for r in ANSWERS_MISSING]
              + [f"obs_{part}_{s}" for part in ("title", "ended") for s in ENDED]
              + [f"rs_{code}" for code in REASONS])  # a resume match's reasons (hr.js), else the page shows English
    assert not [k for k in wanted if k not in CAT], [k for k in wanted if k not in CAT]


def test_every_error_code_the_server_gives_has_words_in_both_languages():
    """A page shows an API error by its code (``API.errorText``: ``err_<code>``), falling back to the server's
    English message only for a code the catalogue lacks; so every code an ``ApiError``, an ``error_response`` or a
    live ``ConnectError`` is given must be there, or a Chinese page shows English (the codes aiohttp's own errors
    are named by, such as ``not_found`` or ``method_not_allowed``, come from their reason and are not listed here)."""
    root = Path(__file__).resolve().parents[1] / "server"
    raised = re.compile(r'(?:ApiError\(\s*[^,()]+,|error_response\(\s*[^,()]+,|ConnectError\()\s*"([a-z_]+)"')
    codes = {m.group(1) for path in root.rglob("*.py") for m in raised.finditer(path.read_text(encoding="utf-8"))}
    assert len(codes) > 50  # the pattern still finds them
    assert not sorted(c for c in codes if f"err_{c}" not in CAT), sorted(c for c in codes if f"err_{c}" not in CAT)


class _TextOutsideCatalogue(HTMLParser):
    """Text nodes with letters whose element has no data-i18n; data-i18n elements with child elements (i18n.js
    replaces their whole text); aria-label, placeholder, title and alt attributes without data-i18n-label."""

    VOID = {"meta", "link", "input", "br", "img", "hr", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.stack and "data-i18n" in self.stack[-1][1]:
            self.problems.append(f"<{self.stack[-1][0]} data-i18n={self.stack[-1][1]['data-i18n']}> holds <{tag}>")
        for name in ("aria-label", "placeholder", "title", "alt"):
            if a.get(name) and "data-i18n-label" not in a:
                self.problems.append(f"<{tag} {name}={a[name]!r}> without data-i18n-label")
        if tag not in self.VOID:
            self.stack.append((tag, a))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        text = data.strip()
        if not re.search(r"[A-Za-z\u4e00-\u9fff]", text) or text in SAME_IN_EVERY_LANGUAGE:
            return
        tag, attrs = self.stack[-1] if self.stack else ("", {})
        if tag in ("script", "style") or "data-i18n" in attrs:
            return
        self.problems.append(f"<{tag}> {text[:60]!r}")


@pytest.mark.parametrize("name", sorted(_pages()))
def test_every_visible_text_of_a_page_comes_from_the_catalogue(name):
    parser = _TextOutsideCatalogue()
    parser.feed(_pages()[name])
    assert not parser.problems, "\n".join(parser.problems)


async def test_the_strings_script_is_served_once_for_all_pages_and_revalidated(tmp_path, sqlite_url):
    async with running_server(sqlite_url, tmp_path) as h, aiohttp.ClientSession(h.base_url) as http:
        async with http.get("/static/strings.js") as r:
            assert r.status == 200 and r.content_type == "text/javascript"
            body, tag = await r.text(), r.headers["ETag"]
            assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        async with http.get("/static/strings.js", headers={"If-None-Match": tag}) as r:
            assert r.status == 304
    assert body.count("I18N.add(") == 1
    assert '"unsure":"AI 不确定之处"' in body and '"unsure":"What the AI is unsure about"' in body
    for page in _pages().values():
        assert page.index('src="/static/i18n.js"') < page.index('src="/static/strings.js"')


def catalogue_english_in(text: str) -> list[str]:
    """The catalogue's English phrases (a part between placeholders of at least three words) found in ``text``: a
    page shown in Chinese that holds one left a string untranslated (browser tests use this)."""
    found = []
    for key, entry in CAT.items():
        for part in PLACEHOLDER.split(entry["en"])[::2]:
            part = part.strip(" :;,.()—–-")
            if len(part.split()) >= 3 and part in text:
                found.append(f"{key}: {part}")
    return found


def test_english_phrases_are_found_and_chinese_text_has_none():
    assert catalogue_english_in("… What the AI is unsure about …") == ["unsure: What the AI is unsure about"]
    assert not catalogue_english_in(" ".join(entry["zh"] for entry in CAT.values()))


async def test_every_page_has_an_icon_and_the_default_address_answers_it(tmp_path, sqlite_url):
    """No page leaves the browser asking for /favicon.ico in vain (a 404 in the console on every page)."""
    icons = {name: re.search(r'<link rel="icon" href="([^"]+)"', page) for name, page in _pages().items()}
    assert not [name for name, found in icons.items() if not found]
    async with running_server(sqlite_url, tmp_path) as h, aiohttp.ClientSession(h.base_url) as http:
        for path in {found.group(1) for found in icons.values()} | {"/favicon.ico"}:
            async with http.get(path) as r:
                assert r.status == 200 and r.content_type == "image/svg+xml", path
                assert (await r.text()).startswith("<svg"), path
