"""Uploads are judged by what they unpack to: a small DOCX with a huge inside, a zip bomb of resumes, an endless
text, and a parse that runs away are refused with a clear error, and nothing of them is stored."""

from __future__ import annotations

import io
import zipfile

import aiohttp
import pytest

from analyzers.bounded_process import LimitExceeded, run_bounded
from analyzers.documents.document_limits import DocumentLimits
from analyzers.documents.resume_file import ResumeError
from analyzers.documents.resume_parser import parse_resume
from tests.bad_documents import docx_with_body
from tests.harness import running_server
from tests.runaway_calls import allocate, endless_parser, hungry_parser, refuse, spin
from tests.test_imports import finished, start

pytestmark = pytest.mark.unit

RESUME = ("Jane Example\njane@example.com  +1 415 555 0134\nExperience\n2019 - 2024  Acme Corp  Backend Engineer\n"
          "Built payment services in Python.\nEducation\n2015 - 2019  State University  BSc Computer Science\n")


def _code(data: bytes, filename: str, **kw) -> tuple[str, str]:
    with pytest.raises(ResumeError) as ei:
        parse_resume(data, filename, **kw)
    return ei.value.code, ei.value.message


def test_a_small_docx_with_a_huge_inside_is_refused_before_it_is_read():
    bomb = docx_with_body(36 * 2**20)  # the finding: ~140 KB on disk, 36 MB of XML inside
    assert len(bomb) < 200 * 1024
    code, message = _code(bomb, "cv.docx")
    assert code == "unpacked_too_large" and "word/document.xml" in message and "times" in message
    # packed like ordinary text, but more XML than a resume has
    code, message = _code(docx_with_body(9 * 2**20, varied=True), "cv.docx")
    assert code == "unpacked_too_large" and "text parts" in message
    # a DOCX of thousands of parts
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
        for i in range(DocumentLimits.members + 1):
            z.writestr(f"word/media/{i}.bin", b"")
    assert _code(buf.getvalue(), "cv.docx")[0] == "unpacked_too_large"
    # and an ordinary DOCX is still read
    assert parse_resume(docx_with_body(20 * 1024, varied=True), "cv.docx").email.value == "jane@example.com"


def test_a_resume_text_longer_than_the_limit_is_refused():
    long_text = (RESUME + "Led projects and shipped features on time.\n" * 3000).encode()
    code, message = _code(long_text, "cv.txt")
    assert code == "text_too_long" and "100,000" in message
    assert _code(docx_with_body(2 * 2**20, varied=True), "cv.docx")[0] == "text_too_long"
    assert parse_resume(long_text, "cv.txt", limits=DocumentLimits(text_chars=10**6)).name.value == "Jane Example"


def test_a_bounded_call_is_stopped_at_its_time_and_memory():
    assert run_bounded(allocate, 2**20, timeout_s=30, memory_bytes=256 * 2**20) == 2**20
    with pytest.raises(LimitExceeded) as ei:
        run_bounded(allocate, 2**30, timeout_s=30, memory_bytes=256 * 2**20)
    assert ei.value.kind == "memory" and "256 MB" in ei.value.message
    with pytest.raises(LimitExceeded) as ei:
        run_bounded(spin, timeout_s=1, memory_bytes=256 * 2**20)
    assert ei.value.kind == "time"
    with pytest.raises(ResumeError) as err:  # the callee's own error comes through as it was
        run_bounded(refuse, timeout_s=30, memory_bytes=256 * 2**20)
    assert (err.value.code, err.value.message) == ("broken_file", "the file cannot be read")


async def _upload(http, job_id: str, *files: tuple[str, bytes, str]) -> dict:
    form = aiohttp.FormData()
    for name, data, ctype in files:
        form.add_field("files", data, filename=name, content_type=ctype)
    async with http.post(f"/api/v1/jobs/{job_id}/resumes", data=form) as r:
        assert r.status == 200, await r.text()
        return {x["filename"]: x for x in (await r.json())["results"]}


async def test_an_uploaded_docx_bomb_stores_nothing_and_says_why(db_url, tmp_path):
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    async with running_server(db_url, tmp_path) as h, h.hr_client() as http:
        results = await _upload(http, h.job_id, ("bomb.docx", docx_with_body(36 * 2**20), docx),
                                ("jane.txt", RESUME.encode(), "text/plain"))
        assert results["bomb.docx"]["ok"] is False
        assert results["bomb.docx"]["error"]["code"] == "unpacked_too_large"
        assert "unpacks to" in results["bomb.docx"]["error"]["message"]
        assert results["jane.txt"]["ok"]
        stored = await h.ctx.store.matching.resumes(h.job_id)
        assert [cand.name for _, cand in stored] == ["Jane Example"]


async def test_a_bulk_import_refuses_bombs_inside_and_outside(db_url, tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("cv/bomb.docx", docx_with_body(36 * 2**20))
        z.writestr("cv/jane.txt", RESUME)
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("cv/jane.txt", RESUME)
        z.writestr("cv/padding.txt", b" " * (8 * 2**20))  # 8 MB of spaces in ~8 KB
    async with running_server(db_url, tmp_path) as h, h.hr_client() as http:
        started = await start(http, h.job_id, ("resumes.zip", inner.getvalue(), "application/zip"))
        run = await finished(http, started["id"])
        items = {i["filename"]: i for i in run["items"]}
        assert items["cv/bomb.docx"]["status"] == "failed"
        assert items["cv/bomb.docx"]["error"]["code"] == "unpacked_too_large"
        assert items["cv/jane.txt"]["status"] == "created"
        padded = await finished(http, (await start(http, h.job_id, ("padded.zip", outer.getvalue(),
                                                                     "application/zip")))["id"])
        items = {i["filename"]: i for i in padded["items"]}
        assert items["cv/padding.txt"]["error"]["code"] == "unpacked_too_large"
        assert "times" in items["cv/padding.txt"]["error"]["message"]
        assert items["cv/jane.txt"]["status"] == "duplicate"  # imported by the first zip
        assert len(await h.ctx.store.matching.resumes(h.job_id)) == 1


async def test_a_parse_over_its_time_or_memory_is_stopped_and_stores_nothing(sqlite_url, tmp_path, monkeypatch):
    from server.recruiting import imports

    async with running_server(sqlite_url, tmp_path, document_parse_memory_bytes=128 * 2**20,
                              document_parse_timeout_s=2) as h, h.hr_client() as http:
        for parser, said in ((hungry_parser, "128 MB of memory"), (endless_parser, "longer than 2 s")):
            monkeypatch.setattr(imports, "parse_resume", parser)  # the one the server hands its workers
            results = await _upload(http, h.job_id, ("cv.txt", RESUME.encode(), "text/plain"))
            assert results["cv.txt"]["error"]["code"] == "parse_limit", results
            assert said in results["cv.txt"]["error"]["message"]
        monkeypatch.undo()
        results = await _upload(http, h.job_id, ("jane.txt", RESUME.encode(), "text/plain"))
        assert results["jane.txt"]["ok"]  # the next file is read as ever
        assert len(await h.ctx.store.matching.resumes(h.job_id)) == 1
