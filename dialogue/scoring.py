"""Rubric scores that explain themselves: one competency score per answer, with the candidate's words behind it.

``score_answer(question, language, features, quotes)`` turns the answer-content features of
``analyzers.content.ContentAnalyzer`` (run on all of a question's answers, follow-ups included) into a
``CompetencyScore`` on the question's anchored 1-5 rubric. It is a *suggestion for a human reviewer*: no hiring
decision is taken by the machine (PIPL Art. 24, GDPR Art. 22), so every score carries

* ``evidence``: ``Evidence(feature, quote, effect, note, stance)`` items; ``quote`` is always the candidate's own words
  (a sentence of the answer; empty only for non-verbal evidence, which has no words), ``effect`` the points on
  the 1-5 scale that feature added (positive) or took away (negative, e.g. a cap), ``note`` a plain explanation in
  the interview's language (dialogue/score_words.py; ``feature`` and ``effect`` are for the record, ``note`` is
  what people read) and ``stance``: whether it is something the answer has (``for``), lacks (``against``), what
  placed it in its level (``level``) or a plain count (``fact``), so a report can sort reasons without codes;
* ``confidence`` (0-1): lower for short answers, weak relevance, contradicting signals and missing inputs;
* ``uncertain``: what the AI is unsure about, in plain words, for the reviewer to check.

How the score is made (decided here, documented for reviewers)
---------------------------------------------------------------
``content = 1 + 4 * sum(weight * component)`` with components in 0..1:

====================  ======  ==========================================================================
component             weight  value
====================  ======  ==========================================================================
coverage              0.25    ``coverage_score`` (met 1, partly 0.5) of the expected points
STAR                  0.20    STAR parts found / 4
result                0.20    quantified result 1, result without numbers 0.4, no result 0
specificity           0.20    concrete 1, mixed 0.6, unclear 0.25, general 0.15
relevance             0.10    on_topic 1, partly 0.5, off_topic 0
length                0.05    words / min_answer_words, at most 1
====================  ======  ==========================================================================

(without expected points the coverage weight is spread over the others). The components place the score *within*
a level; the level itself is the first rung of the anchored ladder the answer stands on, the order every anchored
rubric here follows (``GENERIC_RUBRIC``): off-topic, or no example in an answer shorter than the minimum -> 1; no
specific past situation, or one told in passing (at most one action told) -> 2; "we" throughout (the candidate's own part unknown) or no outcome ->
3; an outcome with nothing measurable -> 4; a quantified outcome -> 5. Within the band [level - 0.5, level + 0.4]
(so it rounds to the level) the content score places the answer linearly; the move from the content score is an
evidence item (``cap:<rung>`` down, ``anchor:<rung>`` up) with a plain note in the interview's language. The score is a float with one decimal;
``level`` is the nearest anchored rubric level and ``level_description`` its text.

Non-verbal observations (observable behaviour only, never emotions or personality) carry **no weight** by
default: with ``nonverbal_weight == 0`` they never change the score. An organisation may set a weight (clamped
to ``MAX_NONVERBAL_WEIGHT``); the caller forces 0 for EU organisations. ``nonverbal`` is a dict of observable
signals normalised to 0..1 (e.g. ``{"face_present_ratio": 0.98, "looking_at_screen_ratio": 0.9}``); the mean of
its numeric values, mapped to 1-5, is blended: ``score = (1 - w) * content + w * (1 + 4 * mean)``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping

from analyzers.text.language import normalise_language
from dialogue.answer_claims import find_unsupported_claim
from dialogue.plan import PlanQuestionSpec
from dialogue.score_words import say

__all__ = [
    "CompetencyScore",
    "Evidence",
    "MAX_NONVERBAL_WEIGHT",
    "aggregate_scores",
    "level_in",
    "score_answer",
]

MAX_NONVERBAL_WEIGHT = 0.5
WEIGHTS = {"coverage": 0.25, "star": 0.20, "result": 0.20, "specificity": 0.20, "relevance": 0.10, "length": 0.05}
SPECIFICITY_VALUE = {"concrete": 1.0, "mixed": 0.6, "unclear": 0.25, "general": 0.15}
RELEVANCE_VALUE = {"on_topic": 1.0, "partly": 0.5, "off_topic": 0.0}
LEVEL_OF = {"off_topic": 1, "no_answer": 1, "no_concrete_example": 2, "too_short": 2, "team_only": 3, "no_result": 3,
            "no_quantified_result": 4, "quantified_result": 5}
GENERIC_RUBRIC = {
    1: {"en": "No relevant example; the answer does not address the competency.",
        "zh": "没有相关的例子；回答没有涉及该能力。"},
    2: {"en": "General statements only; little or no concrete example.", "zh": "只有笼统的表述，几乎没有具体例子。"},
    3: {"en": "A concrete example with the candidate's actions, but the result is missing or unclear.",
        "zh": "有具体例子和本人的行动，但结果缺失或不清楚。"},
    4: {"en": "A clear example with actions and a result, but the result is not measured.",
        "zh": "例子清楚，有行动和结果，但结果没有量化。"},
    5: {"en": "A complete, specific example (situation, task, action, result) with a measured result.",
        "zh": "完整具体的例子（情境、任务、行动、结果），结果有量化。"},
}


STANCES = ("for", "against", "level", "fact")
"""What a piece of evidence says about the answer, for a reader: ``for`` (something the answer has), ``against``
(something it lacks), ``level`` (what placed the score in its rubric level), ``fact`` (a count, no judgement)."""


@dataclass(frozen=True)
class Evidence:
    feature: str  # e.g. "star:result", "coverage:<point>", "specificity", "cap:no_result", "nonverbal"
    quote: str  # the candidate's own words (a sentence of the answer); "" only for non-verbal evidence
    effect: float  # points on the 1-5 scale this feature added (+) or removed (-)
    note: str = ""
    stance: str = "fact"  # one of STANCES


@dataclass(frozen=True)
class CompetencyScore:
    competency: str
    question_id: str
    score: float  # 1.0-5.0, one decimal
    confidence: float  # 0-1
    level: int  # the nearest anchored rubric level
    level_description: str
    evidence: list[Evidence] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    content_score: float = 0.0  # the score from the answer content alone
    nonverbal_weight: float = 0.0  # the weight actually applied (0 unless the organisation set one)
    ai_generated: bool = True  # a suggestion for a human reviewer, never a decision
    scored_by: str = "rules"  # which path scored it: "rules" (this module) or a model's name

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _clip(v: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, v))


def score_answer(
    question: PlanQuestionSpec,
    language: str,
    features: Mapping[str, Any],
    quotes: Mapping[str, str],
    nonverbal: Mapping[str, Any] | None = None,
    nonverbal_weight: float = 0.0,
) -> CompetencyScore:
    lang = normalise_language(language)
    f = features
    sentences: list[str] = list(f.get("sentences") or [])
    evidence: list[Evidence] = []
    uncertain: list[str] = []

    def first_quote(*keys: str, fallback: str = "") -> str:
        for k in keys:
            q = quotes.get(k)
            if q:
                return q
        return fallback

    if not sentences:
        level, description = _level(question, lang, 1.0)
        return CompetencyScore(
            competency=question.competency, question_id=question.id, score=1.0, confidence=0.2, level=level,
            level_description=description,
            evidence=[Evidence("no_answer", "", 0.0, say("no_answer", lang), "against")],
            uncertain=[say("doubt:no_transcript", lang)],
            content_score=1.0,
        )

    any_sentence = sentences[0] if sentences else ""
    last_sentence = sentences[-1] if sentences else ""

    # ---- components ----
    length = f.get("length") or {}
    words = int(length.get("words") or 0)
    minimum = max(1, question.min_answer_words)
    coverage = list(f.get("coverage") or [])
    has_points = bool(coverage) and f.get("coverage_score") is not None
    weights = dict(WEIGHTS)
    if not has_points:
        spread = weights.pop("coverage")
        total = sum(weights.values())
        weights = {k: v + spread * v / total for k, v in weights.items()}
    star = f.get("star") or {}
    parts_found = int(f.get("star_parts_found") or 0)
    result_found = bool((star.get("result") or {}).get("found"))
    quantified_result = bool(f.get("quantified_result"))
    spec = f.get("specificity") or {}
    spec_label = spec.get("label") or "unclear"
    rel = f.get("relevance") or {}
    rel_label = rel.get("label") or "partly"

    comp: dict[str, float] = {
        "star": parts_found / 4.0,
        "result": 1.0 if quantified_result else 0.4 if result_found else 0.0,
        "specificity": SPECIFICITY_VALUE.get(spec_label, 0.25),
        "relevance": RELEVANCE_VALUE.get(rel_label, 0.5),
        "length": _clip(words / minimum, 0.0, 1.0),
    }
    if has_points:
        comp["coverage"] = float(f.get("coverage_score") or 0.0)
    content = 1.0 + 4.0 * sum(weights[k] * comp[k] for k in weights)

    def pts(k: str) -> float:
        return round(4.0 * weights[k] * comp[k], 2)

    # ---- evidence for each component (quotes are sentences of the answer) ----
    if has_points:
        for c in coverage:
            point, label = c.get("point"), c.get("label")
            share = 4.0 * weights["coverage"] * {"met": 1.0, "partly": 0.5}.get(label, 0.0) / len(coverage)
            quote = c.get("sentence") or ""
            if not quote and c.get("closest_sentence_index") is not None and c["closest_sentence_index"] < len(sentences):
                quote = sentences[c["closest_sentence_index"]]
            found = label in ("met", "partly")
            note = say(f"coverage:{label if found else 'missing'}", lang, point=point)
            evidence.append(Evidence(f"coverage:{point}", quote, round(share, 2), note, "for" if found else "against"))
    for part in ("situation", "task", "action", "result"):
        p = star.get(part) or {}
        if p.get("found"):
            evidence.append(Evidence(f"star:{part}", p.get("sentence") or "", round(4.0 * weights["star"] / 4, 2),
                                     say(f"star:{part}", lang), "for"))
    if quantified_result:
        evidence.append(Evidence("quantified_result", first_quote("quantified_result"), pts("result"),
                                 say("quantified_result", lang), "for"))
    elif result_found:
        evidence.append(Evidence("result_without_numbers", first_quote("star:result"), pts("result"),
                                 say("result_without_numbers", lang), "against"))
    else:
        evidence.append(Evidence("no_result", first_quote("star:action", fallback=last_sentence), 0.0,
                                 say("no_result", lang), "against"))
    if spec_label in ("concrete", "mixed"):
        evidence.append(Evidence("specificity", first_quote("specificity:concrete_example", fallback=any_sentence),
                                 pts("specificity"), say("specificity:concrete", lang), "for"))
    else:
        evidence.append(Evidence("specificity", first_quote("specificity:generalities", "relevance",
                                                            fallback=any_sentence),
                                 pts("specificity"), say("specificity:general", lang), "against"))
    claim = find_unsupported_claim(f)
    if claim:
        evidence.append(Evidence("unsupported_claim", claim["sentence"], 0.0,
                                 say("unsupported_claim", lang, span=claim["span"]), "against"))
    shown_relevance = "off_topic" if rel.get("about_something_else") else rel_label  # one verdict on the page
    evidence.append(Evidence("relevance", first_quote("relevance", fallback=any_sentence), pts("relevance"),
                             say(f"relevance:{shown_relevance if shown_relevance in RELEVANCE_VALUE else 'partly'}",
                                 lang), "for" if shown_relevance == "on_topic" else "against"))
    joined = ("" if lang == "zh" else " ").join(sentences)
    evidence.append(Evidence("length", _trim(joined, lang), pts("length"),
                             say("length", lang, words=words, minimum=question.min_answer_words),
                             "against" if words < minimum else "fact"))

    # ---- the anchored level: the rubric's ladder decides the level, the components place the score in it ----
    team_only = bool((f.get("ownership") or {}).get("team_only"))
    told_actions = len(spec.get("first_person_actions") or [])
    elsewhere = bool(rel.get("about_something_else"))
    anchor = _anchored_level("off_topic" if elsewhere else rel_label, spec_label, words, minimum, told_actions, team_only, result_found,
                             quantified_result)
    anchor_quote = {
        "off_topic": first_quote("relevance", fallback=any_sentence),
        "no_answer": _trim(joined, lang),
        "no_concrete_example": first_quote("specificity:generalities", "relevance", fallback=any_sentence),
        "too_short": _trim(joined, lang),
        "team_only": first_quote("ownership:team", "star:action", fallback=any_sentence),
        "no_result": first_quote("star:action", "relevance", fallback=last_sentence),
        "no_quantified_result": first_quote("star:result", "relevance", fallback=last_sentence),
        "quantified_result": first_quote("quantified_result", "star:result", fallback=last_sentence),
    }[anchor]
    # Within the level's band [level - 0.5, level + 0.4], the content components place the answer linearly.
    placed = _clip(LEVEL_OF[anchor] - 0.5 + 0.9 * (content - 1.0) / 4.0, 1.0, 5.0)
    score = content
    if abs(placed - content) >= 0.05:
        kind = "cap" if placed < content else "anchor"
        evidence.append(Evidence(f"{kind}:{anchor}", anchor_quote, round(placed - content, 2), say(f"anchor:{anchor}", lang),
                                 "level"))
        score = placed
    score = _clip(score, 1.0, 5.0)
    content_score = round(score, 1)

    # ---- non-verbal (no weight unless the organisation set one) ----
    w = _clip(float(nonverbal_weight or 0.0), 0.0, MAX_NONVERBAL_WEIGHT)
    nv_values = {k: float(v) for k, v in (nonverbal or {}).items()
                 if isinstance(v, (int, float)) and not isinstance(v, bool)}
    applied_w = 0.0
    if w > 0 and nv_values:
        nv_mean = _clip(sum(_clip(v, 0.0, 1.0) for v in nv_values.values()) / len(nv_values), 0.0, 1.0)
        nv_score = 1.0 + 4.0 * nv_mean
        blended = (1 - w) * score + w * nv_score
        evidence.append(Evidence("nonverbal", "", round(blended - score, 2), say("nonverbal", lang, weight=f"{w:g}")))
        score = blended
        applied_w = w
        uncertain.append(say("doubt:nonverbal", lang))
    score = round(_clip(score, 1.0, 5.0), 1)

    # ---- confidence and uncertainty ----
    confidence = 0.9
    if words < minimum:
        confidence -= 0.35 * (1 - words / minimum)
        uncertain.append(say("doubt:short", lang, words=words))
    if rel_label == "off_topic" or elsewhere:
        confidence -= 0.3
        uncertain.append(say("doubt:off_topic", lang))
    elif rel_label == "partly":
        confidence -= 0.15
        uncertain.append(say("doubt:partly_relevant", lang))
    if not has_points:
        confidence -= 0.1
        uncertain.append(say("doubt:no_points", lang))
    if spec_label in ("general", "unclear") and parts_found >= 3:
        confidence -= 0.1
        uncertain.append(say("doubt:hypothetical", lang))
    if spec_label == "concrete" and has_points and comp.get("coverage", 0) < 0.34:
        confidence -= 0.1
        uncertain.append(say("doubt:few_points", lang))
    if has_points and comp.get("coverage", 0) >= 0.67 and rel_label != "on_topic":
        confidence -= 0.1
        uncertain.append(say("doubt:points_without_relevance", lang))
    if result_found and not quantified_result and f.get("quantified"):
        uncertain.append(say("doubt:numbers_not_result", lang))
    partly = [c.get("point") for c in coverage if c.get("label") == "partly"]
    if partly:
        uncertain.append(say("doubt:partly_covered", lang, points="; ".join(str(p) for p in partly)))
    missing = [c.get("point") for c in coverage if c.get("label") == "missing"]
    if missing:
        uncertain.append(say("doubt:missing_points", lang, points="; ".join(str(p) for p in missing)))
    coh = (f.get("coherence") or {}).get("mean_consecutive_cosine")
    if coh is not None and coh < 0.1:
        confidence -= 0.05
        uncertain.append(say("doubt:incoherent", lang))
    confidence = round(_clip(confidence, 0.05, 0.95), 2)

    level, description = _level(question, lang, score)
    return CompetencyScore(
        competency=question.competency,
        question_id=question.id,
        score=score,
        confidence=confidence,
        level=level,
        level_description=description,
        evidence=evidence,
        uncertain=uncertain,
        content_score=content_score,
        nonverbal_weight=applied_w,
    )



def _anchored_level(relevance: str, specificity: str, words: int, minimum: int, told_actions: int, team_only: bool,
                    result_found: bool, quantified_result: bool) -> str:
    """The first rung of the anchored ladder the answer stands on (the generic rubric's order: off-topic or no
    answer 1, no concrete example 2, the candidate's own part or the outcome missing 3, an outcome without anything
    measurable 4, a quantified outcome 5). An example told in passing (at most one action told, or fewer
    than half the minimum words) is level 2."""
    if relevance == "off_topic":
        return "off_topic"
    if specificity in ("general", "unclear"):
        return "no_answer" if words < minimum else "no_concrete_example"
    if told_actions <= 1 or words < minimum / 2:
        return "too_short"
    if team_only:
        return "team_only"
    if not result_found and not quantified_result:
        return "no_result"
    if not quantified_result:
        return "no_quantified_result"
    return "quantified_result"

def _trim(text: str, lang: str, words: int = 30, chars: int = 60) -> str:
    text = text.strip()
    if lang == "zh":
        return text if len(text) <= chars else text[:chars] + "…"
    w = text.split()
    return text if len(w) <= words else " ".join(w[:words]) + "…"


def _level(question: PlanQuestionSpec, lang: str, score: float) -> tuple[int, str]:
    if question.rubric:
        lvl = min(question.rubric, key=lambda r: (abs(r.score - score), -r.score))
        desc = lvl.description.get(lang) or lvl.description.get("en") or next(iter(lvl.description.values()))  # type: ignore[call-overload]
        return lvl.score, desc
    n = int(_clip(round(score), 1, 5))
    return n, GENERIC_RUBRIC[n][lang]


def level_in(description: str, lang: str, rubric: Iterable[Mapping[str, str]] = ()) -> str:
    """A stored level description (``level_description``, in the interview's language) in ``lang``: the same level
    of the question's ``rubric`` (each level's ``{language: text}``), else of ``GENERIC_RUBRIC``; unchanged when it
    is neither or that level has no text in ``lang``."""
    for texts in (*rubric, *GENERIC_RUBRIC.values()):
        if description and description in texts.values():
            return texts.get(lang) or description
    return description


def aggregate_scores(scores: Iterable[CompetencyScore]) -> dict[str, dict[str, Any]]:
    """Per competency: the confidence-weighted mean score (one decimal), the mean confidence and the number of
    answers scored."""
    groups: dict[str, list[CompetencyScore]] = {}
    for s in scores:
        groups.setdefault(s.competency, []).append(s)
    out: dict[str, dict[str, Any]] = {}
    for comp, items in groups.items():
        wsum = sum(max(s.confidence, 0.05) for s in items)
        mean = sum(s.score * max(s.confidence, 0.05) for s in items) / wsum
        out[comp] = {
            "score": round(mean, 1),
            "confidence": round(sum(s.confidence for s in items) / len(items), 2),
            "n": len(items),
        }
    return out
