"""Speech recognition engines and the streaming transcriber, on espeak-ng speech.

Model tests use the weights the registry packages ship (no downloads). Fake-model tests check the transcriber's
ordering, serialization and backpressure without any model.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
import time

import numpy as np
import pytest


from analyzers.asr import RecognizerStream, SpeechModel, Transcript, Word
from analyzers.model_registry import ModelManager
from analyzers.transcriber import (
    StreamingTranscriber,
    TranscriptUpdate,
    UtteranceDone,
    UtteranceEnded,
    UtteranceStarted,
)
from analyzers.hallucination import collapse_repeats, has_repeats
from analyzers.text.script import count_han, to_simplified
from tests.speech import synth, silence

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


async def feed(transcriber: StreamingTranscriber, pcm: np.ndarray, realtime_factor: float = 0.0) -> None:
    """Push 20 ms frames; ``realtime_factor`` 1.0 paces them like a live call, 0 as fast as the loop allows."""
    pcm = np.concatenate([pcm, np.zeros(-len(pcm) % 320, np.int16)])
    for i in range(len(pcm) // 320):
        transcriber.push(pcm[i * 320 : (i + 1) * 320], i * 20)
        await asyncio.sleep(0.02 * realtime_factor)


async def transcribe(model, pcm: np.ndarray, realtime_factor: float = 0.0,
                     **options) -> tuple[StreamingTranscriber, dict[int, list[Transcript]]]:
    """A ``StreamingTranscriber(model, **options)`` fed ``pcm`` and closed: it, and its transcripts per utterance
    (order checked)."""
    events: list = []
    transcriber = StreamingTranscriber(model, events.append, **options)
    await feed(transcriber, pcm, realtime_factor)
    await transcriber.close()
    return transcriber, check_order(events)


def check_order(events: list) -> dict[int, list[Transcript]]:
    """Per utterance: boundaries once each; transcripts before its done, ending with a final; a pause inside it may
    close a final segment, after which only the audio after that segment is transcribed."""
    by_utt: dict[int, list[Transcript]] = {}
    started, ended, done = [], [], []
    for e in events:
        if isinstance(e, UtteranceStarted):
            started.append(e.utterance)
        elif isinstance(e, UtteranceEnded):
            assert e.utterance in started
            ended.append(e.utterance)
        elif isinstance(e, UtteranceDone):
            assert e.utterance in ended, "done only after the utterance ended"
            done.append(e.utterance)
        else:
            assert e.utterance not in done, "nothing arrives after the utterance is done"
            assert e.utterance in started
            seq = by_utt.setdefault(e.utterance, [])
            finals = [t for t in seq if t.is_final]
            if finals:
                assert e.transcript.start_ms >= finals[-1].end_ms, "a transcript re-read a finished segment"
            seq.append(e.transcript)
    assert started == sorted(set(started)) and ended == started and done == started
    assert all(ts[-1].is_final for ts in by_utt.values()), "an utterance ended on a partial"
    return by_utt


@pytest.fixture(scope="module")
def manager(tmp_path_factory) -> ModelManager:
    return ModelManager(tmp_path_factory.mktemp("models"), allow_download=False, inference_threads=2)


# -- Whisper ---------------------------------------------------------------------------------------------------


@pytest.mark.models
@needs_espeak
def test_whisper_tiny_recognises_a_sentence_with_word_times(manager, tmp_path):
    model = manager.load("whisper-tiny.en")
    assert model.language == "en" and manager.load("whisper-tiny.en") is model
    speech = synth("I led a team of five engineers last year", tmp_path, voice="en-us")  # what tiny.en hears well
    stream = model.open_stream("en")
    stream.start_utterance(5000)
    for i in range(0, len(speech), 3200):
        stream.accept(speech[i : i + 3200])
    final = stream.finish_utterance()
    assert final is not None and final.is_final and final.engine == "whisper"
    text = final.text.lower()
    assert "team" in text and "engineers" in text
    assert final.start_ms == 5000 and final.end_ms == 5000 + len(speech) // 16
    starts = [w.start_ms for w in final.words]
    assert starts == sorted(starts) and 5000 <= starts[0] and final.words[-1].end_ms <= final.end_ms + 50
    assert stream.finish_utterance() is None  # nothing open any more


@pytest.mark.models
@needs_espeak
def test_whisper_short_encoder_window_reads_the_audio_plus_margin_and_recognises_the_same(manager, tmp_path):
    from faster_whisper.audio import pad_or_trim

    short = manager.load("whisper-tiny.en")
    assert short.window_margin_ms == 3000
    full = ModelManager(manager.cache_dir, inference_threads=1, whisper_window_margin_ms=0).load("whisper-tiny.en")
    speech = synth("As a result we cut the page load time by forty percent", tmp_path)
    features = pad_or_trim(short.whisper.feature_extractor(speech.astype(np.float32) / 32768.0))
    content = len(speech) // 160
    encoded = np.asarray(short.whisper.encode(features))  # (batch, frames / 2, width)
    assert abs(encoded.shape[1] * 2 - (content + 300)) <= 4, encoded.shape  # the audio and 3 s, not 30 s
    assert np.asarray(full.whisper.encode(features)).shape[1] == 1500
    texts = []
    for model in (short, full):
        stream = model.open_stream("en")
        stream.start_utterance(0)
        stream.accept(speech)
        final = stream.finish_utterance()
        texts.append(final.text.lower())
        assert final.words[-1].end_ms <= final.end_ms + 50
    for text in texts:
        assert "result" in text and "page load time" in text and ("40" in text or "forty" in text), texts


@pytest.mark.models
@needs_espeak
def test_whisper_gives_partials_while_the_utterance_grows(manager, tmp_path):
    stream = manager.load("whisper-tiny.en").open_stream("en")
    speech = synth("We shipped the product two months early and under budget", tmp_path)
    stream.start_utterance(0)
    partials = [p for i in range(0, len(speech), 3200) if (p := stream.accept(speech[i : i + 3200])) is not None]
    assert partials and all(not p.is_final and not p.words for p in partials)
    assert [p.end_ms for p in partials] == sorted(p.end_ms for p in partials)
    assert stream.finish_utterance().is_final


@pytest.mark.models
@needs_espeak
def test_partials_of_a_long_segment_decode_only_its_new_audio_and_keep_its_first_words(manager, tmp_path,
                                                                                      monkeypatch):
    """Partials of a segment longer than ``PARTIAL_SPAN_MS`` keep its beginning as fixed text and decode only what
    came after it; the final still decodes the whole segment."""
    from analyzers import whisper_asr

    model = manager.load("whisper-tiny.en")
    speech = synth("We shipped the product two months early and under budget. Then we hired three more "
                   "engineers and moved the whole team to the new office in the spring. Sales grew by half "
                   "in the first year after the launch", tmp_path)
    assert len(speech) > 2 * whisper_asr.PARTIAL_SPAN_MS * 16
    decoded: list[tuple[int, bool]] = []  # (samples, with word times)
    transcribe = model.whisper.transcribe
    monkeypatch.setattr(model.whisper, "transcribe", lambda audio, **kw: decoded.append(
        (audio.size, kw["word_timestamps"])) or transcribe(audio, **kw))
    stream = model.open_stream("en")
    stream.start_utterance(0)
    partials = [p for i in range(0, len(speech), 3200) if (p := stream.accept(speech[i : i + 3200])) is not None]
    limit = (whisper_asr.PARTIAL_SPAN_MS + model.partial_interval_ms) * 16 + 3200
    assert decoded and all(n <= limit for n, words in decoded if not words), (decoded, limit)
    assert "product" in partials[-1].text.lower() and "engineers" in partials[-1].text.lower(), partials[-1]
    final = stream.finish_utterance()
    assert decoded[-1] == (len(speech), True)
    assert "product" in final.text.lower() and "office" in final.text.lower()


@pytest.mark.models
@needs_espeak
def test_whisper_skips_partials_on_a_saturated_machine_but_still_finalizes(manager, tmp_path):
    stream = manager.load("whisper-tiny.en").open_stream("en")
    speech = synth("We shipped the product two months early and under budget", tmp_path)
    stream.start_utterance(0)
    stream.partials_allowed = False
    assert all(stream.accept(speech[i : i + 3200]) is None for i in range(0, len(speech) // 2, 3200))
    stream.partials_allowed = True  # room again: the next batch brings a partial at once
    assert stream.accept(speech[len(speech) // 2 :]) is not None
    final = stream.finish_utterance()
    assert final.is_final and "product" in final.text.lower()


RUN_ON = [  # one passage read without a pause (each sentence follows the last within 0.1 s)
    "last year I worked in a small team that built a mobile app for a local bank",
    "the first version was slow so we spent two months making every screen faster",
    "we measured each change and kept only the ones that helped the users",
    "in the end the app started twice as fast and people used it more often",
    "after that the bank asked us to build the same thing for their website",
]


@pytest.mark.models
@needs_espeak
async def test_run_on_speech_longer_than_the_window_keeps_its_words_in_order_without_repeats(manager, tmp_path):
    """Speech with no pause, longer than the decode window: overlapping windows, each seam decoded twice and
    kept once."""
    model = await manager.aload("whisper-tiny.en")
    parts = []
    for sentence in RUN_ON:
        parts += [synth(sentence, tmp_path, voice="en-us"), silence(100)]
    passage = np.concatenate(parts)
    saved = model.window_ms, model.overlap_ms
    model.window_ms, model.overlap_ms = 8000, 2000  # stand in for 20 s and 4 s (the passage is 20 s)
    try:
        _, by_utt = await transcribe(model, np.concatenate([silence(500), passage, silence(800)]), 0.5,
                                     max_backlog_ms=60_000)
    finally:
        model.window_ms, model.overlap_ms = saved
    assert list(by_utt) == [1], "one utterance: the passage has no pause"
    finals = [t for t in by_utt[1] if t.is_final]
    assert len(finals) >= 3, [f.text for f in finals]
    heard = [word_key(w) for f in finals for w in f.text.split() if word_key(w)]
    said = [word_key(w) for w in " ".join(RUN_ON).split()]
    # tiny.en hears ~0.88 of these words in order decoding the passage at once: a lost window would cost ~0.3
    assert in_order_recall(said, heard) >= 0.8, (said, heard)
    for before, after in zip(finals, finals[1:]):  # no word said twice across a seam
        a = [word_key(w) for w in before.text.split()]
        b = [word_key(w) for w in after.text.split()]
        assert a[-1] != b[0] and a[-2:] != b[:2], (before.text, after.text)
    assert not has_repeats(" ".join(f.text for f in finals))


def word_key(word: str) -> str:
    return "".join(ch for ch in word.lower() if ch.isalnum())


def in_order_recall(said: list[str], heard: list[str]) -> float:
    """Share of the words said that were heard, in the order said (longest common subsequence)."""
    prev = [0] * (len(heard) + 1)
    for x in said:
        cur = [0]
        for j, y in enumerate(heard, 1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1] / len(said)


@pytest.mark.models
@needs_espeak
async def test_short_clips_do_not_come_back_repeated(manager, tmp_path):
    """Short commands as a candidate might say them: the decoder looping on a short clip must not show the
    sentence several times (the voice that made tiny.en loop here is included)."""
    model = await manager.aload("whisper-tiny.en")
    for text, voice in (("turn left at the next corner", "en-gb"), ("call the front desk", "en-us"),
                        ("lift the red box", "en-gb-scotland")):
        speech = synth(text, tmp_path, voice=voice)
        _, by_utt = await transcribe(model, np.concatenate([silence(600), speech, silence(900)]))
        said = [t.text for ts in by_utt.values() for t in ts if t.is_final]
        assert len(said) == 1, said
        heard = [word_key(w) for w in said[0].split()]
        assert heard.count(word_key(text.split()[-1])) <= 1 and len(heard) <= len(text.split()) + 2, said


def noise(kind: str, ms: int, dbfs: float, seed: int = 0) -> np.ndarray:
    """Sounds that open a VAD without anyone speaking: coloured noise, keyboard-like clicks, breaths."""
    rng = np.random.default_rng(seed)
    n = 16 * ms
    if kind == "clicks":
        x = np.zeros(n)
        for at in rng.integers(0, n - 160, 4 * ms // 1000):
            x[at : at + 160] += rng.standard_normal(160) * np.hanning(160) * 8
    else:
        spectrum = np.fft.rfft(rng.standard_normal(n))
        f = np.maximum(np.fft.rfftfreq(n, 1 / 16000), 20.0)
        x = np.fft.irfft(spectrum / (np.sqrt(f) if kind == "pink" else f), n)  # pink, or brown (breath-like)
        if kind == "breaths":
            x *= np.clip(np.sin(2 * np.pi * 0.4 * np.arange(n) / 16000), 0, None)  # 1.2-s puffs
    x /= np.sqrt(np.mean(x**2))
    return np.clip(x * 32768 * 10 ** (dbfs / 20), -32768, 32767).astype(np.int16)


@pytest.mark.models
async def test_silence_and_noise_give_no_text(manager):
    """Nothing is said: no caption and no transcript, in either language's model (Whisper puts "Thank you." or
    "作词" on such sounds)."""
    for model_id, language in (("whisper-tiny.en", "en"), ("whisper-base", "zh")):
        model = await manager.aload(model_id)
        for kind, dbfs in (("silence", 0), ("pink", -25), ("clicks", -30), ("clicks", -12), ("breaths", -20)):
            pcm = silence(5000) if kind == "silence" else noise(kind, 5000, dbfs)
            transcriber, by_utt = await transcribe(model, pcm, language=language)
            texts = [t.text for ts in by_utt.values() for t in ts]
            assert texts == [], (model_id, kind, dbfs, texts)


@pytest.mark.models
@needs_espeak
async def test_chinese_speech_is_written_in_simplified_characters(manager, tmp_path):
    """Whisper writes Mandarin in Traditional characters about as often as in Simplified; the interview's pages
    are Simplified, so captions and transcripts are too."""
    model = await manager.aload("whisper-base")
    shown = []
    for text in ("我们的团队这个月完成了新的数据库系统", "这个项目让我学会了怎么和客户沟通"):
        speech = synth(text, tmp_path, voice="cmn-latn-pinyin")
        _, by_utt = await transcribe(model, np.concatenate([silence(500), speech, silence(900)]), 0.5,
                                     language="zh")
        shown += [t.text for ts in by_utt.values() for t in ts]
        shown += [w.text for ts in by_utt.values() for t in ts for w in t.words]
    assert sum(count_han(t) for t in shown) >= 10, shown
    assert [t for t in shown if to_simplified(t, "t2s") != t] == []


@pytest.mark.models
def test_english_only_model_refuses_other_languages(manager):
    with pytest.raises(ValueError):
        manager.load("whisper-tiny.en").open_stream(language="zh")


@pytest.mark.models
@needs_espeak
def test_joined_whisper_base_loads_and_recognises_english(manager, tmp_path):
    model = manager.load("whisper-base")
    assert (manager.cache_dir / "whisper-base" / "model.bin").stat().st_size == 145_217_607
    stream = model.open_stream(language="en")
    speech = synth("I led a team of five engineers last year", tmp_path, voice="en-us")  # what tiny.en hears well
    stream.start_utterance(0)
    stream.accept(speech)
    final = stream.finish_utterance()
    assert final is not None and "engineers" in final.text.lower()


# -- StreamingTranscriber with a real model ---------------------------------------------------------------------


@pytest.mark.models
@needs_espeak
async def test_transcriber_two_utterances_partials_then_one_final_each(manager, tmp_path):
    model = await manager.aload("whisper-tiny.en")
    a = synth("I led a team of five engineers", tmp_path)
    b = synth("We shipped the product two months early", tmp_path)
    transcriber, by_utt = await transcribe(model, np.concatenate([silence(800), a, silence(1000), b, silence(800)]),
                                           0.25, batch_ms=160)
    assert sorted(by_utt) == [1, 2]
    for transcripts in by_utt.values():
        final = transcripts[-1]
        assert final.is_final and final.words
        assert [w.start_ms for w in final.words] == sorted(w.start_ms for w in final.words)
    assert any(not t.is_final for ts in by_utt.values() for t in ts), "no partial at all"
    first, second = by_utt[1][-1], by_utt[2][-1]
    assert "team" in first.text.lower() and "product" in second.text.lower()
    assert first.words[-1].end_ms <= second.words[0].start_ms  # media clock runs across utterances
    assert transcriber.stats.dropped_audio_ms == 0 and transcriber.stats.errors == 0


@pytest.mark.models
@needs_espeak
async def test_a_pause_inside_an_utterance_closes_a_final_segment(manager, tmp_path):
    """350 ms between two sentences: one VAD utterance, but the speculative decode at the pause becomes the first
    sentence's final, and the end's final is the speculative decode of the second sentence alone."""
    model = await manager.aload("whisper-tiny.en")
    a = synth("I led a team of five engineers.", tmp_path)
    b = synth("We shipped the product two months early.", tmp_path)
    transcriber, by_utt = await transcribe(model, np.concatenate([silence(800), a, silence(350), b, silence(800)]),
                                           0.25, batch_ms=160)
    assert sorted(by_utt) == [1]
    finals = [t for t in by_utt[1] if t.is_final]
    assert len(finals) == 2, [t.text for t in by_utt[1]]
    assert "team" in finals[0].text.lower() and "product" not in finals[0].text.lower()
    assert "product" in finals[1].text.lower() and "team" not in finals[1].text.lower()
    assert finals[0].words[-1].end_ms <= finals[1].words[0].start_ms
    # one per pause, each reused (a busy worker may skip the last one: the end then decodes it, once)
    assert 1 <= transcriber.stats.speculative_decodes <= 2


@pytest.mark.models
@needs_espeak
async def test_flush_finalizes_the_open_utterance_on_disconnect(manager, tmp_path):
    model = await manager.aload("whisper-tiny.en")
    events = []
    transcriber = StreamingTranscriber(model, events.append)
    await feed(transcriber, np.concatenate([silence(500), synth("I led a team of five engineers", tmp_path)]))
    await transcriber.flush()
    by_utt = check_order(events)
    assert by_utt[1][-1].is_final and "team" in by_utt[1][-1].text.lower()
    await transcriber.close()


# -- Vosk -------------------------------------------------------------------------------------------------------


@pytest.mark.models
@needs_espeak
async def test_vosk_korean_stream_and_transcriber(manager, tmp_path):
    model = await manager.aload("vosk-ko")
    assert model.language == "ko"
    a = synth("안녕하세요 저는 엔지니어입니다", tmp_path, voice="ko")

    # direct stream: vosk may endpoint inside our utterance; the final still holds every word
    stream = model.open_stream("ko")
    stream.start_utterance(2000)
    pcm = np.concatenate([a, silence(1200), a])
    out = [stream.accept(pcm[i : i + 3200]) for i in range(0, len(pcm), 3200)]
    final = stream.finish_utterance()
    assert all(t is None or (isinstance(t, Transcript) and not t.is_final) for t in out)
    assert final is None or isinstance(final, Transcript)
    if final is not None:
        assert final.is_final and final.start_ms == 2000
        pause_end_ms = 2000 + (len(a) + 16 * 1200) // 16
        assert final.words[0].start_ms < pause_end_ms - 1200 and final.words[-1].end_ms > pause_end_ms
        assert all(isinstance(w, Word) for w in final.words)
    stream.close()

    events = []

    async def on_event(event):  # an async consumer works as well as a plain callable
        events.append(event)

    transcriber = StreamingTranscriber(model, on_event)
    await feed(transcriber, np.concatenate([silence(500), a, silence(1000), a, silence(800)]))
    await transcriber.close()
    check_order(events)
    assert [type(e) for e in events].count(UtteranceStarted) == 2


# -- StreamingTranscriber mechanics with a fake model -----------------------------------------------------------


class SlowFakeModel(SpeechModel):
    """Each call takes ``delay`` seconds; records overlap so the test can prove calls are serialized."""

    model_id = "fake"
    language = "en"

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.active = 0
        self.max_active = 0
        self.lock = threading.Lock()
        self.accepted_samples = 0

    def open_stream(self, language: str | None) -> RecognizerStream:
        return SlowFakeStream(self)


class SlowFakeStream(RecognizerStream):
    def __init__(self, model: SlowFakeModel) -> None:
        self.m = model
        self.start = 0
        self.samples = 0

    def _busy(self) -> None:
        with self.m.lock:
            self.m.active += 1
            self.m.max_active = max(self.m.max_active, self.m.active)
        time.sleep(self.m.delay)
        with self.m.lock:
            self.m.active -= 1

    def start_utterance(self, start_ms: int) -> None:
        self.start, self.samples = start_ms, 0

    def accept(self, pcm: np.ndarray) -> Transcript | None:
        self._busy()
        self.samples += pcm.size
        self.m.accepted_samples += pcm.size
        return Transcript(f"{self.samples}", False, self.start, self.start + self.samples // 16)

    def finish_utterance(self) -> Transcript | None:
        self._busy()
        return Transcript(f"{self.samples}", True, self.start, self.start + self.samples // 16)


def tone(ms: int) -> np.ndarray:
    t = np.arange(16 * ms) / 16000
    return (8000 * np.sin(2 * np.pi * 220 * t) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))).astype(np.int16)


async def test_transcriber_serializes_calls_and_batches_audio():
    model = SlowFakeModel(delay=0.05)
    transcriber, by_utt = await transcribe(model, np.concatenate([silence(300), tone(1500), silence(700)]), 0.5,
                                           batch_ms=100)
    assert list(by_utt) == [1]
    assert model.max_active == 1
    calls = transcriber.stats.inference_calls
    assert calls < 1500 / 20 / 2  # frames were batched, not sent one by one
    final = by_utt[1][-1]
    assert final.is_final and int(final.text) == model.accepted_samples  # no audio lost


async def test_transcriber_bounds_its_backlog_and_counts_dropped_audio():
    model = SlowFakeModel(delay=0.5)
    # fed far faster than the model can follow (order is checked too)
    transcriber, _ = await transcribe(model, np.concatenate([silence(300), tone(2000), silence(700)]), batch_ms=100,
                                      max_backlog_ms=400)
    stats = transcriber.stats
    assert stats.dropped_audio_ms > 0
    assert stats.max_backlog_ms <= 400


async def test_transcriber_survives_a_failing_model_and_a_failing_callback():
    class Broken(SlowFakeModel):
        def open_stream(self, language):
            stream = SlowFakeStream(self)

            def boom(pcm):
                raise RuntimeError("model crashed")

            stream.accept = boom
            return stream

    seen = []

    def callback(event):
        seen.append(event)
        raise ValueError("consumer bug")

    transcriber = StreamingTranscriber(Broken(0.0), callback)
    await feed(transcriber, np.concatenate([silence(300), tone(600), silence(700)]))
    await transcriber.close()
    assert transcriber.stats.errors >= 1
    kinds = [type(e) for e in seen]
    assert kinds[0] is UtteranceStarted and UtteranceEnded in kinds
    assert any(isinstance(e, TranscriptUpdate) and e.transcript.is_final for e in seen)


class PartialsAskedModel(SlowFakeModel):
    """Records, for each batch of audio, whether the transcriber allowed the stream a partial decode."""

    def __init__(self) -> None:
        super().__init__(0.0)
        self.allowed: list[bool] = []

    def open_stream(self, language: str | None) -> RecognizerStream:
        stream = SlowFakeStream(self)
        accept = stream.accept

        def recorded(pcm: np.ndarray) -> Transcript | None:
            self.allowed.append(stream.partials_allowed)
            return accept(pcm)

        stream.accept = recorded
        return stream


@pytest.mark.unit
async def test_partials_wait_while_the_frames_keep_every_core_busy(monkeypatch):
    """No core idle because the frame analyzers fill their pool: the speech pool itself has room, yet no partial is
    decoded (a final, or a pause's decode, would otherwise queue behind it); the utterance still gets its final."""
    from analyzers import inference_pool

    speech = np.concatenate([silence(300), tone(800), silence(700)])
    idle = PartialsAskedModel()
    await transcribe(idle, speech, 1.0)  # fed at the pace of speech
    assert any(idle.allowed)

    monkeypatch.setattr(inference_pool, "cores_busy", lambda: True)
    monkeypatch.setattr(inference_pool, "saturated", lambda: False)
    busy = PartialsAskedModel()
    _, by_utt = await transcribe(busy, speech, 1.0)
    assert busy.allowed and not any(busy.allowed)
    assert by_utt[1][-1].is_final


@pytest.mark.parametrize("margin, ok", [(0, True), (3000, True), (2000, True), (500, False), (1999, False)])
def test_whisper_window_margin_setting_refuses_margins_that_make_the_decoder_loop(margin, ok):
    from pydantic import ValidationError

    from server.platform.settings import Settings

    if ok:
        assert Settings(whisper_window_margin_ms=margin).whisper_window_margin_ms == margin
    else:
        with pytest.raises(ValidationError, match="whisper_window_margin_ms"):
            Settings(whisper_window_margin_ms=margin)


# -- what was not said ------------------------------------------------------------------------------------------


def test_a_decoder_loop_is_kept_once_and_natural_repetition_stays():
    assert collapse_repeats("We moved the servers. We moved the servers. We moved the servers.") == (
        "We moved the servers.")
    assert collapse_repeats("我们换了服务器。我们换了服务器。然后就好了") == "我们换了服务器。然后就好了"
    assert collapse_repeats("Fine. Okay, okay, okay, okay, okay, okay") == "Fine. Okay,"
    for said in ("no no no, it was very, very hard", "对对对，就是这样", "thank you, thank you", "one by one"):
        assert collapse_repeats(said) == said and not has_repeats(said)
