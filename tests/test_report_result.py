"""The report a hiring manager reads: the overall result first with the AI's suggested recommendation (a documented
rule) and a person's decision on it (who, when, what; kept as history; only the roles that rate may record one),
one figure per competency everywhere (table, question, PDF), questions numbered as the candidate saw them, and
reasons in words with no internal code, also for scores stored before notes existed."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from server.http.auth import hash_password
from server.reports.recommendation import suggest
from server.storage.migrate import move_schema
from server.storage.outcomes import OutcomeWrite
from server.storage.models import as_utc, utcnow
from server.storage.store import Store
from tests.harness import running_server
from tests.report_seed import TEXT, seed_report_interview, shown_name
from web_client.catalogue import text

pytestmark = pytest.mark.unit

CODES = re.compile(r"\b(cap|relevance|star|coverage|anchor|doubt|specificity|scored_by):|\bcosine\b|\b[a-z]+_[a-z_]+\b")
PW = "report-result-pw"


async def _get(h, path: str, email: str | None = None):
    async with (h.hr_client() if email is None else h.hr_client(email, PW)) as http:
        async with http.get(path) as r:
            assert r.status == 200, await r.text()
            return await (r.json() if path.endswith("/report") else r.read())


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _shown(report: dict) -> list[str]:
    """Every text of the report JSON a page or the PDF shows a person (the machine's ``evidence`` and ``answers``
    aside)."""
    out = [*report["uncertain"], *(f["label"] for f in report["flags"])]
    for q in report["questions"]:
        out += [f["why"] or "" for f in q["follow_ups"]]
        for s in q["scores"]:
            r = s["reasons"]
            out += [r["level"], r["level_reason"] or "", *r["unsure"], s["scored_by"],
                    *(item["text"] for item in r["supporting"] + r["missing"])]
    return out


# --- the rule ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("overall, scores, want, near", [
    (4.2, {"a": 4.0, "b": 4.4}, "advance", None),
    (3.5, {"a": 3.5, "b": 3.5}, "advance", "advance"),  # on the line: advance, and said to be close to it
    (3.9, {"a": 5.0, "b": 1.9}, "hold", None),  # one competency below 2.0 holds a high overall score
    (4.5, {"a": 4.5, "b": None}, "hold", None),  # a planned competency not scored holds it too
    (3.0, {"a": 3.0}, "hold", None),
    (2.7, {"a": 2.7}, "hold", "do_not_advance"),
    (2.44, {"a": 2.4}, "do_not_advance", "do_not_advance"),
    (1.2, {"a": 1.2}, "do_not_advance", None),
    (None, {"a": None}, None, None),  # nothing scored: no suggestion
])
def test_the_suggestion_follows_the_documented_rule(overall, scores, want, near):
    s = suggest(overall, scores, [0.8])
    assert (s.suggestion, s.near) == (want, near)
    assert s.unscored == sorted(k for k, v in scores.items() if v is None)
    assert s.weak == sorted(k for k, v in scores.items() if v is not None and v < 2.0)


def test_how_sure_the_ai_is_in_words():
    assert [suggest(3.0, {"a": 3.0}, [c]).certainty for c in (0.9, 0.7, 0.6, 0.3)] == ["high", "high", "medium", "low"]


# --- one figure everywhere, numbering, words ------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_one_figure_per_competency_in_the_table_the_question_and_the_pdf(sqlite_url, tmp_path, lang):
    async with running_server(sqlite_url, tmp_path) as h:
        seeded = await seed_report_interview(h, lang)
        report = await _get(h, f"/api/v1/interviews/{seeded.interview_id}/report")
        pdf = _pdf_text(await _get(h, f"/api/v1/interviews/{seeded.interview_id}/report.pdf"))
    first, final = seeded.scores["q1_first"].score, seeded.scores["q1_final"].score
    assert first != final  # the first answer alone was scored lower: the figure before the follow-up
    table = {c["competency"]: c for c in report["competencies"]}
    for q in report["questions"]:
        [s] = q["scores"]
        row = table[s["competency"]]
        assert row["ai_score"] == s["score"] and row["questions"] == [q["number"]]
        figure = f'{s["score"]:.1f}'
        assert f'{figure} · {text("rp_from_question", lang, list=q["number"])}' in pdf  # the table's cell
        assert s["name"] == shown_name(lang, s["competency"], lang)  # the Chinese plan's name, the English key
        assert text("rp_score_line", lang, competency=s["name"], score=figure) in pdf  # under the question
    assert table[TEXT[lang]["questions"][0][1]]["ai_score"] == final
    # the score before the follow-up stays in the machine's record only
    assert [s["score"] for s in report["questions"][0]["scores"]] == [final]
    assert [(s["score"], s["final"]) for s in report["answers"][0]["scores"]] == [(first, False)]
    first_name = shown_name(lang, TEXT[lang]["questions"][0][1], lang)
    assert text("rp_score_line", lang, competency=first_name, score=f"{final:.1f}") in pdf
    assert text("rp_score_line", lang, competency=first_name, score=f"{first:.1f}") not in pdf
    # the overall score is the mean of the competencies' (the interview list's and the bias check's figure)
    assert report["overall"]["overall"] == round(sum(c["ai_score"] for c in report["competencies"]) / 2, 1)
    assert text("rp_overall_score", lang, score=f'{report["overall"]["overall"]:.1f}') in pdf
    # the overall result comes first, then the competencies, then the questions
    order = [pdf.index(text(k, lang)) for k in ("rp_overall", "rp_competency_scores", "rp_questions", "flags")]
    assert order == sorted(order), order


async def test_a_competency_asked_twice_says_which_questions_its_figure_combines(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        store = h.ctx.store
        job = await store.jobs.create(h.org_id, "Lead", "", "en", [
            {"text": "Tell me about a team you led.", "competency": "leadership"},
            {"text": "Tell me about a conflict in a team.", "competency": "leadership"}], member_id=h.hr_user_id)
        iv = await store.interviews.create(h.org_id, job.id, "Bo", "", "en")
        for i, (score, conf) in enumerate([(4.0, 0.9), (2.0, 0.3)]):
            await store.records.add_turn(iv.id, i, i, None, "question", f"Q{i + 1}")
            await store.records.add_score(iv.id, i, i, "leadership", score, conf, "level", [], [])
        report = await _get(h, f"/api/v1/interviews/{iv.id}/report")
        pdf = _pdf_text(await _get(h, f"/api/v1/interviews/{iv.id}/report.pdf"))
    [row] = report["competencies"]
    assert row["ai_score"] == 3.5 and row["questions"] == [1, 2]  # (4.0 * 0.9 + 2.0 * 0.3) / 1.2
    assert [q["scores"][0]["score"] for q in report["questions"]] == [4.0, 2.0]
    assert text("rp_combined", "en", score="3.5", list="1, 2") in pdf.replace("\n", " ")


async def test_questions_are_numbered_as_the_candidate_saw_them(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        store = h.ctx.store
        iv_id, _ = await h.create_interview("Cai")
        qs = await store.jobs.plan_questions((await store.interviews.get(iv_id)).plan_id)
        turns = [(0, "question", qs[0].text, ""), (1, "question", qs[1].text, ""), (1, "followup", "Which team?", "no_example"),
                 (1, "followup", "What came of it?", "missing_result"), (2, "closing", "Thank you.", "")]
        for index, (qi, kind, words, trigger) in enumerate(turns):
            await store.records.add_turn(iv_id, index, qi, None, kind, words, trigger, "")
        report = await _get(h, f"/api/v1/interviews/{iv_id}/report")
        pdf = _pdf_text(await _get(h, f"/api/v1/interviews/{iv_id}/report.pdf"))
    assert [(q["number"], q["total"], [f["label"] for f in q["follow_ups"]]) for q in report["questions"]] == [
        (1, 2, []), (2, 2, ["2a", "2b"])]
    assert [(a["number"], a["follow_up"]) for a in report["answers"]] == [(1, None), (2, None), (2, "2a"), (2, "2b")]
    assert [f["label"] for f in report["follow_ups"]] == ["2a", "2b"]
    for label in (text("rp_question_of", "en", n=1, total=2), text("rp_question_of", "en", n=2, total=2),
                  text("rp_follow_up", "en", label="2a"), text("rp_follow_up", "en", label="2b")):
        assert label in pdf
    assert "Question 3" not in pdf and "Thank you." not in pdf  # the closing words are no question


async def test_reasons_are_words_with_quotes_and_times_and_codes_stay_with_the_machine(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        seeded = await seed_report_interview(h, "en")
        report = await _get(h, f"/api/v1/interviews/{seeded.interview_id}/report")
    assert not [t for t in _shown(report) if CODES.search(t)]
    q1, q2 = report["questions"]
    reasons = q1["scores"][0]["reasons"]
    assert reasons["level"] == seeded.scores["q1_final"].level_description
    assert reasons["level_reason"]  # what placed it in its level
    # each supporting quote is the candidate's own words, with the time it was said (the follow-up's answer too)
    said = {s: at for s, at in zip(TEXT["en"]["a1"] + TEXT["en"]["a2"], ("00:05", "00:11", "00:41", "00:47"))}
    assert {(r["quote"], r["at"]) for r in reasons["supporting"]} <= set(said.items())
    assert (TEXT["en"]["a2"][1], "00:47") in {(r["quote"], r["at"]) for r in reasons["supporting"]}
    missing = [r["text"] for r in q2["scores"][0]["reasons"]["missing"]]
    assert any("No outcome" in m for m in missing) and any("steps" in m for m in missing), missing
    # the machine keeps its codes
    assert any(e["feature"].startswith("coverage:") for e in report["answers"][0]["scores"][0]["evidence"])


async def test_scores_stored_before_notes_existed_are_said_in_words_or_not_at_all(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h:
        store = h.ctx.store
        iv_id, _ = await h.create_interview("Old Record")
        await store.records.add_turn(iv_id, 0, 0, None, "question", "Tell me about a team you led.")
        await store.records.add_segment(iv_id, 0, "I led five people on a data move.", 3_000, 6_000, [], "whisper", "c")
        await store.records.add_turn(iv_id, 1, 0, None, "followup", "Can you give an example?", "no_example",
                                     "The answer stays general (specificity: general); no concrete instance")
        old = [{"feature": "coverage:role", "quote": "I led five people on a data move.", "effect": 0.0},
               {"feature": "star:result", "quote": "I led five people on a data move.", "effect": 0.2},
               {"feature": "cap:off_topic", "quote": "", "effect": -1.3},
               {"feature": "relevance_cosine", "quote": "", "effect": -0.064}]
        await store.records.add_score(iv_id, 1, 0, "leadership", 1.4, 0.5, "", old,
                                      ["relevance cosine -0.064", "The answer is short (9 words)."])
        report = await _get(h, f"/api/v1/interviews/{iv_id}/report")
        pdf = _pdf_text(await _get(h, f"/api/v1/interviews/{iv_id}/report.pdf"))
    reasons = report["questions"][0]["scores"][0]["reasons"]
    assert reasons["level_reason"] == "The answer does not address the question, so it stays at level 1."
    assert [r["text"] for r in reasons["supporting"]] == ["States an outcome."]
    assert [r["at"] for r in reasons["supporting"]] == ["00:03"]
    assert [r["text"] for r in reasons["missing"]] == [
        "Does not seem to cover: role (the closest sentence is quoted)."]
    assert reasons["unsure"] == ["The answer is short (9 words)."] and report["uncertain"] == reasons["unsure"]
    assert report["questions"][0]["follow_ups"][0]["why"] == text("why_no_example", "en")
    assert not [t for t in _shown(report) if CODES.search(t)]
    assert not CODES.search(re.sub(r"\S+@\S+", "", pdf)), CODES.search(pdf)


# --- a person's decision ---------------------------------------------------------------------------------------------

async def test_a_person_confirms_or_changes_the_suggestion_and_each_decision_is_kept(db_url, tmp_path):
    async with running_server(db_url, tmp_path) as h:
        store = h.ctx.store
        seeded = await seed_report_interview(h, "en")
        iv = await store.interviews.get(seeded.interview_id)
        users = {}
        for email, role in (("mina@acme.test", "hiring_manager"), ("omar@acme.test", "observer"),
                            ("hal@acme.test", "hiring_manager")):
            users[email] = await store.accounts.create_user(h.org_id, email, hash_password(PW), role=role,
                                                            name=email.split("@")[0].title())
        await store.assignments.assign_job(h.org_id, iv.job_id, users["mina@acme.test"].id, None)
        await store.assignments.invite_observer(h.org_id, iv.id, users["omar@acme.test"].id, None)
        path = f"/api/v1/interviews/{iv.id}/decision"

        async def post(email: str | None, body: dict) -> tuple[int, dict]:
            async with (h.hr_client() if email is None else h.hr_client(email, PW)) as http:
                async with http.post(path, json=body) as r:
                    return r.status, await r.json()

        # only those who rate the job's interviews decide: an observer may not, a manager of other jobs sees nothing
        assert (await post("omar@acme.test", {"decision": "hold"}))[0] == 403
        assert (await post("hal@acme.test", {"decision": "hold"}))[0] == 404
        for bad in ({"decision": "hire"}, {}, {"decision": "hold", "comment": "x" * 2001},
                    {"decision": "hold", "extra": 1}):
            status, body = await post(None, bad)
            assert status == 422 and body["error"]["code"], (bad, body)
        assert await store.records.decisions(iv.id) == []

        before = utcnow()
        status, confirmed = await post("mina@acme.test", {"decision": "hold", "comment": "  Second talk first  "})
        assert status == 201, confirmed
        assert (confirmed["decision"], confirmed["suggested"], confirmed["agrees"]) == ("hold", "hold", True)
        assert await store.outcomes.get(iv.job_id, iv.candidate_id) is None  # "hold" is no hiring outcome
        assert (confirmed["decided_by"], confirmed["decided_by_name"], confirmed["comment"]) == (
            "mina@acme.test", "Mina", "Second talk first")
        assert confirmed["overall_score"] == 3.4
        status, changed = await post(None, {"decision": "advance"})  # the recruiter changes it later
        assert status == 201 and (changed["agrees"], changed["decided_by"]) == (False, "hr@acme.test")
        outcome = await store.outcomes.get(iv.job_id, iv.candidate_id)  # the funnel counts the candidate advanced
        assert (outcome.decision, outcome.source, outcome.interview_id) == ("advanced", "report", iv.id)
        await store.outcomes.save(h.org_id, iv.job_id, [OutcomeWrite(iv.candidate_id, iv.id, "hired")], None, "api",
                                  utcnow())
        assert (await post(None, {"decision": "do_not_advance"}))[0] == 201  # a later change on the report...
        assert (await store.outcomes.get(iv.job_id, iv.candidate_id)).decision == "hired"  # ...never undoes a hire

        stored = (await store.records.decisions(iv.id))[1:]  # newest first, the earlier ones kept
        assert [(d.decision, d.suggested, d.decided_by_email) for d in stored] == [
            ("advance", "hold", "hr@acme.test"), ("hold", "hold", "mina@acme.test")]
        assert all(as_utc(d.decided_at) >= before for d in stored)
        report = await _get(h, f"/api/v1/interviews/{iv.id}/report", "omar@acme.test")  # observers read it
        assert report["overall"]["suggestion"] == "hold"
        assert report["overall"]["decision"]["decision"] == "do_not_advance"
        assert [d["id"] for d in report["overall"]["history"]] == [changed["id"], confirmed["id"]]
        pdf = _pdf_text(await _get(h, f"/api/v1/interviews/{iv.id}/report.pdf"))
        assert text("rp_changed_by", "en", who="hr@acme.test", suggested="Hold") in pdf.replace("\n", " ")
        assert text("rp_dec_do_not_advance", "en") in pdf


async def test_the_decisions_table_migrates_up_and_down(db_url):
    store = Store(db_url)
    try:
        await store.migrate()
        await move_schema(store.db.engine, "0013", down=True)
        await store.migrate()
        org = await store.accounts.create_org("Acme")
        assert await store.records.decisions("none") == [] and org.id
    finally:
        await store.close()


async def test_the_decision_route_is_in_the_openapi_document_with_who_may_call_it(sqlite_url, tmp_path):
    async with running_server(sqlite_url, tmp_path) as h, h.hr_client() as http:
        async with http.get("/api/v1/openapi.json") as r:
            doc = await r.json()
    op = doc["paths"]["/api/v1/interviews/{interview_id}/decision"]["post"]
    assert (op["x-caller"], sorted(op["x-roles"]), op["x-scope"]) == (
        "user", ["admin", "hiring_manager", "recruiter"], "interview")
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    body = doc["components"]["schemas"][ref]
    assert body["properties"]["decision"]["enum"] == ["advance", "hold", "do_not_advance"]
    assert body["required"] == ["decision"] and "201" in op["responses"]
