// HR page, admins only: retention periods, legal hold and erasure per candidate, and the log of deletions.
(function () {
  I18N.add({
    ret_h: "Data retention and deletion",
    ret_explain: "Personal data is deleted for good when its period is over, unless the candidate is under legal hold.",
    ret_content: "Transcripts, answers, quotes and timeline: days after the interview",
    ret_candidate: "Everything about a candidate: days after their last activity",
    ret_save: "Save periods", ret_saved: "Saved.", ret_defaults: "These are the server's defaults until you save.",
    ret_people: "Candidates: legal hold and erasure on request", ret_hold_col: "Legal hold",
    ret_log: "Deletions (what was deleted, never the data itself)", ret_why: "Why", ret_by: "By",
    ret_hold: "Place legal hold", ret_unhold: "Lift hold", ret_reason: "Reason for the hold", ret_erase: "Erase all data",
    ret_confirm: "Delete everything about {name} for good?", ret_yes: "Erase", ret_no: "Cancel", ret_none: "None yet.",
    ret_held_since: "since {at}: {reason}", ret_not_held: "no",
    why_retention: "retention period over", why_erasure_request: "erasure request",
    scope_candidate: "candidate and all their data", scope_interview_content: "interview transcript and timeline",
    scope_import_results: "bulk import results",
    err_legal_hold: "This candidate is under legal hold: lift the hold first.",
    err_interview_in_progress: "The candidate is in an interview right now; erase it afterwards.",
    err_reason_required: "Say why the data must be kept.",
    ret_shorter: "Shorter periods delete older data for good at the next sweep (within the hour). Save anyway?",
    ret_confirm_save: "Save and delete older data", ret_cancel: "Cancel",
    cnt_interviews: "interviews", cnt_resumes: "resumes", cnt_transcript_segments: "transcript segments",
    cnt_timeline_events: "timeline events", cnt_import_results: "import results", cnt_answers: "answers",
    cnt_follow_ups: "follow-ups", cnt_evidence_quotes: "scores' quotes", cnt_imports: "imports",
  }, {
    ret_h: "数据保留与删除", ret_explain: "个人信息在保留期满后将被彻底删除，处于法律保留的候选人除外。",
    ret_content: "文字稿、回答、引文和时间线：面试结束后保留天数", ret_candidate: "候选人的全部信息：最后一次活动后保留天数",
    ret_save: "保存保留期", ret_saved: "已保存。", ret_defaults: "保存前使用服务器的默认值。",
    ret_people: "候选人：法律保留与应要求删除", ret_hold_col: "法律保留",
    ret_log: "删除记录（只记录删除了什么，不含数据本身）", ret_why: "原因", ret_by: "操作人",
    ret_hold: "设为法律保留", ret_unhold: "解除保留", ret_reason: "保留原因", ret_erase: "删除全部数据",
    ret_confirm: "确定要彻底删除 {name} 的全部信息吗？", ret_yes: "删除", ret_no: "取消", ret_none: "暂无。",
    ret_held_since: "自 {at}：{reason}", ret_not_held: "否",
    why_retention: "保留期满", why_erasure_request: "应要求删除",
    scope_candidate: "候选人及其全部数据", scope_interview_content: "面试文字稿和时间线", scope_import_results: "批量导入结果",
    err_legal_hold: "该候选人处于法律保留状态，请先解除保留。", err_interview_in_progress: "候选人正在面试，请在面试结束后删除。",
    err_reason_required: "请说明需要保留数据的原因。",
    ret_shorter: "缩短保留期会在下次清理时（一小时内）彻底删除更早的数据。仍要保存吗？",
    ret_confirm_save: "保存并删除更早的数据", ret_cancel: "取消",
    cnt_interviews: "面试", cnt_resumes: "简历", cnt_transcript_segments: "文字稿片段", cnt_timeline_events: "时间线事件",
    cnt_import_results: "导入结果", cnt_answers: "回答", cnt_follow_ups: "追问", cnt_evidence_quotes: "评分引文",
    cnt_imports: "导入批次",
  });
  const box = document.getElementById("retention-box");
  I18N.apply(box);
  const $ = (id) => document.getElementById(id);
  const el = DOM.el, when = DOM.dateTime;  // web_client/dom.js
  let people = [], deletions = [], periods = null;
  const holds = {};  // candidate id -> {reason, since} as last answered by the server

  function renderPeriods() {
    $("ret-content").value = periods.interview_content_days; $("ret-candidate").value = periods.candidate_days;
    if (periods.is_default) $("ret-status").textContent = I18N.t("ret_defaults");
  }

  function renderPeople() {
    const body = $("ret-people"); body.textContent = "";
    for (const p of people) {
      const tr = el("tr"); tr.append(el("td", p.name));
      const hold = holds[p.id];
      tr.append(el("td", hold ? I18N.t("ret_held_since", { at: when(hold.since), reason: hold.reason }) : I18N.t("ret_not_held")));
      const actions = el("td"); const msg = el("span"); msg.setAttribute("role", "alert"); msg.className = "muted";
      const act = async (fn) => { msg.textContent = ""; try { await fn(); } catch (err) { msg.textContent = API.errorText(err); } };
      if (hold) {
        const lift = el("button", I18N.t("ret_unhold")); lift.type = "button"; lift.className = "secondary";
        lift.onclick = () => act(async () => { await API.call(`/api/v1/candidates/${p.id}/legal-hold`, { hold: false }, "PUT"); delete holds[p.id]; renderPeople(); });
        actions.append(lift);
      } else {
        const reason = el("input"); reason.type = "text"; reason.setAttribute("aria-label", I18N.t("ret_reason") + ": " + p.name);
        reason.placeholder = I18N.t("ret_reason"); reason.style.maxWidth = "12rem";
        const place = el("button", I18N.t("ret_hold")); place.type = "button"; place.className = "secondary";
        place.onclick = () => act(async () => {
          const out = await API.call(`/api/v1/candidates/${p.id}/legal-hold`, { hold: true, reason: reason.value }, "PUT");
          holds[p.id] = { reason: out.reason, since: out.since }; renderPeople();
        });
        const erase = el("button", I18N.t("ret_erase")); erase.type = "button"; erase.className = "secondary danger";
        erase.onclick = () => {  // a second, explicit step before anything is deleted
          const ask = el("span", I18N.t("ret_confirm", { name: p.name }) + " ");
          const yes = el("button", I18N.t("ret_yes")); yes.type = "button"; yes.className = "danger";
          const no = el("button", I18N.t("ret_no")); no.type = "button"; no.className = "secondary";
          no.onclick = () => renderPeople();
          yes.onclick = () => act(async () => {
            await API.call(`/api/v1/candidates/${p.id}`, null, "DELETE");
            people = people.filter((x) => x.id !== p.id); renderPeople(); await loadLog();
          });
          actions.textContent = ""; actions.append(ask, yes, " ", no, " ", msg); yes.focus();
        };
        actions.append(reason, " ", place, " ", erase);
      }
      actions.append(" ", msg); tr.append(actions); body.append(tr);
    }
    if (!people.length) { const tr = el("tr"); const td = el("td", I18N.t("ret_none")); td.colSpan = 3; tr.append(td); body.append(tr); }
  }

  function renderLog() {
    const body = $("ret-log"); body.textContent = "";
    for (const d of deletions) {
      const tr = el("tr");
      const counts = Object.entries(d.counts).filter(([, n]) => n).map(([k, n]) => `${I18N.t("cnt_" + k)} ${n}`).join(", ");
      const cells = [when(d.at), I18N.t("why_" + d.reason), I18N.t("scope_" + d.scope) + (counts ? ` (${counts})` : ""),
        d.actor_email || "—"];
      ["access_when", "ret_why", "access_what", "ret_by"].forEach((label, i) => {
        const td = el("td", cells[i]); td.dataset.label = I18N.t(label); tr.append(td);  // shown on a phone
      });
      body.append(tr);
    }
    if (!deletions.length) { const tr = el("tr"); const td = el("td", I18N.t("ret_none")); td.colSpan = 4; tr.append(td); body.append(tr); }
  }

  async function loadLog() { deletions = (await API.call("/api/v1/retention/deletions")).deletions; renderLog(); }

  async function loadPeople() {  // every candidate: interviewed, uploaded or imported
    people = [];
    for (const c of (await API.call("/api/v1/candidates")).candidates) {
      people.push({ id: c.id, name: c.name });
      if (c.legal_hold) holds[c.id] = { reason: c.legal_hold_reason, since: c.legal_hold_since };
      else delete holds[c.id];
    }
    renderPeople();
  }

  async function savePeriods(wanted) {
    try {
      periods = await API.call("/api/v1/retention", wanted, "PUT");
      renderPeriods(); $("ret-status").textContent = I18N.t("ret_saved");
    } catch (err) { $("ret-status").textContent = API.errorText(err); }
  }
  $("ret-form").addEventListener("submit", async (e) => {
    e.preventDefault(); const status = $("ret-status"); status.textContent = "";
    const wanted = { interview_content_days: Number($("ret-content").value), candidate_days: Number($("ret-candidate").value) };
    if (wanted.interview_content_days >= periods.interview_content_days && wanted.candidate_days >= periods.candidate_days) {
      await savePeriods(wanted); return;
    }
    // a shorter period deletes data at the next sweep: a second, explicit step first
    const yes = el("button", I18N.t("ret_confirm_save")); yes.type = "button"; yes.className = "danger";
    const no = el("button", I18N.t("ret_cancel")); no.type = "button"; no.className = "secondary";
    yes.onclick = () => savePeriods(wanted);
    no.onclick = () => { renderPeriods(); status.textContent = ""; };
    status.append(I18N.t("ret_shorter") + " ", yes, " ", no); yes.focus();
  });
  document.addEventListener("langchange", () => { if (periods) { renderPeople(); renderLog(); } });

  document.addEventListener("hrready", async (e) => {  // hr.js, with who is logged in
    if (e.detail.user.role !== "admin") return;
    box.classList.remove("hidden");
    periods = await API.call("/api/v1/retention"); renderPeriods();
    await Promise.all([loadPeople(), loadLog()]);
  });
})();
