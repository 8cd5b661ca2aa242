"""Fit the end-of-answer fusion (``dialogue/end_fusion.py``) on a labelled corpus, and measure it on answers it was
not fitted on.

    python -m benchmarks.turn_fusion --corpus DIR --load-replay REPLAY.pkl

``REPLAY.pkl`` is the recorded recognition of the corpus (``python -m benchmarks.turn_taking --corpus DIR
--save-replay REPLAY.pkl``): every detector input on the audio clock, so the detector can be re-run without the
recogniser. From it:

* samples (``labelled_silences``): every silence of ``pause_min_ms`` or more after speech, labelled from the
  corpus (the true end, or a pause), with what the detector knew (``AnswerEndDetector.end_signals``) every 100 ms
  of it once the final transcript and the acoustic score were in (no decision can come sooner);
* the fit (``fit_fusion``): logistic regression of "this silence is the end" on the silence so far and the signals
  (the discrete-time hazard model of ``end_fusion``), L2-penalised, each weight held to its allowed sign;
* the operating point (``choose_neutral_ms``): the shortest neutral silence at which the detector, replayed with
  those weights, cuts at most ``target`` of the pauses in every language of the fitting set;
* held-out figures (``cross_validate``): per fold, fit and choose the operating point on the other files only, then
  replay the held-out files; the held-out decisions of all folds are scored together by the set's scorer.
  ``language``: fit on one language, test on the other; ``speaker``: leave one voice out (the entry's
  ``speaker`` or ``voice``, else the file).

Prints the fitted weights (what ``DEFAULT_FUSION`` holds), the signals' distributions at ends and at pauses, and the
in-sample and held-out figures, one JSON object a line; the last line has them all.
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import tempfile
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from analyzers.vad import FRAME_MS
from benchmarks.turn_replay import Decision, LiveReplay, replay_trace
from dialogue.end_fusion import FEATURES, SIGNS, EndSignals, FusionWeights, feature_values, hold_s
from dialogue.speech_turns import SpeechStarted, feed_detector, open_detector
from dialogue.turn_taking import TurnTakingConfig

STEP_MS = 100
"""Samples are taken every this many ms of a silence."""
TARGET_CUT_RATE = 0.03
"""The operating point: at most this share of pauses cut, in every language (the issue's bar)."""
L2 = 5.0
"""L2 penalty on the signals' weights (not on the silence's or the intercept): with ~40 answers a class seen a few
times must not get a large weight from them alone."""
END_MATCH_S = 0.6
"""A silence is the true end when the speech before it ended within this of the labelled end (and none followed)."""
NEUTRAL_RANGE_MS = (600, 8000)
PRODUCT_PAUSES_S = 2.5
"""The product's thinking pauses are 0.8-2.5 s (the brief's target): the operating point for those alone is shown
too."""


@dataclass(frozen=True)
class LabelledSilence:
    file: str
    language: str
    group: str
    is_end: bool
    kind: str
    """``end:<ending kind>``, ``pause:<pause kind>`` or ``unlabelled`` (a silence the labels do not mark)."""
    speech_end_ms: int
    """Where the speech before it ended (the VAD's back-dated end), on the file's clock."""
    duration_ms: int | None
    """None: no speech followed (the file ended)."""
    points: tuple[tuple[int, EndSignals], ...]
    """(silence so far in ms, what was known) every ``STEP_MS`` once the final and the acoustic score were in."""


def speaker_of(name: str, entry: dict) -> str:
    return str(entry.get("speaker") or entry.get("voice") or name)


def labelled_silences(name: str, replay: LiveReplay, config: TurnTakingConfig, entry: dict) -> list[LabelledSilence]:
    """The corpus file's silences after speech with the detector's signals along each (see the module docstring)."""
    trace = replay.trace
    starts = sorted(item.at_ms for _, item in trace if isinstance(item, SpeechStarted))
    end_s = entry.get("end_of_answer_s")
    detector = open_detector(config, 0, None, None, False, str(entry.get("question") or ""))
    found: dict[int, list[tuple[int, EndSignals]]] = {}
    k = 0
    for t in range(0, replay.duration_ms, FRAME_MS):
        while k < len(trace) and trace[k][0] < t:
            feed_detector(detector, trace[k][1])
            k += 1
        end = detector.last_speech_end_ms
        if end is None or detector.speaking:
            continue
        points = found.setdefault(end, [])
        silence = t - end
        if silence % STEP_MS or detector.pending_finals or detector.turn_scores_pending:
            continue
        if detector.content_class() in ("empty", "thinking_only"):
            continue  # decided by rules of their own, not the fusion
        points.append((silence, detector.end_signals()))
    out = []
    for end, points in found.items():
        after = next((s for s in starts if s > end), None)
        duration = None if after is None else after - end
        if not points or (duration is not None and duration < config.pause_min_ms):
            continue
        is_end = after is None and end_s is not None and abs(end / 1000 - float(end_s)) <= END_MATCH_S
        if after is None and not is_end:
            continue  # unlabelled (e.g. noise after the end)
        kind = "end:" + str(entry.get("ending_kind") or "unknown") if is_end else _pause_kind(end / 1000, entry)
        out.append(LabelledSilence(name, str(entry.get("language") or "en"), speaker_of(name, entry), is_end, kind,
                                   end, duration, tuple(points)))
    return out


def _pause_kind(speech_end_s: float, entry: dict) -> str:
    near = [(abs(float(p["start_s"]) - speech_end_s), p) for p in entry.get("pauses", [])]
    best = min(near, key=lambda x: x[0], default=None)
    return "pause:" + str(best[1].get("kind") or "unknown") if best and best[0] <= END_MATCH_S else "unlabelled"


def _design(silences: list[LabelledSilence], margin_ms: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns: silence (s), the FEATURES, the hold (s), 1."""
    rows, ys = [], []
    for s in silences:
        for silence, signals in s.points:
            x = feature_values(signals)
            rows.append([silence / 1000, *(x[f] for f in FEATURES), hold_s(signals, silence, margin_ms), 1.0])
            ys.append(1.0 if s.is_end else 0.0)
    return np.asarray(rows, float), np.asarray(ys, float)


def fit_fusion(silences: list[LabelledSilence], l2: float = L2, margin_ms: int = 500) -> FusionWeights:
    """Sign-constrained, L2-penalised logistic regression (projected Newton with an active set)."""
    X, y = _design(silences, margin_ms)
    if not len(y) or y.min() == y.max():
        raise ValueError("the fit needs both ends and pauses")
    d = X.shape[1]
    # allowed sign per column: silence > 0, features by SIGNS, hold <= 0, intercept free
    sign = np.array([1, *(SIGNS[f] for f in FEATURES), -1, 0], float)
    penalty = np.array([0, *([l2] * len(FEATURES)), l2, 0], float)
    w = np.zeros(d)
    w[0] = 1.0

    def loss(v: np.ndarray) -> float:
        z = X @ v
        return float(np.sum(np.logaddexp(0, z) - y * z) + 0.5 * np.sum(penalty * v * v))

    current = loss(w)
    for _ in range(200):
        p = 1 / (1 + np.exp(-(X @ w)))
        grad = X.T @ (p - y) + penalty * w
        at_bound = (w == 0) & (sign != 0) & (sign * grad > 0)  # the loss would go down only past the bound
        free = ~at_bound
        hess = (X[:, free] * (p * (1 - p))[:, None]).T @ X[:, free] + np.diag(penalty[free] + 1e-9)
        step = np.zeros(d)
        step[free] = np.linalg.solve(hess, grad[free])
        t = 1.0
        while True:
            trial = w - t * step
            trial = np.where((sign != 0) & (sign * trial < 0), 0.0, trial)
            trial[0] = max(trial[0], 1e-3)
            new = loss(trial)
            if new <= current - 1e-10 or t < 1e-6:
                break
            t /= 2
        done = abs(current - new) < 1e-9
        if new <= current:
            w, current = trial, new
        if done:
            break
    weights = {f: round(float(v), 3) for f, v in zip(FEATURES, w[1:-2]) if round(float(v), 3) != 0}
    return FusionWeights(silence=round(float(w[0]), 3), intercept=round(float(w[-1]), 3), weights=weights,
                         hold=round(float(min(0.0, w[-2])), 3), hold_margin_ms=margin_ms)


# --- decisions and the operating point ----------------------------------------------------------------------------


def replay_decisions(replays: dict[str, LiveReplay], entries: dict[str, dict],
                     config: TurnTakingConfig) -> dict[str, list[Decision]]:
    return {name: replay_trace(r.trace, r.duration_ms, config, str(entries[name].get("question") or ""),
                               r.voiced_ms)
            for name, r in replays.items()}


def pause_cut_rates(decisions: dict[str, list[Decision]], entries: dict[str, dict],
                    max_pause_s: float | None = None) -> dict[str, float]:
    """Share of labelled pauses (of at most ``max_pause_s``, None: all) with a decision in them, per language (as the
    scorer counts them)."""
    cut: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, ds in decisions.items():
        entry = entries[name]
        lang = str(entry.get("language") or "en")
        times = [d.t_ms / 1000 for d in ds]
        for p in entry.get("pauses", []):
            if max_pause_s is not None and float(p["end_s"]) - float(p["start_s"]) > max_pause_s + 1e-6:
                continue
            cut[lang][0] += any(float(p["start_s"]) <= t < float(p["end_s"]) for t in times)
            cut[lang][1] += 1
    return {lang: c / n for lang, (c, n) in cut.items() if n}


def choose_neutral_ms(replays: dict[str, LiveReplay], entries: dict[str, dict], config: TurnTakingConfig,
                      target: float = TARGET_CUT_RATE, step_ms: int = 50, max_pause_s: float | None = None) -> int:
    """The shortest neutral silence (``answer_end_silence_ms``) at which ``config``'s detector cuts at most
    ``target`` of the pauses (of at most ``max_pause_s``) in every language of ``replays`` (bisection: later ends
    never cut more)."""
    lo, hi = NEUTRAL_RANGE_MS[0] // step_ms, NEUTRAL_RANGE_MS[1] // step_ms

    def ok(units: int) -> bool:
        cfg = replace(config, answer_end_silence_ms=units * step_ms)
        rates = pause_cut_rates(replay_decisions(replays, entries, cfg), entries, max_pause_s)
        return all(r <= target + 1e-12 for r in rates.values())

    if not ok(hi):
        return hi * step_ms
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo * step_ms


@dataclass(frozen=True)
class Fold:
    held_out: str
    files: tuple[str, ...]
    weights: FusionWeights
    neutral_ms: int


def cross_validate(replays: dict[str, LiveReplay], entries: dict[str, dict], config: TurnTakingConfig,
                   scheme: str, samples: dict[str, list[LabelledSilence]] | None = None,
                   ) -> tuple[dict[str, list[Decision]], list[Fold]]:
    """Held-out decisions for every file: fitted and tuned without its language (``scheme="language"``) or its
    speaker (``"speaker"``). Folds whose training side lacks ends or pauses are skipped (their files get none)."""
    samples = samples or {n: labelled_silences(n, r, config, entries[n]) for n, r in replays.items()}
    key = (lambda n: str(entries[n].get("language") or "en")) if scheme == "language" else (
        lambda n: speaker_of(n, entries[n]))
    groups: dict[str, list[str]] = defaultdict(list)
    for name in replays:
        groups[key(name)].append(name)
    decisions: dict[str, list[Decision]] = {}
    folds = []
    for group, held in sorted(groups.items()):
        train = [n for n in replays if n not in held]
        try:
            weights = fit_fusion([s for n in train for s in samples[n]], margin_ms=config.fusion.hold_margin_ms)
        except ValueError:
            continue
        fitted = replace(config, fusion=weights)
        neutral = choose_neutral_ms({n: replays[n] for n in train}, entries, fitted)
        tuned = replace(fitted, answer_end_silence_ms=neutral)
        decisions.update(replay_decisions({n: replays[n] for n in held}, entries, tuned))
        folds.append(Fold(group, tuple(held), weights, neutral))
    return decisions, folds


# --- what the signals look like --------------------------------------------------------------------------------


def signal_table(samples: list[LabelledSilence], min_pause_ms: int = 1000) -> dict:
    """The evidence behind the weights. Per kind of silence (the end by ending kind, pauses by kind), the signals at
    the first moment the detector knew them: words' class counts, closing phrases, Smart Turn P and pitch quartiles,
    the longest earlier pause, and when the signals were in. Then, per language, how well each signal alone tells
    an end from a pause of ``min_pause_ms`` or more (the pauses a decision could cut into): AUC, 0.5 = no better
    than chance."""
    by_kind: dict[str, list[LabelledSilence]] = defaultdict(list)
    for s in samples:
        by_kind[s.kind].append(s)
    table = {}
    for kind, xs in sorted(by_kind.items()):
        first = [x.points[0] for x in xs]
        classes: dict[str, int] = defaultdict(int)
        for _, sig in first:
            classes[sig.words] += 1
        table[kind] = {
            "n": len(xs),
            "words": dict(sorted(classes.items())),
            "closing": sum(sig.closing for _, sig in first),
            "smart_turn_p_q25_q50_q75": _quartiles([sig.probability for _, sig in first
                                                    if sig.probability is not None]),
            "pitch_change_st_q25_q50_q75": _quartiles([sig.pitch_change_st for _, sig in first
                                                       if sig.pitch_change_st is not None]),
            "longest_earlier_pause_s_q25_q50_q75": _quartiles([sig.longest_pause_ms / 1000 for _, sig in first]),
            "signals_in_after_s_q25_q50_q75": _quartiles([t / 1000 for t, _ in first]),
            "duration_s_q25_q50_q75": _quartiles([x.duration_ms / 1000 for x in xs if x.duration_ms is not None]),
        }
    separation = {}
    for lang in sorted({s.language for s in samples}):
        ends = [s.points[0][1] for s in samples if s.language == lang and s.is_end]
        pauses = [s.points[0][1] for s in samples if s.language == lang and not s.is_end
                  and s.kind != "unlabelled" and (s.duration_ms or 0) >= min_pause_ms]
        values = {f: (lambda sig, f=f: feature_values(sig)[f]) for f in FEATURES}
        values["longest_earlier_pause"] = lambda sig: sig.longest_pause_ms
        separation[lang] = {"ends": len(ends), "pauses": len(pauses),
                            "auc": {f: auc([v(x) for x in ends], [v(x) for x in pauses]) for f, v in values.items()}}
    return {"by_kind": table, f"end_vs_pause_ge_{min_pause_ms}ms": separation}


def _quartiles(xs: list[float]) -> list[float] | None:
    if not xs:
        return None
    if len(xs) == 1:
        return [round(xs[0], 3)] * 3
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return [round(v, 3) for v in q]


def auc(pos: list[float], neg: list[float]) -> float | None:
    """P(a random end scores above a random pause); 0.5: no information."""
    if not pos or not neg:
        return None
    wins = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in pos for b in neg)
    return round(wins / (len(pos) * len(neg)), 3)


def smart_turn_along_the_silence(corpus: Path, samples: list[LabelledSilence], offsets_ms: list[int],
                                 min_pause_ms: int = 1000) -> dict:
    """Smart Turn asked again later in each silence (the audio up to ``offset`` ms after the speech ended): per
    language and offset, its median P at ends and at pauses of ``min_pause_ms`` or more that last past the offset,
    and the AUC of P for telling them apart. Reads the corpus audio; ~40 ms per call."""
    from analyzers.end_of_turn import SmartTurnModel
    from benchmarks.turn_taking import read_audio

    model = SmartTurnModel()
    audio: dict[str, np.ndarray] = {}
    ends: dict[tuple[str, int], list[float]] = defaultdict(list)
    pauses: dict[tuple[str, int], list[float]] = defaultdict(list)
    for s in samples:
        if s.kind == "unlabelled" or (not s.is_end and (s.duration_ms or 0) < min_pause_ms):
            continue
        pcm = audio.setdefault(s.file, read_audio(corpus / s.file))
        for offset in offsets_ms:
            if s.duration_ms is not None and offset >= s.duration_ms:
                continue
            p = model.probability(pcm[: (s.speech_end_ms + offset) * 16])
            (ends if s.is_end else pauses)[(s.language, offset)].append(p)
    out: dict[str, dict] = defaultdict(dict)
    for lang, offset in sorted(set(ends) | set(pauses)):
        e, p = ends.get((lang, offset), []), pauses.get((lang, offset), [])
        out[lang][str(offset)] = {"ends": len(e), "pauses": len(p), "auc": auc(e, p),
                                  "median_p_end": round(statistics.median(e), 3) if e else None,
                                  "median_p_pause": round(statistics.median(p), 3) if p else None}
    return dict(out)


def weights_json(w: FusionWeights) -> dict:
    """The weights, and what each does to the needed silence (seconds; negative: sooner), per unit of its feature."""
    return {"silence_per_s": w.silence, "intercept": w.intercept, "weights": dict(w.weights), "hold_per_s": w.hold,
            "hold_margin_ms": w.hold_margin_ms,
            "shift_s": {k: round(-v / w.silence, 2) for k, v in w.weights.items()}}


def scored(decisions: dict[str, list[Decision]], labels: Path, scorer: Path) -> dict:
    """The set's scorer on ``decisions`` (only the files decided), in the benchmark's compact figures."""
    from benchmarks.turn_taking import compact_figures, labels_subset, run_scorer, write_events

    with tempfile.TemporaryDirectory(prefix="fusion-") as tmp:
        subset = labels_subset(labels, set(decisions), Path(tmp) / "labels.json")
        events = Path(tmp) / "decisions.jsonl"
        write_events(events, decisions)
        return compact_figures(run_scorer(scorer, subset, events))


def main(argv: list[str] | None = None) -> dict:
    from benchmarks.turn_taking import DEFAULT_SCORER, raw_entries, server_turn_config

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True, type=Path)
    ap.add_argument("--load-replay", required=True, type=Path)
    ap.add_argument("--cv", default="language,speaker", help="cross-validation schemes, comma-separated")
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER)
    ap.add_argument("--smart-turn-at", default="",
                    help="also ask Smart Turn this many ms into every silence (comma-separated, e.g. 200,700,1500) and "
                    "say how well it tells ends from pauses there (reads the corpus audio)")
    args = ap.parse_args(argv)
    entries = raw_entries(args.corpus / "labels.json")
    with args.load_replay.open("rb") as f:
        replays: dict[str, LiveReplay] = {n: r for n, r in pickle.load(f).items() if n in entries}
    config = server_turn_config()
    samples = {n: labelled_silences(n, r, config, entries[n]) for n, r in replays.items()}
    weights = fit_fusion([s for v in samples.values() for s in v], margin_ms=config.fusion.hold_margin_ms)
    fitted = replace(config, fusion=weights)
    neutral = choose_neutral_ms(replays, entries, fitted)
    spec = choose_neutral_ms(replays, entries, fitted, max_pause_s=PRODUCT_PAUSES_S)
    out = {"fitted": {**weights_json(weights), "neutral_ms": neutral,
                      "threshold": round(weights.threshold_at(neutral), 4),
                      f"neutral_ms_for_pauses_le_{PRODUCT_PAUSES_S:g}s": spec},
           "signals": signal_table([s for v in samples.values() for s in v])}
    out["in_sample"] = scored(replay_decisions(replays, entries, replace(fitted, answer_end_silence_ms=neutral)),
                              args.corpus / "labels.json", args.scorer)
    out["current"] = scored(replay_decisions(replays, entries, config), args.corpus / "labels.json", args.scorer)
    print(json.dumps({"fitted": out["fitted"]}))
    print(json.dumps({"in_sample": out["in_sample"]}))
    print(json.dumps({"signals": out["signals"]}, ensure_ascii=False))
    if args.smart_turn_at:
        out["smart_turn_along_the_silence"] = smart_turn_along_the_silence(
            args.corpus, [s for v in samples.values() for s in v], [int(x) for x in args.smart_turn_at.split(",")])
        print(json.dumps({"smart_turn_along_the_silence": out["smart_turn_along_the_silence"]}))
    for scheme in [s.strip() for s in args.cv.split(",") if s.strip()]:
        decisions, folds = cross_validate(replays, entries, config, scheme, samples)
        out[scheme] = {"folds": [{"held_out": f.held_out, "files": len(f.files), "neutral_ms": f.neutral_ms,
                                  **weights_json(f.weights)} for f in folds],
                       "held_out": scored(decisions, args.corpus / "labels.json", args.scorer)}
        print(json.dumps({scheme: out[scheme]}))
    print(json.dumps(out, ensure_ascii=False))
    return out


if __name__ == "__main__":
    main()
