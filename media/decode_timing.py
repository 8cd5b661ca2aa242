"""How long the browser's media takes to decode (Opus, VP8, H.264), per frame, as a Prometheus histogram.

aiortc decodes each receiver's frames on its own thread with a decoder from ``aiortc.codecs.get_decoder``, out of
the server's reach; :func:`install` has aiortc's receivers take their decoders through a wrapper that times each
``decode`` call (one clock read either side, on that thread). aiortc 1.16 looks the function up in
``aiortc.rtcrtpreceiver`` at every new codec, so the wrapper applies to every connection made after it; should a
later aiortc stop doing so, nothing is timed and the histogram stays empty (``install`` says so).
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import Histogram

MEDIA_DECODE_SECONDS = Histogram(
    "interview_media_decode_seconds", "One received frame decoded by aiortc (on its decoder thread), by kind "
    "(audio, video) and codec", ["kind", "codec"],
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1))


class TimedDecoder:
    """An aiortc decoder whose ``decode`` calls are timed; everything else is the decoder's own."""

    def __init__(self, decoder: Any, kind: str, codec: str) -> None:
        self._decoder = decoder
        self._observe = MEDIA_DECODE_SECONDS.labels(kind, codec).observe

    def decode(self, encoded_frame: Any) -> list:
        t0 = time.perf_counter()
        try:
            return self._decoder.decode(encoded_frame)
        finally:
            self._observe(time.perf_counter() - t0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._decoder, name)


def timed_get_decoder(get_decoder):
    def get_timed_decoder(codec):
        kind, _, name = codec.mimeType.lower().partition("/")
        return TimedDecoder(get_decoder(codec), kind, name)

    get_timed_decoder.timed = True  # type: ignore[attr-defined]
    return get_timed_decoder


def install() -> bool:
    """Time the decoders of every aiortc receiver made from now on (once per process); False when this aiortc
    version cannot be instrumented."""
    from aiortc import rtcrtpreceiver

    current = getattr(rtcrtpreceiver, "get_decoder", None)
    if current is None:
        return False
    if not getattr(current, "timed", False):
        rtcrtpreceiver.get_decoder = timed_get_decoder(current)
    return True
