"""What the analyzers measure for operators, as Prometheus metrics of this process (prometheus_client's default
registry; the server exposes them at ``/metrics``). Labels are only kinds of work (a model id, a decode step, an
analyzer's name, a call's outcome): never an interview, a candidate or what was said.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

DECODE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
FRAME_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.1, 0.25, 0.5)
LAG_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
LLM_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0)

SPEECH_DECODE_SECONDS = Histogram(
    "interview_speech_decode_seconds", "One speech-model call on an inference thread (the wait for the thread not "
    "included), by model and step: accept (a partial), speculate (at a pause), finish_utterance / "
    "finish_speculated (the final), commit_speculation, open_stream, start_utterance",
    ["model", "step"], buckets=DECODE_BUCKETS)

FRAME_ANALYSIS_SECONDS = Histogram(
    "interview_frame_analysis_seconds", "One video frame's analysis by one analyzer (face, pose, hands), its "
    "conversion to RGB included", ["analyzer"], buckets=FRAME_BUCKETS)

ANALYSIS_LAG_SECONDS = Histogram(
    "interview_analysis_lag_seconds", "From a video frame's arrival to its observation, by analyzer (the target "
    "is p95 < 0.5 s)", ["analyzer"], buckets=LAG_BUCKETS)

LLM_CALLS = Counter(
    "interview_llm_calls", "Language-model judgements asked, by call (ask: a JSON reply; yes_odds: a yes/no "
    "probability) and outcome: answered, cached, or a fallback to the rules: unavailable (no engine, or not ready), "
    "timeout, failed", ["call", "outcome"])

LLM_CALL_SECONDS = Histogram(
    "interview_llm_call_seconds", "A language-model judgement that reached the engine (retries included), by call",
    ["call"], buckets=LLM_BUCKETS)
