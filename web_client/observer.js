// Observer panel: live state, current question, transcript and event timeline of one interview. A finished or failed
// interview is said to be over (title, status, a link to its report), not shown as live.
(function () {
  function decisionWhy(e) {  // the reason's sentence in the page's language; the server's English for an unknown code
    if (!e.reason_code) return e.reason;
    const key = "why_" + e.reason_code, text = I18N.t(key);
    return text === key ? e.reason : text;
  }
  I18N.apply();
  const $ = (id) => document.getElementById(id);
  const interviewId = location.pathname.split("/").pop();
  document.getElementById("report-link").href = "/reports/" + interviewId;
  $("ended-report").href = "/reports/" + interviewId;
  const ENDED = ["finished", "failed"];
  let ws = null, lastTurnShown = -1, status = "", conn = "", stream = null, info = null, consents = {};
  $("lang").onclick = () => { I18N.toggle(); };
  // What this script wrote, again in the new language: the page is built again from what the server sent (the
  // snapshot and the events since; the newest observation and media figures are kept as they came).
  let lastSnapshot = null, lastMedia = null;
  const since = [];
  const REBUILD_KEEP = 5000;  // events kept to rebuild from (partial captions and observations are not kept)
  let trimmed = false;  // more came than is kept: the page is not rebuilt (it would lose the first turns)
  function keep(e) {
    if (e.type === "snapshot") { lastSnapshot = e; since.length = 0; trimmed = false; return; }
    if (e.type === "media.stats") { lastMedia = e; return; }
    if (e.type === "transcript.partial" || e.type === "observation") return;
    since.push(e); if (since.length > REBUILD_KEEP) { since.shift(); trimmed = true; }
  }
  document.addEventListener("langchange", () => {
    if (lastSnapshot && !trimmed) {
      // quietly (a screen reader is not read the transcript again) and where the reader was in each list
      const boxes = ["transcript", "timeline"].map((id) => [$(id), $(id).scrollTop]);
      const pageY = window.scrollY;
      for (const [box] of boxes) box.setAttribute("aria-busy", "true");
      const trackNow = Object.fromEntries(Object.entries(tracks).map(([k, t]) => [k, t.slice()]));
      const partial = $("partial").textContent;
      event(lastSnapshot, false);
      for (const e of since) event(e, false);
      for (const [k, t] of Object.entries(trackNow)) tracks[k] = t;
      $("partial").textContent = partial;
      if (lastMedia) event(lastMedia, false);
      renderValues();
      for (const [box, top] of boxes) { box.scrollTop = top; box.removeAttribute("aria-busy"); }
      window.scrollTo(window.scrollX, pageY);
    }
    if (status) setStatus(status);
    if (conn) setConn(conn);
    if (stream) badge($("stream"), I18N.t(stream[0]), stream[1]);
  });

  function badge(el, text, cls) {  // a badge hidden while the interview is over stays hidden
    el.textContent = text; el.className = "badge " + (cls || "") + (el.classList.contains("hidden") ? " hidden" : "");
  }
  function setStream(key, cls) { stream = [key, cls]; badge($("stream"), I18N.t(key), cls); showState(); }
  function setStatus(s) { status = s; badge($("status"), I18N.t("st_" + s), s === "live" ? "ok" : s === "failed" ? "bad" : ""); showState(); }
  function setConn(s) { conn = s; badge($("conn"), I18N.t("conn_" + s), s === "connected" ? "ok" : s === "connecting" ? "warn" : "bad"); }
  function setText(el, key, vars) { el.dataset.i18n = key; el.textContent = I18N.t(key, vars); }

  // Over (finished or failed): the title and a sentence say so, with the report's link; no connection or "live"
  // badge, no current question (the transcript has them all), and why the transcript is empty when it is.
  function showState() {
    const ended = ENDED.includes(status);
    const waiting = status === "created" || status === "consented";  // the candidate has not begun
    const kind = ended ? "obs_title_" + status : waiting ? "obs_title_waiting" : "live_interview";
    setText($("title-kind"), kind); setText($("doc-title"), kind);
    $("conn").classList.toggle("hidden", ended);
    $("stream").classList.toggle("hidden", ended && !(stream && stream[1] === "warn"));
    $("ended").classList.toggle("hidden", !ended);
    $("ended-text").textContent = ended ? I18N.t("obs_ended_" + status) : "";
    $("ended-at").textContent = ended && info && info.ended_at ? I18N.t("obs_ended_at", { at: DOM.dateTime(info.ended_at) }) : "";
    $("q-h").classList.toggle("hidden", ended || waiting); $("question").classList.toggle("hidden", ended || waiting);  // nothing is current
    const none = (ended || waiting) && !$("transcript").children.length;
    const deleted = info && info.content_deleted_at;
    $("transcript-none").textContent = !none ? "" : waiting ? I18N.t("obs_not_started") : deleted
      ? I18N.t("obs_transcript_deleted", { date: DOM.dateTime(deleted, { dateStyle: "medium" }) }) : I18N.t("obs_no_transcript");
    $("transcript-none").classList.toggle("hidden", !none);
    showConsents(consents);
  }
  function time(at) { return DOM.dateTime(at * 1000, { timeStyle: "medium" }); }  // in the page's language

  const turnBoxes = {};
  function turnBox(turn) {
    if (!turnBoxes[turn]) { const d = document.createElement("div"); d.className = "turn"; $("transcript").append(d); turnBoxes[turn] = d; }
    return turnBoxes[turn];
  }
  function addTurnHead(turn, text, kind) {
    if (turn <= lastTurnShown) return;
    lastTurnShown = turn;
    const p = document.createElement("p"); p.className = "turn-head";
    p.textContent = (kind === "followup" ? I18N.t("followup") : I18N.t("q")) + I18N.colon() + text;
    turnBox(turn).prepend(p);
  }
  function addFinal(text, turn) {
    const p = document.createElement("p"); p.className = "final"; p.textContent = text;
    const box = turnBox(turn == null ? lastTurnShown : turn);
    const summary = box.querySelector(".summary");
    summary ? box.insertBefore(p, summary) : box.append(p);
    $("transcript").scrollTop = $("transcript").scrollHeight;
  }
  function timeline(label, detail, at) {
    const li = document.createElement("li"); li.textContent = `${time(at)} · ${label}${detail ? I18N.colon() + detail : ""}`;
    $("timeline").append(li); $("timeline").scrollTop = $("timeline").scrollHeight;
    while ($("timeline").children.length > 300) $("timeline").firstChild.remove();
  }
  function showQuestion(text, idx, total, kind) {
    $("question").textContent = (kind === "followup" ? I18N.t("followup") + I18N.colon() : "") + text;
    $("progress").textContent = idx != null && total && kind !== "closing" ? I18N.t("obs_progress", { n: idx + 1, total }) : "";
  }

  function showConsents(decisions) {  // what the candidate gave; none on record is not "not given yet" once it is over
    consents = decisions;
    const parts = Object.entries(decisions).map(([k, v]) => `${I18N.t("c_" + k)}${I18N.colon()}${v ? I18N.t("yes") : I18N.t("no")}`);
    const none = ENDED.includes(status) ? I18N.t("consents_no_record") : I18N.t("consents_none");
    $("consents").textContent = I18N.t("consents_label") + I18N.colon() + (parts.length ? parts.join(I18N.lang === "zh" ? "、" : ", ") : none);
  }

  function snapshot(s) {
    const iv = s.interview, live = s.live || {};
    info = iv;
    $("cand").textContent = `${iv.candidate.name} · ${iv.job.title}`;
    setStatus(iv.status);
    setConn(live.connection_state || "none");
    $("transcript").textContent = ""; $("timeline").textContent = ""; lastTurnShown = -1;
    for (const k of Object.keys(turnBoxes)) delete turnBoxes[k];
    for (const k of Object.keys(tracks)) tracks[k].length = 0;
    $("flags").innerHTML = ""; flagCount = 0; noFlags();
    $("obs-off").classList.toggle("hidden", !(iv.consents && iv.consents.face_voice_analysis && iv.consents.face_voice_analysis.granted === false));
    const byTurn = {};
    for (const seg of iv.transcript) (byTurn[seg.turn_index] = byTurn[seg.turn_index] || []).push(seg.text);
    for (const t of iv.turns) { addTurnHead(t.index, t.question, t.kind); for (const x of byTurn[t.index] || []) addFinal(x, t.index); }
    const last = iv.turns[iv.turns.length - 1];
    if (live.question) showQuestion(live.question.text, live.question.question_index, live.questions_total, live.question.kind);
    else if (last) showQuestion(last.question, last.question_index, null, last.kind);
    const c = {};
    for (const [k, v] of Object.entries(iv.consents || {})) c[k] = v.granted;
    showConsents(c);
    for (const e of iv.events.slice(-100)) event(e, true);
    showState();
  }

  function event(e, replay) {
    const at = typeof e.at === "number" ? e.at : Date.parse(e.at) / 1000;
    switch (e.type) {
      case "snapshot": snapshot(e); break;
      case "interview.state": if (!replay) setStatus(e.status); timeline(I18N.t("ev_state"), I18N.t("st_" + e.status), at); break;
      case "connection.state": if (!replay) setConn(e.state); timeline(I18N.t("ev_conn"), I18N.t("conn_" + e.state), at); break;
      case "question.asked":
        if (!replay) {
          showQuestion(e.text, e.question_index, e.questions_total, e.kind);
          if (e.kind !== "closing") addTurnHead(e.turn_index, e.text, e.kind);
        }
        timeline(I18N.t("ev_question"), e.text, at); break;
      case "speech.started": track("speak", at, true); timeline(I18N.t("ev_speech_on"), "", at); break;
      case "speech.ended": track("speak", at, false); timeline(I18N.t("ev_speech_off"), "", at); break;
      case "transcript.partial": $("partial").textContent = e.text; break;
      case "transcript.final": if (!replay) { $("partial").textContent = ""; addFinal(e.text, e.turn_index); } break;
      case "observation": observation(e, at); break;
      case "flag.raised": addFlag(e, at); break;
      case "answer.summary": answerSummary(e); break;
      case "answer.scored": answerScore(e); break;
      case "followup.chosen":
        timeline(I18N.t(e.kind === "followup" ? "ev_followup" : e.kind === "clarify" ? "ev_clarify" : "ev_next"), decisionWhy(e), at);
        break;
      case "answer.finishing": timeline(I18N.t("ev_finishing"), I18N.t("obs_finishing_" + e.waiting_for), at); break;
      case "answer.resumed":
        if (!replay) {
          // the question taken back leaves the transcript; the answer's own turn is the open one again
          const gone = e.withdrawn_turn_index;
          if (gone !== null && turnBoxes[gone]) { turnBoxes[gone].remove(); delete turnBoxes[gone]; }
          lastTurnShown = Math.min(lastTurnShown, e.turn_index);
          showQuestion(e.text, e.question_index, e.questions_total, e.kind);
        }
        timeline(I18N.t("ev_resumed"), I18N.t("resumed_detail") + (e.withdrawn_turn_index !== null ? "; " + I18N.t("withdrawn") : ""), at);
        break;
      case "answer.ended": {
        const why = I18N.t("end_" + e.reason);  // an unknown reason is shown as sent
        timeline(I18N.t("ev_answer"), why === "end_" + e.reason ? e.reason : why, at); break;
      }
      case "media.stats":
        $("media").textContent = I18N.t("media_fmt", { w: e.width || "–", h: e.height || "–", fps: e.video_fps,
          dropped: e.video_frames_dropped, received: e.video_frames_received, audio: e.audio_frames });
        break;
      case "consent.recorded":
        if (!replay) showConsents(e.decisions);
        timeline(I18N.t("ev_consent"), Object.entries(e.decisions).map(([k, v]) => `${I18N.t("c_" + k)} ${v ? "✓" : "✗"}`).join(" "), at);
        break;
      case "error": timeline(I18N.t("ev_error"), e.message, at); break;
    }
  }

  // --- observable behaviour: timeline tracks, current values, flags, per-answer summaries -------------------
  const WINDOW_S = 120;
  const tracks = { face: [], look: [], speak: [] };
  const current = {};
  let flagCount = 0;
  function track(name, at, on) {
    const t = tracks[name];
    if (t.length && t[t.length - 1][1] === on) return;
    t.push([at, on]);
    while (t.length > 2 && t[1][0] < Date.now() / 1000 - WINDOW_S) t.shift();
  }
  function drawTimeline() {
    const svg = $("obs-timeline"), now = Date.now() / 1000, x = (at) => Math.max(0, 300 * (1 - (now - at) / WINDOW_S));
    const rows = [["face", "#5b8def", 2], ["look", "#34a37a", 22], ["speak", "#e0a526", 42]];
    let out = "";
    for (const [name, color, y] of rows) {
      const t = tracks[name];
      for (let i = 0; i < t.length; i++) {
        if (!t[i][1]) continue;
        const x0 = x(t[i][0]), x1 = i + 1 < t.length ? x(t[i + 1][0]) : 300;
        if (x1 > x0) out += `<rect x="${x0.toFixed(1)}" y="${y}" width="${(x1 - x0).toFixed(1)}" height="16" fill="${color}"/>`;
      }
    }
    svg.innerHTML = out;
  }
  setInterval(drawTimeline, 1000);

  const yn = (v) => v == null ? "–" : v ? I18N.t("yes_short") : I18N.t("no_short");
  const num = (v, d = 0, unit = "") => v == null ? "–" : Number(v).toFixed(d) + unit;
  function observation(e, at) {
    const v = e.values || {};
    if (e.analyzer === "face") { track("face", at, !!v.face_present); track("look", at, !!v.looking_at_screen); }
    current[e.analyzer] = v;
    renderValues();
  }
  function renderValues() {
    const rows = [];
    const f = current.face, p = current.pose, h = current.hands, v = current.voice;
    if (f) rows.push([I18N.t("v_face"), `${yn(f.face_present)} · ${I18N.t("v_faces")} ${f.face_count}`],
      [I18N.t("v_looking"), yn(f.looking_at_screen)], [I18N.t("v_head"), `${num(f.yaw_deg, 0, "°")} / ${num(f.pitch_deg, 0, "°")}`],
      [I18N.t("v_blinks"), num(f.blink_rate_per_min, 0)], [I18N.t("v_smile"), num(f.smile, 2)], [I18N.t("v_brow"), num(f.brow_activity, 2)]);
    if (p) rows.push([I18N.t("v_posture"), `${I18N.t("v_in_frame")} ${yn(p.in_frame)} · ${p.lean ? I18N.t("lean_" + p.lean) : "–"} · ${I18N.t("v_tilt")} ${num(p.shoulder_tilt_deg, 0, "°")}`]);
    if (h) rows.push([I18N.t("v_hands"), `${I18N.t("v_hands_visible")} ${h.hands_visible} · ${I18N.t("v_gesture")} ${num(h.gesture_activity, 2)}`]);
    if (v) rows.push([I18N.t("v_voice"), ""],
      [I18N.t("v_rate"), `${num(v.speech_rate, 0)} ${I18N.t(v.language === "zh" ? "cpm" : "wpm")}`],
      [I18N.t("v_pauses"), `${num(v.pause_ratio != null ? v.pause_ratio * 100 : null, 0, "%")} · ${v.long_pause_count ?? 0} > 1 s`],
      [I18N.t("v_pitch"), `${num(v.pitch_median_hz, 0, " Hz")} · ${num(v.pitch_range_st, 1, " st")}`],
      [I18N.t("v_loud"), num(v.loudness_mean_dbfs, 0, " dBFS")], [I18N.t("v_fillers"), String(v.filler_count ?? 0)]);
    const dl = $("obs-values"); dl.textContent = "";
    for (const [k, val] of rows) {
      const dt = document.createElement("dt"); dt.textContent = k; const dd = document.createElement("dd"); dd.textContent = val;
      dl.append(dt, dd);
    }
  }
  function noFlags() {  // translated again with the page (data-i18n) when the reader switches language
    if (!flagCount) { const li = el("li", I18N.t("no_flags"), "muted"); li.dataset.i18n = "no_flags"; $("flags").append(li); }
  }
  function addFlag(e, at) {
    if (!flagCount) $("flags").textContent = "";
    flagCount++;
    const li = document.createElement("li"); li.className = "flag";
    li.textContent = `${time(at)} · ${I18N.t("flag_" + e.kind)}${e.detail ? " (" + e.detail + ")" : ""}`;
    $("flags").append(li);
  }
  const el = DOM.el;  // web_client/dom.js
  function quoted(li, text) { if (text) { li.append(" "); li.append(el("q", text)); } }
  // A score's relevance can differ from the summary's (the language model found the answer to be about something
  // else after the summary was sent): the summary then says so, and its points are not counted.
  const summaries = {}, scoredRelevance = {};
  function answerSummary(e) {
    summaries[e.turn_index] = e;
    const box = turnBox(e.turn_index);
    const old = box.querySelector(".summary:not(.score)"); if (old) old.remove();
    const c = e.content || {}, q = e.content_quotes || {};
    const div = el("div", null, "summary"); div.append(el("h4", I18N.t("summary_h")));
    const ul = el("ul");
    const label = scoredRelevance[e.turn_index] || (c.relevance && c.relevance.label);
    const elsewhere = label === "off_topic" && c.relevance && c.relevance.label !== "off_topic";
    if (label) {
      const li = el("li", `${I18N.t("s_relevance")}${I18N.colon()}${I18N.t("rel_" + label)}${elsewhere ? " · " + I18N.t("off_topic_by_model") : ""}`);
      if (!elsewhere) quoted(li, q.relevance);
      ul.append(li);
    }
    for (const pt of c.coverage || []) {
      const li = el("li", `${I18N.t("s_points")} · ${pt.point}${I18N.colon()}`);
      if (label === "off_topic") li.append(el("span", I18N.t("not_counted"), "muted"));
      else { li.append(el("span", I18N.t("cov_" + pt.label), "lbl-" + pt.label)); if (pt.label !== "missing") quoted(li, q["coverage:" + pt.point]); }
      ul.append(li);
    }
    if (c.star) {
      const parts = ["situation", "task", "action", "result"];
      const li = el("li", `${I18N.t("s_star")}${I18N.colon()}` + parts.map((k) => `${I18N.t("star_" + k)} ${c.star[k] && c.star[k].found ? "✓" : "✗"}`).join(" · "));
      ul.append(li);
    }
    { const li = el("li", `${I18N.t("s_numbers")}${I18N.colon()}${c.quantified_result ? "✓" : I18N.t("none_found")}`); if (c.quantified_result) quoted(li, q.quantified_result); ul.append(li); }
    if (c.specificity) { const li = el("li", `${I18N.t("s_specific")}${I18N.colon()}${I18N.t(c.specificity.label)}`); quoted(li, q["specificity:concrete_example"]); ul.append(li); }
    if (c.length) ul.append(el("li", `${I18N.t("s_length")}${I18N.colon()}${c.length.value} ${I18N.t(c.length.unit)}`));
    const v = e.voice || {};
    if (v.speech_rate != null) ul.append(el("li", `${I18N.t("s_voice")}${I18N.colon()}${num(v.speech_rate, 0)} ${I18N.t(v.language === "zh" ? "cpm" : "wpm")}, ${I18N.t("v_pauses")} ${num(v.pause_ratio_share ?? (v.pause_ratio != null ? v.pause_ratio * 100 : null), 0, "%")}`));
    const nv = e.nonverbal || {};
    if (nv.face) ul.append(el("li", `${I18N.t("s_nonverbal")}${I18N.colon()}${I18N.t("tl_face")} ${num(nv.face.face_present_share * 100, 0, "%")}, ${I18N.t("tl_look")} ${num((nv.face.looking_at_screen_share || 0) * 100, 0, "%")}`));
    div.append(ul);
    const scored = box.querySelector(".summary.score"); if (scored) box.insertBefore(div, scored); else box.append(div);
  }

  function answerScore(e) {
    if (e.relevance && e.relevance !== scoredRelevance[e.turn_index]) {
      scoredRelevance[e.turn_index] = e.relevance;
      if (summaries[e.turn_index]) answerSummary(summaries[e.turn_index]);
    }
    // One live score per question, shown under the turn it was made in and replaced as follow-ups arrive.
    document.querySelectorAll(`.score[data-question="${e.question_index}"]`).forEach((x) => x.remove());
    const box = turnBox(e.turn_index);
    const div = el("div", null, "summary score"); div.dataset.question = e.question_index;
    // the competency's name in the page's language (events before names existed carry none: the key)
    const competency = (e.competency_name && e.competency_name[I18N.lang]) || e.competency;
    div.append(el("h4", `${I18N.t("score_h")}${I18N.colon()}${competency} ${Number(e.score).toFixed(1)} / 5 · ${I18N.t("obs_confidence")} ${Number(e.confidence).toFixed(2)}${e.final ? "" : " (" + I18N.t("provisional") + ")"}`));
    if (e.level) div.append(el("p", e.level, "muted small"));
    const byModel = (e.scored_by || "rules") !== "rules";
    div.append(el("p", byModel ? `${I18N.t("by_model")} (${e.scored_by.replace(/ \+ rules$/, "")})` : I18N.t("by_rules"), "muted small"));
    const ul = el("ul");
    for (const ev of e.evidence || []) {
      const li = el("li", `${ev.note || ""} `);
      if (ev.quote) li.append(el("q", ev.quote));
      ul.append(li);
    }
    for (const u of e.uncertain || []) ul.append(el("li", "? " + u, "muted"));
    div.append(ul); box.append(div);
  }

  let retry = 1000;
  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${proto}://${location.host}/ws/v1/interviews/${interviewId}/observe`);
    ws.onopen = () => { setStream("stream_live", "ok"); retry = 1000; };
    ws.onmessage = (m) => { const e = JSON.parse(m.data); keep(e); event(e, false); };
    ws.onclose = async () => {
      setStream("stream_lost", "warn");
      const me = await fetch("/api/v1/auth/me");
      if (me.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); return; }
      const check = await fetch(`/api/v1/interviews/${interviewId}`);
      if (check.status === 404) { $("obs-error").textContent = "404"; $("obs-error").classList.remove("hidden"); return; }
      setTimeout(connect, retry); retry = Math.min(retry * 2, 10000);
    };
  }
  connect();
})();
