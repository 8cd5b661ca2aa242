"""Whisper (CTranslate2 via faster-whisper) behind the streaming ``SpeechModel`` interface.

Whisper is not a streaming model: the VAD cuts utterances, each stream buffers the open utterance, partials come
from re-decoding the growing utterance every ``partial_interval_ms`` of new audio (greedy, no timestamps; past
``PARTIAL_SPAN_MS`` only its newer part, the text before it kept), and the final is one decode of the whole
utterance with word timestamps.

Run-on speech: one decode reads at most ``window_ms`` of audio (Whisper sees 30 s at most, and every partial
re-reads the open utterance, so a longer window costs quadratically more). Speech that runs on past it without a
pause is decoded in overlapping windows: the words that end more than ``overlap_ms`` before the window's end are
final, and the next window starts where the last of them ended, with ``context_ms`` of the audio before that point
for the decoder to hear the words around the seam. Words of the next decode that lie before the seam, or that only
repeat the last final words right at it, are dropped, so no word is said twice and none is lost at a cut.

What Whisper says that was not said (``_decode_words`` / ``_decode_text``):
- No voice: audio with no voiced frame of a speaking pitch (``analyzers.speech_signal.voiced_ms``: noise, breath,
  clicks, hum that opened the VAD) is not decoded at all; Whisper would caption it ("Thank you.", "作词").
- Whisper's no-speech probability: a segment it thinks more likely silence than speech, and decodes with low
  confidence, is dropped (``NO_SPEECH_PROB``, ``NO_SPEECH_LOGPROB``).
- Loops: a decode whose text repeats a phrase (``analyzers.hallucination``) or compresses like a loop (gzip ratio
  over ``COMPRESSION_RATIO_MAX``, Whisper's own test) is decoded again with the full 30-s window (the short window
  below makes loops likelier); a phrase still repeated is kept once.
Chinese comes out in Simplified characters (OpenCC, ``analyzers.text.script.to_simplified``): Whisper writes
Traditional about as often as Simplified for Mandarin.

Short encoder window: Whisper's encoder always reads a 30-s window, so a 3-s utterance costs as much as a 30-s one
(~0.43 s of the ~0.6 s decode of tiny.en on one thread). CTranslate2 accepts fewer frames, so the encoder here
reads the utterance plus ``window_margin_ms`` of the padding. Measured on 55 espeak-ng utterances of the
turn-taking corpus (tiny.en, one thread): a 3-s margin gives WER 0.14 vs 0.16 for the full window, at decode p50
0.17 s vs 0.60 s; margins under 2 s make the decoder loop (WER 0.5-3). ``max_new_tokens`` grows with the audio's
length, so a decode that does loop ends early instead of running to 448 tokens.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analyzers.asr import SAMPLE_RATE, RecognizerStream, SpeechModel, Transcript, Word
from analyzers.hallucination import collapse_repeats, has_repeats, kept_indices
from analyzers.speech_signal import voiced_ms
from analyzers.text.script import HAN, HAN_CHAR, to_simplified

ENGINE = "whisper"
FRAMES_PER_S = 100  # Whisper's log-mel frames (10 ms hop)
WINDOW_MARGIN_MS = 3000  # padding after the audio (module docstring); the whisper_window_margin_ms setting's default
TOKENS_PER_S = 16  # generous: fast English is ~6 tokens/s, fast Mandarin ~6 characters (~8 tokens) per second
WINDOW_MS = 20_000
"""Longest audio one decode reads (module docstring: run-on speech)."""
OVERLAP_MS = 4_000
"""The end of a window that is decoded again in the next one (Whisper is least sure of a window's last words)."""
CONTEXT_MS = 1_000
"""Audio before a seam that the next window's decode hears again (its words are not repeated)."""
SEAM_MS = 1_500
"""How far after a seam a decode's first words may be a re-hearing of the words just before it."""
MIN_VOICED_MS = 30
"""Voiced speech an utterance needs before it is decoded (a short "yes" has 50-80 ms; noise has none)."""
NO_SPEECH_PROB = 0.6
NO_SPEECH_LOGPROB = -1.0
"""A segment whose no-speech probability is over ``NO_SPEECH_PROB`` and whose mean token log-probability is under
``NO_SPEECH_LOGPROB`` is silence Whisper put words on (Whisper's own thresholds, applied to each segment)."""
PARTIAL_COST_SHARE = 0.3
"""At most this share of the audio's duration goes into one stream's partial decodes: after a partial that took
``d`` seconds the next waits for ``d / PARTIAL_COST_SHARE`` seconds of new audio (a long utterance on a busy
machine would otherwise spend all its time re-decoding itself, and its audio would back up)."""
PARTIAL_SPAN_MS = 3_000
"""A partial re-decodes at most this much of the open segment (plus the new audio since the last partial): once the
audio since the partials' anchor is longer, the part up to a quiet frame near its end is decoded one last time, its
text kept as the partials' fixed beginning, and later partials decode only the audio after it. Without this every
partial re-decodes the whole segment, a cost that grows with the square of its length; the final still decodes the
whole segment in one piece."""
PARTIAL_CUT_SEARCH_MS = 1_500
"""Where the anchor moves to: the quietest 20 ms frame in this much audio before the end (most likely between
words)."""
COMPRESSION_RATIO_MAX = 2.4
"""Whisper's own loop test: text whose gzip compression ratio is higher repeats itself."""

_full_window = threading.local()


def _short_window_model(margin_frames: int):
    """faster-whisper's ``WhisperModel`` whose encoder reads the audio's frames plus ``margin_frames`` of padding
    instead of the whole 30-s window (unless the calling thread asks for the full window, ``_full_window.on``).
    faster-whisper pads each window's log-mel features with exact zeros (real audio, silence included, never gives
    an all-zero frame), so the content ends at the last non-zero frame."""
    from faster_whisper import WhisperModel

    class ShortWindowWhisper(WhisperModel):
        def encode(self, features: np.ndarray):
            if getattr(_full_window, "on", False):
                return super().encode(features)
            voiced = np.flatnonzero(np.any(features != 0, axis=tuple(range(features.ndim - 1))))  # any item, mel
            content = int(voiced[-1]) + 1 if voiced.size else 0
            keep = min(features.shape[-1], content + margin_frames)
            keep += keep % 2  # the encoder's strided convolution halves the frames
            return super().encode(features[..., :keep])

    return ShortWindowWhisper


class WhisperSpeechModel(SpeechModel):
    """One loaded Whisper model shared by every interview of the process.

    ``num_workers`` lets that many ``transcribe`` calls run at once on the shared model (one per inference thread);
    ``cpu_threads`` is the intra-op threads of each call.
    """

    def __init__(
        self,
        path: str | Path,
        model_id: str = "whisper",
        *,
        language: str | None = None,
        cpu_threads: int | None = None,
        num_workers: int = 1,
        partial_interval_ms: int = 800,
        window_ms: int = WINDOW_MS,
        overlap_ms: int = OVERLAP_MS,
        window_margin_ms: int = WINDOW_MARGIN_MS,
    ) -> None:
        """``window_ms``/``overlap_ms``: run-on speech (module docstring); ``window_margin_ms``: padding the encoder
        reads after the audio (module docstring); 0 = the full 30-s window, as Whisper was trained."""
        from faster_whisper import WhisperModel

        if not 0 <= overlap_ms < window_ms // 2 or window_ms > 30_000:
            raise ValueError("need window_ms <= 30000 and 0 <= overlap_ms < window_ms / 2")
        num_workers = max(1, num_workers)
        if cpu_threads is None:
            cpu_threads = max(1, (os.cpu_count() or 1) // num_workers)
        self.model_id = model_id
        self.path = Path(path)
        self.window_margin_ms = window_margin_ms
        model_class = _short_window_model(window_margin_ms * FRAMES_PER_S // 1000) if window_margin_ms else WhisperModel
        self.whisper = model_class(
            str(path), device="cpu", compute_type="int8", cpu_threads=cpu_threads, num_workers=num_workers
        )
        self.multilingual = bool(self.whisper.model.is_multilingual)
        if not self.multilingual and language not in (None, "en"):
            raise ValueError(f"{model_id} is English-only; cannot recognise {language!r}")
        self.language = language or ("en" if not self.multilingual else "auto")
        self.partial_interval_ms = partial_interval_ms
        self.window_ms = window_ms
        self.overlap_ms = overlap_ms

    def open_stream(self, language: str | None) -> WhisperStream:
        """``language``: a Whisper language code (multilingual model); None = the model's default, detected from
        the first decode when the model has none."""
        lang = language or self.language
        if lang == "auto":
            lang = None
        if not self.multilingual and lang not in (None, "en"):
            raise ValueError(f"{self.model_id} is English-only; cannot recognise {lang!r}")
        return WhisperStream(self, lang)


@dataclass(frozen=True)
class _Seam:
    """Where the last window cut the open utterance: the end of its last final word, and the words before it."""

    at_ms: int
    units: tuple[str, ...]
    """The last final words' units (``_units``)."""


class WhisperStream(RecognizerStream):
    def __init__(self, model: WhisperSpeechModel, language: str | None) -> None:
        self._model = model
        self.language = language
        self._chunks: list[np.ndarray] = []
        self._samples = 0
        self._start_ms = 0
        self._since_partial = 0
        self._partial_due = 0
        self._last_partial_text = ""
        self._open = False
        self._voiced = False  # the open segment has been found to hold voiced speech
        self._context = np.zeros(0, np.int16)  # audio just before the segment, after a window cut
        self._seam: _Seam | None = None
        self._speculation: tuple[int, int, Transcript | None] | None = None  # (pause mark, samples, decode)

    # -- RecognizerStream ------------------------------------------------------------------------------------
    def start_utterance(self, start_ms: int) -> None:
        self._new_segment(start_ms, [])
        self._open = True

    def accept(self, pcm: np.ndarray) -> Transcript | None:
        if not self._open:
            raise RuntimeError("accept() before start_utterance()")
        if pcm.size == 0:
            return None
        self._chunks.append(np.asarray(pcm, dtype=np.int16).reshape(-1))
        self._samples += pcm.size
        self._since_partial += pcm.size
        if self._samples * 1000 >= self._model.window_ms * SAMPLE_RATE:
            return self._cut_window()
        if self._since_partial < self._partial_due:
            return None
        if not self.partials_allowed:  # busy machine: the final still comes; the next partial when there is room
            return None
        self._since_partial = 0
        audio = self._audio()
        if not self._has_voice(audio):
            return None
        t0 = time.perf_counter()
        text = self._partial_text(audio)
        self._partial_due = max(self._model.partial_interval_ms * SAMPLE_RATE // 1000,
                                int((time.perf_counter() - t0) / PARTIAL_COST_SHARE * SAMPLE_RATE))
        if not text or text == self._last_partial_text:
            return None
        self._last_partial_text = text
        return Transcript(text, False, self._start_ms, self._end_ms(), engine=ENGINE)

    def finish_utterance(self) -> Transcript | None:
        if not self._open:
            return None
        self._open = False
        self._speculation = None
        audio = self._audio()
        final = self._final(audio)
        self._new_segment(self._end_ms(), [])
        return final

    def speculate(self, mark: int) -> None:
        if not self._open:
            return
        audio = self._audio()
        self._speculation = (mark, audio.size, self._final(audio))
        self._since_partial = 0  # this decode is fresher than any partial: the next one is an interval away

    def finish_speculated(self, mark: int) -> Transcript | None:
        if not self._open or self._speculation is None or self._speculation[0] != mark:
            return self.finish_utterance()
        final = self._speculation[2]
        self._open = False
        self._new_segment(self._end_ms(), [])
        return final

    def commit_speculation(self, mark: int) -> Transcript | None:
        if not self._open or self._speculation is None or self._speculation[0] != mark:
            return None
        _, cut, final = self._speculation
        audio = self._audio()
        self._new_segment(self._start_ms + cut * 1000 // SAMPLE_RATE, [audio[cut:]] if cut < audio.size else [])
        return final

    def close(self) -> None:
        self._new_segment(self._start_ms, [])
        self._open = False

    # -- segments --------------------------------------------------------------------------------------------
    def _new_segment(self, start_ms: int, chunks: list[np.ndarray], context: np.ndarray | None = None,
                     seam: _Seam | None = None) -> None:
        """The open segment now starts at ``start_ms`` with ``chunks``; ``context``/``seam`` only after a window
        cut (a pause or a new utterance needs neither)."""
        self._chunks = chunks
        self._samples = sum(c.size for c in chunks)
        self._start_ms = start_ms
        self._since_partial = 0
        self._partial_due = self._model.partial_interval_ms * SAMPLE_RATE // 1000  # samples of new audio
        self._last_partial_text = ""
        self._partial_from = 0  # samples of the segment whose partial text is fixed (PARTIAL_SPAN_MS)
        self._partial_prefix = ""
        self._voiced = False
        self._context = context if context is not None else np.zeros(0, np.int16)
        self._seam = seam
        self._speculation = None

    def _audio(self) -> np.ndarray:
        if len(self._chunks) > 1:
            self._chunks = [np.concatenate(self._chunks)]
        return self._chunks[0] if self._chunks else np.zeros(0, np.int16)

    def _end_ms(self) -> int:
        return self._start_ms + self._samples * 1000 // SAMPLE_RATE

    def _has_voice(self, audio: np.ndarray) -> bool:
        """The segment holds voiced speech (checked until it does: cheap next to a decode, and speech is found in
        its first fraction of a second)."""
        if not self._voiced:
            self._voiced = voiced_ms(audio) >= MIN_VOICED_MS
        return self._voiced

    def _final(self, audio: np.ndarray) -> Transcript | None:
        if audio.size < SAMPLE_RATE // 10 or not self._has_voice(audio):  # < 100 ms or no voice: nothing said
            return None
        words, raw = self._decode_words(audio)
        text = "".join(raw).strip()
        if not text:
            return None
        end_ms = self._start_ms + audio.size * 1000 // SAMPLE_RATE
        return Transcript(text, True, self._start_ms, end_ms, tuple(words), engine=ENGINE)

    def _cut_window(self) -> Transcript | None:
        """The open segment filled a window: its words that end ``overlap_ms`` or more before the window's end are
        final; the rest of the audio (with ``context_ms`` before it) starts the next window."""
        audio = self._audio()
        end_ms = self._end_ms()
        horizon = end_ms - self._model.overlap_ms
        words, raw = self._decode_words(audio) if self._has_voice(audio) else ([], [])
        keep = sum(1 for w in words if w.end_ms <= horizon)
        if keep == 0 and len(words) > 1:  # no word ends early enough (one long word?): all but the last
            keep = len(words) - 1
        cut_ms = words[keep - 1].end_ms if keep else horizon
        cut = min(audio.size, max(0, (cut_ms - self._start_ms) * SAMPLE_RATE // 1000))
        start_ms = self._start_ms
        context = audio[max(0, cut - CONTEXT_MS * SAMPLE_RATE // 1000) : cut]
        units = tuple(u for w in words[max(0, keep - 8) : keep] for u in _units(_key(w.text)))
        self._new_segment(start_ms + cut * 1000 // SAMPLE_RATE, [audio[cut:]] if cut < audio.size else [],
                          context, _Seam(cut_ms, units))
        self._open = True
        if not keep:
            return None
        text = "".join(raw[:keep]).strip()
        return Transcript(text, True, start_ms, start_ms + cut * 1000 // SAMPLE_RATE, tuple(words[:keep]),
                          engine=ENGINE)

    # -- decoding --------------------------------------------------------------------------------------------
    def _transcribe(self, audio: np.ndarray, *, words: bool, full_window: bool = False):
        _full_window.on = full_window
        try:
            segments, info = self._model.whisper.transcribe(
                audio.astype(np.float32) / 32768.0,
                language=self.language,
                beam_size=1,
                best_of=1,
                temperature=0.0 if not words else [0.0, 0.2, 0.4],
                compression_ratio_threshold=COMPRESSION_RATIO_MAX,
                no_speech_threshold=NO_SPEECH_PROB,
                log_prob_threshold=NO_SPEECH_LOGPROB,
                condition_on_previous_text=False,
                vad_filter=False,
                without_timestamps=not words,
                word_timestamps=words,
                max_new_tokens=min(440, 24 + TOKENS_PER_S * audio.size // SAMPLE_RATE),
            )
            segments = list(segments)
        finally:
            _full_window.on = False
        if self.language is None and self._model.multilingual:
            self.language = info.language  # keep the detected language for the rest of the interview
        return [s for s in segments if not (s.no_speech_prob > NO_SPEECH_PROB and s.avg_logprob < NO_SPEECH_LOGPROB)]

    def _looped(self, segments, text: str) -> bool:
        return any(s.compression_ratio > COMPRESSION_RATIO_MAX for s in segments) or has_repeats(text)

    def _script(self, text: str) -> str:
        return to_simplified(text) if (self.language or "").startswith("zh") else text

    def _partial_text(self, audio: np.ndarray) -> str:
        """The open segment's partial: the fixed text of the audio before the anchor and a decode of the audio
        after it; when that is longer than ``PARTIAL_SPAN_MS`` the anchor moves (``PARTIAL_SPAN_MS``)."""
        span = PARTIAL_SPAN_MS * SAMPLE_RATE // 1000
        tail = audio[self._partial_from:]
        if tail.size <= span:
            return _join(self._partial_prefix, self._decode_text(tail, self._partial_from == 0))
        cut = _quiet_cut(tail, PARTIAL_CUT_SEARCH_MS * SAMPLE_RATE // 1000)
        fixed = self._decode_text(tail[:cut], self._partial_from == 0)
        self._partial_prefix = _join(self._partial_prefix, fixed)
        self._partial_from += cut
        return self._partial_prefix

    def _decode_text(self, audio: np.ndarray, at_segment_start: bool = True) -> str:
        """A partial: the text only (no timestamps, greedy); a loop is only collapsed, not decoded again."""
        text = " ".join(s.text.strip() for s in self._transcribe(audio, words=False)).strip()
        text = self._script(collapse_repeats(text))
        return self._after_seam_text(text) if at_segment_start else text

    def _decode_words(self, audio: np.ndarray) -> tuple[list[Word], list[str]]:
        """Words on the media clock and their raw strings (spacing kept, so that joining them is right for both
        English and Chinese), with what was not said removed (module docstring). After a window cut the decode
        reads the context before the segment too, and the words that belong before the seam are dropped."""
        offset_ms = self._start_ms - self._context.size * 1000 // SAMPLE_RATE
        if self._context.size:
            audio = np.concatenate([self._context, audio])
        segments = self._transcribe(audio, words=True)
        if self._model.window_margin_ms and self._looped(segments, " ".join(s.text for s in segments)):
            segments = self._transcribe(audio, words=True, full_window=True)
        words: list[Word] = []
        raw: list[str] = []
        for seg in segments:
            for w in seg.words or ():
                if _key(w.word):  # punctuation alone (". . .") is not a word
                    raw.append(w.word)
                    words.append(Word(w.word.strip(), offset_ms + round(w.start * 1000),
                                      offset_ms + round(w.end * 1000), round(float(w.probability), 3)))
        keep = kept_indices(raw)
        words, raw = [words[i] for i in keep], [raw[i] for i in keep]
        words, raw = self._after_seam(words, raw)
        if (self.language or "").startswith("zh"):
            raw = list(_simplified_tokens(raw))
            words = [Word(r.strip(), w.start_ms, w.end_ms, w.confidence) for w, r in zip(words, raw)]
        return words, raw

    def _after_seam(self, words: list[Word], raw: list[str]) -> tuple[list[Word], list[str]]:
        """Without the words of a decode that were already final before the last window cut: those heard in the
        context before it, and those at it that repeat the last final words."""
        seam = self._seam
        if seam is None:
            return words, raw
        first = next((i for i, w in enumerate(words) if (w.start_ms + w.end_ms) / 2 >= seam.at_ms), len(words))
        words, raw = words[first:], raw[first:]
        near = [_key(w.text) for w in words if w.start_ms < seam.at_ms + SEAM_MS]
        drop = _repeated_start(seam.units, near)
        return words[drop:], raw[drop:]

    def _after_seam_text(self, text: str) -> str:
        """A partial after a window cut: without its first words when they repeat the last final ones."""
        if self._seam is None or not text:
            return text
        spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
        drop = _repeated_start(self._seam.units, [_key(text[a:b]) for a, b in spans[:16]])
        if not drop:
            return text
        return text[spans[drop][0]:].strip() if drop < len(spans) else ""


_TOKEN = re.compile(rf"[{HAN}]|[^\s{HAN}]+")


def _join(before: str, after: str) -> str:
    """Two pieces of one transcript: a space between them unless one side is Chinese (written without spaces)."""
    if not before or not after:
        return before or after
    glue = "" if HAN_CHAR.match(before[-1]) or HAN_CHAR.match(after[0]) else " "
    return before + glue + after


def _quiet_cut(audio: np.ndarray, search: int) -> int:
    """The start of the quietest 20 ms frame in the last ``search`` samples of ``audio`` (a pause between words is
    the likeliest place to cut without splitting one)."""
    frame = SAMPLE_RATE // 50
    start = max(0, audio.size - search)
    n = (audio.size - start) // frame
    if n < 1:
        return audio.size
    frames = audio[start:start + n * frame].astype(np.float32).reshape(n, frame)
    return start + int(np.argmin((frames * frames).mean(axis=1))) * frame


def _key(token: str) -> str:
    return "".join(ch for ch in token.lower() if ch.isalnum())


def _units(key: str) -> list[str]:
    """A word's comparable units: its Han characters one by one (Whisper splits Chinese into tokens differently
    from one decode to the next), or the word itself."""
    han = HAN_CHAR.findall(key)
    return han if han else ([key] if key else [])


def _repeated_start(before: tuple[str, ...], keys: list[str]) -> int:
    """How many of the words ``keys`` (in order) only repeat the end of the units ``before``: the longest run of
    whole words whose units are the last units of ``before``."""
    counts = [len(_units(k)) for k in keys]
    units = [u for k in keys for u in _units(k)]
    for size in range(min(len(before), len(units)), 0, -1):
        if list(before[-size:]) == units[:size]:
            n, total = 0, 0
            while n < len(counts) and total + counts[n] <= size:
                total += counts[n]
                n += 1
            if total == size:
                return n
    return 0


def _simplified_tokens(raw: list[str]) -> list[str]:
    """Word strings in Simplified characters, converted together (OpenCC converts phrases, which can span word
    tokens) and split back at the same places when the conversion kept every token's length, else one by one."""
    joined = "".join(raw)
    converted = to_simplified(joined)
    if len(converted) != len(joined):
        return [to_simplified(r) for r in raw]
    out, pos = [], 0
    for r in raw:
        out.append(converted[pos : pos + len(r)])
        pos += len(r)
    return out
