// Candidate page, during the interview: the microphone's level next to the answer controls (mic_level.js); a warning
// when no sound at all reaches a live microphone while the page waits for an answer, gone as soon as sound arrives;
// and when the microphone's track ends or the system mutes it, a message with a button that gets the microphone
// again (``reacquire``: interview.js puts the new track on the connection with replaceTrack, no new offer).
(function () {
  "use strict";
  // How long nothing at all (digital silence, MicLevel.ANY_SOUND_PEAK) may come from a live microphone while an
  // answer is awaited before the page says so: longer than anyone's thinking pause makes sense to flag, well before
  // the server ends a question nobody answers (dialogue/turn_taking.py no_answer_timeout_ms, 60 s). A working
  // microphone always hears the room, so a thinking candidate does not see it.
  const SILENT_WARN_MS = 8000;
  // The system mutes a track for a moment now and then (a device switch): say so only if it lasts this long.
  const MUTED_WARN_MS = 1000;

  // ``els``: {bar, silent, lost, lostText, lostDetail, reconnect}; ``listening()``: the page waits for the
  // candidate's answer; ``reacquire()``: a promise of the microphone got again (rejects with getUserMedia's error);
  // ``onLost(lost)``: the microphone was lost (true) or is back (false).
  function create(els, { listening, reacquire, onLost }) {
    let watch = null, track = null, silentMs = 0, mutedTimer = null;

    function say(el, key) {
      if (key) { el.dataset.i18n = key; el.textContent = I18N.t(key); } else { delete el.dataset.i18n; el.textContent = ""; }
    }
    function showSilent(on) {
      if (on === !els.silent.classList.contains("hidden")) return;
      say(els.silent, on ? "cand_mic_silent_live" : null);
      els.silent.classList.toggle("hidden", !on);
    }
    function showLost(on) {
      clearTimeout(mutedTimer);
      if (on) showSilent(false);
      if (on === !els.lost.classList.contains("hidden")) return;
      say(els.lostText, on ? "cand_mic_lost" : null);
      say(els.lostDetail, null);
      say(els.reconnect, "cand_mic_reconnect");
      els.reconnect.disabled = false;
      els.lost.classList.toggle("hidden", !on);
      onLost(on);
    }

    function onFrame(peak, ms) {
      if (peak >= MicLevel.ANY_SOUND_PEAK) { silentMs = 0; showSilent(false); return; }
      const live = track.readyState === "live" && !track.muted && track.enabled && watch.context.state === "running";
      if (!live || !listening()) return;
      silentMs += ms;
      if (silentMs >= SILENT_WARN_MS) showSilent(true);
    }
    const onEnded = () => showLost(true);
    const onMute = () => { clearTimeout(mutedTimer); mutedTimer = setTimeout(() => { if (track.muted) showLost(true); }, MUTED_WARN_MS); };
    const onUnmute = () => { if (track.readyState === "live") { silentMs = 0; showLost(false); } };

    function detach() {
      if (watch) watch.stop();
      watch = null;
      clearTimeout(mutedTimer);
      if (track) {
        track.removeEventListener("ended", onEnded);
        track.removeEventListener("mute", onMute);
        track.removeEventListener("unmute", onUnmute);
      }
      track = null;
    }
    // Watch ``stream``'s microphone (again, after the microphone was got again).
    function attach(stream) {
      detach();
      track = stream.getAudioTracks()[0] || null;
      silentMs = 0;
      showSilent(false);
      showLost(false);
      if (!track) return;
      track.addEventListener("ended", onEnded);
      track.addEventListener("mute", onMute);
      track.addEventListener("unmute", onUnmute);
      watch = MicLevel.measure(stream, { bar: els.bar, onFrame, onEnd: onEnded });
      if (track.readyState !== "live") onEnded();
      else if (track.muted) onMute();
    }

    els.reconnect.addEventListener("click", async () => {
      els.reconnect.disabled = true;
      try {
        await reacquire();  // attaches the new stream: the message goes
      } catch (err) {
        // what went wrong, in the device check's words; their "press Try again" is this button, so it says that
        const help = DeviceHelp.explain(err);
        say(els.lostDetail, help.text);
        say(els.reconnect, "cand_dev_retry");
        els.reconnect.disabled = false;
      }
    });

    return { attach, stop: detach };
  }

  window.LiveMic = { create, SILENT_WARN_MS };
})();
