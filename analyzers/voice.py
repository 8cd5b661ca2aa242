"""Voice analysis of a candidate's answers: observable speech measurements only.

One :class:`VoiceAnalyzer` per interview, fed one utterance at a time (16 kHz mono int16 PCM plus the recognised
words). It measures what anyone could measure with a stopwatch, a pitch meter and a level meter:

* speaking rate: words per minute (English) or characters per minute (Chinese), over the whole utterance
  (``speech_rate``, pauses included) and over phonation time only (``articulation_rate``, pauses removed);
* pauses inside the utterance from webrtcvad plus an energy gate: pause ratio, and every pause longer than 1 s
  with the words on either side of it;
* pitch: a YIN F0 estimator (numpy, vectorised) over voiced frames; median in Hz, spread in semitones;
* loudness: RMS dBFS of speech frames, mean and variability (depends on the microphone and its gain);
* filler words in English and Chinese, counted in the transcript, with the words around each one as the quote.

It never infers emotions, confidence, personality or anything else about the person: the numbers describe the
audio, for a human to read, and every one says what it was computed from. Hesitation sounds (um, uh, 嗯, 呃) are
counted apart from discourse markers (like, you know, 那个, 就是, 然后), which are also ordinary words, so their
counts are an upper bound to be read with the quote.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import webrtcvad

from analyzers.asr import SAMPLE_RATE, Word
from analyzers.observation import Observation
from analyzers.text.language import resolve_language
from analyzers.text.script import LATIN_WORD, count_han

__all__ = [
    "FillerHit",
    "VoiceAnalyzer",
    "count_fillers",
    "detect_speech_frames",
    "yin_f0",
]

FRAME_MS = 10  # analysis hop for VAD/energy/pitch
_VAD_FRAME_MS = 30  # webrtcvad frame (10/20/30 ms allowed)
MIN_PAUSE_MS = 250  # silences shorter than this are part of articulation (stops, breaths between words)
LONG_PAUSE_MS = 1000
MIN_RATE_SPAN_MS = 200
_DB_FLOOR = -120.0


def _count_units(text: str, words: Sequence[Word], chinese: bool) -> int:
    """Words (English) or characters (Chinese; Latin words inside Chinese speech count one each)."""
    if chinese:
        src = text or "".join(w.text for w in words)
        return count_han(src) + len(LATIN_WORD.findall(src))
    if words:
        return sum(1 for w in words if LATIN_WORD.search(w.text))
    return len(LATIN_WORD.findall(text))


# -------------------------------------------------------------------------------------------------------- fillers


@dataclass(frozen=True)
class FillerHit:
    term: str  # normalised filler, e.g. "um", "you know", "嗯"
    kind: str  # "hesitation" | "discourse_marker"
    start: int  # character offsets in the text
    end: int


# English: hesitation sounds always count; discourse markers only where they stand apart (comma, sentence edge),
# so "I like Python" or "you know the answer" are not counted.
_EN_HESITATION = re.compile(r"\b(u+m+|u+h+m*|e+r+m+|e+r+|a+h+|h+m+|m+h*m+)\b", re.IGNORECASE)
_EN_DISCOURSE = re.compile(
    r"(?:\b(?P<a>like|you know|i mean|basically|you see)\b(?=\s*,))"
    r"|(?:(?:^|(?<=[,.;:!?—–]))\s*\b(?P<b>like|you know|i mean|you see)\b(?=\s*[.;:!?—–]|\s*$))"
    r"|(?:(?<![Ww]hat )(?<![Tt]his )(?<![Tt]hat )(?<![Aa] )(?<![Aa]ny )(?<![Ss]ome )(?<![Tt]he )(?<![Ww]hich )"
    r"(?<![Ee]very )(?<![Ss]ame )\b(?P<c>kind of|sort of)\b)",
    re.IGNORECASE,
)
# Chinese: hesitation sounds; discourse markers longest first (就是说 before 就是). 这个/额/啊 count only when set
# off by punctuation or repeated, since they are also ordinary words (这个项目, 金额, sentence-final 啊).
_ZH_HESITATION = re.compile(r"嗯+|呃+|(?:(?<=^)|(?<=[，。！？；、,.!?;\s]))(?:额+|啊+|唔+)(?=[，。！？；、,.!?;\s]|$)")
_ZH_DISCOURSE = re.compile(r"怎么说呢|就是说|那个|就是|然后|这个(?=[，,、]|这个)|(?<=这个)这个")


def count_fillers(text: str, language: str | None = None) -> list[FillerHit]:
    """Filler words in ``text`` (English and Chinese patterns both apply to mixed speech), in text order."""
    hits: list[FillerHit] = []
    for m in _EN_HESITATION.finditer(text):
        term = m.group(1).lower()
        norm = "um" if term.startswith("u") and "m" in term else "uh" if term.startswith("u") else (
            "er" if term.startswith("e") else "hmm" if term.startswith(("h", "m")) else "ah")
        hits.append(FillerHit(norm, "hesitation", m.start(1), m.end(1)))
    for m in _EN_DISCOURSE.finditer(text):
        name = next(g for g in ("a", "b", "c") if m.group(g))
        hits.append(FillerHit(m.group(name).lower(), "discourse_marker", m.start(name), m.end(name)))
    for m in _ZH_HESITATION.finditer(text):
        hits.append(FillerHit(m.group(0)[0], "hesitation", m.start(), m.end()))
    for m in _ZH_DISCOURSE.finditer(text):
        hits.append(FillerHit(m.group(0), "discourse_marker", m.start(), m.end()))
    hits.sort(key=lambda h: (h.start, -h.end))
    out: list[FillerHit] = []
    for h in hits:  # drop overlaps (a pattern matched inside an earlier, longer hit)
        if out and h.start < out[-1].end:
            continue
        out.append(h)
    return out


def _snippets(text: str, spans: Sequence[tuple[int, int]], context: int) -> str:
    """The text around each span (merged where they overlap), joined with an ellipsis."""
    if not spans:
        return ""
    windows: list[list[int]] = []
    for s, e in sorted(spans):
        a, b = max(0, s - context), min(len(text), e + context)
        if windows and a <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], b)
        else:
            windows.append([a, b])
    parts = []
    for a, b in windows:
        piece = text[a:b].strip()
        parts.append(("…" if a > 0 else "") + piece + ("…" if b < len(text) else ""))
    return " ".join(parts)


# ----------------------------------------------------------------------------------------------- frames and VAD


def _frame_db(x: np.ndarray, hop: int) -> np.ndarray:
    """RMS dBFS of consecutive ``hop``-sample frames of int16 audio."""
    n = x.size // hop
    if n == 0:
        return np.zeros(0)
    f = x[: n * hop].astype(np.float64).reshape(n, hop) / 32768.0
    rms = np.sqrt(np.mean(f * f, axis=1))
    return np.maximum(20.0 * np.log10(np.maximum(rms, 1e-12)), _DB_FLOOR)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index runs where ``mask`` is True."""
    if mask.size == 0:
        return []
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))


def detect_speech_frames(
    pcm16k: np.ndarray,
    vad_mode: int = 2,
    hop_ms: int = FRAME_MS,
    min_pause_ms: int = MIN_PAUSE_MS,
    min_speech_ms: int = 60,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per ``hop_ms`` frame: (speech mask, active mask, RMS dBFS). A frame is speech when webrtcvad says so and its level is
    within 40 dB of the utterance's loud frames (and above -60 dBFS); silences shorter than ``min_pause_ms``
    between speech are filled, bursts shorter than ``min_speech_ms`` dropped (clicks). ``active`` is the mask before
    gap filling (frames that are themselves loud voice), used for loudness."""
    hop = SAMPLE_RATE * hop_ms // 1000
    db = _frame_db(pcm16k, hop)
    n = db.size
    if n == 0:
        return np.zeros(0, bool), np.zeros(0, bool), db
    vad = webrtcvad.Vad(vad_mode)
    vlen = SAMPLE_RATE * _VAD_FRAME_MS // 1000
    per = _VAD_FRAME_MS // hop_ms
    nv = pcm16k.size // vlen
    vmask = np.zeros(n, bool)
    data = np.ascontiguousarray(pcm16k[: nv * vlen].astype("<i2")).tobytes()
    for i in range(nv):
        if vad.is_speech(data[2 * i * vlen : 2 * (i + 1) * vlen], SAMPLE_RATE):
            vmask[i * per : (i + 1) * per] = True
    if nv * per < n:  # trailing partial VAD frame: inherit the last decision
        vmask[nv * per :] = vmask[nv * per - 1] if nv else False
    loud_ref = float(np.percentile(db, 95))
    gate = max(-60.0, loud_ref - 40.0)
    active = vmask & (db > gate)
    mask = active.copy()
    # Fill short gaps (stop closures, word boundaries), then remove tiny bursts.
    min_gap = max(1, min_pause_ms // hop_ms)
    runs = _runs(mask)
    for (s0, e0), (s1, _e1) in zip(runs, runs[1:]):
        if s1 - e0 < min_gap:
            mask[e0:s1] = True
    min_run = max(1, min_speech_ms // hop_ms)
    for s, e in _runs(mask):
        if e - s < min_run:
            mask[s:e] = False
    return mask, active & mask, db


# ----------------------------------------------------------------------------------------------------------- pitch


def yin_f0(
    pcm16k: np.ndarray,
    sr: int = SAMPLE_RATE,
    fmin: float = 60.0,
    fmax: float = 500.0,
    hop: int = 160,
    window: int = 512,
    threshold: float = 0.15,
) -> tuple[np.ndarray, np.ndarray]:
    """YIN fundamental-frequency estimate per ``hop`` samples (de Cheveigné & Kawahara 2002), vectorised.

    Returns (f0 in Hz with NaN for unvoiced frames, aperiodicity = CMNDF minimum, 1 for unvoiced). Frame ``i``
    covers samples ``[i*hop, i*hop + window + sr/fmin)``.
    """
    x = pcm16k.astype(np.float64) / 32768.0
    tau_min = max(2, int(sr / fmax))
    tau_max = int(np.ceil(sr / fmin))
    length = window + tau_max + 1
    n_frames = 1 + (x.size - length) // hop if x.size >= length else 0
    if n_frames <= 0:
        return np.zeros(0), np.zeros(0)
    frames = np.lib.stride_tricks.sliding_window_view(x, length)[::hop][:n_frames]
    frames = frames - frames.mean(axis=1, keepdims=True)
    nfft = 1 << int(np.ceil(np.log2(length)))
    spec_full = np.fft.rfft(frames, nfft, axis=1)
    spec_win = np.fft.rfft(frames[:, :window], nfft, axis=1)
    r = np.fft.irfft(spec_full * np.conj(spec_win), nfft, axis=1)[:, : tau_max + 1]  # r[t] = sum x[j] x[j+t]
    sq = np.concatenate([np.zeros((n_frames, 1)), np.cumsum(frames * frames, axis=1)], axis=1)
    taus = np.arange(tau_max + 1)
    energy = sq[:, taus + window] - sq[:, taus]  # sum_{j=tau}^{tau+W-1} x[j]^2
    d = np.maximum(energy[:, :1] + energy - 2.0 * r, 0.0)
    cum = np.cumsum(d[:, 1:], axis=1)
    cmnd = np.ones_like(d)
    cmnd[:, 1:] = d[:, 1:] * taus[1:] / np.maximum(cum, 1e-12)
    band = cmnd[:, tau_min : tau_max]
    below = band < threshold
    has = below.any(axis=1)
    first = np.argmax(below, axis=1)
    # From the first dip under the threshold, walk to its local minimum.
    rising = np.concatenate([band[:, 1:] >= band[:, :-1], np.ones((n_frames, 1), bool)], axis=1)
    idx = np.arange(band.shape[1])
    local = np.argmax(rising & (idx[None, :] >= first[:, None]), axis=1)
    tau = local + tau_min
    rows = np.arange(n_frames)
    # Parabolic interpolation on the CMNDF around the minimum.
    t0 = np.clip(tau, 1, tau_max - 1)
    a, b, c = cmnd[rows, t0 - 1], cmnd[rows, t0], cmnd[rows, t0 + 1]
    denom = a - 2 * b + c
    shift = np.where(np.abs(denom) > 1e-12, 0.5 * (a - c) / np.where(denom == 0, 1, denom), 0.0)
    tau_f = t0 + np.clip(shift, -1, 1)
    f0 = np.where(has, sr / tau_f, np.nan)
    aper = np.where(has, cmnd[rows, tau], 1.0)
    return f0, aper


# -------------------------------------------------------------------------------------------------------- analyzer


def _r(v: float | None, nd: int = 1) -> float | None:
    return None if v is None or not np.isfinite(v) else round(float(v), nd)


@dataclass
class _UtteranceRecord:
    answer_id: str | None
    start_ms: int
    end_ms: int
    chinese: bool
    units: int
    span_ms: int
    phonation_ms: int
    pauses_ms: list[int]
    long_pauses: list[dict[str, Any]]
    f0: np.ndarray
    speech_db: np.ndarray
    fillers: dict[str, int]
    hesitations: int
    discourse_markers: int
    values: dict[str, Any] = field(default_factory=dict)


class VoiceAnalyzer:
    """Speech measurements of one interview, fed per utterance (call from a worker thread; blocking numpy)."""

    name = "voice"

    def __init__(
        self,
        *,
        vad_mode: int = 2,
        min_pause_ms: int = MIN_PAUSE_MS,
        long_pause_ms: int = LONG_PAUSE_MS,
        fmin: float = 60.0,
        fmax: float = 500.0,
    ) -> None:
        self.vad_mode = vad_mode
        self.min_pause_ms = min_pause_ms
        self.long_pause_ms = long_pause_ms
        self.fmin, self.fmax = fmin, fmax
        self._records: list[_UtteranceRecord] = []
        self._answer_id: str | None = None
        self._lock = threading.Lock()

    # -- answers ----------------------------------------------------------------------------------------------
    def begin_answer(self, answer_id: str | None) -> None:
        """Following utterances belong to this answer (``summary`` groups by it); None = ungrouped."""
        with self._lock:
            self._answer_id = answer_id

    # -- per utterance ----------------------------------------------------------------------------------------
    def analyze_utterance(
        self,
        pcm16k: np.ndarray,
        start_ms: int,
        words: Sequence[Word],
        text: str,
        language: str,
        *,
        answer_id: str | None = None,
    ) -> Observation:
        """Measure one utterance. ``pcm16k`` starts at media time ``start_ms``; ``words`` are on the same clock."""
        pcm = np.asarray(pcm16k, dtype=np.int16).reshape(-1)
        words = list(words or ())
        text = (text or "").strip() or " ".join(w.text for w in words).strip()
        chinese = resolve_language(language, text) == "zh"
        audio_ms = pcm.size * 1000 // SAMPLE_RATE
        end_ms = start_ms + audio_ms

        mask, active, db = detect_speech_frames(pcm, self.vad_mode, FRAME_MS, self.min_pause_ms)
        speech_runs = _runs(mask)

        # The utterance's span: from the words' timings when there are any, else the audible speech.
        if words:
            s_ms, e_ms = min(w.start_ms for w in words), max(w.end_ms for w in words)
            span_source = "word timings"
        elif speech_runs:
            s_ms, e_ms = start_ms + speech_runs[0][0] * FRAME_MS, start_ms + speech_runs[-1][1] * FRAME_MS
            span_source = "voice activity"
        else:
            s_ms = e_ms = start_ms
            span_source = "none"
        span_ms = max(0, e_ms - s_ms)

        # Pauses: silences between speech runs inside the span.
        pauses: list[tuple[int, int]] = []
        for (_s0, e0), (s1, _e1) in zip(speech_runs, speech_runs[1:]):
            p0, p1 = start_ms + e0 * FRAME_MS, start_ms + s1 * FRAME_MS
            p0, p1 = max(p0, s_ms), min(p1, e_ms)
            if p1 - p0 >= self.min_pause_ms:
                pauses.append((p0, p1))
        pause_total = sum(p1 - p0 for p0, p1 in pauses)
        phonation_ms = max(0, span_ms - pause_total)
        long_pauses = [
            {
                "start_ms": p0,
                "end_ms": p1,
                "duration_ms": p1 - p0,
                "context": self._pause_context(words, p0, p1),
            }
            for p0, p1 in pauses
            if p1 - p0 > self.long_pause_ms
        ]

        # Rate.
        units = _count_units(text, words, chinese)
        unit = "characters_per_minute" if chinese else "words_per_minute"
        ok = units > 0 and span_ms >= MIN_RATE_SPAN_MS  # a rate over a few ms of timing noise means nothing
        speech_rate = units * 60000.0 / span_ms if ok else None
        artic_rate = units * 60000.0 / phonation_ms if ok and phonation_ms >= MIN_RATE_SPAN_MS else None

        # Pitch over speech frames that YIN finds periodic.
        f0, _aper = yin_f0(pcm, fmin=self.fmin, fmax=self.fmax)
        if f0.size:
            in_speech = np.zeros(f0.size, bool)
            m = min(f0.size, mask.size)
            in_speech[:m] = mask[:m]
            voiced = f0[in_speech & np.isfinite(f0)]
        else:
            voiced = np.zeros(0)
        pitch = self._pitch_stats(voiced)

        # Loudness of speech frames.
        speech_db = db[active] if active.size else np.zeros(0)
        loud = self._loudness_stats(speech_db)

        # Fillers.
        hits = count_fillers(text, language)
        fillers: dict[str, int] = {}
        for h in hits:
            fillers[h.term] = fillers.get(h.term, 0) + 1
        n_hes = sum(1 for h in hits if h.kind == "hesitation")
        n_dis = len(hits) - n_hes
        per = "per_100_characters" if chinese else "per_100_words"

        values: dict[str, Any] = {
            "language": "zh" if chinese else "en",
            "duration_ms": audio_ms,
            "span_ms": span_ms,
            "span_source": span_source,
            "units": units,
            "rate_unit": unit,
            "speech_rate": _r(speech_rate),
            "articulation_rate": _r(artic_rate),
            "phonation_ms": phonation_ms,
            "pause_ms": pause_total,
            "pause_count": len(pauses),
            "pause_ratio": _r(pause_total / span_ms, 3) if span_ms else None,
            "long_pause_count": len(long_pauses),
            "long_pauses": long_pauses,
            "longest_pause_ms": max((p1 - p0 for p0, p1 in pauses), default=0),
            **pitch,
            **loud,
            "fillers": fillers,
            "filler_count": len(hits),
            "hesitation_count": n_hes,
            "discourse_marker_count": n_dis,
            "fillers_rate": _r(100.0 * len(hits) / units, 2) if units else None,
            "fillers_rate_unit": per,
            "method": {
                "pauses": f"webrtcvad mode {self.vad_mode} + energy gate, {FRAME_MS} ms frames, pauses >= "
                f"{self.min_pause_ms} ms, long > {self.long_pause_ms} ms",
                "pitch": f"YIN, {self.fmin:.0f}-{self.fmax:.0f} Hz, speech frames only",
                "loudness": "RMS dBFS of speech frames (depends on microphone gain)",
            },
        }
        quotes: dict[str, str] = {}
        if text:
            quotes["speaking_rate"] = text
        if long_pauses:
            quotes["long_pauses"] = " | ".join(p["context"] for p in long_pauses)
        if hits:
            quotes["fillers"] = _snippets(text, [(h.start, h.end) for h in hits], 12 if chinese else 30)

        with self._lock:
            aid = answer_id if answer_id is not None else self._answer_id
            self._records.append(
                _UtteranceRecord(
                    aid, start_ms, end_ms, chinese, units, span_ms, phonation_ms, [p1 - p0 for p0, p1 in pauses],
                    long_pauses, voiced.astype(np.float32), speech_db.astype(np.float32), fillers, n_hes, n_dis,
                    values,
                )
            )
            if aid is not None:
                values = {**values, "answer_id": aid}
        return Observation(analyzer=self.name, t_ms=int(start_ms), values=values, quotes=quotes)

    # -- session ------------------------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Per answer and overall: pooled rates, pauses (between this answer's utterances too), pitch, loudness,
        fillers; plus each utterance's values."""
        with self._lock:
            records = list(self._records)
        groups: dict[str | None, list[_UtteranceRecord]] = {}
        for rec in records:
            groups.setdefault(rec.answer_id, []).append(rec)
        answers = []
        for aid, recs in groups.items():
            agg = self._aggregate(recs, gaps=aid is not None)
            answers.append({"answer_id": aid, **agg})
        return {
            "analyzer": self.name,
            "utterances": len(records),
            "answers": answers,
            "overall": self._aggregate(records, gaps=False) if records else {},
            "per_utterance": [{"t_ms": r.start_ms, "answer_id": r.answer_id, **r.values} for r in records],
        }

    def close(self) -> None:
        pass

    # -- helpers ------------------------------------------------------------------------------------------------
    @staticmethod
    def _pause_context(words: Sequence[Word], p0: int, p1: int) -> str:
        if not words:
            return f"[pause {(p1 - p0) / 1000:.1f} s at {p0 / 1000:.1f} s]"
        before = [w.text for w in words if w.end_ms <= p0 + 150][-5:]
        after = [w.text for w in words if w.start_ms >= p1 - 150][:5]
        return f"{' '.join(before)} [pause {(p1 - p0) / 1000:.1f} s] {' '.join(after)}".strip()

    @staticmethod
    def _pitch_stats(f0: np.ndarray) -> dict[str, Any]:
        if f0.size < 5:
            return {"pitch_voiced_frames": int(f0.size), "pitch_median_hz": None, "pitch_p5_hz": None,
                    "pitch_p95_hz": None, "pitch_range_st": None, "pitch_sd_st": None}
        med = float(np.median(f0))
        st = 12.0 * np.log2(f0 / med)
        p5, p95 = np.percentile(f0, [5, 95])
        lo, hi = np.percentile(st, [5, 95])
        return {
            "pitch_voiced_frames": int(f0.size),
            "pitch_median_hz": _r(med),
            "pitch_p5_hz": _r(p5),
            "pitch_p95_hz": _r(p95),
            "pitch_range_st": _r(hi - lo, 2),  # 5th-95th percentile span in semitones
            "pitch_sd_st": _r(float(np.std(st[(st >= lo) & (st <= hi)])), 2),
        }

    @staticmethod
    def _loudness_stats(speech_db: np.ndarray) -> dict[str, Any]:
        if speech_db.size == 0:
            return {"loudness_mean_dbfs": None, "loudness_sd_db": None, "loudness_p95_dbfs": None}
        return {
            "loudness_mean_dbfs": _r(float(np.mean(speech_db))),
            "loudness_sd_db": _r(float(np.std(speech_db)), 2),
            "loudness_p95_dbfs": _r(float(np.percentile(speech_db, 95))),
        }

    def _aggregate(self, recs: list[_UtteranceRecord], gaps: bool) -> dict[str, Any]:
        units = sum(r.units for r in recs)
        span = sum(r.span_ms for r in recs)
        phon = sum(r.phonation_ms for r in recs)
        pauses = [p for r in recs for p in r.pauses_ms]
        long_pauses = [p for r in recs for p in r.long_pauses]
        between: list[int] = []
        if gaps:  # silence between consecutive utterances of one answer is a pause in that answer
            ordered = sorted(recs, key=lambda r: r.start_ms)
            for a, b in zip(ordered, ordered[1:]):
                g = b.start_ms - a.end_ms
                if g >= self.min_pause_ms:
                    between.append(g)
        zh = sum(r.chinese for r in recs) * 2 > len(recs)
        f0 = np.concatenate([r.f0 for r in recs]) if recs else np.zeros(0)
        sdb = np.concatenate([r.speech_db for r in recs]) if recs else np.zeros(0)
        fillers: dict[str, int] = {}
        for r in recs:
            for k, v in r.fillers.items():
                fillers[k] = fillers.get(k, 0) + v
        n_fill = sum(fillers.values())
        total_pause = sum(pauses) + sum(between)
        return {
            "utterances": len(recs),
            "rate_unit": "characters_per_minute" if zh else "words_per_minute",
            "units": units,
            "speech_ms": span,
            "speech_rate": _r(units * 60000.0 / (span + sum(between))) if span and units else None,
            "articulation_rate": _r(units * 60000.0 / phon) if phon and units else None,
            "pause_ratio": _r(total_pause / (span + sum(between)), 3) if span else None,
            "pause_count": len(pauses) + len(between),
            "long_pause_count": len(long_pauses) + sum(1 for g in between if g > self.long_pause_ms),
            "long_pauses_within_utterances": long_pauses,
            "pauses_between_utterances_ms": between,
            **self._pitch_stats(f0.astype(np.float64)),
            **self._loudness_stats(sdb.astype(np.float64)),
            "fillers": fillers,
            "filler_count": n_fill,
            "hesitation_count": sum(r.hesitations for r in recs),
            "discourse_marker_count": sum(r.discourse_markers for r in recs),
            "fillers_rate": _r(100.0 * n_fill / units, 2) if units else None,
            "fillers_rate_unit": "per_100_characters" if zh else "per_100_words",
        }
