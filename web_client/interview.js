// Candidate page: disclosure and consents, what to expect, device check (with help when the browser refuses),
// the optional practice question, WebRTC to the server, live questions with the time left, and captions.
(function () {

  const $ = (id) => document.getElementById(id);
  const token = decodeURIComponent(location.pathname.split("/").pop());
  const params = new URLSearchParams(location.search);
  let session = null, decisions = null, stream = null, pc = null, ws = null, audioSender = null;
  let finished = false, reconnectDelay = 1000, lastQuestion = null, myConnection = null, replacedHere = false;
  let nextTimer = null;
  let practising = false;  // the practice question is asked for, or running (a reconnection keeps to it)
  let audioOnly = false;   // the candidate continues without the camera
  const countdown = Countdown.create({ box: $("countdown"), value: $("countdown-value"), fill: $("countdown-fill"),
    note: $("countdown-note"), onTimeUp: timeUp });
  // "The next question is on its way" only when it is slow to come (no flash otherwise), and never inside the second
  // after an answer's end in which going on continues it (the server's grace window, 1 s by default).
  const NEXT_NOTICE_MS = 1500;
  const VIDEO_SEND_FPS = 5;  // the face analyzer's rate (analyzers/face.py default_fps); see connect()

  function show(step) {
    for (const id of ["step-consent", "step-devices", "step-live", "step-done"]) $(id).classList.toggle("hidden", id !== step);
  }
  function fatal(msg) { $("fatal-text").textContent = msg; $("fatal").classList.remove("hidden"); }
  const api = API.call, errorText = API.errorText;  // web_client/api.js

  async function loadSession() {
    session = await api(`/api/v1/candidate/session?token=${encodeURIComponent(token)}&lang=${I18N.lang}`);
    $("job-title").textContent = session.job_title;
    $("candidate-name").textContent = session.candidate_name;
    $("disclosure").textContent = session.disclosure;
    const list = $("consent-list");
    list.textContent = "";
    for (const c of session.consents) {
      const row = document.createElement("div"); row.className = "consent";
      const box = document.createElement("input"); box.type = "checkbox"; box.id = "consent-" + c.kind; box.name = c.kind;
      box.checked = c.granted === true;
      const label = document.createElement("label"); label.htmlFor = box.id;
      const strong = document.createElement("strong");
      strong.textContent = I18N.t("consent_" + c.kind) + (I18N.lang === "zh" ? "" : " ") + I18N.t(c.required ? "required" : "optional");
      label.append(strong, document.createElement("br"), document.createTextNode(c.text));
      row.append(box, label); list.append(row);
    }
    const sep = I18N.lang === "zh" ? "" : " ";
    $("summary").textContent = summaryText() + (session.practice.available ? sep + I18N.t("cand_summary_practice") : "");
    ReviewRequest.mount($("review-consent"), token, session.review_requested_at);
  }

  // "2 questions, about 6 min in all"; a duration as the page's language says it.
  function duration(seconds) {
    const m = Math.floor(seconds / 60), s = seconds % 60;
    if (!m) return I18N.t("cand_sec", { n: s });
    return s ? I18N.t("cand_min_sec", { m, s }) : I18N.t("cand_min", { n: m });
  }
  function questionCount() {
    const n = session.questions_total;
    return n === 1 ? I18N.t("cand_q_one") : I18N.t("cand_q_many", { n });
  }
  function summaryText() {
    return I18N.t("cand_summary", { count: questionCount(), minutes: Math.max(1, Math.round(session.expected_duration_s / 60)) });
  }

  // Before joining: how long, what is analysed (as the consents given say), the practice question.
  function renderExpectations() {
    const list = $("expect-list");
    list.textContent = "";
    const add = (key, vars) => list.append(DOM.el("li", I18N.t(key, vars)));
    const limits = session.question_time_limits_s;
    add("cand_expect_length", { count: questionCount(), minutes: Math.max(1, Math.round(session.expected_duration_s / 60)),
      time: duration(Math.max(...limits)) });
    add("cand_expect_speech");
    const face = session.analysis.find((a) => a.kind === "face_voice");
    if (!face || face.when === "off") add("cand_expect_face_off");
    else add(decisions && decisions.face_voice_analysis && !audioOnly ? "cand_expect_face_on" : "cand_expect_face_no_consent");
    if (session.practice.available) add("cand_expect_practice");
  }

  async function start() {
    I18N.apply();
    try {
      await loadSession();
      if (session.language !== I18N.lang && (session.language === "en" || session.language === "zh")) {
        I18N.initial = session.language;
        if (I18N.lang === session.language) { I18N.apply(); await loadSession(); }
      }
      if (session.status === "finished" || session.status === "failed") {
        finished = true;
        $("closing-text").dataset.i18n = "already_finished";
        I18N.apply();
        show("step-done");
        ReviewRequest.mount($("review-done"), token, session.review_requested_at, false);
        SelfId.mount($("self-id-slot"), token); return;
      }
      show("step-consent");
      offerScheduling();
    } catch (e) { fatal(errorText(e)); }
  }

  $("lang").addEventListener("click", async () => {
    I18N.toggle();
    if (session && !pc && !finished) await loadSession().catch(() => {});
    if (session) renderExpectations();
    if (deviceProblem) showDeviceHelp(deviceProblem);
  });

  $("consent-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("consent-error").textContent = "";
    decisions = {};
    for (const c of session.consents) decisions[c.kind] = $("consent-" + c.kind).checked;
    try {
      await api("/api/v1/candidate/consents", { token, decisions, language: I18N.lang });
      await openDevices();
    } catch (err) {
      $("consent-error").textContent = err.code === "consent_required" ? I18N.t("need_ai_consent") : errorText(err);
    }
  });

  async function openDevices() {
    show("step-devices");
    renderExpectations();
    await askDevices();
  }

  // --- devices: ask the browser; when it refuses, say why and how to fix it, with Try again (no reload)
  let deviceProblem = null, asking = false;
  async function askDevices() {
    if (asking) return;
    asking = true;
    deviceProblem = null;
    if (stream) { stream.getTracks().forEach((t) => t.stop()); stream = null; }
    $("device-help").classList.add("hidden");
    $("device-preview").classList.add("hidden");
    $("mic-retry-row").classList.add("hidden");
    $("devices-error").textContent = "";
    setDevicesStatus("cand_dev_asking");
    const audio = audioConstraints();
    // Analysis samples at most 5 fps, so 10 fps is plenty and halves the server's video decoding.
    const wantVideo = Boolean(decisions.face_voice_analysis) && !audioOnly;
    const video = wantVideo ? { width: 640, height: 480, frameRate: { ideal: 10, max: 15 } } : false;
    if (DeviceHelp.insecure()) {  // no retry mends this: the page must be opened over https
      asking = false;
      setDevicesStatus(null);
      showDeviceHelp({ help: DeviceHelp.explain(null), wantVideo });
      return;
    }
    try {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio, video });
      } catch (err) {
        if (!wantVideo || !err || err.name !== "OverconstrainedError") throw err;
        stream = await navigator.mediaDevices.getUserMedia({ audio, video: true });  // any picture will do
      }
    } catch (err) {
      asking = false;
      setDevicesStatus(null);
      showDeviceHelp({ help: DeviceHelp.explain(err), wantVideo });
      return;
    }
    asking = false;
    $("preview").srcObject = stream;
    $("preview").classList.toggle("hidden", !wantVideo);
    $("device-preview").classList.remove("hidden");
    checkMicrophone(stream, wantVideo);
    $("join").disabled = false;
    $("join-practice").disabled = false;
    $("join-practice").classList.toggle("hidden", !session.practice.available);
  }

  function audioConstraints() {
    const raw = params.get("audio") === "raw";  // tests turn processing off so recognised words stay exact
    return raw ? { echoCancellation: false, noiseSuppression: false, autoGainControl: false } : true;
  }

  function showDeviceHelp(problem) {
    deviceProblem = problem;
    const { help, wantVideo } = problem;
    $("devices-error").textContent = I18N.t(help.title);
    $("device-help-text").textContent = I18N.t(help.text);
    $("device-help-browser").textContent = help.steps ? I18N.t(help.steps) : "";
    $("device-help-browser").classList.toggle("hidden", !help.steps);
    $("device-help-system").classList.toggle("hidden", !help.system);
    $("device-help-detail").textContent = help.detail ? I18N.t("cand_dev_detail", { msg: help.detail }) : "";
    $("device-retry").classList.toggle("hidden", !help.retry);
    $("device-audio-only").classList.toggle("hidden", !(wantVideo && help.retry));
    $("device-help").classList.remove("hidden");
    $("join").disabled = true;
    $("join-practice").disabled = true;
  }
  $("device-retry").addEventListener("click", askDevices);
  $("device-audio-only").addEventListener("click", () => {
    audioOnly = true;
    $("audio-only-note").classList.remove("hidden");
    renderExpectations();
    askDevices();
  });

  // The devices step's status line (a catalogue key, so a language switch re-renders it; null: empty).
  function setDevicesStatus(key, warn) {
    const el = $("devices-status");
    if (key) { el.dataset.i18n = key; el.textContent = I18N.t(key); } else { delete el.dataset.i18n; el.textContent = ""; }
    el.classList.toggle("muted", !warn);
    el.classList.toggle("warn-text", Boolean(warn));
  }

  // The microphone is called ready only once sound has come from it: a muted, switched-off or wrong microphone gives
  // the browser a track all the same, with nothing on it. Until then the page asks for a few words; after
  // SILENT_AFTER_MS of nothing it says so and what to check (joining stays possible: the meter may be wrong).
  // The level bar is mic_level.js's, as during the interview (live_mic.js).
  const SILENT_AFTER_MS = 6000;
  let micTimer = null, deviceMeter = null;
  function checkMicrophone(s, wantVideo) {
    const ready = wantVideo ? "cand_dev_ready_video" : "cand_dev_ready";
    let heard = false;
    clearTimeout(micTimer);
    if (deviceMeter) deviceMeter.stop();
    const measuring = deviceMeter = MicLevel.measure(s, { bar: $("meter"), onFrame: (peak) => {
      if (heard || peak < MicLevel.SOUND_PEAK) return;
      heard = true;
      clearTimeout(micTimer);
      $("mic-retry-row").classList.add("hidden");
      setDevicesStatus(ready);
    } });
    if (!measuring) { setDevicesStatus(ready); return; }  // no Web Audio: nothing to tell sound from silence by
    setDevicesStatus(wantVideo ? "cand_dev_mic_check_video" : "cand_dev_mic_check");
    micTimer = setTimeout(() => {
      // an audio context the browser holds back hears nothing
      if (heard || measuring.context.state !== "running") return;
      setDevicesStatus("cand_dev_silent", true);
      $("mic-retry-row").classList.remove("hidden");
    }, SILENT_AFTER_MS);
  }
  $("mic-retry").addEventListener("click", askDevices);

  // During the interview: the microphone's level, a warning when nothing at all comes from it while an answer is
  // awaited, and a way to get it back when it is disconnected (live_mic.js).
  const liveMic = LiveMic.create({ bar: $("live-meter-fill"), silent: $("mic-silent"), lost: $("mic-lost"),
    lostText: $("mic-lost-text"), lostDetail: $("mic-lost-detail"), reconnect: $("mic-reconnect") }, {
    listening: () => !finished && !replacedHere && lastQuestion !== null
      && ["answering", "resumed"].includes($("turn-status").dataset.state)
      && !("speechSynthesis" in window && speechSynthesis.speaking),  // the question is still being read out
    reacquire: reacquireMicrophone,
    onLost: (lost) => (lost ? countdown.hold() : countdown.release()),  // the server hears nothing: its time stops
  });
  // The microphone again, on the same connection: the sender's track is replaced (no new offer) and the stream
  // holds the new track, so a later reconnection of the connection sends it too.
  async function reacquireMicrophone() {
    const fresh = (await navigator.mediaDevices.getUserMedia({ audio: audioConstraints(), video: false })).getAudioTracks()[0];
    if (finished) { fresh.stop(); return; }
    const old = stream.getAudioTracks()[0];
    if (old) stream.removeTrack(old);
    stream.addTrack(fresh);
    liveMic.attach(stream);
    if (old) old.stop();
    if (audioSender) {
      try { await audioSender.replaceTrack(fresh); } catch (e) { /* a closed connection: connect() sends the stream's */ }
    }
  }

  function join(practice) {
    practising = practice;
    if (deviceMeter) { deviceMeter.stop(); deviceMeter = null; }
    clearTimeout(micTimer);
    show("step-live");
    liveMic.attach(stream);
    $("selfview").srcObject = stream;
    $("selfview").parentElement.classList.toggle("hidden", !stream.getVideoTracks().length);
    openEvents(); connect(false);
  }
  $("join").addEventListener("click", () => join(false));
  $("join-practice").addEventListener("click", () => join(true));
  // Skip the practice: its answer ends now ("I have finished" with or without words), the interview begins.
  $("practice-skip").addEventListener("click", () => {
    if (!ws || ws.readyState !== 1 || lastQuestion !== PRACTICE_TURN) return;
    if ("speechSynthesis" in window) speechSynthesis.cancel();
    ws.send(JSON.stringify({ type: "answer.finished", turn_index: PRACTICE_TURN }));
    $("practice-skip").disabled = true;
    $("answer-done").disabled = true;  // nothing to finish: the first question is on its way
    setTurnStatus("next", "cand_practice_skipping");
  });
  $("takeover").addEventListener("click", () => { replacedHere = false; $("takeover-box").classList.add("hidden"); connect(true); });

  function setConn(key, cls) { const b = $("conn-state"); b.dataset.i18n = key; b.textContent = I18N.t(key); b.className = "badge " + (cls || ""); }

  async function connect(takeover) {
    if (finished) return;
    if (pc) { try { pc.close(); } catch (e) {} }
    setConn("connecting", "warn");
    pc = new RTCPeerConnection();
    for (const track of stream.getTracks()) {
      // The server analyses at most 5 frames a second (face 5, posture and hands 2) and decodes every frame it
      // gets: the camera keeps its rate for the self-view, the encoder sends only what the analysis uses.
      const sendEncodings = track.kind === "video" ? [{ maxFramerate: VIDEO_SEND_FPS }] : undefined;
      const { sender } = pc.addTransceiver(track, { direction: "sendrecv", streams: [stream], sendEncodings });
      if (track.kind === "audio") audioSender = sender;
    }
    pc.addEventListener("connectionstatechange", () => {
      const st = pc.connectionState;
      if (st === "connected") { setConn("connected", "ok"); reconnectDelay = 1000; }
      if (st === "failed" || st === "disconnected") { setConn("reconnecting", "warn"); scheduleReconnect(); }
    });
    const thisPc = pc;
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise((resolve) => {
        if (pc.iceGatheringState === "complete") return resolve();
        const check = () => { if (pc.iceGatheringState === "complete") { pc.removeEventListener("icegatheringstatechange", check); resolve(); } };
        pc.addEventListener("icegatheringstatechange", check);
        setTimeout(resolve, 3000);
      });
      const answer = await api("/api/v1/candidate/offer", { token, sdp: pc.localDescription.sdp, type: "offer", takeover,
        practice: practising });
      if (thisPc !== pc) return;
      myConnection = answer.connection_id;
      await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    } catch (err) {
      if (err.code === "already_connected") { setConn("disconnected", "bad"); showTakeover(); return; }
      if (err.code === "interview_finished") { finish(null); return; }
      if (SCHEDULE_CODES.includes(err.code)) { toSchedule(); return; }
      setConn("reconnecting", "warn"); fatal(errorText(err)); scheduleReconnect(err.retryAfter);
    }
  }

  // Closing or leaving the page closes the connection, so the server hears at once that the candidate left (a DTLS
  // close) and the link opened again joins without "open on another device or tab". A page brought back from the
  // back-forward cache has no connection any more: it loads again.
  window.addEventListener("pagehide", () => { if (pc) { try { pc.close(); } catch (e) {} } });
  window.addEventListener("pageshow", (e) => { if (e.persisted && pc) location.reload(); });

  let reconnectTimer = null;
  // afterS: the server's Retry-After (all servers busy: a minute), else a backoff from 1 s to 15 s
  function scheduleReconnect(afterS) {
    if (finished || reconnectTimer || replacedHere) return;
    const delay = afterS ? afterS * 1000 : reconnectDelay;
    reconnectTimer = setTimeout(() => { reconnectTimer = null; if (replacedHere || finished) return; $("fatal").classList.add("hidden"); connect(true); }, delay);
    reconnectDelay = Math.min(reconnectDelay * 2, 15000);
  }

  function openEvents() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${proto}://${location.host}/ws/v1/candidate?token=${encodeURIComponent(token)}`);
    ws.onmessage = (m) => handle(JSON.parse(m.data));
    ws.onclose = (e) => {
      if (finished) return;
      setTimeout(openEvents, 1500);
      // 1012/1001: the server running the interview was stopped or went away; another one takes the interview over
      // once the media reconnects
      if ((e.code === 1012 || e.code === 1001) && pc) { setConn("reconnecting", "warn"); scheduleReconnect(); }
    };
  }

  function speak(text) {
    if (!("speechSynthesis" in window) || params.get("tts") === "off") return;
    try {
      speechSynthesis.cancel();
      const u = new SpeechSynthesisUtterance(text); u.lang = session.language === "zh" ? "zh-CN" : "en-US";
      const turn = lastQuestion;
      const tell = (type) => ws && ws.readyState === 1 && ws.send(JSON.stringify({ type, turn_index: turn }));
      // The server watches for the candidate talking over the question while it plays (barge-in).
      u.onstart = () => tell("question.playing");
      u.onend = () => tell("question.spoken");
      speechSynthesis.speak(u);
    } catch (e) { /* no speech synthesis: the question is shown */ }
  }

  // The interview is open elsewhere (or was here and moved): "Continue here", and no hint about answering.
  function showTakeover() {
    $("takeover-box").classList.remove("hidden");
    setTurnStatus("waiting", null);
  }

  // What the interviewer is doing with the answer, in one line that changes only when that changes (never at a
  // pause): waiting (nothing to say: before the first question, or while the interview is open elsewhere),
  // answering (the hint), finishing (after "I have finished"), next (the next question is slow to come), resumed
  // (the candidate went on after the answer was taken as over). A null key empties the line.
  function setTurnStatus(state, key) {
    const el = $("turn-status");
    if (nextTimer) { clearTimeout(nextTimer); nextTimer = null; }
    if (el.dataset.state === state && el.dataset.i18n === key) return;
    el.dataset.state = state;
    if (key) { el.dataset.i18n = key; el.textContent = I18N.t(key); }
    else { delete el.dataset.i18n; el.textContent = ""; }
  }

  // The question's time ran out while the answer is still open (the candidate is still heard): the server ends it
  // at their next pause or a few seconds later at most (time_limit_grace_ms); the page says so.
  function timeUp() {
    const state = $("turn-status").dataset.state;
    if (state === "answering" || state === "resumed") setTurnStatus("time_up", "time_up_finishing");
  }

  // Captions: the answer so far (its final lines and the words being recognised), so a pause never empties them.
  const captions = { turn: null, finals: [], partial: "", previous: null };
  function renderCaptions() {
    const sep = session && session.language === "zh" ? "" : " ";
    const text = [...captions.finals, captions.partial].filter(Boolean).join(sep);
    $("captions").textContent = text.length > 240 ? "…" + text.slice(-240) : text;
  }
  function captionsFor(turn) {
    if (captions.turn === turn) return;
    captions.previous = captions.turn === null ? null : { turn: captions.turn, finals: captions.finals };
    Object.assign(captions, { turn, finals: [], partial: "" });
  }

  // The practice question's turn (server/live/practice.py): not a turn of the interview.
  const PRACTICE_TURN = -1;
  // The question and "Question n of m" (again in the new language when the candidate switches).
  let header = null;
  function showHeader(q) {
    header = q;
    $("question").textContent = (q.kind === "followup" ? I18N.t("followup") + I18N.colon() : "") + q.text;
    $("progress").textContent = progressText(q);
  }
  document.addEventListener("langchange", () => { if (header) showHeader(header); });
  function progressText(q) {
    return q.kind === "practice" ? I18N.t("cand_practice_label")
      : I18N.t("progress", { n: q.question_index + 1, total: q.questions_total });
  }

  function showQuestion(q, asked) {
    if (q.kind === "closing") { finish(q.text); return; }
    const isNew = lastQuestion !== q.turn_index;
    lastQuestion = q.turn_index;
    const practice = q.kind === "practice";
    if (!practice && practising) practising = false;  // the interview has begun (the practice ended or was dropped)
    $("practice-box").classList.toggle("hidden", !practice);
    $("practice-skip").disabled = false;
    $("preamble").textContent = q.preamble || "";
    showHeader(q);
    $("question").dataset.turn = q.turn_index;
    $("question").dataset.kind = q.kind;
    if (asked) countdown.start(q.turn_index, q.time_limit_s);  // each asking (a rejoin, a repeat) starts it again
    if (isNew) { captionsFor(q.turn_index); renderCaptions(); speak((q.preamble ? q.preamble + " " : "") + q.text); }
    // "I have finished" once the candidate has started answering (an accidental press must not skip a question)
    if (isNew) { $("answer-done").disabled = true; setTurnStatus("answering", "answer_done_hint"); }
    else if ($("turn-status").dataset.state === "waiting") setTurnStatus("answering", "answer_done_hint");  // after "Continue here"
  }

  // The candidate went on right after their answer was taken as over: the same question again, its captions, and
  // the question sent meanwhile (if any) stops being spoken.
  function answerResumed(e) {
    if (e.withdrawn_turn_index !== null && e.withdrawn_turn_index === lastQuestion && "speechSynthesis" in window) speechSynthesis.cancel();
    lastQuestion = e.turn_index;
    showHeader(e);
    $("question").dataset.turn = e.turn_index;
    countdown.resume(e.turn_index);
    if (captions.turn !== e.turn_index) {
      const before = captions.previous && captions.previous.turn === e.turn_index ? captions.previous.finals : [];
      Object.assign(captions, { turn: e.turn_index, finals: before, partial: "", previous: null });
      renderCaptions();
    }
    $("answer-done").disabled = false;
    setTurnStatus("resumed", "answer_resumed");
  }
  // "I have finished": the server ends the answer without waiting out a silence (or skips the question).
  $("answer-done").addEventListener("click", () => {
    if (!ws || ws.readyState !== 1 || lastQuestion === null) return;
    ws.send(JSON.stringify({ type: "answer.finished", turn_index: lastQuestion }));
    $("answer-done").disabled = true;
  });

  function handle(e) {
    switch (e.type) {
      case "snapshot":
        if (e.question && e.status === "live") showQuestion({ ...e.question, turn_index: e.turn_index, questions_total: e.questions_total });
        if (e.status === "finished") finish(null);
        break;
      case "question.asked": showQuestion(e, true); break;
      case "speech.started":
        if (e.turn_index === lastQuestion && !["finishing", "next"].includes($("turn-status").dataset.state)) $("answer-done").disabled = false;
        break;
      case "answer.finishing":  // (a skipped practice already says the interview begins)
        if (e.turn_index === lastQuestion && $("turn-status").dataset.state !== "next") setTurnStatus("finishing", e.waiting_for === "words" ? "finishing_words" : "finishing_pause");
        break;
      case "answer.ended":
        if (e.turn_index === lastQuestion) {
          $("answer-done").disabled = true;
          countdown.stop();
          if (e.turn_index === PRACTICE_TURN) { practising = false; $("practice-skip").disabled = true; setTurnStatus("next", "cand_practice_done"); break; }
          if (nextTimer) clearTimeout(nextTimer);
          nextTimer = setTimeout(() => { nextTimer = null; setTurnStatus("next", "next_coming"); }, NEXT_NOTICE_MS);
        }
        break;
      case "answer.resumed": answerResumed(e); break;
      case "question.interrupted":
        // The candidate is talking over the question (real words, not a cough or "mm-hm"): stop speaking it.
        if (e.turn_index === lastQuestion && "speechSynthesis" in window && speechSynthesis.speaking) speechSynthesis.cancel();
        break;
      case "transcript.partial": if (e.turn_index === captions.turn) { captions.partial = e.text; renderCaptions(); } break;
      case "transcript.final":
        if (e.turn_index === captions.turn) { captions.finals.push(e.text); captions.partial = ""; renderCaptions(); }
        break;
      case "interview.state": if (e.status === "finished") finish(null); break;
      case "connection.state":
        if (e.state === "replaced" && e.connection_id === myConnection) {
          replacedHere = true; setConn("disconnected", "bad"); showTakeover();
          try { pc.close(); } catch (err) {}
        }
        break;
    }
  }

  function finish(text) {
    finished = true;
    countdown.stop();
    liveMic.stop();
    if (text) $("closing-text").textContent = text;
    show("step-done");
    ReviewRequest.mount($("review-done"), token, session && session.review_requested_at, false);
    SelfId.mount($("self-id-slot"), token);  // voluntary self-identification, for bias monitoring only
    if (pc) setTimeout(() => { try { pc.close(); } catch (e) {} }, 500);
    if (stream) stream.getTracks().forEach((t) => t.stop());
  }

  // --- scheduling: not yet time (a job that needs a booked slot) leads to the schedule page; a job that offers
  // times also lets the candidate pick one instead of starting now.
  const SCHEDULE_CODES = ["booking_required", "too_early", "missed_slot"];
  function toSchedule() { location.href = "/schedule/" + encodeURIComponent(token); }
  async function offerScheduling() {
    let s;
    try { s = await api(`/api/v1/candidate/schedule?token=${encodeURIComponent(token)}`); } catch (e) { return; }
    if (!s.can_start) { toSchedule(); return; }
    if (!s.booking && !s.slots.length) return;
    const p = document.createElement("p"); p.className = "muted"; p.id = "schedule-offer";
    const a = document.createElement("a"); a.href = "/schedule/" + encodeURIComponent(token);
    const render = () => { p.firstChild.textContent = I18N.t(s.booking ? "sched_booked" : "sched_offer") + " "; a.textContent = I18N.t("sched_link"); };
    p.append(document.createTextNode(""), a); $("consent-form").before(p); render();
    document.addEventListener("langchange", render);
  }

  start();
})();
