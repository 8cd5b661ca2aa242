"""A report without answers to show says why, in its reader's language and in the PDF: the content was deleted under
the retention policy (the questions and scores stay), only scores were stored (the demo's sample history), or the
interview has not reached a question. A report with answers says nothing of the kind."""

from __future__ import annotations

import io

import pypdf
import pytest

from server.platform.demo import seed_demo
from server.storage.models import utcnow
from tests.harness import running_server
from tests.report_seed import seed_report_interview
from web_client.catalogue import text

pytestmark = pytest.mark.unit


async def _report(h, interview_id: str, lang: str, email: str | None = None, password: str | None = None) -> dict:
    client = h.hr_client() if email is None else h.hr_client(email, password)
    async with client as http, http.get(f"/api/v1/interviews/{interview_id}/report?lang={lang}") as r:
        assert r.status == 200, await r.text()
        return await r.json()


async def _pdf(h, interview_id: str, lang: str) -> str:
    async with h.hr_client() as http, http.get(f"/api/v1/interviews/{interview_id}/report.pdf?lang={lang}") as r:
        assert r.status == 200
        data = await r.read()
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages).replace("\n", "")


async def test_each_reason_for_missing_answers_is_said(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        store = h.ctx.store
        answered = await seed_report_interview(h, "en")
        assert (await _report(h, answered.interview_id, "en"))["answers_missing"] is None

        deleted = await seed_report_interview(h, "en")
        now = utcnow()
        assert await store.retention.delete_interview_content(deleted.interview_id, "retention", now)
        for lang in ("en", "zh"):
            r = await _report(h, deleted.interview_id, lang)
            day = now.date().isoformat()
            assert r["answers_missing"] == {"reason": "content_deleted", "date": day,
                                            "text": text("rp_answers_content_deleted", lang, date=day)}
            assert r["questions"]  # the questions and their scores stay

        # scores without a single question or answer stored (as the demo's history is)
        only = await store.interviews.create(h.org_id, h.job_id, "Lena Li", "", "en")
        await store.records.add_score(only.id, 0, 0, "communication", 2.0, 0.8, "", [], [])
        await store.interviews.update(only.id, status="finished", started_at=now, ended_at=now)
        for lang in ("en", "zh"):
            r = await _report(h, only.id, lang)
            assert r["questions"] == [] and r["overall"]["overall"] == 2.0
            assert r["answers_missing"]["reason"] == "scores_only"
            assert r["answers_missing"]["text"] == text("rp_answers_scores_only", lang)
        assert text("rp_answers_scores_only", "zh") in await _pdf(h, only.id, "zh")

        ended_early = await store.interviews.create(h.org_id, h.job_id, "Sam Sun", "", "en")
        await store.interviews.update(ended_early.id, status="failed")
        assert (await _report(h, ended_early.id, "en"))["answers_missing"]["reason"] == "none_recorded"
        waiting = await store.interviews.create(h.org_id, h.job_id, "Uri Ma", "", "en")
        assert (await _report(h, waiting.id, "en"))["answers_missing"]["reason"] == "not_yet"


async def test_the_demo_history_reports_say_only_scores_were_kept(sqlite_url, tmp_path):
    """The blind test's case: a history interview of the demo, which has scores and ratings but no transcript."""
    async with running_server(sqlite_url, tmp_path, seed=False) as h:
        ctx = h.ctx
        store = ctx.store  # the demo as `interview-server demo` seeds it, history included
        demo = await seed_demo(store.accounts, store.jobs, store.interviews, store.assignments, ctx.settings,
                               db=store.db)
        history = [iv for iv in await store.interviews.for_job(demo.job_id) if iv.status == "finished"]
        assert history
        r = await _report(h, history[0].id, "zh", demo.email, demo.password)
        assert r["answers_missing"]["reason"] == "scores_only" and r["competencies"]
