// HR page: create interview links and pick an interview to watch. Each section is for the roles in its data-roles
// (server/http/access.py): recruiters work on their jobs, hiring managers and observers read interviews.
(function () {
  I18N.apply();
  const $ = (id) => document.getElementById(id);
  $("lang").onclick = () => { I18N.toggle(); loadMatches(); showRole(); };
  const listChanged = () => document.dispatchEvent(new CustomEvent("interviewschanged"));  // interviews_table.js
  function showRole() {  // who is logged in, and as what
    const role = $("who").dataset.role; if (!role) return;
    $("who").textContent = `${$("who").textContent.split(" · ")[0]} · ${I18N.t("role_" + role)}`;
  }
  $("logout").onclick = async () => { await fetch("/api/v1/auth/logout", { method: "POST" }); location.href = "/login"; };

  // Loads overlap (HR switches jobs while the first job's answer is on its way): only the newest call of a loader
  // may render, so an older answer never replaces a newer one. newestOnly("x") returns "is this still the newest?".
  const loadSeq = {};
  function newestOnly(name) { const n = (loadSeq[name] || 0) + 1; loadSeq[name] = n; return () => loadSeq[name] === n; }
  async function get(path) {
    const res = await fetch(path);
    if (res.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); throw new Error("login"); }
    return res.json();
  }
  let canRecruit = false;  // the job's candidates, interviews, invitations and times (admins and recruiters)
  async function init() {
    const me = await get("/api/v1/auth/me"); const role = me.user.role;
    $("who").textContent = me.user.email; $("who").dataset.role = role; showRole();
    for (const section of document.querySelectorAll("[data-roles]")) {
      section.classList.toggle("hidden", !section.dataset.roles.split(" ").includes(role));
    }
    canRecruit = role === "admin" || role === "recruiter";
    await loadJobs(); if (canRecruit) await loadLibrary();
    // the sections in their own files (access_log.js, retention.js, bias.js) start now, with who is logged in
    document.dispatchEvent(new CustomEvent("hrready", { detail: { user: me.user } }));
    await loadIntegrations();  // invitation channels and the DingTalk import, as set up on the server
    listChanged(); loadMatches();
    loadLatestImport();  // bulk import
    loadSchedule();  // interview scheduling
  }
  async function loadJobs() {  // the job pickers; workspace.js (the jobs list) and the interviews table's filter listen
    const jobs = await get("/api/v1/jobs"); const keep = $("job").value, keepCreate = $("create-job").value;
    for (const id of ["job", "create-job"]) {
      $(id).textContent = "";
      for (const j of jobs.jobs) { const o = document.createElement("option"); o.value = j.id; o.textContent = j.title; $(id).append(o); }
    }
    if (keep && jobs.jobs.some((j) => j.id === keep)) $("job").value = keep;
    if (keepCreate && jobs.jobs.some((j) => j.id === keepCreate)) $("create-job").value = keepCreate;
    document.dispatchEvent(new CustomEvent("jobslisted", { detail: jobs.jobs }));
  }
  async function loadLibrary() {
    const lib = await get("/api/v1/plan-library");
    for (const p of lib.plans) { const o = document.createElement("option"); o.value = p.id; o.textContent = p.title[I18N.lang] || p.title.en; $("plan-lib").append(o); }
  }
  $("plan-form").addEventListener("submit", async (e) => {
    e.preventDefault(); $("plan-errors").textContent = ""; $("plan-status").textContent = "";
    const body = { language: $("plan-lang").value };
    if ($("plan-title").value) body.title = $("plan-title").value;
    if ($("plan-lib").value) body.library_plan = $("plan-lib").value; else body.plan = $("plan-text").value;
    const res = await fetch("/api/v1/jobs/import", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const data = await res.json();
    if (!res.ok) { showProblems(data); return; }
    $("plan-status").textContent = I18N.t("job_created", { title: data.title }); await loadJobs();
    $("job").value = data.id; $("job").dispatchEvent(new Event("change"));
  });

  let editingJob = null;
  function showProblems(data) {
    const problems = (data.error.details && data.error.details.length) ? data.error.details : [{ message: data.error.message }];
    for (const p of problems) { const li = document.createElement("li"); li.textContent = p.field && !p.message.startsWith(p.field) ? `${p.field}: ${p.message}` : p.message; $("plan-errors").append(li); }
  }
  $("plan-load").addEventListener("click", async () => {
    $("plan-errors").textContent = ""; $("plan-status").textContent = "";
    editingJob = { id: $("job").value, title: $("job").selectedOptions[0].textContent };
    const res = await fetch(`/api/v1/jobs/${editingJob.id}/plan?format=yaml`);
    $("plan-text").value = await res.text(); $("plan-lib").value = ""; $("plan-save").classList.remove("hidden");
    $("plan-text").focus();
  });
  $("plan-save").addEventListener("click", async () => {
    $("plan-errors").textContent = ""; $("plan-status").textContent = "";
    const res = await fetch(`/api/v1/jobs/${editingJob.id}/plan`, { method: "PUT", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ plan: $("plan-text").value, language: $("plan-lang").value }) });
    const data = await res.json();
    if (!res.ok) { showProblems(data); return; }
    $("plan-status").textContent = I18N.t("plan_saved", { title: editingJob.title });
  });

  // --- candidates: resume upload, ranked matches with explanations, overrides, invitations ---------------
  const el = DOM.el;  // web_client/dom.js
  $("resume-upload").addEventListener("click", async () => {
    const files = $("resume-files").files;
    if (!files.length) { $("upload-results").textContent = ""; $("upload-results").append(el("li", I18N.t("upload_choose_first"), "error")); $("resume-files").focus(); return; }
    $("upload-results").textContent = I18N.t("uploading", { n: files.length });
    const form = new FormData(); for (const f of files) form.append("files", f, f.name);
    const res = await fetch(`/api/v1/jobs/${$("job").value}/resumes`, { method: "POST", body: form });
    const data = await res.json(); $("upload-results").textContent = "";
    if (!res.ok) { $("upload-results").append(el("li", API.errorText(API.errorOf(data, res.status)), "error")); return; }
    for (const r of data.results) {  // a refused file: why, in the page's language, then the server's words
      const li = el("li", r.ok ? `✓ ${r.filename}: ${r.name}` : `✗ ${r.filename}: `, r.ok ? "" : "error");
      if (!r.ok) li.append(importError(r.error));
      $("upload-results").append(li);
    }
    loadMatches();
  });
  $("job").addEventListener("change", () => loadMatches());
  // requirements.js: a job made from a description joins the list, selected; saved requirements re-rank
  document.addEventListener("jobcreated", async (e) => {
    await loadJobs(); $("job").value = e.detail.id; $("job").dispatchEvent(new Event("change"));
  });
  document.addEventListener("requirementssaved", () => loadMatches());
  $("must-all").addEventListener("change", () => loadMatches());
  $("min-score").addEventListener("change", () => loadMatches());
  // Why a verdict was given, in the page's language: the reason codes of analyzers/documents/match_result.py
  // (REASONS, as rs_<code> in strings/hr.json); the server's English explanation when a code is not in the catalogue.
  function regionName(code) {  // ISO region codes (analyzers/documents/country_scope.py) in the page's language
    try { return new Intl.DisplayNames([I18N.lang === "zh" ? "zh-CN" : "en"], { type: "region" }).of(code) || code; } catch { return code; }
  }
  function reasonValue(key, v) {
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(key === "cosine" ? 2 : 1);
    if (key === "status") return I18N.t(v);
    if (key === "have_level" || key === "need_level") return I18N.t("deg_" + v);  // requirements.js has the names
    if (key === "language") return DOM.languageName(v);
    if (key === "country" || key === "elsewhere") return String(v).split(",").map((c) => regionName(c.trim())).join(I18N.lang === "zh" ? "、" : ", ");
    return v;
  }
  const joiner = () => (I18N.lang === "zh" ? "；" : "; ");
  // A requirement's reason as one sentence: the first reason, with the resume's words quoted right after it when it
  // ends in a colon ("found in the resume: “Python”"), then any further reasons. Returns the reason and, when the
  // quote did not fit in it, the quote on a line of its own ("In the resume: “…”"), else null.
  function reasonParts(it) {
    const coded = it.reasons && it.reasons.length && it.reasons.every((r) => I18N.t("rs_" + r.code) !== "rs_" + r.code);
    const texts = coded ? it.reasons.map((r) => {
      const values = {}; for (const [k, v] of Object.entries(r.values)) values[k] = reasonValue(k, v);
      return I18N.t("rs_" + r.code, values);
    }) : [it.explanation || ""];
    let first = texts[0];
    if (I18N.lang !== "zh") first = first.charAt(0).toUpperCase() + first.slice(1);
    const rest = texts.slice(1).join(joiner());
    const reason = el("span", null, "reason");
    const quote = it.evidence.length ? el("q", it.evidence[0]) : null;
    const colon = /[:：]\s*$/.test(first);
    if (quote && colon) {
      reason.append(first + (I18N.lang === "zh" ? "" : " "), quote);
      if (rest) reason.append(joiner() + rest);
      return [reason, null];
    }
    if (colon) first = first.replace(/[:：]\s*$/, "");
    reason.append(rest ? first + joiner() + rest : first);
    if (!quote) return [reason, null];
    const line = el("div", null, "rank-quote"); line.append(I18N.t("rank_in_resume") + " ", quote);
    return [reason, line];
  }
  // The match cell: the score, how many must-haves the resume meets, and why the score is capped when it is.
  function matchCell(m) {
    const td = el("td", null, "match-cell");
    td.append(el("span", `${Math.round(m.score)} / 100`, "match-score"));
    const musts = m.items.filter((it) => it.must_have);
    const met = musts.filter((it) => it.status === "met").length, partly = musts.filter((it) => it.status === "partly").length;
    const said = !musts.length ? I18N.t("rank_no_musts")
      : I18N.t(partly ? "rank_musts_partly" : "rank_musts", { met, total: musts.length, partly });
    td.append(el("span", said, "match-musts"));
    const missing = musts.filter((it) => it.status === "missing").length;
    if (m.score < m.raw_score) td.append(el("span", I18N.t("rank_capped", { n: missing, raw: Math.round(m.raw_score) }), "match-cap"));
    return td;
  }
  // HR's own verdict on one requirement: a labelled select, the automatic reading first; who changed it, when changed.
  function overrideControl(m, it) {
    const box = el("span", null, "override");
    const label = el("label", I18N.t("override"));
    const sel = el("select"); sel.id = label.htmlFor = `ov-${m.candidate_id}-${it.requirement_id}`;
    sel.setAttribute("aria-label", I18N.t("rank_decision_for", { requirement: it.requirement, name: m.name }));
    const options = [["", I18N.t("rank_auto", { status: I18N.t(it.auto_status) })], ...["met", "partly", "missing"].map((st) => [st, I18N.t(st)])];
    for (const [value, text] of options) { const o = el("option", text); o.value = value; sel.append(o); }
    sel.value = it.override ? it.status : "";
    sel.addEventListener("change", async () => {
      if (!sel.value && !it.override) return;
      await fetch(`/api/v1/jobs/${$("job").value}/matches/${m.candidate_id}/overrides`, { method: "POST",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify({ requirement_id: it.requirement_id, status: sel.value || it.auto_status }) });
      loadMatches();
    });
    box.append(label, sel);
    if (it.override) box.append(el("span", I18N.t("rank_changed", { by: it.override.by || "HR", status: I18N.t(it.auto_status) }), "muted small override-by"));
    return box;
  }
  // An interview's state in words: a withdrawn link, else its status
  const interviewState = (iv) => (iv.link_withdrawn && iv.status === "created" ? I18N.t("rank_link_withdrawn") : I18N.t("st_" + iv.status));
  const interviewText = (iv) => I18N.t("rank_existing_item", { when: DOM.dateTime(iv.created_at), status: interviewState(iv) });
  // Invite: a new interview and its link; a candidate who already has one for this job is asked first, in the row.
  function inviteCell(m) {
    const act = el("td", null, "act"); const btn = el("button", I18N.t("invite")); btn.type = "button";
    const error = el("p", null, "error"); error.setAttribute("role", "alert");
    const existing = m.interviews || [];
    // the link, and a button to copy it that takes the focus the Invite button had
    const showLink = (link, focus) => {
      const a = el("a", link, "rank-link"); a.href = link; act.textContent = I18N.t("invited") + " "; act.append(a);
      const copy = el("button", I18N.t("iv_copy"), "secondary small"); copy.type = "button";
      const said = el("span", null, "muted small"); said.setAttribute("role", "status");
      copy.addEventListener("click", async () => { said.textContent = (await DOM.copyText(link)) ? I18N.t("rank_link_copied") : I18N.t("rank_link_copy_by_hand"); });
      act.append(" ", copy, " ", said);
      if (focus) copy.focus();
    };
    async function create() {
      error.textContent = "";
      const res = await fetch("/api/v1/interviews", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ job_id: $("job").value, candidate_id: m.candidate_id }) });
      const d = await res.json().catch(() => ({}));
      if (res.ok) {
        invitedLinks.set(m.candidate_id, d.link); showLink(d.link, true); listChanged();
        if (!act.isConnected) loadMatches();  // the list was drawn again meanwhile: draw it with the new link
        return;
      }
      error.textContent = I18N.t("rank_invite_failed", { msg: d.error ? API.errorText(d.error) : `HTTP ${res.status}` });
    }
    btn.addEventListener("click", () => {
      if (!existing.length) { create(); return; }
      const ask = el("div", null, "rank-again");
      const q = el("p", I18N.t("rank_again_q", { name: m.name, when: DOM.dateTime(existing[0].created_at), status: interviewState(existing[0]) }));
      q.setAttribute("role", "alert");
      const yes = el("button", I18N.t("rank_again_yes")); yes.type = "button";
      const no = el("button", I18N.t("rank_again_no"), "secondary"); no.type = "button";
      yes.addEventListener("click", () => { ask.remove(); btn.hidden = false; create(); });
      no.addEventListener("click", () => { ask.remove(); btn.hidden = false; btn.focus(); });
      const buttons = el("p", null, "confirm-buttons"); buttons.append(yes, no);
      ask.append(q, buttons); btn.hidden = true; btn.after(ask); no.focus();
    });
    act.append(btn);
    if (existing.length) {  // the interviews this candidate already has for the job, before any click
      const note = el("div", null, "rank-existing"); note.append(el("span", I18N.t("rank_existing")));
      const ul = el("ul"); for (const iv of existing) ul.append(el("li", interviewText(iv))); note.append(ul);
      act.append(note);
    }
    act.append(error);
    if (invitedLinks.has(m.candidate_id)) showLink(invitedLinks.get(m.candidate_id));  // again after a language switch
    return act;
  }
  const invitedLinks = new Map();  // candidate id -> the interview link made on this page, shown again on re-render
  async function loadMatches() {
    if (!canRecruit || !$("job").value) return;
    const q = new URLSearchParams({ min_score: $("min-score").value || "0" });
    if ($("must-all").checked) q.set("must_haves", "all");
    const current = newestOnly("matches");
    const data = await get(`/api/v1/jobs/${$("job").value}/matches?${q}`);
    if (!current()) return;
    document.dispatchEvent(new CustomEvent("matcheslisted", { detail: data.matches.length }));  // guide.js
    const rows = $("match-rows"); rows.textContent = "";
    for (const m of data.matches) {
      const tr = el("tr"); tr.append(el("td", m.name), matchCell(m));
      const why = el("td"); const ul = el("ul", null, "evidence rank-reqs");
      for (const it of m.items) {
        const li = el("li"); const said = el("div", null, "req-said");
        said.append(el("span", I18N.t(it.status), "lbl-" + it.status), " ", el("strong", it.requirement));
        if (it.must_have) said.append(" ", el("span", I18N.t("rank_must_tag"), "tag-must"));
        const [reason, quote] = reasonParts(it);
        said.append(" — ", reason);
        if (quote) said.append(quote);
        li.append(said, overrideControl(m, it)); ul.append(li);
      }
      why.append(ul); tr.append(why, inviteCell(m)); rows.append(tr);
    }
  }

  // --- bulk candidate import: a zip of resumes and/or a CSV list, progress, per-file results -------------
  I18N.apply($("import-box"));
  let importTimer = null, lastImport = null;
  function importError(err) {  // the kind in the page's language, the server's exact words after it
    const span = el("span"); const known = I18N.t("err_" + err.code);
    if (known !== "err_" + err.code) span.append(el("strong", known), " ");
    span.append(el("span", err.message, "muted small")); return span;
  }
  function renderImport(d) {
    lastImport = d; $("import-view").classList.remove("hidden");
    const dt = d.source === "dingtalk", listing = dt && d.total === 0 && (d.status === "pending" || d.status === "running");
    const bar = $("import-progress");
    if (listing) bar.removeAttribute("value");  // DingTalk's candidates are still being listed: no total yet
    else { bar.max = Math.max(1, d.total); bar.value = d.done; }
    const vars = { done: d.done, total: d.total, created: d.created, duplicate: d.duplicate, failed: d.failed,
      updated: d.updated || 0, unchanged: d.unchanged || 0 };
    const key = ({ done: "imp_done", interrupted: "imp_interrupted", failed: "imp_run_failed" }[d.status] || "imp_running")
      .replace("imp_", dt ? "dt_" : "imp_");
    $("import-status").textContent = I18N.t(listing ? "dt_listing" : key, vars);
    if (dt && d.error) $("import-status").append(" ", importError(d.error));  // why it failed, or what was left out
    $("import-status").className = d.status === "interrupted" || d.status === "failed" ? "error" : "";
    $("import-file-col").dataset.i18n = dt ? "dt_item" : "import_file"; $("import-file-col").textContent = I18N.t($("import-file-col").dataset.i18n);
    $("import-caption").dataset.i18n = dt ? "dt_results" : "import_results"; $("import-caption").textContent = I18N.t($("import-caption").dataset.i18n);
    const rows = $("import-rows"); rows.textContent = "";
    for (const it of d.items || []) {
      const tr = el("tr"); const cls = { created: "lbl-met", updated: "lbl-met", duplicate: "lbl-partly", failed: "lbl-missing" }[it.status] || "muted";
      const detail = el("td"); if (it.error) detail.append(importError(it.error));
      tr.append(el("td", it.filename), el("td", I18N.t("imp_" + it.status), cls), el("td", it.name || "–"), detail);
      rows.append(tr);
    }
  }
  async function pollImport(id) {
    clearTimeout(importTimer);
    const d = await get(`/api/v1/imports/${id}`);
    if (d.job_id !== $("job").value) return;  // HR switched jobs meanwhile
    renderImport(d);
    if (d.status === "pending" || d.status === "running") importTimer = setTimeout(() => pollImport(id), 1000);
    else loadMatches();
  }
  async function loadLatestImport() {  // the job's latest import, followed while it runs
    clearTimeout(importTimer); lastImport = null; $("import-view").classList.add("hidden"); $("import-error").textContent = "";
    if (!canRecruit || !$("job").value) return;
    const list = await get(`/api/v1/jobs/${$("job").value}/imports`);
    if (list.imports && list.imports.length) pollImport(list.imports[0].id);
  }
  $("import-start").addEventListener("click", async () => {
    const files = $("import-files").files; $("import-error").textContent = "";
    if (!files.length) { $("import-error").textContent = I18N.t("imp_choose_first"); return; }
    const form = new FormData(); for (const f of files) form.append("file", f, f.name);
    clearTimeout(importTimer); $("import-start").disabled = true;
    $("import-view").classList.remove("hidden"); $("import-rows").textContent = "";
    $("import-progress").removeAttribute("value"); $("import-status").className = ""; $("import-status").textContent = I18N.t("imp_uploading");
    try {
      const res = await fetch(`/api/v1/jobs/${$("job").value}/imports`, { method: "POST", body: form });
      const d = await res.json().catch(() => ({ error: { code: "http_" + res.status, message: I18N.t("imp_http_error", { status: res.status }) } }));
      if (!res.ok) { $("import-view").classList.add("hidden"); $("import-error").append(importError(d.error)); return; }
      renderImport(d); pollImport(d.id);
    } catch (e) {  // the connection broke during the upload
      $("import-view").classList.add("hidden"); $("import-error").textContent = I18N.t("imp_http_error", { status: "–" });
    } finally { $("import-start").disabled = false; }
  });
  $("job").addEventListener("change", loadLatestImport);
  document.addEventListener("langchange", () => { if (lastImport) renderImport(lastImport); });
  // --- end of bulk candidate import ----------------------------------------------------------------------

  // --- DingTalk: import a recruiting job's candidates; invitations by e-mail, DingTalk work notice or webhook ------
  I18N.apply($("dt-import"));
  let integrations = { invitation_channels: [], dingtalk_import: false };
  async function loadIntegrations() {
    const d = await get("/api/v1/integrations");  // on an error: nothing offered, the rest of the page works
    integrations = { invitation_channels: d.invitation_channels || [], dingtalk_import: !!d.dingtalk_import };
    $("dt-import").classList.toggle("hidden", !integrations.dingtalk_import);
  }
  $("dt-import").addEventListener("submit", async (e) => {
    e.preventDefault(); $("import-error").textContent = "";
    const atsJob = $("dt-ats-job").value.trim();
    if (!atsJob) { $("import-error").textContent = I18N.t("dt_job_first"); $("dt-ats-job").focus(); return; }
    clearTimeout(importTimer); $("dt-import-start").disabled = true;
    try {
      const res = await fetch(`/api/v1/jobs/${$("job").value}/imports/dingtalk`, { method: "POST",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ats_job_id: atsJob }) });
      const d = await res.json().catch(() => ({ error: { code: "http_" + res.status, message: `HTTP ${res.status}` } }));
      if (!res.ok) { $("import-error").append(importError(d.error)); return; }
      renderImport(d); pollImport(d.id);
    } catch (err) {
      $("import-error").textContent = I18N.t("imp_http_error", { status: "–" });
    } finally { $("dt-import-start").disabled = false; }
  });

  const inviteBoxes = new Map();  // interview id -> its invite control, kept while the list refreshes every 5 s
  function inviteControl(iv) {
    const channels = integrations.invitation_channels;
    if (!channels.length) return null;
    if (inviteBoxes.has(iv.id)) return inviteBoxes.get(iv.id).box;
    const box = el("div", null, "invite-box"), n = inviteBoxes.size;
    const chLabel = el("label"); const sel = el("select"); sel.id = chLabel.htmlFor = `inv-ch-${n}`;
    for (const c of channels) { const o = el("option"); o.value = c; sel.append(o); }
    const uidLabel = el("label"); const uid = el("input"); uid.type = "text"; uid.id = uidLabel.htmlFor = `inv-uid-${n}`;
    uid.maxLength = 64; uid.autocomplete = "off"; uid.spellcheck = false;
    const send = el("button", null, "secondary"); send.type = "button";
    const error = el("span", null, "error"); error.setAttribute("role", "alert");
    const states = el("ul", null, "invite-states"); states.setAttribute("aria-live", "polite");
    if (channels.length > 1) box.append(chLabel, sel);
    box.append(uidLabel, uid, send, error, states);
    let invitations = [], timer = null;
    function render() {
      const ch = sel.value;
      chLabel.textContent = I18N.t("inv_channel");
      for (const o of sel.options) o.textContent = I18N.t("ch_" + o.value);
      uidLabel.textContent = I18N.t("inv_userid");
      uidLabel.classList.toggle("hidden", ch !== "dingtalk"); uid.classList.toggle("hidden", ch !== "dingtalk");
      send.textContent = I18N.t({ email: "send_invite", dingtalk: "send_dingtalk", webhook: "send_webhook" }[ch]);
      states.setAttribute("aria-label", I18N.t("inv_states"));
      states.textContent = "";
      for (const inv of invitations) {
        const li = el("li"); const name = I18N.t("inv_on", { channel: I18N.t("ch_" + inv.channel) });
        if (inv.status === "pending") li.append(name + I18N.t("invite_queued", { to: inv.recipient }));
        else if (inv.status === "sent") li.append(el("span", name + I18N.t("inv_sent", { to: inv.recipient }), "lbl-met"));
        else {
          li.append(el("span", name + I18N.t("inv_failed", { to: inv.recipient, n: inv.attempts }), "lbl-missing"), " ",
            el("span", inv.last_error, "muted small"));
        }
        states.append(li);
      }
    }
    async function load() {  // the interview's invitations; followed while one is on its way
      clearTimeout(timer);
      const d = await get(`/api/v1/interviews/${iv.id}/invitations`);
      invitations = d.invitations; render();
      if (invitations.some((i) => i.status === "pending")) timer = setTimeout(load, 1500);
    }
    sel.addEventListener("change", () => { error.textContent = ""; render(); });
    send.addEventListener("click", async () => {
      error.textContent = "";
      const body = { channel: sel.value };
      if (sel.value === "dingtalk") {
        body.dingtalk_userid = uid.value.trim();
        if (!/^[^,\s]+$/.test(body.dingtalk_userid)) { error.textContent = I18N.t("inv_userid_first"); uid.focus(); return; }
      }
      send.disabled = true;
      try {
        const res = await fetch(`/api/v1/interviews/${iv.id}/invitations`, { method: "POST",
          headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
        const d = await res.json().catch(() => ({ error: { code: "http_" + res.status, message: `HTTP ${res.status}` } }));
        if (!res.ok) { error.append(importError(d.error)); return; }
        invitations = invitations.filter((i) => i.id !== d.id).concat([d]); render();  // at once, then followed
        timer = setTimeout(load, 1500);
      } catch (err) { error.textContent = I18N.t("inv_http_error"); } finally { send.disabled = false; }
    });
    inviteBoxes.set(iv.id, { box, render });
    render(); load();
    return box;
  }
  document.addEventListener("langchange", () => { for (const b of inviteBoxes.values()) b.render(); });
  window.HR = { inviteControl, canRecruit: () => canRecruit, importError };  // interviews_table.js
  // --- end of DingTalk ---------------------------------------------------------------------------------------

  // --- a new interview: its fields checked by the server (a wrong one said beside it), its link shown once -------
  const CREATE_FIELDS = { "candidate.name": ["cand-name", "cand_name_blank"], "candidate.email": ["cand-email", "cand_email_invalid"] };
  let created = null;  // {name, link} of the interview just created
  function fieldError(id, key) {
    $(id + "-error").textContent = key ? I18N.t(key) : "";
    if (key) $(id).setAttribute("aria-invalid", "true"); else $(id).removeAttribute("aria-invalid");
  }
  function renderCreated() {
    $("created").classList.toggle("hidden", !created);
    if (!created) return;
    $("created-for").textContent = I18N.t("link_for_named", { name: created.name });
    $("created-link").href = created.link; $("created-link").textContent = created.link;
    $("created-copy").setAttribute("aria-label", I18N.t("iv_copy_for", { name: created.name }));
  }
  $("create").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("create-error").textContent = ""; $("created-copied").textContent = "";
    for (const [id] of Object.values(CREATE_FIELDS)) fieldError(id, null);
    const name = $("cand-name").value;
    $("create-submit").disabled = true;  // one click, one interview
    try {
      const data = await API.call("/api/v1/interviews", { job_id: $("create-job").value, candidate: { name, email: $("cand-email").value } });
      created = { name: name.trim(), link: data.link };
      $("cand-name").value = ""; $("cand-email").value = "";  // a second click starts a new interview, not a copy
      renderCreated();
      // in sight now, and again once the table above has the new row (which pushes the form down)
      const inSight = () => $("created").scrollIntoView({ block: "center" });
      document.addEventListener("interviewsloaded", inSight, { once: true });
      listChanged(); inSight(); $("created-copy").focus({ preventScroll: true });
    } catch (err) {
      // a detail's field is the field's path, or that path and the rule it broke ("candidate.email.literal['']")
      const wrong = Object.entries(CREATE_FIELDS).filter(([path]) => (err.details || []).some(
        (d) => d.field === path || d.field.startsWith(path + "."))).map(([, field]) => field);
      for (const [id, key] of wrong) fieldError(id, key);
      if (wrong.length) $(wrong[0][0]).focus(); else $("create-error").textContent = API.errorText(err);
    } finally { $("create-submit").disabled = false; }
  });
  $("created-copy").addEventListener("click", async () => {
    const copied = await DOM.copyText(created.link);
    $("created-copied").className = "small " + (copied ? "ok-note" : "muted");
    $("created-copied").textContent = I18N.t(copied ? "users_copied" : "users_copy_failed");
    if (!copied) getSelection().selectAllChildren($("created-link"));  // selected, to copy by hand
  });
  document.addEventListener("langchange", () => { renderCreated(); $("created-copied").textContent = ""; });
  // --- interview scheduling: the job's windows and slots, candidates' times, no-shows ------------------------
  const hrZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  let schedData = null;
  const whenText = (iso) => DOM.dateTime(iso,
    { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  function schedMsg(ok, text) { $("sched-status").textContent = ok ? text : ""; $("sched-error").textContent = ok ? "" : text; }
  async function schedCall(method, path, body) {
    const res = await fetch(path, { method, headers: { "Content-Type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
    const d = res.status === 204 ? {} : await res.json();
    if (!res.ok) throw API.errorOf(d, res.status);
    return d;
  }
  function renderSchedule() {
    const d = schedData; if (!d) return;
    I18N.apply($("sched-box"));
    $("win-legend").textContent = I18N.t("win_legend", { zone: hrZone });
    $("sched-immediate").checked = d.allow_immediate; $("sched-minutes").value = d.slot_minutes;
    const slots = $("sched-slots"); slots.textContent = "";
    if (!d.slots.length) { const tr = el("tr"); const td = el("td", I18N.t("sched_none"), "muted"); td.colSpan = 3; tr.append(td); slots.append(tr); }
    for (const s of d.slots) {
      const tr = el("tr"); const act = el("td");
      if (s.booked === 0) {
        const b = el("button", I18N.t("remove"), "secondary"); b.type = "button";
        b.setAttribute("aria-label", `${I18N.t("remove")}: ${whenText(s.starts_at)}`);
        b.addEventListener("click", async () => {
          try { await schedCall("DELETE", `/api/v1/jobs/${d.job_id}/slots/${s.id}`); await loadSchedule(); } catch (e) { schedMsg(false, API.errorText(e)); }
        });
        act.append(b);
      }
      const end = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(s.ends_at));
      tr.append(el("td", `${whenText(s.starts_at)}–${end}`), el("td", `${s.booked}/${s.capacity}`), act);
      slots.append(tr);
    }
    const rows = $("sched-bookings"); rows.textContent = "";
    for (const b of d.bookings) {
      const tr = el("tr"); const act = el("td");
      const mark = b.schedule_status === "booked" ? true : b.schedule_status === "no_show" ? false : null;
      if (mark !== null && (b.interview_status === "created" || b.interview_status === "consented")) {
        const btn = el("button", I18N.t(mark ? "mark_no_show" : "unmark_no_show"), "secondary"); btn.type = "button";
        btn.addEventListener("click", async () => {
          try { await schedCall("PUT", `/api/v1/interviews/${b.interview_id}/no-show`, { no_show: mark }); await loadSchedule(); }
          catch (e) { schedMsg(false, API.errorText(e)); }
        });
        act.append(btn);
      }
      let when = b.scheduled_at ? whenText(b.scheduled_at) : "–";
      if (b.scheduled_at && b.candidate_timezone && b.candidate_timezone !== hrZone) {
        try {  // and in the candidate's own time, as they were told
          const theirs = new Intl.DateTimeFormat(I18N.lang === "zh" ? "zh-CN" : "en-GB", { timeZone: b.candidate_timezone,
            weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(b.scheduled_at));
          when += ` (${I18N.t("sched_theirs")}: ${theirs} ${b.candidate_timezone})`;
        } catch (e) { /* unknown zone in this browser: HR's time only */ }
      }
      tr.append(el("td", b.candidate_name), el("td", when),
        el("td", I18N.t("ss_" + b.schedule_status), b.schedule_status === "no_show" ? "lbl-missing" : ""), act);
      rows.append(tr);
    }
  }
  async function loadSchedule() {
    if (!canRecruit || !$("job").value) return;
    const current = newestOnly("schedule");
    const d = await get(`/api/v1/jobs/${$("job").value}/schedule`);
    if (current()) { schedData = d; renderSchedule(); }
  }
  $("sched-save").addEventListener("click", async () => {
    try {
      schedData = await schedCall("PUT", `/api/v1/jobs/${$("job").value}/schedule`,
        { allow_immediate: $("sched-immediate").checked, slot_minutes: Number($("sched-minutes").value) });
      renderSchedule(); schedMsg(true, I18N.t("sched_saved"));
    } catch (e) { schedMsg(false, API.errorText(e)); }
  });
  $("win-add").addEventListener("click", async () => {
    if (!$("win-start").value || !$("win-end").value) { schedMsg(false, I18N.t("win_fill")); return; }
    try {  // datetime-local is the HR user's local time; the API takes it with its UTC offset
      const r = await schedCall("POST", `/api/v1/jobs/${$("job").value}/windows`, {
        starts_at: new Date($("win-start").value).toISOString(), ends_at: new Date($("win-end").value).toISOString(),
        capacity: Number($("win-cap").value) || 1 });
      await loadSchedule(); schedMsg(true, I18N.t("win_added", { n: r.slots.length }));
    } catch (e) { schedMsg(false, API.errorText(e)); }
  });
  $("job").addEventListener("change", () => { schedMsg(true, ""); loadSchedule(); });
  document.addEventListener("langchange", renderSchedule);
  // --- end of interview scheduling ---------------------------------------------------------------------------

  init();
})();
