"""What the detector knows at each labelled silence of a corpus: the evidence behind the fusion rule's settings.

For every silence of at least ``pause_min_ms`` in a recorded replay (``benchmarks/turn_replay.py``), the state once
the recogniser's final and the acoustic score of the speech before it are in: the words' class
(``AnswerEndDetector.content_class``), the acoustic model's P(finished), and the longest pause the candidate made
before it. Each silence is matched to the corpus labels (a labelled pause of some kind, or the true end with its
ending kind) by where the speech before it ended. ``summarise`` counts them per class and probability band, so a
setting can be read off the whole set (never off one file).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from analyzers.vad import FRAME_MS
from dialogue.speech_turns import SpeechStarted, feed_detector, open_detector
from dialogue.turn_taking import TurnTakingConfig

MATCH_TOLERANCE_S = 0.6
"""A silence belongs to the labelled pause (or end) that starts within this of where the VAD says speech ended."""
P_BANDS = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.01)


@dataclass(frozen=True)
class Silence:
    file: str
    speech_end_s: float
    duration_s: float | None
    """None: the file ended (no speech after)."""
    label: str
    """``pause:<kind>``, ``end:<ending kind>`` or ``unlabelled``."""
    content_class: str
    probability: float | None
    longest_prior_pause_s: float
    pitch_change_st: float | None = None


def silences(name: str, trace, duration_ms: int, config: TurnTakingConfig, entry: dict) -> list[Silence]:
    starts = sorted(item.at_ms for _, item in trace if isinstance(item, SpeechStarted))
    detector = open_detector(config, 0, None, None, False, entry.get("question", ""))
    out: list[Silence] = []
    seen: set[int] = set()
    k = 0
    for t in range(0, duration_ms, FRAME_MS):
        while k < len(trace) and trace[k][0] < t:
            feed_detector(detector, trace[k][1])
            k += 1
        end = detector.last_speech_end_ms
        if end is None or detector.speaking or end in seen:
            continue
        ready = detector.pending_finals == 0 and detector.turn_scores_pending == 0
        if not ready and t - end < config.final_wait_max_ms:
            continue
        seen.add(end)
        after = next((s for s in starts if s > end), None)
        if after is not None and after - end < config.pause_min_ms:
            continue
        prior = [p for p in detector.pauses_ms]
        out.append(Silence(name, end / 1000, None if after is None else (after - end) / 1000, _label(end / 1000, entry),
                           detector.content_class(), detector.turn_probability, max(prior, default=0) / 1000,
                           detector.turn_pitch_change_st))
    return out


def _label(speech_end_s: float, entry: dict) -> str:
    cands = [(abs(p["start_s"] - speech_end_s), "pause:" + p.get("kind", "unknown")) for p in entry.get("pauses", [])]
    if entry.get("end_of_answer_s") is not None:
        cands.append((abs(entry["end_of_answer_s"] - speech_end_s), "end:" + entry.get("ending_kind", "unknown")))
    best = min(cands, default=None)
    return best[1] if best and best[0] <= MATCH_TOLERANCE_S else "unlabelled"


def _band(p: float | None) -> str:
    if p is None:
        return "none"
    for lo, hi in zip(P_BANDS, P_BANDS[1:]):
        if lo <= p < hi:
            return f"{lo:g}-{min(hi, 1):g}"
    return "none"


def summarise(items: list[Silence]) -> dict:
    """Per label: how many silences, by words' class, by acoustic band, and both; with P(finished) quartiles."""
    by_label: dict[str, list[Silence]] = defaultdict(list)
    for s in items:
        by_label[s.label.split(":")[0] + ":" + s.label.split(":")[-1]].append(s)
    out = {}
    for label, xs in sorted(by_label.items()):
        ps = sorted(s.probability for s in xs if s.probability is not None)
        q = (lambda f: round(ps[min(len(ps) - 1, int(f * (len(ps) - 1) + 0.5))], 3) if ps else None)
        pitch = sorted(s.pitch_change_st for s in xs if s.pitch_change_st is not None)
        qp = (lambda f: round(pitch[min(len(pitch) - 1, int(f * (len(pitch) - 1) + 0.5))], 2) if pitch else None)
        out[label] = {
            "n": len(xs),
            "by_class": dict(Counter(s.content_class for s in xs)),
            "by_probability": dict(sorted(Counter(_band(s.probability) for s in xs).items())),
            "class_and_probability": dict(sorted(Counter(f"{s.content_class}|{_band(s.probability)}"
                                                         for s in xs).items())),
            "probability_q25_q50_q75": [q(0.25), q(0.5), q(0.75)],
            "pitch_change_st_q25_q50_q75": [qp(0.25), qp(0.5), qp(0.75)],
            "falling_pitch_le_minus_1st": sum(1 for p in pitch if p <= -1.0),
            "with_longer_prior_pause": sum(1 for s in xs if s.duration_s is not None
                                           and s.longest_prior_pause_s >= s.duration_s),
        }
    return out
