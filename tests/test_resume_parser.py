"""Resume parser: key fields on generated Chinese / English PDF, DOCX and TXT resumes, and the error cases."""

from __future__ import annotations

import io
import zipfile

import pytest

from analyzers.documents.resume_file import ResumeError
from analyzers.documents.resume_parser import parse_resume, quantity_tokens
from analyzers.documents.resume_profile import Sourced
from benchmarks.resume_fixtures import generate_fixtures
from tests.bad_documents import BROKEN_PDF, scanned_pdf

# 6 per language -> formats rotate pdf, docx, txt: 2 of each per language (one DOCX of each language is two-column)
N_PER_LANGUAGE = 6


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    return generate_fixtures(tmp_path_factory.mktemp("resumes"), n_per_language=N_PER_LANGUAGE, seed=7)


def _norm(s: str) -> str:
    return "".join(s.split()).casefold()


def _all_sourced(profile):
    for name in ("name", "mobile", "email", "city", "years_experience", "team_size_led"):
        v = getattr(profile, name)
        if v is not None:
            yield name, v
    for name in ("skills", "certificates", "languages", "quantified_results", "industries"):
        for v in getattr(profile, name):
            yield name, v
    for e in profile.education:
        for v in (e.school, e.degree, e.major):
            if v is not None:
                yield "education", v
    for w in profile.work_experience:
        for v in (w.company, w.title):
            if v is not None:
                yield "work_experience", v


def test_fixture_set_covers_languages_and_formats(fixtures):
    combos = {(lb["language"], lb["format"]) for _, lb in fixtures}
    assert combos == {(lang, fmt) for lang in ("zh", "en") for fmt in ("pdf", "docx", "txt")}
    assert any("two-column" in lb["layout"] for _, lb in fixtures)


@pytest.mark.parametrize("index", range(2 * N_PER_LANGUAGE))
def test_key_fields(fixtures, index):
    path, labels = fixtures[index]
    profile = parse_resume(path.read_bytes(), path.name)
    where = f"{path.name} ({labels['layout']})"
    assert profile.language == labels["language"], where
    assert profile.name and _norm(profile.name.value) == _norm(labels["name"]), where
    assert profile.mobile and profile.mobile.value == labels["mobile"], where
    assert profile.email and profile.email.value.lower() == labels["email"].lower(), where
    assert profile.city and profile.city.value == labels["city"], where
    latest = profile.work_experience[0]
    assert _norm(latest.company.value) == _norm(labels["work"][0]["company"]), where
    assert latest.title and _norm(latest.title.value) == _norm(labels["work"][0]["title"]), where
    assert latest.end == "present", where
    assert {_norm(e.school.value) for e in profile.education} == {_norm(e["school"]) for e in labels["education"]}, where
    assert profile.years_experience and abs(profile.years_experience.value - labels["years_experience"]) <= 0.5, where
    assert profile.team_size_led and profile.team_size_led.value == labels["team_size"], where
    got_tokens = {t for q in profile.quantified_results for t in quantity_tokens(q.value)}
    assert got_tokens & set(labels["quantified"]), where
    # every value carries non-empty source text that occurs in the resume text
    for field_name, v in _all_sourced(profile):
        assert isinstance(v, Sourced), (where, field_name)
        assert v.source and v.source.strip(), (where, field_name, v)
        assert v.source in profile.text, (where, field_name, v)


def test_plain_text_gb18030_and_sources_in_original(fixtures):
    gb = [(p, lb) for p, lb in fixtures if lb["format"] == "txt" and "gb18030" in lb["layout"]]
    assert gb, "the fixture set should include a GB18030 text resume"
    path, labels = gb[0]
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    profile = parse_resume(raw, path.name)
    assert profile.name.value == labels["name"]
    original = raw.decode("gb18030")
    assert profile.name.source in original and profile.email.source in original


# ------------------------------------------------------------------------------------------------------------ errors
def _code(data: bytes, filename: str, **kw) -> str:
    with pytest.raises(ResumeError) as ei:
        parse_resume(data, filename, **kw)
    assert ei.value.message
    return ei.value.code


def test_too_large():
    assert _code(b"Name: John Smith\n" * 100, "cv.txt", max_bytes=1000) == "too_large"
    assert _code(b"x" * (10 * 2**20 + 1), "cv.txt") == "too_large"


def test_png_named_pdf_is_unsupported():
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
    assert _code(png, "resume.pdf", content_type="application/pdf") == "unsupported_type"


def test_zip_named_pdf_is_unsupported():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("notes.txt", "hello")
    assert _code(buf.getvalue(), "resume.pdf") == "unsupported_type"


def test_broken_pdf(fixtures):
    assert _code(BROKEN_PDF, "cv.pdf") == "broken_file"
    pdf = next(p for p, lb in fixtures if lb["format"] == "pdf")
    data = pdf.read_bytes()
    assert _code(data[: len(data) // 3], "cv.pdf") in ("broken_file", "scanned")


def test_broken_docx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<not xml")
    assert _code(buf.getvalue(), "cv.docx") == "broken_file"


def test_scanned_pdf_without_text_layer():
    with pytest.raises(ResumeError) as ei:
        parse_resume(scanned_pdf(), "scan.pdf")
    assert ei.value.code == "scanned"
    assert "OCR" in ei.value.message


def test_empty_text_file():
    assert _code(b"", "cv.txt") == "empty"
    assert _code(b"  \n\n\t \r\n", "cv.txt") == "empty"
    assert _code("\ufeff".encode("utf-8") + b"\n", "cv.txt") == "empty"


def test_text_without_resume_content_is_empty_not_partial():
    assert _code("今天天气很好，我们去公园散步吧，然后回家吃饭。".encode(), "note.txt") == "empty"


def test_an_alias_counts_where_it_stands_apart_from_other_latin_letters():
    from analyzers.documents.resume_parser import _first_alias

    assert _first_alias(("java", "jvm"), "Built JavaScript tools on the JVM") == "JVM"  # as the resume writes it
    assert _first_alias(("banking",), "online bankings") is None
    assert _first_alias(("英语", "english"), "语言：英语流利，English") == "英语"  # the first alias in the list wins
