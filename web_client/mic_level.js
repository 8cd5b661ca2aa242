// Candidate page: a microphone's level, read with Web Audio at each animation frame and drawn as a calm bar (it rises
// at once and falls slowly; with prefers-reduced-motion, in quarter steps without a transition). The device check
// before joining (interview.js) and the meter during the interview (live_mic.js) both use it.
(function () {
  "use strict";
  // A peak (0..1) this loud is the candidate heard: about -30 dBFS, above a silent input's hiss, below quiet speech
  // at a laptop.
  const SOUND_PEAK = 4 / 128;
  // Below one step of 16-bit audio nothing at all arrives (digital silence: a muted headset, an input at volume 0).
  // A working microphone in a quiet room always delivers more than this, even through noise suppression.
  const ANY_SOUND_PEAK = 1 / 32768;
  const FALL_PER_S = 1.5;      // the drawn level falls by at most this much of the bar a second
  const MAX_FRAME_MS = 250;    // a longer gap between frames (a hidden tab) counts as this long
  const reduced = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;

  // Measures ``stream``'s audio track until the track ends or ``stop()`` (the bar then empties): ``onFrame(peak, ms)``
  // at each frame (ms: since the previous one), ``onEnd()`` once if the track stops being live. ``bar``: the element whose width shows
  // the level; a ``role="meter"`` parent gets its aria-valuenow (in tens: no chatter). Returns {context, stop}, or
  // null without Web Audio (nothing is measured).
  function measure(stream, { bar, onFrame, onEnd }) {
    const track = stream.getAudioTracks()[0];
    let ctx, an;
    try {
      ctx = new AudioContext();
      an = ctx.createAnalyser();
      ctx.createMediaStreamSource(stream).connect(an);
    } catch (e) { return null; }
    if (ctx.state === "suspended") ctx.resume().catch(() => {});
    const buf = new Float32Array(an.fftSize);
    const meterEl = bar && bar.parentElement && bar.parentElement.getAttribute("role") === "meter" ? bar.parentElement : null;
    let stopped = false, shown = 0, said = null, last = performance.now();

    function draw(peak, ms) {
      shown = Math.max(Math.min(1, peak * 1.92), shown - FALL_PER_S * ms / 1000);
      const level = reduced && reduced.matches ? Math.round(shown * 4) / 4 : shown;
      bar.style.width = (level * 100).toFixed(1) + "%";
      const value = Math.round(level * 10) * 10;
      if (meterEl && value !== said) { said = value; meterEl.setAttribute("aria-valuenow", String(value)); }
    }
    function close() {  // nothing measured any more: the bar shows nothing
      stopped = true;
      ctx.close().catch(() => {});
      shown = 0;
      if (bar) draw(0, 0);
    }
    function tick() {
      if (stopped) return;
      if (!track || track.readyState !== "live") { close(); if (onEnd) onEnd(); return; }
      const now = performance.now(), ms = Math.min(MAX_FRAME_MS, now - last);
      last = now;
      an.getFloatTimeDomainData(buf);
      let peak = 0;
      for (const v of buf) peak = Math.max(peak, Math.abs(v));
      if (bar) draw(peak, ms);
      if (onFrame) onFrame(peak, ms);
      requestAnimationFrame(tick);
    }
    requestAnimationFrame(tick);  // the first call comes after this returns: callers may use the handle in it
    return { context: ctx, stop() { if (!stopped) close(); } };
  }

  window.MicLevel = { measure, SOUND_PEAK, ANY_SOUND_PEAK };
})();
