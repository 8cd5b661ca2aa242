// Candidate page: the time left for the current answer, from the question's time limit (question.asked's
// time_limit_s: the server ends the answer when it runs out). The digits change once a second and the bar glides
// (no flicker); the element is a timer that screen readers do not read out each second: a polite status says the
// time left only at coarse steps (the start, each minute above one, 1 minute, 30 and 10 seconds).
(function () {
  "use strict";
  const LOW_S = 30, CRITICAL_S = 10;

  function clock(s) { return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`; }
  function spoken(s) {
    if (s <= 0) return I18N.t("cand_time_up");
    if (s < 60) return I18N.t("cand_time_seconds", { n: s });
    const minutes = Math.round(s / 60);
    return minutes === 1 ? I18N.t("cand_time_one_minute") : I18N.t("cand_time_minutes", { n: minutes });
  }

  // ``els``: {box, value, fill, note} elements of the page, and ``onTimeUp`` (optional): called when the count reaches
  // zero (the answer is still open: the page says what happens now).
  function create(els) {
    const deadlines = new Map();  // turn -> {at (performance.now ms), total (s)}: a resumed answer's time goes on
    let current = null, timer = null, shown = null;

    function left() { return current ? Math.max(0, Math.ceil((current.at - performance.now()) / 1000)) : 0; }

    // The moments to say the time left: each whole minute from two up, then 1 minute, 30 and 10 seconds, the end.
    let marks = [];
    function marksBelow(s) {
      const out = [];
      for (let x = Math.floor((s - 1) / 60) * 60; x >= 120; x -= 60) out.push(x);
      return out.concat([60, 30, 10, 0].filter((x) => x < s));
    }
    function announce(s) {
      if (!marks.length || s > marks[0]) return;
      const mark = marks[0];
      marks = marks.filter((x) => x < s);
      els.note.textContent = spoken(mark);
    }

    function tick() {
      const s = left();
      if (s === shown) return;
      shown = s;
      els.value.textContent = clock(s);
      els.fill.style.transform = `scaleX(${current.total ? s / current.total : 0})`;
      els.box.dataset.level = s <= CRITICAL_S ? "critical" : s <= LOW_S ? "low" : "ok";
      announce(s);
      if (s <= 0) { clearInterval(timer); timer = null; if (els.onTimeUp) els.onTimeUp(); }
    }

    function run() {
      shown = null;
      const s = left();
      els.note.textContent = spoken(s);  // said once as the count starts
      marks = marksBelow(s);
      els.box.classList.remove("hidden");
      els.fill.classList.add("instant");  // jump to the start, then glide
      tick();
      void els.fill.offsetWidth;
      els.fill.classList.remove("instant");
      if (!timer) timer = setInterval(tick, 250);
    }

    // The question of ``turn`` was (re)sent with ``seconds`` to answer: the count starts (again) from there.
    function start(turn, seconds) {
      if (!seconds) { stop(); return; }
      heldAt = null;
      current = { at: performance.now() + seconds * 1000, total: seconds };
      deadlines.set(turn, current);
      run();
    }

    // The answer of ``turn`` goes on after its end was taken back: its count goes on where it stands.
    function resume(turn) {
      const known = deadlines.get(turn);
      if (!known) return;
      current = known;
      run();
    }

    // No audio reaches the server (the microphone was disconnected): its clock for the answer stops (it counts the
    // audio it gets), and so does this count until ``release``.
    let heldAt = null;
    function hold() {
      if (!current || heldAt !== null) return;
      heldAt = performance.now();
      if (timer) { clearInterval(timer); timer = null; }
    }
    function release() {
      if (heldAt === null) return;
      const held = performance.now() - heldAt;
      heldAt = null;
      if (!current) return;
      current.at += held;
      run();
    }

    function stop() {
      if (timer) { clearInterval(timer); timer = null; }
      current = null; shown = null; heldAt = null;
      els.box.classList.add("hidden");
      els.note.textContent = "";
    }

    document.addEventListener("langchange", () => { if (current) { shown = null; tick(); } });
    return { start, resume, stop, left, hold, release };
  }

  window.Countdown = { create };
})();
