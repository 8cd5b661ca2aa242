"""Measurements of the speech signal (16 kHz mono int16 PCM): which frames are speech and which are pauses
(webrtcvad plus an energy gate), their level in dBFS, and the pitch (a vectorised YIN F0 estimator). The voice
analyzer (analyzers/voice.py) turns them into rates, pauses, pitch and loudness.
"""

from __future__ import annotations

import numpy as np
import webrtcvad

from analyzers.asr import SAMPLE_RATE

__all__ = ["FRAME_MS", "MIN_PAUSE_MS", "detect_speech_frames", "final_pitch_change_st", "mask_runs", "voiced_ms", "yin_f0"]

FRAME_MS = 10  # analysis hop for VAD/energy/pitch
_VAD_FRAME_MS = 30  # webrtcvad frame (10/20/30 ms allowed)
MIN_PAUSE_MS = 250  # silences shorter than this are part of articulation (stops, breaths between words)
_DB_FLOOR = -120.0


def _frame_db(x: np.ndarray, hop: int) -> np.ndarray:
    """RMS dBFS of consecutive ``hop``-sample frames of int16 audio."""
    n = x.size // hop
    if n == 0:
        return np.zeros(0)
    f = x[: n * hop].astype(np.float64).reshape(n, hop) / 32768.0
    rms = np.sqrt(np.mean(f * f, axis=1))
    return np.maximum(20.0 * np.log10(np.maximum(rms, 1e-12)), _DB_FLOOR)


def mask_runs(mask: np.ndarray) -> list[tuple[int, int]]:
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
    runs = mask_runs(mask)
    for (s0, e0), (s1, _e1) in zip(runs, runs[1:]):
        if s1 - e0 < min_gap:
            mask[e0:s1] = True
    min_run = max(1, min_speech_ms // hop_ms)
    for s, e in mask_runs(mask):
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


def final_pitch_change_st(pcm16k: np.ndarray, window_s: float = 1.0, min_voiced: int = 8) -> float | None:
    """How the pitch moves at the end of ``pcm16k`` (speech that has just stopped): the median F0 of the last third
    of the voiced 10 ms frames in its last ``window_s`` against the median of the frames before them, in semitones
    (negative: falling, as at the end of a statement; about 0: level, as before a continuation). None with fewer
    than ``min_voiced`` voiced frames."""
    tail = pcm16k[-int(window_s * SAMPLE_RATE):]
    f0, aper = yin_f0(tail, hop=160, window=512)
    if f0.size == 0:
        return None
    # YIN finds "periods" in silence and faint noise too: only frames within 30 dB of the loudest count
    level = _frame_db(tail, 160)[: f0.size]
    loud = level >= max(level.max() - 30.0, -60.0)
    voiced = f0[loud & (~np.isnan(f0)) & (aper < 0.3)]
    if voiced.size < min_voiced:
        return None
    k = max(2, voiced.size // 3)
    return float(12.0 * np.log2(np.median(voiced[-k:]) / np.median(voiced[:-k])))


SPEAKING_F0_HZ = (70.0, 400.0)
"""Pitch range of speaking voices (a deep man's ~75 Hz to a child's ~400 Hz)."""


def voiced_ms(pcm16k: np.ndarray, max_aperiodicity: float = 0.2) -> int:
    """Milliseconds of ``pcm16k`` that are voiced the way speech is: clearly periodic 10 ms frames with a speaking
    pitch, within 30 dB of the loudest frame. Noise (white, pink, brown), breath, clicks and mains hum (50/60 Hz)
    have none; a short "yes" has several tens of ms."""
    f0, aper = yin_f0(pcm16k, fmin=SPEAKING_F0_HZ[0] - 10, fmax=SPEAKING_F0_HZ[1] + 100)
    if f0.size == 0:
        return 0
    level = _frame_db(pcm16k, 160)[: f0.size]
    loud = level >= max(level.max() - 30.0, -60.0)
    with np.errstate(invalid="ignore"):
        speaking = (f0 >= SPEAKING_F0_HZ[0]) & (f0 <= SPEAKING_F0_HZ[1])
    return int(np.count_nonzero(loud & speaking & (aper < max_aperiodicity))) * FRAME_MS
