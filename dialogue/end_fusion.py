"""P(the answer is over | what is known, the silence so far): one logistic combination of the end-of-answer signals.

At every moment of a silence after the candidate's speech the detector knows its signals (``EndSignals``): what the
words say (``dialogue/answer_cues.py``: a class, and whether the last utterance is a closing phrase), what the voice
says (Smart Turn's P(finished) and the pitch movement at the end of the speech, ``analyzers/end_of_turn.py``), the
longest pause this candidate has made in the interview, and how long the silence has lasted. The fusion is a
discrete-time hazard model, fitted by logistic regression on every 100 ms of every silence of a labelled corpus
(``benchmarks/turn_fusion.py``)::

    logit P(end | signals, s) = a * s + b + sum_i w_i * x_i(signals) + h * max(0, longest_pause + margin - s)

The answer is over at the first moment P reaches the decision threshold ``theta``. Every term but the silence is
fixed during a silence (until a final transcript or an acoustic score comes in), so that moment has a closed form
(``silence_needed_ms``): with ``neutral_ms`` the silence at which an answer with no cue either way reaches theta
(``a * neutral + b = logit(theta)``), each signal moves the needed silence by ``-w_i * x_i / a`` seconds. That is how
the runtime's one setting keeps its meaning: ``TurnTakingConfig.answer_end_silence_ms`` is ``neutral_ms`` and
sweeping it sweeps theta (the benchmark's trade-off curve).

Signs are constrained, not just fitted (a fit on 40 synthetic answers must not learn that a voice sounding finished
means the speaker goes on): more silence, a stated result, a complete sentence after a result, a closing phrase, a
voice that sounds finished and a falling pitch can only bring the end nearer; an unfinished clause, a listing in
progress, a request for time and a long earlier pause can only push it away. A weight the data gives no support is 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WORD_CLASSES = ("unfinished", "listing", "thinking", "result", "complete")
"""``classify_answer`` classes with a weight; ``"neutral"`` (no cue either way) is the baseline."""
FEATURES = (*WORD_CLASSES, "closing", "voice_finished", "pitch_falling")
"""The signals' features ``x_i`` (besides the silence and the pause-history hold)."""
SIGNS = {"unfinished": -1, "listing": -1, "thinking": -1, "result": 1, "complete": 1, "closing": 1,
         "voice_finished": 1, "pitch_falling": 1}
"""The sign each weight is allowed (0 allowed too); the hold's weight is <= 0 and the silence's > 0."""
VOICE_FEATURES = ("voice_finished", "pitch_falling")
"""The features read from the audio at the end of the speech (``analyzers/end_of_turn.py``)."""
VOICE_LOGIT_SCALE = 4.0
"""Smart Turn's P(finished) enters as logit(P) / 4 clipped to [-1, 1] (P 0.02-0.98), 0 when there is no score."""
PITCH_SCALE_ST = 6.0
"""The pitch movement enters as -semitones / 6 clipped to [-1, 1] (a fall of 6 st or more is 1), 0 when unknown."""


@dataclass(frozen=True)
class EndSignals:
    """What is known at a moment of silence after speech (the silence itself aside)."""

    words: str
    """``classify_answer``'s class: unfinished, listing, thinking, result, complete or neutral."""
    closing: bool = False
    """The last utterance holds a closing phrase ("that's it", "就这些")."""
    probability: float | None = None
    """Smart Turn's P(finished) at the end of the newest speech (None: no model or not in yet)."""
    pitch_change_st: float | None = None
    """How the pitch moved at the end of the newest speech (semitones, negative: falling; None: too little voice)."""
    longest_pause_ms: int = 0
    """The longest pause the candidate has spoken on after in this interview."""


@dataclass(frozen=True)
class FusionWeights:
    """The fitted model (``benchmarks/turn_fusion.py``): ``silence`` per second (> 0), ``intercept``, one weight per
    ``FEATURES`` name (absent: 0) and ``hold`` per second of (longest earlier pause + ``hold_margin_ms`` - silence)."""

    silence: float
    intercept: float
    weights: dict[str, float] = field(default_factory=dict)
    hold: float = 0.0
    hold_margin_ms: int = 500

    def __post_init__(self) -> None:
        if not self.silence > 0:
            raise ValueError("the silence's weight must be positive (more silence, nearer the end)")
        unknown = set(self.weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown features: {sorted(unknown)}")
        if self.hold > 0 or any(SIGNS[k] * w < 0 for k, w in self.weights.items()):
            raise ValueError("a weight has the sign its signal may not have (see end_fusion.SIGNS)")

    @property
    def hears_voice(self) -> bool:
        """Whether the voice's signals (Smart Turn, pitch) weigh anything: with both at 0 (the fitted default) the
        acoustic model need not be asked at all, and nothing waits for it."""
        return any(self.weights.get(k, 0.0) for k in VOICE_FEATURES)

    def evidence(self, signals: EndSignals) -> float:
        """``sum_i w_i * x_i``: the signals' log-odds for the end, the silence aside."""
        return sum(self.weights.get(k, 0.0) * v for k, v in feature_values(signals).items())

    def threshold_at(self, neutral_ms: int) -> float:
        """The decision threshold theta that ``neutral_ms`` stands for (P at that silence with no cue)."""
        return _sigmoid(self.silence * neutral_ms / 1000 + self.intercept)


DEFAULT_FUSION = FusionWeights(silence=1.455, intercept=-2.85,
                               weights={"thinking": -1.099, "result": 0.444, "complete": 1.856, "closing": 2.112})
"""Fitted on the dev set's 40 synthetic answers (``python -m benchmarks.turn_fusion``; 135 silences of 0.6 s or more,
39 of them true ends, sampled every 100 ms: 2,900 samples), with the operating point ``answer_end_silence_ms`` 3400
(theta 0.89): the shortest neutral silence that cuts at most 3 % of the pauses in each language. What each term does
to the silence needed (``-w / silence``) and why:

* silence 1.455 per second: P(end) rises with the silence; on its own it is the whole model's backbone, because
  nothing else separates well (AUCs below are for one signal alone, ends against pauses of 1 s or more, en / zh);
* "complete" (a complete sentence after a result was stated earlier) -1.28 s: AUC 0.64 / 0.55;
* a closing phrase ("that's it", "就是这样") -1.45 s, and it also puts the words in "result" -0.31 s: 3 of 39 ends,
  none of 118 pauses;
* "result" (the last sentence states a result or lesson) -0.31 s only: stated results end 8 of 39 answers but come
  before 14 of 80 long pauses (AUC 0.47 / 0.61: after a result, speakers add a lesson);
* "thinking" (the last utterance asks for time) +0.76 s: 1 pause; "let me think" alone is ruled apart (20 s);
* "unfinished" and "listing" 0: the fit gives them nothing because 3 of the 5 answers that trail off ("..., so...")
  end on an unfinished clause just as 9 of 15 mid-clause pauses do, and 9 of 39 ends read as a listing in progress
  (AUC 0.48 / 0.50 and 0.57 / 0.53);
* Smart Turn 0: on these synthetic voices it hears the pauses as more finished than the ends (median P 0.76 after a
  final-sounding sentence, 0.86 after a result, 0.23 / 0.65 / 0.007 at ends with a cue / without / trailing off;
  AUC 0.41 / 0.42), and asked again later in the silence it does no better (AUC 0.39-0.50 at 0.2, 0.4, 0.7, 1.0
  and 1.5 s); its sign may not be reversed, so its weight is 0 until speech where it helps is measured;
* pitch 0: it falls at ends and pauses alike (median -1.3 / -2.1 st at ends with / without a cue, -1.2 after a
  final-sounding sentence; AUC 0.53 / 0.54);
* pause history (hold) 0: the longest earlier pause is longer at ends (AUC 0.89 / 0.91) only because ends come after
  every pause of the answer; in these answers a pause's length is drawn independently of the ones before, so the
  history cannot tell the fit whether a candidate who paused long pauses long again (the hold may only delay ends).
Held out (refitted without the answers measured): by language 2/118 pauses cut (en 2/58, zh 0/60), p95 3.49 s; by
speaker 2/118, p95 3.55 s. The in-sample figures and the README's issue-13 section say more."""


def feature_values(signals: EndSignals) -> dict[str, float]:
    """``x_i`` for every name in ``FEATURES``."""
    x = {k: float(signals.words == k) for k in WORD_CLASSES}
    x["closing"] = float(signals.closing)
    p = signals.probability
    if p is None:
        x["voice_finished"] = 0.0
    else:
        p = min(max(p, 1e-6), 1 - 1e-6)
        x["voice_finished"] = _clip(math.log(p / (1 - p)) / VOICE_LOGIT_SCALE)
    pitch = signals.pitch_change_st
    x["pitch_falling"] = 0.0 if pitch is None else _clip(-pitch / PITCH_SCALE_ST)
    return x


def hold_s(signals: EndSignals, silence_ms: int, margin_ms: int) -> float:
    """The pause-history term: seconds the silence is still short of the longest earlier pause plus the margin."""
    if not signals.longest_pause_ms:
        return 0.0
    return max(0.0, (signals.longest_pause_ms + margin_ms - silence_ms) / 1000)


def p_end(signals: EndSignals, silence_ms: int, model: FusionWeights) -> float:
    """P(the answer is over | signals, ``silence_ms`` of silence so far)."""
    z = (model.silence * silence_ms / 1000 + model.intercept + model.evidence(signals)
         + model.hold * hold_s(signals, silence_ms, model.hold_margin_ms))
    return _sigmoid(z)


def silence_needed_ms(signals: EndSignals, model: FusionWeights, neutral_ms: int) -> int:
    """The first silence (ms) at which ``p_end`` reaches the threshold that ``neutral_ms`` stands for. The log-odds
    rise with the silence (slope ``silence``, plus ``-hold`` while the hold lasts), so it is where they cross."""
    a, h = model.silence, model.hold
    need = neutral_ms / 1000 - model.evidence(signals) / a  # where the crossing is once the hold is over
    if not h or not signals.longest_pause_ms:
        return max(0, round(need * 1000))
    hold_end = (signals.longest_pause_ms + model.hold_margin_ms) / 1000
    if need >= hold_end:
        return round(need * 1000)
    # within the hold: a*(s - neutral) + E + h*(hold_end - s) = 0
    s = (a * neutral_ms / 1000 - model.evidence(signals) - h * hold_end) / (a - h)
    return max(0, round(min(s, hold_end) * 1000))


def _clip(v: float) -> float:
    return max(-1.0, min(1.0, v))


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


__all__ = ["DEFAULT_FUSION", "EndSignals", "FusionWeights", "FEATURES", "SIGNS", "feature_values", "hold_s", "p_end",
           "silence_needed_ms"]
