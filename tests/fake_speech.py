"""A scripted speech model: the ``SpeechModel`` interface without Whisper, so the live loop is tested in seconds.

A script says what the candidate says when, on the media clock: ``speak(300, ("I led a team.", 1500), 2000, ...)``
(ints are silences in ms, ``(text, ms)`` a line spoken over that long). ``Script.audio()`` is PCM the real VAD hears
as speech during the lines (a voice-like sound;
webrtcvad's hangover adds ~100 ms to each) and as silence elsewhere. The model's streams answer like
Whisper's do - partials every ``partial_every_ms`` of audio, a speculative decode at each pause, a final at the end
- with the script's words whose middle lies in the audio they were given; each decode takes ``delay_s`` (they run on
the inference pool, like real ones).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from analyzers.asr import SAMPLE_RATE, RecognizerStream, SpeechModel, Transcript, Word
from dialogue.end_fusion import FusionWeights
from dialogue.turn_taking import TurnTakingConfig

ENGINE = "scripted"
FRAME_SAMPLES = 320

SCRIPTED_FUSION = FusionWeights(silence=1.0, intercept=-3.0, weights={
    "result": 2.3, "complete": 2.0, "unfinished": -0.5, "thinking": -0.5, "voice_finished": 1.0}, hold=-1.0)
"""Turn-taking weights for scripted answers (1 log-odds unit per second of silence, so each weight is a shift in
seconds): no cue 3 s, a stated result 0.7 s, an unfinished clause 3.5 s; a voice that sounds finished or unfinished
moves that by up to a second, and a long earlier pause slows it down. The defaults are the dev set's weights
(``dialogue/end_fusion.py``), under which a stated result waits about 3 s: scripts would have to be long."""


def scripted_turns(**overrides) -> TurnTakingConfig:
    """The live settings (``intent_reasons``) with ``SCRIPTED_FUSION`` and a 3 s neutral silence."""
    return TurnTakingConfig(**{"intent_reasons": True, "answer_end_silence_ms": 3000, "fusion": SCRIPTED_FUSION,
                               **overrides})


@dataclass(frozen=True)
class Line:
    text: str
    start_ms: int
    end_ms: int

    def words(self) -> list[Word]:
        tokens = self.text.split()
        step = (self.end_ms - self.start_ms) / max(1, len(tokens))
        return [Word(t, round(self.start_ms + i * step), round(self.start_ms + (i + 1) * step))
                for i, t in enumerate(tokens)]


@dataclass(frozen=True)
class Script:
    lines: tuple[Line, ...]
    duration_ms: int

    def words(self) -> list[Word]:
        return [w for line in self.lines for w in line.words()]

    def audio(self) -> np.ndarray:
        """A voice-like sound where the lines are, zeros elsewhere; whole 20 ms frames."""
        n = -(-self.duration_ms * SAMPLE_RATE // 1000 // FRAME_SAMPLES) * FRAME_SAMPLES
        pcm = np.zeros(n, np.int16)
        for i, line in enumerate(self.lines):
            a, b = line.start_ms * SAMPLE_RATE // 1000, line.end_ms * SAMPLE_RATE // 1000
            pcm[a:b] = voice(b - a, seed=i)
        return pcm


def voice(samples: int, seed: int = 0) -> np.ndarray:
    """Harmonics of a wandering pitch with a syllable-rate envelope: steadily voiced for webrtcvad (a pure tone is
    taken for noise after a moment)."""
    t = np.arange(samples) / SAMPLE_RATE
    phase = 2 * np.pi * np.cumsum(140 + 30 * np.sin(2 * np.pi * 1.3 * t)) / SAMPLE_RATE
    harmonics = sum(np.sin(k * phase) / k for k in range(1, 12))
    envelope = 0.6 + 0.4 * np.sin(2 * np.pi * 4 * t)
    noise = np.random.default_rng(seed).standard_normal(samples)
    return (5000 * harmonics * envelope + 200 * noise).astype(np.int16)


def speak(*parts: int | tuple[str, int]) -> Script:
    t, lines = 0, []
    for part in parts:
        if isinstance(part, tuple):
            text, ms = part
            lines.append(Line(text, t, t + ms))
            t += ms
        else:
            t += part
    return Script(tuple(lines), t)


class ScriptedSpeechModel(SpeechModel):
    def __init__(self, script: Script, *, delay_s: float = 0.0, partial_every_ms: int = 400,
                 language: str = "en") -> None:
        self.model_id = "scripted"
        self.language = language
        self.script = script
        self.delay_s = delay_s
        self.partial_every_ms = partial_every_ms
        self.opened_languages: list[str | None] = []

    def open_stream(self, language: str | None) -> ScriptedStream:
        if language not in (None, self.language):
            raise ValueError(f"scripted model speaks {self.language!r}, not {language!r}")
        self.opened_languages.append(language)
        return ScriptedStream(self)


class ScriptedStream(RecognizerStream):
    """Audio is only counted: the segment being recognised is [start, start + samples) on the media clock."""

    def __init__(self, model: ScriptedSpeechModel) -> None:
        self.model = model
        self._start_ms = 0
        self._samples = 0
        self._since_partial = 0
        self._last_partial = ""
        self._speculation: tuple[int, int, Transcript | None] | None = None  # (pause mark, samples, final)

    def _end_ms(self) -> int:
        return self._start_ms + self._samples * 1000 // SAMPLE_RATE

    def _decode(self, is_final: bool) -> Transcript | None:
        time.sleep(self.model.delay_s)
        start, end = self._start_ms, self._end_ms()
        words = [w for w in self.model.script.words() if start <= (w.start_ms + w.end_ms) // 2 < end]
        if not words:
            return None
        return Transcript(" ".join(w.text for w in words), is_final, start, end,
                          tuple(words) if is_final else (), engine=ENGINE)

    def start_utterance(self, start_ms: int) -> None:
        self._start_ms, self._samples, self._since_partial = start_ms, 0, 0
        self._last_partial, self._speculation = "", None

    def accept(self, pcm: np.ndarray) -> Transcript | None:
        self._samples += pcm.size
        self._since_partial += pcm.size
        if self._since_partial * 1000 < self.model.partial_every_ms * SAMPLE_RATE or not self.partials_allowed:
            return None
        self._since_partial = 0
        partial = self._decode(is_final=False)
        if partial is None or partial.text == self._last_partial:
            return None
        self._last_partial = partial.text
        return partial

    def finish_utterance(self) -> Transcript | None:
        self._speculation = None
        return self._decode(is_final=True)

    def speculate(self, mark: int) -> None:
        self._speculation = (mark, self._samples, self._decode(is_final=True))

    def finish_speculated(self, mark: int) -> Transcript | None:
        if self._speculation is None or self._speculation[0] != mark:
            return self.finish_utterance()
        final, self._speculation = self._speculation[2], None
        return final

    def commit_speculation(self, mark: int) -> Transcript | None:
        if self._speculation is None or self._speculation[0] != mark:
            return None
        _, cut, final = self._speculation
        self._start_ms += cut * 1000 // SAMPLE_RATE
        self._samples -= cut
        self._last_partial, self._speculation = "", None
        return final
