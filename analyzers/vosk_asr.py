"""Vosk (Kaldi) behind the streaming ``SpeechModel`` interface: truly streaming, partials on every call.

Vosk also endpoints on its own; a result it returns in the middle of our (VAD-defined) utterance is kept and
prepended to the utterance's final, so the final always holds all of the utterance's text.
Vosk word times count from the recognizer's creation (all audio ever fed), so the stream counts samples to
map them onto the media clock.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from analyzers.asr import SAMPLE_RATE, RecognizerStream, SpeechModel, Transcript, Word

ENGINE = "vosk"

_quiet = False


def _quiet_logs() -> None:
    global _quiet
    if not _quiet:
        import vosk

        vosk.SetLogLevel(-1)
        _quiet = True


class VoskSpeechModel(SpeechModel):
    def __init__(self, path: str | Path, model_id: str = "vosk", *, language: str = "") -> None:
        import vosk

        _quiet_logs()
        self.model_id = model_id
        self.language = language
        self.path = Path(path)
        self.vosk_model = vosk.Model(str(path))

    def open_stream(self, language: str | None) -> VoskStream:
        if language and self.language and language != self.language:
            raise ValueError(f"{self.model_id} recognises {self.language!r}, not {language!r}")
        return VoskStream(self)


class VoskStream(RecognizerStream):
    def __init__(self, model: VoskSpeechModel) -> None:
        import vosk

        self._rec = vosk.KaldiRecognizer(model.vosk_model, SAMPLE_RATE)
        self._rec.SetWords(True)
        self._rec.SetPartialWords(True)
        self._fed = 0  # samples fed since the recognizer was created
        self._utt_fed = 0  # ... at the start of the open utterance
        self._start_ms = 0
        self._words: list[Word] = []  # results vosk already endpointed inside this utterance
        self._texts: list[str] = []
        self._last_partial = ""
        self._open = False

    def start_utterance(self, start_ms: int) -> None:
        self._start_ms = start_ms
        self._utt_fed = self._fed
        self._words, self._texts = [], []
        self._last_partial = ""
        self._open = True

    def accept(self, pcm: np.ndarray) -> Transcript | None:
        if not self._open:
            raise RuntimeError("accept() before start_utterance()")
        pcm = np.asarray(pcm, dtype=np.int16).reshape(-1)
        if pcm.size == 0:
            return None
        self._fed += pcm.size
        if self._rec.AcceptWaveform(pcm.tobytes()):
            self._keep(json.loads(self._rec.Result()))
            current = ""
        else:
            current = json.loads(self._rec.PartialResult()).get("partial", "")
        text = " ".join([*self._texts, current]).strip()
        if not text or text == self._last_partial:
            return None
        self._last_partial = text
        return Transcript(text, False, self._start_ms, self._now_ms(), engine=ENGINE)

    def finish_utterance(self) -> Transcript | None:
        if not self._open:
            return None
        self._open = False
        self._keep(json.loads(self._rec.FinalResult()))
        text = " ".join(self._texts).strip()
        words, self._words, self._texts = tuple(self._words), [], []
        if not text:
            return None
        return Transcript(text, True, self._start_ms, self._now_ms(), words, engine=ENGINE)

    def close(self) -> None:
        self._open = False
        self._rec = None

    def _now_ms(self) -> int:
        return self._start_ms + (self._fed - self._utt_fed) * 1000 // SAMPLE_RATE

    def _media_ms(self, seconds: float) -> int:
        return self._start_ms + round(seconds * 1000 - self._utt_fed * 1000 / SAMPLE_RATE)

    def _keep(self, result: dict) -> None:
        text = result.get("text", "").strip()
        if not text:
            return
        self._texts.append(text)
        for w in result.get("result", ()):
            self._words.append(
                Word(w["word"], self._media_ms(w["start"]), self._media_ms(w["end"]), round(float(w["conf"]), 3))
            )
