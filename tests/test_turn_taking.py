"""Content-aware end-of-answer detection, driven by explicit media times (no sleeps)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dialogue.answer_cues import asks_for_time, detect_intent, ends_unfinished, states_result
from dialogue.end_fusion import FusionWeights
from dialogue.turn_taking import AnswerEndDetector, SilenceAnswerEndDetector, TurnTakingConfig, classify_answer

pytestmark = pytest.mark.unit
# The tests' own fusion (1 log-odds unit per second of silence, so each weight is a shift in seconds): with the
# neutral silence at 1200 ms, a stated result ends after 420 ms, a complete sentence after a result 600, a listing
# in progress 2500, an unfinished clause or a request for time 3500. The voice and the pause history weigh nothing
# here; they are tested on their own below.
WORDS = FusionWeights(silence=1.0, intercept=-1.2, weights={"result": 0.78, "complete": 0.6, "listing": -1.3,
                                                            "unfinished": -2.3, "thinking": -2.3})
CFG = TurnTakingConfig(answer_end_silence_ms=1200, fusion=WORDS, min_end_silence_ms=400)


def utter(d: AnswerEndDetector, start: int, end: int, text: str) -> None:
    """One utterance: VAD start/end, then its final and done (as the transcriber delivers them)."""
    d.speech_started(start)
    d.speech_ended(end)
    d.final_received(text)
    d.utterance_done()


def first_decision(d: AnswerEndDetector, t0: int, t1: int) -> tuple[int, str] | None:
    """Run the runtime's loop (every 20 ms: check when due) from t0 to t1."""
    for t in range(t0, t1, 20):
        due = d.due_at()
        if due is not None and t >= due:
            reason = d.check(t)
            if reason:
                return t, reason
    return None


def test_pause_after_and_then_is_not_cut_into():
    d = AnswerEndDetector(CFG, 0)
    utter(d, 1000, 5000, "In my last role I led a team of five engineers and then...")
    assert first_decision(d, 5000, 7000) is None  # a 2 s thinking pause
    utter(d, 7000, 10_000, "we cut the monthly processing time from three days to four hours.")
    t, reason = first_decision(d, 10_000, 20_000)
    assert reason == "silence" and d.end_class == "result" and t - 10_000 <= 500


def test_complete_answer_with_result_ends_within_the_short_silence():
    d = AnswerEndDetector(CFG, 0)
    d.speech_started(500)
    d.speech_ended(6000)
    assert d.check(6400) is None  # the final is not in yet
    d.final_received("I rewrote the slow queries myself. As a result we cut the page load time by forty percent.")
    d.utterance_done()
    assert d.due_at() == 6000 + 420 and d.check(6420) == "silence" and d.end_class == "result"
    # the silence-only detector would still wait the full base silence
    s = SilenceAnswerEndDetector(CFG, 0)
    utter(s, 500, 6000, "As a result we cut the page load time by forty percent.")
    assert s.check(6420) is None and s.check(7200) == "silence"


def test_complete_sentence_without_a_result_waits_the_base_silence():
    d = AnswerEndDetector(CFG, 0)
    utter(d, 500, 5000, "In my last job I worked on the payments team at a mid sized retailer.")
    assert d.check(5000 + 1000) is None and d.check(5000 + 1200) == "silence"


def test_repeat_intent():
    for text in ("Could you repeat the question?", "Sorry, what was the question?", "请再说一遍。", "能重复一下问题吗？"):
        assert detect_intent(text) == "repeat", text
        d = AnswerEndDetector(CFG, 0)
        utter(d, 1000, 2500, text)
        assert d.intent() == "repeat"
        assert d.check(2500 + 300) is None  # by default check keeps the old reasons; the runtime polls intent()
        d = AnswerEndDetector(replace(CFG, intent_reasons=True), 0)
        utter(d, 1000, 2500, text)
        assert d.check(2500 + 300) == "repeat"
    assert detect_intent("I would repeat the same process for every service we own in the company today") is None


def test_repeat_intent_is_seen_in_a_partial():
    d = AnswerEndDetector(CFG, 0)
    d.speech_started(1000)
    d.partial_received("could you repeat the")
    assert d.intent() is None
    d.partial_received("could you repeat the question")
    assert d.intent() == "repeat"


@pytest.mark.parametrize("phrase", ["Let me think.", "Give me a moment.", "让我想一想。", "稍等一下。"])
def test_thinking_waits(phrase):
    d = AnswerEndDetector(CFG, 0)
    utter(d, 1000, 2000, phrase)
    assert d.intent() == "thinking"
    assert first_decision(d, 2000, 15_000) is None  # only thinking so far: not an answer
    utter(d, 15_000, 20_000, "I led the migration of the billing system to the cloud last year. Let me think.")
    assert first_decision(d, 20_000, 23_400) is None  # thinking after content waits 3.5 s
    assert first_decision(d, 23_400, 24_000) == (23_500, "silence")


def test_thinking_only_ends_as_no_answer_eventually():
    d = AnswerEndDetector(CFG, 0)
    utter(d, 1000, 2000, "Let me think.")
    assert first_decision(d, 2000, 30_000) == (22_000, "no_answer")


def test_chinese_unfinished_pause_and_result():
    d = AnswerEndDetector(CFG, 0)
    utter(d, 1000, 6000, "我上一份工作是在一家零售公司做支付系统，我先测量了时间都花在哪里，然后")
    assert first_decision(d, 6000, 8500) is None  # 2.5 s pause after 然后
    utter(d, 8500, 13_000, "结果页面加载时间减少了百分之四十。")
    t, reason = first_decision(d, 13_000, 20_000)
    assert reason == "silence" and d.end_class == "result" and t - 13_000 <= 500


@pytest.mark.parametrize("tail", ["所以", "因为", "就是", "那个", "还有", "、", "，"])
def test_chinese_unfinished_endings(tail):
    assert classify_answer("我负责整个后端服务的重构和上线工作" + tail, "x", CFG) == "unfinished"


@pytest.mark.parametrize("tail", ["and", "so", "because", "then", "um", "the", "with"])
def test_english_unfinished_endings(tail):
    text = f"I was responsible for the whole backend rewrite of our service {tail}."  # Whisper adds a period
    assert classify_answer(text, text, CFG) == "unfinished"


def test_listing_in_progress_waits():
    text = "There were three reasons we failed. First, the code had no tests at all."
    assert classify_answer(text, text, CFG) == "listing"
    done = text + " Second, nobody owned it. Finally, we had no budget left for the project."
    assert classify_answer(done, done, CFG) != "listing"
    zh = "主要有三点原因。第一，代码没有测试。"
    assert classify_answer(zh, zh, CFG) == "listing"
    d = AnswerEndDetector(CFG, 0)
    utter(d, 1000, 5000, text)
    assert first_decision(d, 5000, 7400) is None and first_decision(d, 7400, 8000) == (7500, "silence")


def test_no_answer_timeout_and_time_limit_still_work():
    d = AnswerEndDetector(CFG, 0)
    assert d.due_at() == 60_000 and d.check(59_980) is None and d.check(60_000) == "no_answer"
    d = AnswerEndDetector(CFG, 0)
    d.speech_started(1000)
    d.speech_ended(1300)  # a cough: nothing recognised
    d.utterance_done()
    assert first_decision(d, 1300, 59_000) is None and d.check(60_000) == "no_answer"
    d = AnswerEndDetector(CFG, 0, time_limit_ms=30_000)
    d.speech_started(1000)
    assert d.check(31_000) is None  # never cut the candidate off mid-utterance
    d.speech_ended(32_000)
    assert d.check(32_100) is None  # nor before the recogniser is done
    d.final_received("and then I")
    d.utterance_done()
    assert d.due_at() <= 32_100 and d.check(32_100) == "time_limit"


def test_final_that_never_comes_does_not_hang_the_turn():
    d = AnswerEndDetector(CFG, 0)
    utter(d, 500, 5000, "I rewrote the slow queries myself. As a result we cut the load time by forty percent.")
    d.speech_started(6000)
    d.partial_received("and that was")
    d.speech_ended(7000)  # the recogniser never delivers this utterance
    assert first_decision(d, 7000, 11_900) is None
    assert first_decision(d, 11_900, 13_000) is not None  # final_wait_max_ms, then the known text decides


def test_barge_in_over_a_playing_question():
    d = AnswerEndDetector(CFG, 0)
    d.question_playing(0)  # still playing
    assert not d.barge_in(500)
    d.speech_started(1000)
    assert not d.barge_in(1200)
    d.partial_received("okay")  # a backchannel does not stop the question
    assert not d.barge_in(1300)
    d.partial_received("sorry I")
    assert d.barge_in(1300)
    d2 = AnswerEndDetector(CFG, 0)
    d2.question_playing(0, 3000)
    d2.speech_started(1000)
    assert not d2.barge_in(1700) and d2.barge_in(1800)  # 800 ms of speech
    d2.speech_ended(1900)
    assert not d2.barge_in(2000)
    d3 = AnswerEndDetector(CFG, 0)
    d3.question_playing(0)
    d3.speech_started(1000)
    # "okay" (650 ms voiced) then silence: the VAD's hangover keeps the utterance open, but it is not speech
    assert not d3.barge_in(1650, trailing_silence_ms=0)
    assert not d3.barge_in(1900, trailing_silence_ms=250)
    assert not d3.barge_in(2100, trailing_silence_ms=450)
    d2.speech_started(3500)
    assert not d2.barge_in(4000)  # the question is over: nothing to stop


def test_a_partial_then_the_same_final_is_classified_by_its_words():
    """Regression: a partial classified before its final must not leave a stale class behind."""
    from dialogue.turn_taking import AnswerEndDetector, TurnTakingConfig

    d = AnswerEndDetector(TurnTakingConfig(), turn_started_ms=0)
    d.speech_started(500)
    d.partial_received("I usually work well with people.")
    d.speech_ended(2500)
    assert d.due_at() is not None
    d.final_received("I usually work well with people.")
    d.utterance_done()
    assert d.content_class() != "thinking_only"
    assert d.due_at() <= 2500 + TurnTakingConfig().answer_end_silence_ms


@pytest.mark.parametrize("sentence, is_result", [
    ("As a result we cut the page load time by forty percent.", True),
    ("Looking back, I would involve the testers much sooner.", True),  # a lesson closes the answer too
    ("Two years ago our mobile app had the worst ratings in our market.", False),  # when, not what came of it
    ("I paired with a senior engineer for a week and then I took over the on call rotation.", False),
    ("I paired with a senior engineer for a week and I took over the one call rotation.", False),  # misheard "on"
    ("我们把客服工单数量减少了一半。", True),
    ("项目用了三个月就上线了。", True),
    ("实习期间，我被安排去优化一个很慢的报表服务。", False),  # 一个 = "a", not a count
    ("我跟一位资深工程师结对了一周，然后我接手了值班工作。", False),
    ("两年前，我们的手机应用在市场上评分最低。", False),
])
def test_what_counts_as_a_stated_result(sentence, is_result):
    assert states_result(sentence) is is_result


def test_scene_then_action_without_a_result_is_not_complete():
    """Regression: "一个" in the opening sentence counted as a result, so a pause after the action was cut at 1 s."""
    text = "实习期间，我被安排去优化一个很慢的报表服务。我跟一位资深工程师结对了一周，然后我接手了值班工作。"
    assert classify_answer(text, text, CFG) == "neutral"


@pytest.mark.parametrize("utterance, asks", [
    ("在上一家公司我们有一个客户对每次发布都不满意让我想想", True),  # no punctuation: run into the sentence before
    ("I led the migration of our billing system last year so let me think", True),
    ("We moved the whole billing system to the cloud and it now answers within one second", False),
    ("我负责整个后端服务的重构，用到了Python、Java、Go等等", False),  # 等等 = "etc."
])
def test_a_request_for_time_at_the_end_of_a_long_utterance(utterance, asks):
    assert asks_for_time(utterance) is asks


def test_i_have_finished_ends_a_cue_less_answer_without_the_silence():
    d = AnswerEndDetector(CFG, 0)
    utter(d, 1000, 4000, "I joined the payments team and started by reading the old billing code.")
    assert d.due_at() == 4000 + CFG.answer_end_silence_ms  # no cue in the words: the base silence
    d.candidate_done(4300)
    assert first_decision(d, 4020, 10_000) == (4300, "candidate_done")
    assert d.end_class == "candidate_done"


def test_i_have_finished_while_speaking_waits_for_the_end_and_the_final():
    d = AnswerEndDetector(CFG, 0)
    d.speech_started(1000)
    d.candidate_done(2000)  # pressed mid-sentence
    assert first_decision(d, 2000, 3000) is None  # still speaking
    d.speech_ended(3000)
    assert first_decision(d, 3000, 3400) is None  # the final of those words is not in yet
    d.final_received("I rebuilt the deployment scripts.")
    d.utterance_done()
    assert first_decision(d, 3400, 4000) == (3400, "candidate_done")


def test_i_have_finished_with_nothing_said_skips_the_question():
    d = AnswerEndDetector(CFG, 0)
    d.candidate_done(1500)
    assert first_decision(d, 1000, 2000) == (1500, "no_answer")


@pytest.mark.parametrize("utterance, intent", [
    ("Give me one second.", "thinking"), ("Sorry, just a second.", "thinking"), ("Wait, one moment please.", "thinking"),
    ("One second.", "thinking"), ("那个，等等", "thinking"), ("等等，我想一下", "thinking"),
    ("It responds in one second.", None), ("We answered within a second.", None), ("我们用了Python、Java等等", None),
])
def test_ambiguous_requests_for_time(utterance, intent):
    assert detect_intent(utterance) == intent


def test_i_have_finished_after_a_rejoin_keeps_what_was_said_before():
    """A rejoin gives a fresh detector with the text said before (and no speech on the new connection yet)."""
    d = AnswerEndDetector(CFG, 10_000)
    d.text_parts = ["I joined the payments team and started by reading the old billing code."]
    d.candidate_done(12_000)
    assert first_decision(d, 11_000, 13_000) == (12_000, "candidate_done")


def test_i_have_finished_on_a_busy_recogniser_waits_for_the_words():
    d = AnswerEndDetector(CFG, 0)
    d.speech_started(1000)
    d.speech_ended(3000)  # the final of these words is late (> final_wait_max_ms)
    d.candidate_done(3100)
    assert first_decision(d, 3100, 3000 + CFG.final_wait_max_ms + 2000) is None  # not "no_answer": words are coming
    d.final_received("I rebuilt the deployment scripts.")
    d.utterance_done()
    t = 3000 + CFG.final_wait_max_ms + 2000
    assert first_decision(d, t, t + 100) == (t, "candidate_done")


def test_benchmark_reads_both_halves_of_the_target_off_the_curve():
    from benchmarks.turn_taking_generated import analyse_target

    def point(base, p95, cut):
        return {"answer_end_silence_ms": base,
                "content_aware": {"all": {"latency_ms_p95": p95, "pause_cut_in_rate": cut}}}

    curve = [point(600, 740.0, 0.47), point(800, 930.0, 0.44), point(2200, 2330.0, 0.033),
             point(2400, 2530.0, 0.009), point(3000, 3130.0, 0.0)]
    headline = {"n": 220, "end_class_counts": {"result": 150, "complete": 15, "neutral": 55}}
    got = analyse_target(curve, headline)
    assert got["p95_at_cut_in_le_3pct"] == {"answer_end_silence_ms": 2400, "latency_ms_p95": 2530.0,
                                            "pause_cut_in_rate": 0.009}
    assert got["cut_in_at_p95_le_800ms"]["answer_end_silence_ms"] == 600
    assert got["answers_ending_without_cue"] == "55/220"
    # a curve where no point keeps p95 within 800 ms says so instead of inventing one
    assert analyse_target(curve[1:], headline)["cut_in_at_p95_le_800ms"] is None


# --- acoustic end-of-turn score and the candidate's pauses ------------------------------------------------------


VOICE_CFG = replace(CFG, fusion=replace(WORDS, weights={**WORDS.weights, "voice_finished": 0.2}))
"""CFG with a small weight on the voice: decisions then wait for its score."""


def test_a_decision_waits_for_the_acoustic_score_of_the_last_speech():
    d = AnswerEndDetector(VOICE_CFG, 0)
    d.speech_started(500)
    d.speech_ended(6000)
    d.turn_score_requested()
    d.final_received("As a result we cut the page load time by forty percent.")
    d.utterance_done()
    assert d.check(6000 + 420) is None  # the words say "result", but the voice's score is not in
    d.turn_scored(0.9, 6000)
    assert d.turn_probability == 0.9 and d.check(6000 + 440) == "silence"


def test_a_score_the_fusion_gives_no_weight_is_not_waited_for():
    """The fitted default weighs the voice at 0 (the server then does not even run the model); a benchmark that
    records the scores all the same must see the server's decisions, so nothing waits for them."""
    assert not CFG.fusion.hears_voice and VOICE_CFG.fusion.hears_voice
    d = AnswerEndDetector(CFG, 0)
    d.speech_started(500)
    d.speech_ended(6000)
    d.turn_score_requested()  # never comes
    d.final_received("As a result we cut the page load time by forty percent.")
    d.utterance_done()
    assert first_decision(d, 6000, 9000) == (6000 + 420, "silence")


def test_a_late_acoustic_score_does_not_hold_the_answer_open_forever():
    d = AnswerEndDetector(VOICE_CFG, 0)
    d.speech_started(500)
    d.speech_ended(6000)
    d.turn_score_requested()  # and it never comes (a failed model call is reported as None; this one is lost)
    d.final_received("As a result we cut the page load time by forty percent.")
    d.utterance_done()
    t, reason = first_decision(d, 6000, 6000 + CFG.turn_score_wait_max_ms + 100)
    assert reason == "silence" and t == 6000 + CFG.turn_score_wait_max_ms


def test_a_score_for_speech_that_was_followed_by_more_speech_is_ignored():
    d = AnswerEndDetector(CFG, 0)
    d.speech_started(500)
    d.speech_ended(3000)
    d.turn_score_requested()
    d.speech_started(3400)  # the candidate goes on before the score is in
    d.turn_scored(0.95, 3000)
    assert d.turn_probability is None


def test_the_candidates_pauses_are_remembered_across_answers():
    from dialogue.speech_turns import open_detector

    d = AnswerEndDetector(CFG, 0)
    utter(d, 500, 3000, "First I looked at the logs,")
    utter(d, 5500, 8000, "and then I found the slow query.")  # a 2.5 s pause
    utter(d, 8300, 9000, "Then.")  # 0.3 s: a gap between words, not a pause
    assert d.pauses_ms == [2500]
    after_cut = open_detector(CFG, 9500, None, d, keep_text=True, question="")
    after_cut.speech_started(11_000)  # the answer went on 2 s after its last speech, across a decision
    assert after_cut.pauses_ms == [2500, 2000]
    next_answer = open_detector(CFG, 20_000, None, after_cut, keep_text=False, question="Next?")
    next_answer.speech_started(23_000)  # the time the question took is no pause of the candidate's
    assert next_answer.pauses_ms == [2500, 2000] and next_answer.text_parts == []


# the voice, the pitch and the pause history: each moves the silence by its weight (1 unit = 1 s here)
VOICE = replace(WORDS, weights={**WORDS.weights, "voice_finished": 1.0, "pitch_falling": 0.5}, hold=-1.0)


def _silence_until_end(cfg: TurnTakingConfig, text: str, voice: float | None = None, pitch: float | None = None,
                       earlier_pause_ms: int | None = None) -> int:
    d = AnswerEndDetector(cfg, 0)
    start = 500
    if earlier_pause_ms:
        utter(d, 500, 3000, "I was asked to fix our release process and then")
        start = 3000 + earlier_pause_ms
    utter(d, start, start + 5000, text)
    if voice is not None:
        d.turn_score_requested()
        d.turn_scored(voice, start + 5000, pitch)
    return first_decision(d, start + 5000, start + 20_000)[0] - (start + 5000)


def test_a_voice_that_sounds_unfinished_holds_an_answer_whose_words_say_it_is_over():
    cfg = replace(CFG, fusion=VOICE)
    result = "As a result we cut the page load time by forty percent."
    unsure = _silence_until_end(cfg, result)  # no score: the voice's terms are 0
    finished = _silence_until_end(cfg, result, voice=0.98)
    stopped = _silence_until_end(cfg, result, voice=0.02)
    assert unsure == 420 and finished < unsure < stopped
    assert stopped - unsure == 980  # logit(0.02) / 4 = -0.97: about a second more


def test_a_falling_pitch_brings_the_end_of_a_cue_less_answer_nearer():
    cfg = replace(CFG, fusion=VOICE)
    text = "In my last job I worked on the payments team at a mid sized retailer."
    level = _silence_until_end(cfg, text, voice=0.5, pitch=0.0)
    falling = _silence_until_end(cfg, text, voice=0.5, pitch=-6.0)
    assert level == cfg.answer_end_silence_ms and falling == level - 500


def test_a_candidate_who_paused_long_before_gets_more_time():
    cfg = replace(CFG, fusion=VOICE)
    text = "We automated every step of the release and cut the release time by half."
    fresh = _silence_until_end(cfg, text)
    after_long_pause = _silence_until_end(cfg, text, earlier_pause_ms=2000)
    assert fresh == 420
    # the hold (-1 per s short of the 2 s pause + 500 ms) halves the rate at which P rises until 2.5 s:
    # (1.2 - 0.78 + 2.5) / 2 = 1.46 s
    assert after_long_pause == 1460
    assert _silence_until_end(replace(cfg, fusion=WORDS), text, earlier_pause_ms=2000) == 420  # hold weight 0


def test_no_signal_ends_an_answer_sooner_than_the_floor_or_later_than_the_cap():
    eager = replace(WORDS, weights={**WORDS.weights, "closing": 5.0})
    cfg = replace(CFG, fusion=eager, min_end_silence_ms=600, max_end_silence_ms=3000)
    assert _silence_until_end(cfg, "We shipped it two weeks early, so yeah, that's it.") == 600
    assert _silence_until_end(cfg, "I was responsible for the whole backend rewrite of our service and") == 3000


@pytest.mark.parametrize("text", ["Every week we met the client and agreed on the next step to review it.",
                                  "The launch date was moved and the whole team moved on.",
                                  "That is how the process works and what the job really is."])
def test_a_sentence_ending_on_a_word_that_can_end_it_is_complete_when_the_recogniser_ends_it(text):
    assert not ends_unfinished(text)
    assert ends_unfinished(text.rstrip("."))  # no full stop: the speaker may go on


def test_an_utterance_that_never_ends_is_cut_a_bounded_while_after_i_have_finished_or_the_time_limit():
    """Steady noise (a fan, a TV) keeps the VAD's utterance open: ``check`` never ends an answer mid-utterance, so
    the runtime cuts it when ``cut_due`` says (``finish_max_wait_ms`` after the press, ``time_limit_grace_ms`` after
    the time ran out), then the answer ends as after a pause."""
    d = AnswerEndDetector(CFG, 0, time_limit_ms=60_000)
    d.speech_started(1000)
    assert not d.cut_due(59_000) and d.cut_at() == 60_000 + CFG.time_limit_grace_ms
    d.candidate_done(5000)
    assert d.cut_at() == 5000 + CFG.finish_max_wait_ms == 9000
    assert not d.cut_due(8980) and d.cut_due(9000) and d.check(9000) is None  # the runtime cuts; check waits
    d.speech_ended(9000)  # the cut utterance's end and words, as after a pause
    assert not d.cut_due(9020)
    d.final_received("I rebuilt the deployment scripts and the noise never stopped.")
    d.utterance_done()
    assert first_decision(d, 9020, 9100) == (9020, "candidate_done")

    d = AnswerEndDetector(CFG, 0, time_limit_ms=30_000)
    d.speech_started(1000)
    assert not d.cut_due(30_000 + CFG.time_limit_grace_ms - 20) and d.cut_due(30_000 + CFG.time_limit_grace_ms)
    d = AnswerEndDetector(CFG, 0)  # no time limit, no press: nothing to cut
    d.speech_started(1000)
    assert d.cut_at() is None and not d.cut_due(10_000_000)


def test_a_time_limit_answer_whose_final_is_late_still_ends_for_the_time_limit():
    """On a busy recogniser the cut utterance's final can take longer than ``final_wait_max_ms``; the answer then
    ends on the text known, and its reason is still the time limit (not a silence the candidate never made)."""
    for detector in (AnswerEndDetector, SilenceAnswerEndDetector):
        d = detector(CFG, 0, time_limit_ms=20_000)
        d.speech_started(1000)
        d.partial_received("the television in the")
        cut = 20_000 + CFG.time_limit_grace_ms
        d.speech_ended(cut)  # the runtime's cut; the final is not in
        assert first_decision(d, cut, cut + CFG.final_wait_max_ms - 20) is None
        assert first_decision(d, cut + CFG.final_wait_max_ms - 20, cut + CFG.final_wait_max_ms + 200) == (
            cut + CFG.final_wait_max_ms, "time_limit"), detector
