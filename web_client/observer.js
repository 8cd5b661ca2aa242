// Observer panel: live state, current question, transcript and event timeline of one interview.
(function () {
  I18N.add({ live_interview: "Live interview", back: "All interviews", current_question: "Current question",
    transcript: "Transcript", media: "Media", timeline: "Event timeline", stream_connecting: "stream connecting",
    stream_live: "live", stream_lost: "stream lost, reconnecting", progress: "({n} of {total})",
    st_created: "invited", st_consented: "consented", st_live: "in progress", st_finished: "finished", st_failed: "failed",
    conn_connecting: "candidate connecting", conn_connected: "candidate connected", conn_disconnected: "candidate disconnected",
    conn_failed: "connection failed", conn_closed: "candidate left", conn_replaced: "moved to another device", conn_none: "candidate not connected",
    q: "Q", followup: "Follow-up", consents_label: "Consents", yes: "yes", no: "no", consents_none: "not given yet",
    c_ai_evaluation: "AI evaluation", c_recording: "recording", c_face_voice_analysis: "face and voice analysis",
    ev_consent: "Consents recorded",
    ev_question: "Question asked", ev_answer: "Answer ended", ev_speech_on: "Candidate speaking", ev_speech_off: "Candidate stopped speaking",
    ev_conn: "Connection", ev_state: "Interview", ev_final: "Transcript", ev_error: "Error",
    media_fmt: "video {w}×{h} at {fps} fps · {dropped} of {received} frames skipped by sampling · {audio} audio frames" },
  { live_interview: "实时面试", back: "全部面试", current_question: "当前问题", transcript: "转写", media: "媒体",
    timeline: "事件时间线", stream_connecting: "正在连接", stream_live: "实时", stream_lost: "连接中断，正在重连",
    progress: "（第 {n} 题，共 {total} 题）", st_created: "已邀请", st_consented: "已同意", st_live: "进行中", st_finished: "已结束",
    st_failed: "失败", conn_connecting: "候选人正在连接", conn_connected: "候选人已连接", conn_disconnected: "候选人已断开",
    conn_failed: "连接失败", conn_closed: "候选人已离开", conn_replaced: "已切换到其他设备", conn_none: "候选人未连接",
    q: "问", followup: "追问", consents_label: "同意情况", yes: "是", no: "否", consents_none: "尚未给出",
    c_ai_evaluation: "AI 评估", c_recording: "录制", c_face_voice_analysis: "面部与声音分析", ev_consent: "已记录同意",
    ev_question: "提问", ev_answer: "回答结束", ev_speech_on: "候选人开始说话", ev_speech_off: "候选人停止说话",
    ev_conn: "连接", ev_state: "面试", ev_final: "转写", ev_error: "错误",
    media_fmt: "视频 {w}×{h}，{fps} fps · 采样跳过 {dropped}/{received} 帧 · 音频帧 {audio}" });
  I18N.apply();
  const $ = (id) => document.getElementById(id);
  const interviewId = location.pathname.split("/").pop();
  let ws = null, lastTurnShown = -1, status = "";
  $("lang").onclick = () => { I18N.toggle(); };

  function badge(el, text, cls) { el.textContent = text; el.className = "badge " + (cls || ""); }
  function setStatus(s) { status = s; badge($("status"), I18N.t("st_" + s), s === "live" ? "ok" : s === "failed" ? "bad" : ""); }
  function setConn(s) { badge($("conn"), I18N.t("conn_" + s), s === "connected" ? "ok" : s === "connecting" ? "warn" : "bad"); }
  function time(at) { return new Date(at * 1000).toLocaleTimeString(); }

  function addTurnHead(turn, text, kind) {
    if (turn <= lastTurnShown) return;
    lastTurnShown = turn;
    const p = document.createElement("p"); p.className = "turn-head";
    p.textContent = (kind === "followup" ? I18N.t("followup") : I18N.t("q")) + ": " + text;
    $("transcript").append(p);
  }
  function addFinal(text) {
    const p = document.createElement("p"); p.className = "final"; p.textContent = text; $("transcript").append(p);
    $("transcript").scrollTop = $("transcript").scrollHeight;
  }
  function timeline(label, detail, at) {
    const li = document.createElement("li"); li.textContent = `${time(at)} · ${label}${detail ? ": " + detail : ""}`;
    $("timeline").append(li); $("timeline").scrollTop = $("timeline").scrollHeight;
    while ($("timeline").children.length > 300) $("timeline").firstChild.remove();
  }
  function showQuestion(text, idx, total, kind) {
    $("question").textContent = (kind === "followup" ? I18N.t("followup") + ": " : "") + text;
    $("progress").textContent = idx != null && total && kind !== "closing" ? I18N.t("progress", { n: idx + 1, total }) : "";
  }

  function showConsents(decisions) {
    const parts = Object.entries(decisions).map(([k, v]) => `${I18N.t("c_" + k)}: ${v ? I18N.t("yes") : I18N.t("no")}`);
    $("consents").textContent = I18N.t("consents_label") + ": " + (parts.length ? parts.join(", ") : I18N.t("consents_none"));
  }

  function snapshot(s) {
    const iv = s.interview, live = s.live || {};
    $("cand").textContent = `${iv.candidate.name} · ${iv.job.title}`;
    setStatus(iv.status);
    setConn(live.connection_state || "none");
    $("transcript").textContent = ""; $("timeline").textContent = ""; lastTurnShown = -1;
    const byTurn = {};
    for (const seg of iv.transcript) (byTurn[seg.turn_index] = byTurn[seg.turn_index] || []).push(seg.text);
    for (const t of iv.turns) { addTurnHead(t.index, t.question, t.kind); for (const x of byTurn[t.index] || []) addFinal(x); }
    const last = iv.turns[iv.turns.length - 1];
    if (live.question) showQuestion(live.question.text, live.question.question_index, live.questions_total, live.question.kind);
    else if (last) showQuestion(last.question, last.question_index, null, last.kind);
    const c = {};
    for (const [k, v] of Object.entries(iv.consents || {})) c[k] = v.granted;
    showConsents(c);
    for (const e of iv.events.slice(-100)) event(e, true);
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
      case "speech.started": timeline(I18N.t("ev_speech_on"), "", at); break;
      case "speech.ended": timeline(I18N.t("ev_speech_off"), "", at); break;
      case "transcript.partial": $("partial").textContent = e.text; break;
      case "transcript.final": if (!replay) { $("partial").textContent = ""; addFinal(e.text); } break;
      case "answer.ended": timeline(I18N.t("ev_answer"), e.reason, at); break;
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

  let retry = 1000;
  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${proto}://${location.host}/ws/v1/interviews/${interviewId}/observe`);
    ws.onopen = () => { badge($("stream"), I18N.t("stream_live"), "ok"); retry = 1000; };
    ws.onmessage = (m) => event(JSON.parse(m.data), false);
    ws.onclose = async () => {
      badge($("stream"), I18N.t("stream_lost"), "warn");
      const me = await fetch("/api/v1/auth/me");
      if (me.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); return; }
      const check = await fetch(`/api/v1/interviews/${interviewId}`);
      if (check.status === 404) { $("obs-error").textContent = "404"; $("obs-error").classList.remove("hidden"); return; }
      setTimeout(connect, retry); retry = Math.min(retry * 2, 10000);
    };
  }
  connect();
})();
