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

The signal measurements (speech frames, level, pitch) are in analyzers/speech_signal.py, filler words in
analyzers/fillers.py.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from analyzers.asr import SAMPLE_RATE, Word
from analyzers.fillers import count_fillers, text_around
from analyzers.observation import Observation
from analyzers.speech_signal import FRAME_MS, MIN_PAUSE_MS, detect_speech_frames, mask_runs, yin_f0
from analyzers.text.language import resolve_language
from analyzers.text.script import LATIN_WORD, count_han

__all__ = ["VoiceAnalyzer"]

LONG_PAUSE_MS = 1000
MIN_RATE_SPAN_MS = 200


def _count_units(text: str, words: Sequence[Word], chinese: bool) -> int:
    """Words (English) or characters (Chinese; Latin words inside Chinese speech count one each)."""
    if chinese:
        src = text or "".join(w.text for w in words)
        return count_han(src) + len(LATIN_WORD.findall(src))
    if words:
        return sum(1 for w in words if LATIN_WORD.search(w.text))
    return len(LATIN_WORD.findall(text))


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
        speech_runs = mask_runs(mask)

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
            quotes["fillers"] = text_around(text, [(h.start, h.end) for h in hits], 12 if chinese else 30)

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
