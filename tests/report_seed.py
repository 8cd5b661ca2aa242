"""A finished interview with everything a report shows, stored as the live interview stores it: two planned
questions, the first with a follow-up (so it is scored twice: before the follow-up and, on both answers, after it),
the scores made by the real scorer (dialogue/scoring.py) from content features written out here, transcript
segments with times, a proctoring flag, a person's rating and observable behaviour. In English or Chinese: the
English interview's plan is plain questions (its competencies are shown by their keys), the Chinese one's a plan
document whose competencies are keyed in English and named in both languages."""

from __future__ import annotations

from dataclasses import dataclass

from dialogue.plan import InterviewPlanSpec, PlanQuestionSpec, competency_name_in
from dialogue.scoring import CompetencyScore, score_answer
from server.storage.models import utcnow

TEXT = {
    "en": {
        "job": "Backend engineer",
        "name": "Ada Park",
        "questions": [("Tell me about a team you led.", "leadership", ["team", "result"]),
                      ("Tell me about a hard problem you solved.", "problem solving", ["problem", "steps"])],
        "names": {},
        "a1": ["Last year I led a team of five engineers.", "We moved the billing service to a new database."],
        "followup": "You said you moved the billing service. What came of it?",
        "a2": ["I planned the migration and wrote the rollback steps myself.",
               "The move finished two weeks early and cut costs by forty percent."],
        "a3": ["I think I am good at solving problems.", "Usually I try things until they work."],
    },
    "zh": {
        "job": "后端工程师",
        "name": "王小明",
        "questions": [("请讲一次您带领团队的经历。", "Leadership", ["团队", "结果"]),
                      ("请讲一个您解决过的难题。", "Problem solving", ["问题", "步骤"])],
        "names": {"Leadership": {"en": "Leadership", "zh": "领导力"},
                  "Problem solving": {"en": "Problem solving", "zh": "解决问题"}},
        "a1": ["去年我带领五个工程师的团队。", "我们把计费服务迁移到了新的数据库。"],
        "followup": "您提到迁移了计费服务，结果怎么样？",
        "a2": ["我亲自制定了迁移计划，并写好了回滚步骤。", "迁移提前两周完成，成本降低了百分之四十。"],
        "a3": ["我觉得我很擅长解决问题。", "通常我会不断尝试直到成功。"],
    },
}


def shown_name(seed_lang: str, competency: str, reader_lang: str) -> str:
    """What a reader of ``reader_lang`` sees for a competency of the ``seed_lang`` interview."""
    return competency_name_in(TEXT[seed_lang]["names"], competency, reader_lang)


@dataclass
class Seeded:
    interview_id: str
    lang: str
    scores: dict[str, CompetencyScore]  # "q1_first", "q1_final", "q2"


def _features(sentences: list[str], *, points: list[tuple[str, str, int | None]], star: dict[str, int],
              quantified: bool, specificity: str, relevance: str, actions: int) -> tuple[dict, dict]:
    """Content features as analyzers/content.py gives them (only the keys the scorer reads) and their quotes."""
    star_f = {part: {"found": part in star, "sentence": sentences[star[part]] if part in star else ""}
              for part in ("situation", "task", "action", "result")}
    coverage = [{"point": p, "label": label, "sentence": sentences[i] if i is not None else "",
                 "closest_sentence_index": 0} for p, label, i in points]
    met = sum({"met": 1.0, "partly": 0.5}.get(label, 0.0) for _, label, _ in points) / len(points)
    features = {"sentences": sentences, "length": {"words": sum(len(s.split()) for s in sentences) * 3},
                "coverage": coverage, "coverage_score": met, "star": star_f, "star_parts_found": len(star),
                "quantified_result": quantified, "quantified": quantified,
                "specificity": {"label": specificity, "first_person_actions": ["did"] * actions},
                "relevance": {"label": relevance}, "ownership": {"team_only": False}}
    quotes = {"relevance": sentences[0], "star:action": sentences[star["action"]] if "action" in star else ""}
    if quantified:
        quotes["quantified_result"] = sentences[star["result"]]
    if specificity == "concrete":
        quotes["specificity:concrete_example"] = sentences[0]
    return features, quotes


def _scores(lang: str) -> dict[str, CompetencyScore]:
    t = TEXT[lang]
    specs = [PlanQuestionSpec(id=f"q{i}", competency=c, text={lang: q}, expected_points={lang: p}, min_answer_words=5)
             for i, (q, c, p) in enumerate(t["questions"])]
    first = _features(t["a1"], points=[(t["questions"][0][2][0], "met", 0), (t["questions"][0][2][1], "missing", None)],
                      star={"situation": 0, "action": 1}, quantified=False, specificity="concrete",
                      relevance="on_topic", actions=2)
    both = t["a1"] + t["a2"]
    final = _features(both, points=[(t["questions"][0][2][0], "met", 0), (t["questions"][0][2][1], "met", 3)],
                      star={"situation": 0, "action": 2, "result": 3}, quantified=True, specificity="concrete",
                      relevance="on_topic", actions=3)
    vague = _features(t["a3"], points=[(t["questions"][1][2][0], "partly", 0), (t["questions"][1][2][1], "missing",
                                                                                 None)],
                      star={"action": 1}, quantified=False, specificity="general", relevance="partly", actions=0)
    return {"q1_first": score_answer(specs[0], lang, *first), "q1_final": score_answer(specs[0], lang, *final),
            "q2": score_answer(specs[1], lang, *vague)}


async def _store_score(records, iv_id: str, turn: int, qi: int, s: CompetencyScore) -> None:
    evidence = [{"feature": e.feature, "quote": e.quote, "effect": e.effect, "note": e.note, "stance": e.stance}
                for e in s.evidence]
    await records.add_score(iv_id, turn, qi, s.competency, s.score, s.confidence, s.level_description, evidence,
                            list(s.uncertain), s.scored_by)


async def seed_report_interview(h, lang: str = "en") -> Seeded:
    """``h``: a tests.harness Harness; the interview is of a new job the harness's recruiter is responsible for."""
    t = TEXT[lang]
    store = h.ctx.store
    spec = InterviewPlanSpec(title={lang: t["job"]}, languages=[lang], questions=[
        PlanQuestionSpec(id=f"q{i + 1}", competency=c, competency_name=t["names"][c], text={lang: q},
                         expected_points={lang: p}) for i, (q, c, p) in enumerate(t["questions"])]) if t["names"] else None
    job = await store.jobs.create(h.org_id, t["job"], "", lang,
                                  [{"text": q, "competency": c, "expected_points": p} for q, c, p in t["questions"]],
                                  spec=spec.model_dump(mode="json") if spec else None, member_id=h.hr_user_id)
    iv = await store.interviews.create(h.org_id, job.id, t["name"], "", lang)
    qs = await store.jobs.plan_questions(iv.plan_id)
    rec = store.records
    sep = "" if lang == "zh" else " "
    turns = [(0, 0, qs[0].id, "question", qs[0].text, t["a1"], 5_000, "", ""),
             (1, 0, qs[0].id, "followup", t["followup"], t["a2"], 41_000, "missing_result",
              "No outcome was stated for the example"),
             (2, 1, qs[1].id, "question", qs[1].text, t["a3"], 95_000, "", "")]
    for index, qi, qid, kind, text, answer, start, trigger, reason in turns:
        await rec.add_turn(iv.id, index, qi, qid, kind, text, trigger, reason)
        for k, sentence in enumerate(answer):
            await rec.add_segment(iv.id, index, sentence, start + k * 6_000, start + k * 6_000 + 5_000, [], "whisper",
                                  "c1")
        await rec.end_turn(iv.id, index, sep.join(answer), "silence")
        await rec.add_event(iv.id, "answer.summary", {"type": "answer.summary", "turn_index": index, "nonverbal": {
            "face": {"face_present_share": 0.96, "looking_at_screen_share": 0.81}}})
    scores = _scores(lang)
    await _store_score(rec, iv.id, 0, 0, scores["q1_first"])
    await _store_score(rec, iv.id, 1, 0, scores["q1_final"])
    await _store_score(rec, iv.id, 2, 1, scores["q2"])
    await rec.add_event(iv.id, "flag.raised", {"type": "flag.raised", "kind": "looking_away", "since_ms": 61_000,
                                               "analyzer": "face"})
    await rec.add_review(iv.id, h.hr_user_id, t["questions"][0][1], 4.0, "同意" if lang == "zh" else "Agreed")
    await store.interviews.update(iv.id, status="finished", started_at=utcnow(), ended_at=utcnow())
    return Seeded(iv.id, lang, scores)
