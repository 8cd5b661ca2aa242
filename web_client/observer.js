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
    end_silence: "the candidate stopped talking", end_candidate_done: "the candidate pressed \"I have finished\"",
    end_no_answer: "no answer", end_time_limit: "time limit reached",
    ev_question: "Question asked", ev_answer: "Answer ended", ev_speech_on: "Candidate speaking", ev_speech_off: "Candidate stopped speaking",
    ev_conn: "Connection", ev_state: "Interview", ev_final: "Transcript", ev_error: "Error",
    media_fmt: "video {w}×{h} at {fps} fps · {dropped} of {received} frames skipped by sampling · {audio} audio frames",
    observations: "Observable behaviour", observations_note: "Measurements for a person to read. No emotions or personality are inferred, and they carry no weight in scores.",
    observations_off: "Face and voice analysis is off for this interview (no consent).",
    tl_face: "face present", tl_look: "looking at screen", tl_speak: "speaking", tl_window: "last 2 minutes",
    flags: "Proctoring flags (for review by a person)", no_flags: "none",
    flag_no_face: "no face in view", flag_second_face: "a second face in view", flag_looking_away: "looking away from the screen",
    flag_left_frame: "left the camera's view",
    v_face: "Face", v_faces: "faces", v_looking: "looking at screen", v_head: "head yaw / pitch", v_blinks: "blinks per minute",
    v_smile: "smile (0–1)", v_brow: "brow activity (0–1)", v_posture: "Posture", v_in_frame: "in frame", v_lean: "lean",
    v_tilt: "shoulder tilt", v_hands: "Hands", v_hands_visible: "visible", v_gesture: "gesture activity",
    v_voice: "Voice (last utterance)", v_rate: "speaking rate", v_pauses: "pauses", v_pitch: "pitch", v_loud: "loudness",
    v_fillers: "fillers", yes_short: "yes", no_short: "no", lean_forward: "forward", lean_back: "back", lean_neutral: "upright",
    summary_h: "Answer summary (AI-generated, for review)", s_relevance: "Relevance to the question", s_points: "Expected points",
    s_star: "Structure (STAR)", s_numbers: "Quantified result", s_specific: "Concrete example", s_length: "Length",
    s_voice: "Voice", s_nonverbal: "Observable behaviour (no weight)", met: "met", partly: "partly", missing: "missing",
    on_topic: "on topic", off_topic: "off topic", concrete: "concrete", general: "general", mixed: "mixed", unclear: "unclear",
    star_situation: "situation", star_task: "task", star_action: "action", star_result: "result", none_found: "none found",
    words: "words", characters: "characters", wpm: "words/min", cpm: "characters/min",
    score_h: "AI score (live, for review)", provisional: "provisional, a follow-up is coming", confidence: "confidence",
    by_rules: "scored by the rules", by_model: "scored by the rules with the language model's relevance check",
    ev_followup: "Follow-up chosen", ev_next: "Next question", ev_clarify: "Clarification", report_link: "Open the report",
    off_topic_by_model: "the language model found the answer to be about something else", not_counted: "not counted (off-topic)",
    why_missing_result: "The example has no result, or no measurable one.", why_no_example: "The answer stays general; no specific episode.",
    why_personal_role: "The example says \"we\" throughout; the candidate's own part is not clear.",
    why_vague_claim: "A claim about themselves with no example behind it.", why_missing_numbers: "A result, but no measurable figure.",
    why_resume_contradiction: "Something said does not agree with the resume.", why_too_short: "The answer is short.",
    why_clarify: "The answer does not seem to address the question, so the candidate is asked once to clarify.",
    why_repeat_request: "The candidate asked to hear the question again.", why_max_follow_ups: "This question's follow-ups are used up.",
    why_time_budget: "This question's time is nearly up; no more follow-ups.", why_no_answer: "No answer was given.",
    why_nothing_to_probe: "Nothing in the answer calls for a follow-up.",
    ev_finishing: "The candidate pressed \"I have finished\"", finishing_pause: "ends at their next pause",
    finishing_words: "ends once their last words are recognised", ev_resumed: "The answer goes on",
    resumed_detail: "the candidate spoke again right after the answer was taken as over", withdrawn: "the next question was taken back" },
  { live_interview: "实时面试", back: "全部面试", current_question: "当前问题", transcript: "转写", media: "媒体",
    timeline: "事件时间线", stream_connecting: "正在连接", stream_live: "实时", stream_lost: "连接中断，正在重连",
    progress: "（第 {n} 题，共 {total} 题）", st_created: "已邀请", st_consented: "已同意", st_live: "进行中", st_finished: "已结束",
    st_failed: "失败", conn_connecting: "候选人正在连接", conn_connected: "候选人已连接", conn_disconnected: "候选人已断开",
    conn_failed: "连接失败", conn_closed: "候选人已离开", conn_replaced: "已切换到其他设备", conn_none: "候选人未连接",
    q: "问", followup: "追问", consents_label: "同意情况", yes: "是", no: "否", consents_none: "尚未给出",
    c_ai_evaluation: "AI 评估", c_recording: "录制", c_face_voice_analysis: "面部与声音分析", ev_consent: "已记录同意",
    end_silence: "候选人停止说话", end_candidate_done: "候选人点击了“我答完了”", end_no_answer: "未作答",
    end_time_limit: "已到时间限制",
    ev_question: "提问", ev_answer: "回答结束", ev_speech_on: "候选人开始说话", ev_speech_off: "候选人停止说话",
    ev_conn: "连接", ev_state: "面试", ev_final: "转写", ev_error: "错误",
    media_fmt: "视频 {w}×{h}，{fps} fps · 采样跳过 {dropped}/{received} 帧 · 音频帧 {audio}",
    observations: "可观察行为", observations_note: "供人工参考的测量值。不推断情绪或性格，不计入评分。",
    observations_off: "本场面试未开启面部与声音分析（候选人未同意）。",
    tl_face: "在画面中", tl_look: "看屏幕", tl_speak: "说话", tl_window: "最近 2 分钟",
    flags: "监考提示（需人工核查）", no_flags: "无",
    flag_no_face: "画面中没有人脸", flag_second_face: "画面中出现第二张人脸", flag_looking_away: "视线离开屏幕", flag_left_frame: "离开摄像头画面",
    v_face: "面部", v_faces: "人脸数", v_looking: "看屏幕", v_head: "头部偏转 / 俯仰", v_blinks: "每分钟眨眼", v_smile: "微笑 (0–1)",
    v_brow: "眉部活动 (0–1)", v_posture: "姿态", v_in_frame: "在画面中", v_lean: "前倾/后仰", v_tilt: "肩线倾斜", v_hands: "手部",
    v_hands_visible: "可见", v_gesture: "手势活动", v_voice: "声音（最近一句）", v_rate: "语速", v_pauses: "停顿", v_pitch: "音高",
    v_loud: "音量", v_fillers: "填充词", yes_short: "是", no_short: "否", lean_forward: "前倾", lean_back: "后仰", lean_neutral: "端正",
    summary_h: "回答摘要（AI 生成，供人工审阅）", s_relevance: "与问题的相关性", s_points: "预期要点", s_star: "结构 (STAR)",
    s_numbers: "量化结果", s_specific: "具体事例", s_length: "长度", s_voice: "声音", s_nonverbal: "可观察行为（不计分）",
    met: "已覆盖", partly: "部分覆盖", missing: "未覆盖", on_topic: "切题", off_topic: "偏题", concrete: "具体", general: "笼统",
    mixed: "部分具体", unclear: "不明确", star_situation: "情境", star_task: "任务", star_action: "行动", star_result: "结果",
    none_found: "未发现", words: "词", characters: "字", wpm: "词/分钟", cpm: "字/分钟",
    score_h: "AI 评分（实时，供审阅）", provisional: "暂定，还有追问", confidence: "置信度",
    by_rules: "由规则评分", by_model: "由规则评分，语言模型核对了相关性",
    ev_followup: "选择追问", ev_next: "下一题", ev_clarify: "澄清", report_link: "打开报告",
    off_topic_by_model: "语言模型判断回答讲的是别的事", not_counted: "不计（偏题）",
    // why a follow-up was chosen or the interview moved on, by reason_code (dialogue/followup.py)
    why_missing_result: "这个例子没有讲结果，或结果没有可衡量的数字。", why_no_example: "回答停留在泛泛而谈，没有讲一次具体的经历。",
    why_personal_role: "例子里一直在说“我们”，看不出候选人本人做了什么。", why_vague_claim: "只是自我评价，没有例子支撑。",
    why_missing_numbers: "讲了结果，但没有可衡量的数字。", why_resume_contradiction: "回答中的说法与简历不一致。",
    why_too_short: "回答较短。", why_clarify: "回答似乎没有针对这个问题，因此请候选人澄清一次。",
    why_repeat_request: "候选人请求再听一遍问题。", why_max_follow_ups: "本题的追问次数已用完。",
    why_time_budget: "本题的时间快用完了，不再追问。", why_no_answer: "没有作答。",
    why_nothing_to_probe: "回答没有需要追问的地方。",
    ev_finishing: "候选人点击了“我答完了”", finishing_pause: "将在其停顿时结束", finishing_words: "将在其最后的话识别后结束",
    ev_resumed: "回答继续", resumed_detail: "回答被判定结束后，候选人随即继续说话", withdrawn: "已撤回下一题" });
  function decisionWhy(e) {  // the reason's sentence in the page's language; the server's English for an unknown code
    if (!e.reason_code) return e.reason;
    const key = "why_" + e.reason_code, text = I18N.t(key);
    return text === key ? e.reason : text;
  }
  I18N.apply();
  const $ = (id) => document.getElementById(id);
  const interviewId = location.pathname.split("/").pop();
  document.getElementById("report-link").href = "/reports/" + interviewId;
  let ws = null, lastTurnShown = -1, status = "";
  $("lang").onclick = () => { I18N.toggle(); };

  function badge(el, text, cls) { el.textContent = text; el.className = "badge " + (cls || ""); }
  function setStatus(s) { status = s; badge($("status"), I18N.t("st_" + s), s === "live" ? "ok" : s === "failed" ? "bad" : ""); }
  function setConn(s) { badge($("conn"), I18N.t("conn_" + s), s === "connected" ? "ok" : s === "connecting" ? "warn" : "bad"); }
  function time(at) { return new Date(at * 1000).toLocaleTimeString(); }

  const turnBoxes = {};
  function turnBox(turn) {
    if (!turnBoxes[turn]) { const d = document.createElement("div"); d.className = "turn"; $("transcript").append(d); turnBoxes[turn] = d; }
    return turnBoxes[turn];
  }
  function addTurnHead(turn, text, kind) {
    if (turn <= lastTurnShown) return;
    lastTurnShown = turn;
    const p = document.createElement("p"); p.className = "turn-head";
    p.textContent = (kind === "followup" ? I18N.t("followup") : I18N.t("q")) + ": " + text;
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
      case "answer.finishing": timeline(I18N.t("ev_finishing"), I18N.t("finishing_" + e.waiting_for), at); break;
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
  function noFlags() { if (!flagCount) { const li = document.createElement("li"); li.className = "muted"; li.textContent = I18N.t("no_flags"); $("flags").append(li); } }
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
      const li = el("li", `${I18N.t("s_relevance")}: ${I18N.t(label)}${elsewhere ? " · " + I18N.t("off_topic_by_model") : ""}`);
      if (!elsewhere) quoted(li, q.relevance);
      ul.append(li);
    }
    for (const pt of c.coverage || []) {
      const li = el("li", `${I18N.t("s_points")} · ${pt.point}: `);
      if (label === "off_topic") li.append(el("span", I18N.t("not_counted"), "muted"));
      else { li.append(el("span", I18N.t(pt.label), "lbl-" + pt.label)); if (pt.label !== "missing") quoted(li, q["coverage:" + pt.point]); }
      ul.append(li);
    }
    if (c.star) {
      const parts = ["situation", "task", "action", "result"];
      const li = el("li", `${I18N.t("s_star")}: ` + parts.map((k) => `${I18N.t("star_" + k)} ${c.star[k] && c.star[k].found ? "✓" : "✗"}`).join(" · "));
      ul.append(li);
    }
    { const li = el("li", `${I18N.t("s_numbers")}: ${c.quantified_result ? "✓" : I18N.t("none_found")}`); if (c.quantified_result) quoted(li, q.quantified_result); ul.append(li); }
    if (c.specificity) { const li = el("li", `${I18N.t("s_specific")}: ${I18N.t(c.specificity.label)}`); quoted(li, q["specificity:concrete_example"]); ul.append(li); }
    if (c.length) ul.append(el("li", `${I18N.t("s_length")}: ${c.length.value} ${I18N.t(c.length.unit)}`));
    const v = e.voice || {};
    if (v.speech_rate != null) ul.append(el("li", `${I18N.t("s_voice")}: ${num(v.speech_rate, 0)} ${I18N.t(v.language === "zh" ? "cpm" : "wpm")}, ${I18N.t("v_pauses")} ${num(v.pause_ratio_share ?? (v.pause_ratio != null ? v.pause_ratio * 100 : null), 0, "%")}`));
    const nv = e.nonverbal || {};
    if (nv.face) ul.append(el("li", `${I18N.t("s_nonverbal")}: ${I18N.t("tl_face")} ${num(nv.face.face_present_share * 100, 0, "%")}, ${I18N.t("tl_look")} ${num((nv.face.looking_at_screen_share || 0) * 100, 0, "%")}`));
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
    div.append(el("h4", `${I18N.t("score_h")}: ${e.competency} ${Number(e.score).toFixed(1)} / 5 · ${I18N.t("confidence")} ${Number(e.confidence).toFixed(2)}${e.final ? "" : " (" + I18N.t("provisional") + ")"}`));
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
