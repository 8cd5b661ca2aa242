"""CPU seconds one interview session costs per minute, by component, at the analyzers' nominal rates; prints ONE JSON
object.

    python -m benchmarks.session_cpu [--seconds 60] [--video-fps 15] [--video-size 640x480] [--no-speech]

Wall-clock figures mean nothing on a shared machine (other processes take the cores), so this counts process CPU
time (``time.process_time``: every thread of this process, model threads included) around each component, run one
after another in one process so each delta belongs to that component alone:

* ``video_decode``: the camera's frames (the synthetic face of :mod:`benchmarks.synthetic_media` at
  ``--video-fps``/``--video-size``) encoded beforehand with aiortc's VP8 encoder, depacketised and decoded with
  aiortc's decoder, as the server's receiver does for every frame it gets;
* ``rgb``, ``face``, ``pose``, ``hands``: what :class:`analyzers.video_scheduler.VideoAnalysisScheduler` does at
  the nominal rates (face 5 fps, posture and hands 2 fps, each taking the newest frame at its instants, one
  RGB conversion shared per frame), with the server's own analyzers;
* ``audio_decode``: Opus (aiortc's encoder beforehand, its decoder here) and the 16 kHz resampling of
  ``media/audio.py``, 50 frames a second;
* ``speech``: the looping English answers of the load test through the server's ``StreamingTranscriber`` (VAD,
  Whisper partials, speculative and final decodes) at real-time pace (its partial rate depends on the audio
  clock), with ``partial_decodes``/``final_decodes`` (transcripts out) and ``whisper_decodes`` (model calls in:
  ``text`` for partials, ``words`` for finals, with the seconds of audio they read) counted;
* ``end_of_turn`` (Smart Turn at each utterance end; only while the default fusion gives the voice a weight, as in
  the server) and ``voice`` (prosody per final).

Not counted here: aiortc's RTP/SRTP/DTLS handling, events, the bus and the database (``benchmarks/load.py`` measures
the whole server process). ``cores`` = CPU seconds per second of session; ``sessions_per_core`` = 1 / cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.synthetic_media import default_answer_script, iter_face_frames, make_speech_wav, read_wav_mono  # noqa: E402

NOMINAL_FPS = {"face": 5.0, "pose": 2.0, "hands": 2.0}


class CpuMeter:
    """Process CPU seconds by component."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def add(self, name: str, t0: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + time.process_time() - t0


def encode_video(seconds: float, fps: int, size: tuple[int, int]) -> list[tuple[bytes, int]]:
    """The camera's frames as aiortc would receive them: VP8, depacketised (payload descriptor removed)."""
    from aiortc.codecs import depayload
    from aiortc.codecs.vpx import Vp8Encoder
    from aiortc.rtcrtpparameters import RTCRtpCodecParameters

    codec = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)
    encoder = Vp8Encoder()
    out = []
    for i, frame in enumerate(iter_face_frames(seconds, fps, size, kind="av")):
        frame.pts, frame.time_base = i, Fraction(1, fps)
        payloads, timestamp = encoder.encode(frame, force_keyframe=(i == 0))
        out.append((b"".join(depayload(codec, p) for p in payloads), timestamp))
    return out


def video_components(meter: CpuMeter, seconds: float, fps: int, size: tuple[int, int],
                     rates: dict[str, float]) -> dict[str, Any]:
    from aiortc.codecs.vpx import Vp8Decoder
    from aiortc.jitterbuffer import JitterFrame

    from server.live.analysis import AnalyzerFactory

    encoded = encode_video(seconds, fps, size)
    decoder = Vp8Decoder()
    frames: list[av.VideoFrame] = []
    t0 = time.process_time()
    for data, ts in encoded:
        frames.extend(decoder.decode(JitterFrame(data, ts)))
    meter.add("video_decode", t0)

    analyzers = {a.name: a for a in AnalyzerFactory().frame_analyzers()}
    # the scheduler's instants: each analyzer at its rate takes the newest frame, skipping one it already had
    instants = sorted((k / rate, name) for name, rate in rates.items() if rate > 0
                      for k in range(int(seconds * rate)))
    last: dict[str, int] = {}
    rgb_index, rgb = -1, None
    analyzed = {name: 0 for name in analyzers}
    warm = {name: False for name in analyzers}
    for t, name in instants:
        index = min(len(frames) - 1, int(t * fps))
        if last.get(name) == index:
            continue
        last[name] = index
        if index != rgb_index:
            t0 = time.process_time()
            rgb = frames[index].to_ndarray(format="rgb24")
            meter.add("rgb", t0)
            rgb_index = index
        if not warm[name]:  # the first call builds the graph; a session pays it once, not per minute
            analyzers[name].analyze(rgb, int(t * 1000))
            warm[name] = True
            continue
        t0 = time.process_time()
        analyzers[name].analyze(rgb, int(t * 1000))
        meter.add(name, t0)
        analyzed[name] += 1
    for a in analyzers.values():
        a.close()
    return {"frames_decoded": len(frames), "frames_analyzed": analyzed}


def audio_decode(meter: CpuMeter, pcm48: np.ndarray) -> None:
    from aiortc.codecs.opus import OpusDecoder, OpusEncoder
    from aiortc.jitterbuffer import JitterFrame

    from media.audio import AudioFrameConverter

    encoder = OpusEncoder()
    packets = []
    for i in range(0, pcm48.size - 960, 960):
        frame = av.AudioFrame.from_ndarray(pcm48[i:i + 960].reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = 48000, i, Fraction(1, 48000)
        data, ts = encoder.encode(frame)
        packets += [(d, ts) for d in data]
    decoder, converter = OpusDecoder(), AudioFrameConverter()
    t0 = time.process_time()
    for data, ts in packets:
        for frame in decoder.decode(JitterFrame(data, ts)):
            converter.convert(frame)
    meter.add("audio_decode", t0)


async def speech_components(meter: CpuMeter, pcm16: np.ndarray, model_id: str, cache: Path,
                            partials: bool = True) -> dict[str, Any]:
    from analyzers.end_of_turn import shared_smart_turn
    from analyzers.inference_pool import DEFAULT_THREADS
    from analyzers.model_registry import ModelManager
    from analyzers.transcriber import StreamingTranscriber, TranscriptUpdate, UtteranceEnded
    from analyzers.voice import VoiceAnalyzer
    from dialogue.end_fusion import DEFAULT_FUSION

    # as the server builds it: one Whisper call per inference thread, each on cores / threads intra-op threads
    model = ModelManager(cache, inference_threads=DEFAULT_THREADS).load(model_id)
    if not partials:
        model.partial_interval_ms = 10**9
    calls = {"text": [0, 0.0], "words": [0, 0.0]}  # Whisper decodes: count, audio seconds
    whisper = getattr(model, "whisper", None)
    if whisper is not None:
        transcribe = whisper.transcribe

        def counted(audio, **kw):
            entry = calls["words" if kw.get("word_timestamps") else "text"]
            entry[0] += 1
            entry[1] += audio.size / 16000
            return transcribe(audio, **kw)

        whisper.transcribe = counted
    voice = VoiceAnalyzer()
    counts = {"partial_decodes": 0, "final_decodes": 0, "utterance_ends": 0}
    finals: list[tuple[int, int, Any]] = []
    ends: list[int] = []

    def on_event(event: Any) -> None:
        if isinstance(event, TranscriptUpdate):
            counts["final_decodes" if event.transcript.is_final else "partial_decodes"] += 1
            if event.transcript.is_final:
                finals.append((event.transcript.start_ms, event.transcript.end_ms, event.transcript))
        elif isinstance(event, UtteranceEnded):
            counts["utterance_ends"] += 1
            ends.append(event.t_ms)

    transcriber = StreamingTranscriber(model, on_event, language="en")
    t0 = time.process_time()
    start = time.monotonic()
    for i in range(0, pcm16.size - 320 + 1, 320):
        transcriber.push(pcm16[i:i + 320], i // 16)
        due = start + (i + 320) / 16000
        await asyncio.sleep(max(0.0, due - time.monotonic()))
    await transcriber.flush()
    await transcriber.close()
    meter.add("speech", t0)
    if DEFAULT_FUSION.hears_voice:  # as the server: not asked while the fusion gives the voice no weight
        turn = shared_smart_turn()
        t0 = time.process_time()
        for end_ms in ends:
            cut = end_ms * 16
            turn.probability(pcm16[max(0, cut - 8 * 16000):cut])
        meter.add("end_of_turn", t0)
    t0 = time.process_time()
    for start_ms, end_ms, tr in finals:
        voice.analyze_utterance(pcm16[start_ms * 16:end_ms * 16], start_ms, list(tr.words), tr.text, "en")
    meter.add("voice", t0)
    voice.close()
    counts["whisper_decodes"] = {kind: {"calls": n, "audio_s": round(sec, 1)} for kind, (n, sec) in calls.items()}
    return counts


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.session_cpu", description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=60.0, help="session time simulated (default 60)")
    p.add_argument("--video-fps", type=int, default=15, help="frames per second the camera sends (default 15)")
    p.add_argument("--video-size", default="640x480")
    p.add_argument("--rates", default="face=5,pose=2,hands=2", help="analyzer rates (default: the nominal ones)")
    p.add_argument("--no-video", action="store_true")
    p.add_argument("--no-speech", action="store_true")
    p.add_argument("--speech-model", default="whisper-tiny.en")
    p.add_argument("--no-partials", action="store_true", help="no partial transcripts (their share of the cost)")
    args = p.parse_args(argv)
    size = tuple(int(x) for x in args.video_size.lower().split("x"))
    rates = {k: float(v) for k, v in (kv.split("=") for kv in args.rates.split(","))}
    meter = CpuMeter()
    result: dict[str, Any] = {"seconds": args.seconds, "video_fps": args.video_fps, "video_size": args.video_size,
                              "rates": rates}
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_video:
            result["video"] = video_components(meter, args.seconds, args.video_fps, size, rates)
        if not args.no_speech:
            wav = make_speech_wav(Path(tmp) / "answers.wav", default_answer_script(pause_s=4.5))
            pcm48, rate = read_wav_mono(wav.path)
            reps = int(np.ceil(args.seconds * rate / pcm48.size))
            pcm48 = np.tile(pcm48, reps)[: int(args.seconds * rate)]
            audio_decode(meter, pcm48)
            pcm16 = av.AudioResampler(format="s16", layout="mono", rate=16000)
            frame = av.AudioFrame.from_ndarray(pcm48.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = rate
            pcm16 = np.concatenate([f.to_ndarray().reshape(-1) for f in pcm16.resample(frame)])
            cache = Path(os.environ.get("INTERVIEW_MODEL_CACHE_DIR", Path(tmp) / "models"))
            result["speech"] = asyncio.run(speech_components(meter, pcm16, args.speech_model, cache,
                                                                 partials=not args.no_partials))
    per_min = {k: round(v * 60.0 / args.seconds, 2) for k, v in sorted(meter.seconds.items(), key=lambda kv: -kv[1])}
    total = sum(meter.seconds.values()) / args.seconds
    result.update({
        "cpu_s_per_session_minute": per_min,
        "cpu_s_per_session_minute_total": round(total * 60, 2),
        "share": {k: round(v / max(1e-9, total * 60), 3) for k, v in per_min.items()},
        "cores": round(total, 4),
        "sessions_per_core": round(1 / total, 2) if total else None,
        "machine": {"cpu_count": os.cpu_count(), "load_avg": [round(x, 2) for x in os.getloadavg()],
                    "python": platform.python_version()},
    })
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
