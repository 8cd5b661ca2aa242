"""Whisper (CTranslate2 via faster-whisper) behind the streaming ``SpeechModel`` interface.

Whisper is not a streaming model: the VAD cuts utterances, each stream buffers the open utterance, partials come
from re-decoding the growing utterance every ``partial_interval_ms`` of new audio (greedy, no timestamps), and the
final is one decode of the whole utterance with word timestamps. Whisper sees at most 30 s at once, so an utterance
is cut into finals at ``max_segment_ms`` (at a word boundary; the tail is carried over).

Short encoder window: Whisper's encoder always reads a 30-s window, so a 3-s utterance costs as much as a 30-s one
(~0.43 s of the ~0.6 s decode of tiny.en on one thread). CTranslate2 accepts fewer frames, so the encoder here
reads the utterance plus ``window_margin_ms`` of the padding. Measured on 55 espeak-ng utterances of the
turn-taking corpus (tiny.en, one thread): a 3-s margin gives WER 0.14 vs 0.16 for the full window, at decode p50
0.17 s vs 0.60 s; margins under 2 s make the decoder loop (WER 0.5-3). ``max_new_tokens`` grows with the audio's
length, so a decode that does loop ends early instead of running to 448 tokens.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from analyzers.asr import SAMPLE_RATE, RecognizerStream, SpeechModel, Transcript, Word

ENGINE = "whisper"
FRAMES_PER_S = 100  # Whisper's log-mel frames (10 ms hop)
WINDOW_MARGIN_MS = 3000  # padding after the audio (module docstring); the whisper_window_margin_ms setting's default
TOKENS_PER_S = 16  # generous: fast English is ~6 tokens/s, fast Mandarin ~6 characters (~8 tokens) per second


def _short_window_model(margin_frames: int):
    """faster-whisper's ``WhisperModel`` whose encoder reads the audio's frames plus ``margin_frames`` of padding
    instead of the whole 30-s window. faster-whisper pads each window's log-mel features with exact zeros (real
    audio, silence included, never gives an all-zero frame), so the content ends at the last non-zero frame."""
    from faster_whisper import WhisperModel

    class ShortWindowWhisper(WhisperModel):
        def encode(self, features: np.ndarray):
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
        max_segment_ms: int = 28_000,
        window_margin_ms: int = WINDOW_MARGIN_MS,
    ) -> None:
        """``window_margin_ms``: padding the encoder reads after the audio (module docstring); 0 = the full
        30-s window, as Whisper was trained."""
        from faster_whisper import WhisperModel

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
        self.max_segment_ms = max_segment_ms

    def open_stream(self, language: str | None) -> WhisperStream:
        """``language``: a Whisper language code (multilingual model); None = the model's default, detected from
        the first decode when the model has none."""
        lang = language or self.language
        if lang == "auto":
            lang = None
        if not self.multilingual and lang not in (None, "en"):
            raise ValueError(f"{self.model_id} is English-only; cannot recognise {lang!r}")
        return WhisperStream(self, lang)


class WhisperStream(RecognizerStream):
    def __init__(self, model: WhisperSpeechModel, language: str | None) -> None:
        self._model = model
        self.language = language
        self._chunks: list[np.ndarray] = []
        self._samples = 0
        self._start_ms = 0
        self._since_partial = 0
        self._last_partial_text = ""
        self._open = False
        self._speculation: tuple[int, int, Transcript | None] | None = None  # (pause mark, samples, decode)

    # -- RecognizerStream ------------------------------------------------------------------------------------
    def start_utterance(self, start_ms: int) -> None:
        self._chunks, self._samples, self._since_partial = [], 0, 0
        self._start_ms = start_ms
        self._last_partial_text = ""
        self._open = True
        self._speculation = None

    def accept(self, pcm: np.ndarray) -> Transcript | None:
        if not self._open:
            raise RuntimeError("accept() before start_utterance()")
        if pcm.size == 0:
            return None
        self._chunks.append(np.asarray(pcm, dtype=np.int16).reshape(-1))
        self._samples += pcm.size
        self._since_partial += pcm.size
        if self._samples * 1000 >= self._model.max_segment_ms * SAMPLE_RATE:
            return self._cut_segment()
        if self._since_partial * 1000 < self._model.partial_interval_ms * SAMPLE_RATE:
            return None
        if not self.partials_allowed:  # busy machine: the final still comes; the next partial when there is room
            return None
        self._since_partial = 0
        text = self._decode_text(self._audio())
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
        self._chunks, self._samples = [], 0
        return self._final(audio)

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
        self._open, self._speculation = False, None
        self._chunks, self._samples = [], 0
        return final

    def commit_speculation(self, mark: int) -> Transcript | None:
        if not self._open or self._speculation is None or self._speculation[0] != mark:
            return None
        _, cut, final = self._speculation
        audio = self._audio()
        self._chunks = [audio[cut:]] if cut < audio.size else []
        self._samples = audio.size - cut
        self._start_ms += cut * 1000 // SAMPLE_RATE
        self._last_partial_text = ""
        self._speculation = None
        return final

    def close(self) -> None:
        self._chunks, self._samples, self._open = [], 0, False

    # -- internals -------------------------------------------------------------------------------------------
    def _audio(self) -> np.ndarray:
        if len(self._chunks) > 1:
            self._chunks = [np.concatenate(self._chunks)]
        return self._chunks[0] if self._chunks else np.zeros(0, np.int16)

    def _final(self, audio: np.ndarray) -> Transcript | None:
        if audio.size < SAMPLE_RATE // 10:  # < 100 ms: nothing Whisper can use, and it hallucinates on it
            return None
        words, text, _ = self._decode_words(audio)
        if not text:
            return None
        end_ms = self._start_ms + audio.size * 1000 // SAMPLE_RATE
        return Transcript(text, True, self._start_ms, end_ms, tuple(words), engine=ENGINE)

    def _end_ms(self) -> int:
        return self._start_ms + self._samples * 1000 // SAMPLE_RATE

    def _transcribe(self, audio: np.ndarray, *, words: bool):
        segments, info = self._model.whisper.transcribe(
            audio.astype(np.float32) / 32768.0,
            language=self.language,
            beam_size=1,
            best_of=1,
            temperature=0.0 if not words else [0.0, 0.2, 0.4],
            condition_on_previous_text=False,
            vad_filter=False,
            without_timestamps=not words,
            word_timestamps=words,
            max_new_tokens=min(440, 24 + TOKENS_PER_S * audio.size // SAMPLE_RATE),
        )
        segments = list(segments)
        if self.language is None and self._model.multilingual:
            self.language = info.language  # keep the detected language for the rest of the interview
        return segments

    def _decode_text(self, audio: np.ndarray) -> str:
        return " ".join(s.text.strip() for s in self._transcribe(audio, words=False)).strip()

    def _decode_words(self, audio: np.ndarray) -> tuple[list[Word], str, list[str]]:
        """Words on the media clock, the text, and the raw word strings (spacing kept, so that joining them
        is right for both English and Chinese)."""
        segments = self._transcribe(audio, words=True)
        words: list[Word] = []
        raw: list[str] = []
        for seg in segments:
            for w in seg.words or ():
                token = w.word.strip()
                if token:
                    raw.append(w.word)
                    words.append(
                        Word(
                            token,
                            self._start_ms + round(w.start * 1000),
                            self._start_ms + round(w.end * 1000),
                            round(float(w.probability), 3),
                        )
                    )
        text = " ".join(s.text.strip() for s in segments).strip()
        return words, text, raw

    def _cut_segment(self) -> Transcript | None:
        """The utterance reached Whisper's window: finalize up to the last complete word, keep the rest."""
        audio = self._audio()
        words, _, raw = self._decode_words(audio)
        if len(words) >= 2:
            keep, cut_ms = words[:-1], words[-2].end_ms  # the last word may be cut off mid-way
        else:
            keep, cut_ms = words, self._start_ms + audio.size * 1000 // SAMPLE_RATE
        cut = min(audio.size, max(0, (cut_ms - self._start_ms) * SAMPLE_RATE // 1000))
        start_ms = self._start_ms
        self._chunks = [audio[cut:]] if cut < audio.size else []
        self._samples = audio.size - cut
        self._start_ms = start_ms + cut * 1000 // SAMPLE_RATE
        self._since_partial = 0
        self._last_partial_text = ""
        self._speculation = None
        if not keep:
            return None
        text = "".join(raw[: len(keep)]).strip()
        return Transcript(text, True, start_ms, start_ms + cut * 1000 // SAMPLE_RATE, tuple(keep), engine=ENGINE)
