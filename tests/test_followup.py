"""Follow-up decisions on real content features (multilingual USE + ContentAnalyzer), and the OpenAI-compatible
policy against a local fake chat-completions server."""

from __future__ import annotations

from dataclasses import replace
import asyncio
import json
import re

import pytest

from dialogue.followup import (
    BUILTIN_TEMPLATES,
    AnswerContext,
    FollowUpDecision,
    FollowUpPolicyV2,
    RuleBasedPolicy,
    build_context,
)
from dialogue.candidate_quotes import short_quote
from analyzers.llm_client import LlmClient, LlmEndpoint
from dialogue.llm_followup import FollowUpReply, OpenAICompatiblePolicy
from dialogue.plan import PlanQuestionSpec
from tests.fake_openai import FakeOpenAI

pytestmark = pytest.mark.models

TRIGGERS = ["missing_result", "no_example", "vague_claim", "missing_numbers", "resume_contradiction", "too_short"]
PLAN_TEMPLATES = {
    "missing_result": {"en": 'You said "{quote}". What happened in the end?', "zh": "您说“{quote}”。最后结果如何？"},
    "no_example": {"en": 'You said "{quote}". Can you describe one specific time that happened?',
                   "zh": "您说“{quote}”。能讲一次具体的经历吗？"},
    "vague_claim": {"en": 'You said "{quote}". What is an example that shows it?',
                    "zh": "您说“{quote}”。有什么具体例子能说明吗？"},
    "missing_numbers": {"en": 'You said "{quote}". What was the result, in numbers?',
                        "zh": "您说“{quote}”。结果能用数字说明吗？"},
    "resume_contradiction": {"en": 'To be sure I understood: "{quote}". How does that add up across your roles?',
                             "zh": "我想确认一下：“{quote}”。这在您的经历中是怎么算的？"},
    "too_short": {"en": "Could you say more about {point}?", "zh": "能再说说{point}吗？"},
}


def make_question(triggers=TRIGGERS, *, max_follow_ups=3, time_limit_s=180, languages=("en", "zh"),
                  min_answer_words=15) -> PlanQuestionSpec:
    return PlanQuestionSpec(
        id="teamwork-1",
        competency="teamwork",
        text={"en": "Tell me about a time you worked with a difficult colleague or team.",
              "zh": "请讲一个你和难相处的同事合作的经历。"},
        expected_points={"en": ["the situation", "what you did", "the result"], "zh": ["情境", "你的做法", "结果"]},
        follow_ups=[{"trigger": t, "template": {lang: PLAN_TEMPLATES[t][lang] for lang in languages}}
                    for t in triggers],
        max_follow_ups=max_follow_ups,
        time_limit_s=time_limit_s,
        min_answer_words=min_answer_words,
    )


THIN_EN = "I usually work well with people."
NONUM_EN = (
    "Last year at Acme two engineers on my team disagreed about the release process. My task was to get them to "
    "agree before the launch. I set up a meeting with both of them and we wrote down the options together. As a "
    "result, the launch went smoothly and they now work well together."
)
FULL_EN = (
    "Last year at Acme two engineers on my team disagreed about the release process, and releases were slipping. "
    "My task was to get them to agree before the Q3 launch. I set up a meeting with both of them, we wrote down the "
    "options and I proposed a two-week trial of each. As a result, release time dropped from 5 days to 2 days and "
    "incidents fell by 40%."
)
VAGUE_EN = ("I am a great leader and I am very good at communication. People always like working with me. "
            "I think teamwork is the most important thing.")
CONTRA_EN = ("I have 10 years of experience managing teams. Last year I led a team of 8 engineers at Acme and we "
             "delivered the project on time, cutting costs by 20%.")
OFF_EN = ("My favourite hobby is hiking in the mountains with my dog on weekends, and I also enjoy cooking Italian "
          "food for friends and family when I have time.")
NORESULT_EN = ("Last year at Acme two engineers on my team disagreed about the release process. I set up a meeting "
               "with both of them and we wrote down the options together.")

THIN_ZH = "我一般和大家相处得都很好。"
VAGUE_ZH = "我沟通能力很强，我是一个很好的领导者。大家都喜欢和我一起工作。"
NONUM_ZH = ("去年在上一家公司，两个同事对发布流程意见不一致。我负责让他们在上线前达成一致。"
            "于是我组织了一次会议，让他们一起列出方案。最后项目顺利上线了，他们现在合作得很好。")
FULL_ZH = ("去年在上一家公司，两个同事对发布流程意见不一致，发布经常延期。我负责让他们在上线前达成一致。"
           "于是我组织了一次会议，提出每个方案试行两周。最终发布周期从5天缩短到2天，故障减少了40%。")
CONTRA_ZH = "我有十年的管理经验。去年我带领了一个8人的团队，项目按时上线，成本降低了20%。"

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def analyzer():
    from analyzers.content import ContentAnalyzer
    from analyzers.embeddings import load_multilingual_use

    a = ContentAnalyzer(load_multilingual_use())
    a.warm_up()
    return a


@pytest.fixture
def policy():
    return RuleBasedPolicy()


def ctx_for(analyzer, answers, lang="en", question=None, **kw) -> AnswerContext:
    if isinstance(answers, str):
        answers = [answers]
    return build_context(analyzer, question or make_question(), lang, answers, **kw)


def assert_verbatim(quote: str, answer: str) -> None:
    """Every piece of the quote (split at the "…" that marks a cut) is the candidate's own words."""
    pieces = [p.strip() for p in quote.split("…") if p.strip()]
    assert pieces, "empty quote"
    for p in pieces:
        assert p in answer, f"{p!r} is not in the answer"


# ------------------------------------------------------------------------------------------------ rule policy


def test_policy_satisfies_protocol(policy):
    assert isinstance(policy, FollowUpPolicyV2)
    assert isinstance(OpenAICompatiblePolicy(client("http://127.0.0.1:9", None, "m")), FollowUpPolicyV2)


def test_thin_answer_gets_no_example_probe_with_candidates_words(analyzer, policy):
    d = policy.decide(ctx_for(analyzer, THIN_EN))
    assert d.kind == "followup" and d.trigger == "no_example"
    assert d.quote == "I usually work well with people"
    assert f'"{d.quote}"' in d.text
    assert "specific time" in d.text
    assert "general" in d.reason
    assert_verbatim(d.quote, THIN_EN)


def test_result_without_numbers_gets_missing_numbers_probe(analyzer, policy):
    d = policy.decide(ctx_for(analyzer, NONUM_EN))
    assert d.trigger == "missing_numbers"
    assert "what was the result, in numbers" in d.text.lower()
    assert_verbatim(d.quote, NONUM_EN)
    assert "As a result" in d.quote
    assert len(d.quote.replace("…", "").split()) <= 12


def test_builtin_template_when_plan_lists_trigger_without_this_language(analyzer, policy):
    q = make_question(languages=("en",))  # English templates only; the interview is in Chinese
    d = policy.decide(ctx_for(analyzer, NONUM_ZH, "zh", question=q))
    assert d.trigger == "missing_numbers"
    assert d.text == BUILTIN_TEMPLATES["missing_numbers"]["zh"].format(quote=d.quote)
    d_en = policy.decide(ctx_for(analyzer, NONUM_EN, "en", question=q))
    assert d_en.text.startswith("You said")  # the plan's own English template


def test_complete_quantified_star_answer_moves_on(analyzer, policy):
    for text, lang in ((FULL_EN, "en"), (FULL_ZH, "zh")):
        d = policy.decide(ctx_for(analyzer, text, lang))
        assert d.kind == "next" and d.trigger is None and d.text == ""
        assert "STAR complete" in d.reason and "quantified result" in d.reason
        assert d.reason_code == "nothing_to_probe"
        assert d.to_prompt(0, "teamwork-1") is None


def test_answer_without_result_gets_missing_result(analyzer, policy):
    d = policy.decide(ctx_for(analyzer, NORESULT_EN))
    assert d.trigger == "missing_result"
    assert_verbatim(d.quote, NORESULT_EN)


def test_missing_result_covers_unmeasured_result_when_missing_numbers_is_off(analyzer, policy):
    q = make_question(["missing_result", "no_example"])
    d = policy.decide(ctx_for(analyzer, NONUM_EN, question=q))
    assert d.trigger == "missing_result" and "not measured" in d.reason


def test_vague_claim_probe(analyzer, policy):
    d = policy.decide(ctx_for(analyzer, VAGUE_EN))
    assert d.trigger == "vague_claim"
    assert d.quote == "I am a great leader and I am very good at communication"
    assert "I am a great leader" in d.reason
    dz = policy.decide(ctx_for(analyzer, VAGUE_ZH, "zh"))
    assert dz.trigger == "vague_claim" and dz.quote == "我沟通能力很强"
    assert "“我沟通能力很强”" in dz.text


def test_claim_with_supporting_example_is_not_vague(analyzer, policy):
    answer = "I am a strong communicator. " + FULL_EN
    d = policy.decide(ctx_for(analyzer, answer))
    assert "vague_claim" not in d.detected


def test_same_trigger_never_asked_twice(analyzer, policy):
    q = make_question(max_follow_ups=5)
    asked: list[str] = []
    for _ in range(6):
        d = policy.decide(ctx_for(analyzer, THIN_EN, question=q, asked=asked))
        if d.kind == "next":
            break
        assert d.trigger not in asked
        asked.append(d.trigger)
    assert asked[0] == "no_example"
    assert len(asked) == len(set(asked)) >= 2


def test_max_follow_ups_respected(analyzer, policy):
    q = make_question(max_follow_ups=1)
    first = policy.decide(ctx_for(analyzer, THIN_EN, question=q))
    assert first.kind == "followup"
    second = policy.decide(ctx_for(analyzer, THIN_EN, question=q, asked=[first.trigger]))
    assert second.kind == "next" and "Maximum follow-ups" in second.reason
    assert first.reason_code == first.trigger and second.reason_code == "max_follow_ups"  # pages say it in words
    assert second.detected  # still recorded what it would have asked
    none = policy.decide(ctx_for(analyzer, THIN_EN, question=make_question(max_follow_ups=0)))
    assert none.kind == "next"


def test_time_budget_respected(analyzer, policy):
    q = make_question(time_limit_s=120)
    late = policy.decide(ctx_for(analyzer, THIN_EN, question=q, seconds_used=100))
    assert late.kind == "next" and "Time budget" in late.reason
    early = policy.decide(ctx_for(analyzer, THIN_EN, question=q, seconds_used=90))
    assert early.kind == "followup"
    prompt = early.to_prompt(2, q.id, time_left_s=120 - 90)
    assert prompt.kind == "followup" and prompt.text == early.text and prompt.time_limit_s == 30


def test_chinese_answers_get_chinese_probes(analyzer, policy):
    d = policy.decide(ctx_for(analyzer, THIN_ZH, "zh"))
    assert d.trigger == "no_example" and d.quote == "我一般和大家相处得都很好"
    assert d.text.startswith("您说“我一般和大家相处得都很好”")
    dn = policy.decide(ctx_for(analyzer, NONUM_ZH, "zh"))
    assert dn.trigger == "missing_numbers" and HAN.search(dn.text) and not re.search(r"[A-Za-z]", dn.text)
    assert_verbatim(dn.quote, NONUM_ZH)
    assert len(dn.quote.replace("…", "")) <= 20


def test_resume_contradiction_caught(analyzer, policy):
    resume = {"years_experience": 3, "team_size": 8, "titles": ["Software Engineer"]}
    d = policy.decide(ctx_for(analyzer, CONTRA_EN, resume=resume))
    assert d.trigger == "resume_contradiction"
    assert d.quote == "I have 10 years of experience managing teams"
    assert "10 vs 3" in d.reason
    assert "3" not in d.text  # the spoken probe never states the resume value
    dz = policy.decide(ctx_for(analyzer, CONTRA_ZH, "zh", resume=resume))
    assert dz.trigger == "resume_contradiction" and dz.quote == "我有十年的管理经验" and "10 vs 3" in dz.reason
    # Consistent with the resume: no contradiction.
    ok = policy.decide(ctx_for(analyzer, CONTRA_EN, resume={"years_experience": 10, "team_size": 8}))
    assert "resume_contradiction" not in ok.detected
    # Team size differs.
    team = policy.decide(ctx_for(analyzer, CONTRA_EN, resume={"years_experience": 10, "team_size": 30}))
    assert team.trigger == "resume_contradiction" and "team size" in team.reason
    # No resume given: nothing to contradict.
    assert "resume_contradiction" not in policy.decide(ctx_for(analyzer, CONTRA_EN)).detected


def test_title_seniority_contradiction(analyzer, policy):
    answer = ("At Acme I was the engineering director and I reorganised the teams. As a result, delivery time "
              "dropped by 30%.")
    d = policy.decide(ctx_for(analyzer, answer, resume={"titles": ["Software Engineer", "Senior Engineer"]}))
    assert d.trigger == "resume_contradiction" and "director" in d.reason
    d2 = policy.decide(ctx_for(analyzer, answer, resume={"titles": ["Engineering Director"]}))
    assert "resume_contradiction" not in d2.detected


def test_too_short_when_nothing_more_specific(analyzer, policy):
    q = make_question(["too_short"])
    d = policy.decide(ctx_for(analyzer, "Yes, I did that once at Acme.", question=q))
    assert d.trigger == "too_short" and "7 words" in d.reason
    assert d.text == "Could you say more about the situation?"  # {point}: the first missing expected point


def test_off_topic_long_answer_gets_clarify_once(analyzer, policy):
    d = policy.decide(ctx_for(analyzer, OFF_EN))
    assert d.kind == "clarify" and d.trigger == "clarify"
    assert "difficult colleague" in d.text  # the question is repeated
    again = policy.decide(ctx_for(analyzer, OFF_EN, asked=["clarify"]))
    assert again.trigger != "clarify"


def test_no_rules_means_no_probes_unless_defaults(analyzer):
    q = make_question([])
    assert RuleBasedPolicy().decide(ctx_for(analyzer, THIN_EN, question=q)).kind == "next"
    d = RuleBasedPolicy(default_triggers=["no_example"]).decide(ctx_for(analyzer, THIN_EN, question=q))
    assert d.trigger == "no_example" and d.text.startswith('You said "I usually work well with people"')


def test_follow_up_answers_are_considered_together(analyzer, policy):
    ctx = ctx_for(analyzer, [THIN_EN, FULL_EN], asked=["no_example"], seconds_used=70)
    d = policy.decide(ctx)
    assert d.kind == "next"


def test_short_quote_trims_verbatim():
    s = ("During the migration in 2022 we found that the legacy billing service was silently dropping invoices "
         "for customers in three regions")
    q = short_quote(s, "en", focus="dropping invoices")
    assert len(q.replace("…", "").split()) <= 12 and "dropping invoices" in q
    assert_verbatim(q, s)
    z = short_quote("当时我们的系统在双十一期间每秒需要处理超过十万个订单请求，数据库压力非常大", "zh", focus="数据库")
    assert len(z.replace("…", "")) <= 20 and "数据库" in z


def test_unknown_placeholders_and_braces_are_safe(analyzer, policy):
    q = PlanQuestionSpec(id="x", competency="c", text={"en": "Tell me about a conflict."},
                         follow_ups=[{"trigger": "no_example", "template": {"en": 'Re "{quote}" {unknown} { x } {'}}])
    d = policy.decide(ctx_for(analyzer, THIN_EN, question=q))
    assert d.text == 'Re "I usually work well with people"  { x } {'


# -------------------------------------------------------------------------------------- OpenAI-compatible policy


def client(base_url: str, api_key: str | None, model: str, timeout_s: float = 1.0) -> LlmClient:
    return LlmClient(LlmEndpoint(base_url, model, api_key), timeout_s=timeout_s)


def llm(srv: FakeOpenAI, timeout_s: float = 1.0) -> OpenAICompatiblePolicy:
    return OpenAICompatiblePolicy(client(srv.base_url, "sk-test", "test-model", timeout_s), RuleBasedPolicy())


async def test_llm_good_reply(analyzer, fake_openai):
    fake_openai.reply_content = json.dumps({
        "kind": "followup", "trigger": "missing_numbers",
        "text": 'You said "the launch went smoothly". How much faster were releases afterwards?',
        "quote": "the launch went smoothly", "reason": "The result has no numbers.",
    })
    ctx = ctx_for(analyzer, NONUM_EN)
    d = await llm(fake_openai).adecide(ctx)
    assert d.source == "llm" and d.kind == "followup" and d.trigger == "missing_numbers"
    assert d.text.startswith('You said "the launch went smoothly"') and d.reason.startswith("Model:")
    req = fake_openai.requests[-1]
    assert req["model"] == "test-model" and req["messages"][0]["role"] == "system"
    assert req["response_format"]["type"] == "json_schema"
    assert req["response_format"]["json_schema"]["schema"] == FollowUpReply.model_json_schema()
    user = json.loads(req["messages"][1]["content"])
    assert user["answer"] == NONUM_EN and "missing_numbers" in user["allowed_triggers"]
    assert fake_openai.headers[-1]["Authorization"] == "Bearer sk-test"


async def test_llm_reply_in_code_fence_and_next(analyzer, fake_openai):
    fake_openai.reply_content = '```json\n{"kind": "next", "trigger": null, "text": "", "quote": "", ' \
                                '"reason": "Complete answer."}\n```'
    d = await llm(fake_openai).adecide(ctx_for(analyzer, FULL_EN))
    assert d.source == "llm" and d.kind == "next"


async def test_llm_resume_facts_are_not_sent(analyzer, fake_openai):
    fake_openai.reply_content = '{"kind": "next", "reason": "ok"}'
    await llm(fake_openai).adecide(ctx_for(analyzer, CONTRA_EN, resume={"years_experience": 3}))
    sent = json.dumps(fake_openai.requests[-1], ensure_ascii=False)
    assert "years_experience" not in sent and "resume_contradiction" in sent  # the trigger name only


@pytest.mark.parametrize("content", [
    "this is not json",
    '{"kind": "interrogate", "text": "x"}',
    '{"kind": "followup", "trigger": "not_a_trigger", "text": "Tell me more.", "quote": ""}',
    '{"kind": "followup", "trigger": "missing_numbers", "text": "Tell me more.", "quote": "words never said"}',
    '{"kind": "followup", "trigger": "missing_numbers", "text": "", "quote": ""}',
    '["kind", "followup"]',
])
async def test_llm_malformed_reply_falls_back(analyzer, fake_openai, content):
    fake_openai.reply_content = content
    ctx = ctx_for(analyzer, NONUM_EN)
    d = await llm(fake_openai).adecide(ctx)
    rules = RuleBasedPolicy().decide(ctx)
    assert d.source.startswith("rules (llm fallback")
    assert (d.kind, d.trigger, d.text) == (rules.kind, rules.trigger, rules.text)


async def test_llm_rejects_already_asked_trigger_and_wrong_language(analyzer, fake_openai):
    fake_openai.reply_content = json.dumps({"kind": "followup", "trigger": "no_example", "text": "Give an example.",
                                            "quote": "", "reason": "x"})
    d = await llm(fake_openai).adecide(ctx_for(analyzer, THIN_EN, asked=["no_example"]))
    assert d.source.startswith("rules (llm fallback") and d.trigger != "no_example"
    fake_openai.reply_content = json.dumps({"kind": "followup", "trigger": "no_example",
                                            "text": "Could you give an example?", "quote": "", "reason": "x"})
    dz = await llm(fake_openai).adecide(ctx_for(analyzer, THIN_ZH, "zh"))
    assert dz.source.startswith("rules (llm fallback") and HAN.search(dz.text)


@pytest.mark.parametrize("mode", ["http500", "not_completion"])
async def test_llm_http_errors_fall_back(analyzer, fake_openai, mode):
    fake_openai.mode = mode
    d = await llm(fake_openai).adecide(ctx_for(analyzer, THIN_EN))
    assert d.source.startswith("rules (llm fallback") and d.trigger == "no_example"


async def test_llm_slow_reply_times_out_and_falls_back(analyzer, fake_openai):
    fake_openai.mode = "slow"
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    d = await llm(fake_openai, timeout_s=0.5).adecide(ctx_for(analyzer, THIN_EN))
    assert loop.time() - t0 < 2.0
    assert d.source == "rules (llm fallback: timeout)" and d.trigger == "no_example"


async def test_llm_connection_refused_falls_back(analyzer):
    p = OpenAICompatiblePolicy(client("http://127.0.0.1:9/v1", None, "m", 1.0), RuleBasedPolicy())
    d = await p.adecide(ctx_for(analyzer, THIN_EN))
    assert d.source.startswith("rules (llm fallback") and d.trigger == "no_example"


async def test_llm_not_called_when_limits_reached(analyzer, fake_openai):
    q = make_question(max_follow_ups=1)
    d = await llm(fake_openai).adecide(ctx_for(analyzer, THIN_EN, question=q, asked=["no_example"]))
    assert d.kind == "next" and d.source == "rules" and fake_openai.requests == []


async def test_sync_decide_inside_loop_is_refused(analyzer):
    p = OpenAICompatiblePolicy(client("http://127.0.0.1:9/v1", None, "m", 1.0))
    with pytest.raises(RuntimeError, match="adecide"):
        p.decide(ctx_for(analyzer, THIN_EN))


def test_sync_decide_outside_loop(analyzer):
    p = OpenAICompatiblePolicy(client("http://127.0.0.1:9/v1", None, "m", 1.0))  # nothing listens: falls back
    d = p.decide(ctx_for(analyzer, THIN_EN))
    assert isinstance(d, FollowUpDecision) and d.trigger == "no_example" and "fallback" in d.source
    assert "sk-" not in repr(OpenAICompatiblePolicy(client("http://x", "sk-secret", "m")))


def _story_elsewhere(specificity: str, words: int) -> AnswerContext:
    features = {"relevance": {"label": "partly", "about_something_else": True},
                "specificity": {"label": specificity}, "length": {"words": words}, "sentences": ["A story."]}
    return AnswerContext(question=make_question(), language="en", answer="A story. " * (words // 2),
                         features=features, quotes={"relevance": "A story."})


def test_a_story_about_something_else_is_clarified_once_a_short_non_answer_is_not():
    policy = RuleBasedPolicy()
    assert [d["trigger"] for d in policy.detect(_story_elsewhere("concrete", 80))] == ["clarify"]
    assert "clarify" not in [d["trigger"] for d in policy.detect(_story_elsewhere("general", 20))]
    asked = replace(_story_elsewhere("concrete", 80), asked=("clarify",))
    assert "clarify" not in [d["trigger"] for d in policy.detect(asked)]
