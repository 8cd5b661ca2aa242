// The HR analytics page: pick a job, then its resume match scores (distribution, trend), the funnel per source
// channel (this job or all the user's jobs), the consistency of evaluations, AI scores against performance with
// the suggested competency weights a person may accept, and the job's hiring outcomes (analytics_outcomes.js).
// Charts: analytics_charts.js. Every figure comes from /api/v1/.../analytics/* (docs/API.md).
(function () {
  "use strict";
  I18N.apply();
  const $ = (id) => document.getElementById(id);
  const el = DOM.el;
  const C = window.AnCharts;
  const state = { jobs: [], job: null, role: null, data: {} };

  $("lang").onclick = () => { I18N.toggle(); renderAll(); };
  $("logout").onclick = async () => { await fetch("/api/v1/auth/logout", { method: "POST" }); location.href = "/login"; };

  async function get(path) {
    const res = await fetch(path);
    if (res.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search); throw new Error("login"); }
    const body = await res.json().catch(() => ({}));
    if (!res.ok) { const err = API.errorOf(body, res.statusText); err.status = res.status; throw err; }
    return body;
  }

  function showError(text) { $("error").textContent = text; $("error").classList.toggle("hidden", !text); }
  // a section's message instead of its figures (no access, nothing yet, an error)
  function sectionMessage(prefix, text, failed) {
    $(prefix + "-csv").parentElement.classList.toggle("hidden", !!failed);  // nothing to download
    $(prefix + "-msg").textContent = text || "";
    $(prefix + "-msg").classList.toggle("hidden", !text);
    $(prefix + "-body").classList.toggle("hidden", !!text);
  }
  const downloadPaths = {};  // section -> its API path; the links ask for competency names in the page's language
  function downloads(prefix, path) {
    if (path) downloadPaths[prefix] = path; else path = downloadPaths[prefix];
    for (const fmt of ["csv", "xlsx"]) {
      const a = $(`${prefix}-${fmt}`);
      a.href = path + (path.includes("?") ? "&" : "?") + "format=" + fmt + "&lang=" + I18N.lang;
      a.setAttribute("download", "");
    }
  }
  const nameOf = (key, r) => C.competencyName(key, r.competency_names);
  const sectionError = (err) => (err.status === 403 ? I18N.t("an_no_access") : API.errorText(err));

  function fillTable(id, rows) {
    const body = $(id).querySelector("tbody"); body.textContent = "";
    const heads = [...$(id).querySelectorAll("thead th")].map((th) => th.textContent);
    for (const cells of rows) {
      const tr = el("tr");
      cells.forEach((text, i) => { const td = el("td", text); if (heads[i]) td.dataset.label = heads[i]; tr.append(td); });
      body.append(tr);
    }
  }

  // --- match scores -----------------------------------------------------------------------------------------
  async function loadMatchScores() {
    const path = `/api/v1/jobs/${state.job}/analytics/match-scores?period=${$("ms-period").value}`;
    downloads("ms", path);
    try { state.data.ms = await get(path); } catch (err) { state.data.ms = { error: sectionError(err) }; }
    renderMatchScores();
  }
  function renderMatchScores() {
    const r = state.data.ms; if (!r) return;
    if (r.error || !r.n) { sectionMessage("ms", r.error || I18N.t("an_ms_none"), !!r.error); return; }
    sectionMessage("ms", "");
    $("ms-summary").textContent = I18N.t("an_ms_summary", { n: r.n, mean: C.one(r.mean), median: C.one(r.median) });
    C.histogram($("ms-hist"), r);
    C.trend($("ms-trend"), r);
    fillTable("ms-table", r.trend.map((p) => [p.period, String(p.n), C.one(p.mean), C.one(p.median)]));
  }

  // --- funnel -----------------------------------------------------------------------------------------------
  const funnelScope = () => document.querySelector('input[name="fn-scope"]:checked').value;
  async function loadFunnel() {
    const path = funnelScope() === "all" ? "/api/v1/analytics/funnel" : `/api/v1/jobs/${state.job}/analytics/funnel`;
    downloads("fn", path);
    try { state.data.fn = await get(path); } catch (err) { state.data.fn = { error: sectionError(err) }; }
    renderFunnel();
  }
  function renderFunnel() {
    const r = state.data.fn; if (!r) return;
    if (r.error || !r.channels.length) { sectionMessage("fn", r.error || I18N.t("an_fn_none"), !!r.error); return; }
    sectionMessage("fn", "");
    C.funnel($("fn-chart"), r);
    const head = $("fn-table").querySelector("thead"); head.textContent = "";
    const tr = el("tr"); tr.append(el("th", I18N.t("an_col_channel")));
    for (const s of r.stages) tr.append(el("th", C.stageName(s)));
    head.append(tr);
    fillTable("fn-table", [...r.channels, r.total].map((c) => [c.channel === "all" ? I18N.t("an_ch_all") : C.channelName(c.channel),
      ...c.stages.map((s) => (s.stage === "candidates" ? String(s.n) : `${s.n} (${C.pct(s.of_first)})`))]));
  }

  // --- consistency ------------------------------------------------------------------------------------------
  const measure = () => document.querySelector('input[name="cs-measure"]:checked').value;
  async function loadConsistency() {
    const path = `/api/v1/jobs/${state.job}/analytics/consistency`;
    downloads("cs", path);
    try { state.data.cs = await get(path); } catch (err) { state.data.cs = { error: sectionError(err) }; }
    renderConsistency();
  }
  function renderConsistency() {
    const r = state.data.cs; if (!r) return;
    if (r.error || !r.competencies.length) { sectionMessage("cs", r.error || I18N.t("an_cs_none"), !!r.error); return; }
    sectionMessage("cs", "");
    consistencySummary(r);
    C.agreement($("cs-chart"), r.competencies, measure(), r.competency_names);
    const rows = [];
    for (const c of r.competencies) {
      for (const [side, name] of [["ai_vs_human", I18N.t("an_ai_vs_human")], ["human_vs_human", I18N.t("an_human_vs_human")]]) {
        const a = c[side];
        rows.push([nameOf(c.competency, r), name, String(a.n), C.rangeText(a.icc, a.n), C.rangeText(a.kappa, a.n)]);
      }
    }
    fillTable("cs-table", rows);
  }

  // The answer in plain words first (all competencies together, AI vs interviewers), the statistic after it
  function consistencySummary(r) {
    const m = measure(), all = r.competencies.find((c) => c.competency === "(all)") || r.competencies[0];
    const ai = all.ai_vs_human, e = ai[m];
    if (e.value == null) {
      $("cs-summary").textContent = I18N.t("an_cs_summary_few", { n: ai.n }); $("cs-detail").textContent = ""; return;
    }
    const band = e.value >= 0.9 ? "very_close" : e.value >= 0.75 ? "close" : e.value >= 0.5 ? "moderate" : "weak";
    $("cs-summary").textContent = I18N.t("an_cs_summary", { what: I18N.t("an_cs_what_" + m), band: I18N.t("an_band_" + band) });
    $("cs-detail").textContent = I18N.t("an_cs_detail", { stat: I18N.t("an_stat_" + m), value: C.rangeText(e, ai.n),
      human: C.rangeText(all.human_vs_human[m], all.human_vs_human.n) });
  }

  // --- validity and weights ---------------------------------------------------------------------------------
  async function loadValidity() {
    const path = `/api/v1/jobs/${state.job}/analytics/validity`;
    downloads("vd", path);
    try { state.data.vd = await get(path); } catch (err) { state.data.vd = { error: sectionError(err) }; }
    renderValidity();
  }
  function renderValidity() {
    const r = state.data.vd; if (!r) return;
    if (r.error) { sectionMessage("vd", r.error, true); return; }
    const o = r.outcomes;
    if (!r.rated_hires) { sectionMessage("vd", I18N.t("an_vd_none", { hired: o.hired || 0 })); renderDecisions(r); return; }
    sectionMessage("vd", "");
    $("vd-summary").textContent = I18N.t("an_vd_summary", { advanced: o.advanced || 0, hired: o.hired || 0,
      rejected: o.rejected || 0, rated: r.rated_hires })
      + (r.unscored_hires ? " " + I18N.t("an_vd_unscored", { n: r.unscored_hires }) : "");
    C.validity($("vd-chart"), r);
    fillTable("vd-table", [...r.competencies.map((c) => [nameOf(c.competency, r), String(c.correlation.n),
      C.rangeText({ value: c.correlation.r, ci_low: c.correlation.ci_low, ci_high: c.correlation.ci_high }, c.correlation.n)]),
    [I18N.t("an_overall_ai"), String(r.overall.n), C.rangeText({ value: r.overall.r, ci_low: r.overall.ci_low, ci_high: r.overall.ci_high }, r.overall.n)]]);
    renderWeights(r);
    renderDecisions(r);
  }
  function renderWeights(r) {
    const s = r.suggestion;
    $("wt-none").textContent = s ? "" : I18N.t("an_wt_none_" + r.no_suggestion);
    $("wt-none").classList.toggle("hidden", !!s);
    $("wt-body").classList.toggle("hidden", !s);
    if (!s) { C.clear($("wt-chart")); return; }
    C.weights($("wt-chart"), r);
    fillTable("wt-table", r.competencies.map((c) => [nameOf(c.competency, r), C.pct(c.current_weight), C.pct(c.suggested_weight)]));
    $("wt-overall").textContent = r.overall_suggested && r.overall.r != null && r.overall_suggested.r != null
      ? I18N.t("an_wt_overall", { now: C.two(r.overall.r), next: C.two(r.overall_suggested.r), n: r.overall.n }) : "";
    const canAccept = state.role === "admin" || state.role === "recruiter";
    $("wt-accept").classList.toggle("hidden", !canAccept);
  }
  function renderDecisions(r) {
    const list = $("wt-decision-list"); list.textContent = "";
    for (const d of r.decisions || []) {
      const parts = Object.entries(d.weights).map(([c, w]) => `${nameOf(c, r)} ${C.pct(d.previous_weights[c])} → ${C.pct(w)}`);
      list.append(el("li", I18N.t("an_wt_decision", { who: d.accepted_by_email || "", at: DOM.dateTime(d.accepted_at),
        version: d.plan_version, weights: parts.join(I18N.lang === "zh" ? "，" : ", ") })));
    }
    $("wt-decisions").classList.toggle("hidden", !(r.decisions || []).length);
  }

  // accepting: a confirmation that says what changes, then POST with the weights as shown
  $("wt-accept").onclick = () => {
    const r = state.data.vd; if (!r || !r.suggestion) return;
    const job = state.jobs.find((j) => j.id === state.job);
    $("wt-dialog-text").textContent = I18N.t("an_wt_confirm_text", { job: job ? job.title : "" });
    const list = $("wt-dialog-list"); list.textContent = "";
    for (const c of r.competencies) list.append(el("li", I18N.t("an_wt_item", { competency: nameOf(c.competency, r), now: C.pct(c.current_weight), next: C.pct(c.suggested_weight) })));
    $("wt-dialog").showModal();
  };
  $("wt-cancel").onclick = () => $("wt-dialog").close();
  $("wt-confirm").onclick = async () => {
    const r = state.data.vd;
    $("wt-dialog").close();
    $("wt-status").textContent = I18N.t("an_saving");
    try {
      await API.call(`/api/v1/jobs/${state.job}/analytics/weights`, { weights: r.suggestion.weights });
      $("wt-status").textContent = I18N.t("an_wt_accepted");
    } catch (err) {
      const key = "an_wt_409_" + err.code;
      $("wt-status").textContent = I18N.t(key) !== key ? I18N.t(key) : API.errorText(err);
    }
    await loadValidity();
  };

  // --- the page ---------------------------------------------------------------------------------------------
  function renderAll() {
    for (const prefix of Object.keys(downloadPaths)) downloads(prefix);
    renderMatchScores(); renderFunnel(); renderConsistency(); renderValidity();
    window.AnOutcomes.render();
  }
  async function loadJob() {
    state.job = $("job").value;
    const url = new URL(location.href); url.searchParams.set("job", state.job); history.replaceState(null, "", url);
    state.data = {};
    $("wt-status").textContent = "";
    await Promise.all([loadMatchScores(), loadFunnel(), loadConsistency(), loadValidity(),
      window.AnOutcomes.load(state.job)]);
    document.body.dataset.loaded = state.job;  // the browser test waits for this
  }
  // after an outcome is recorded or imported: the figures that depend on outcomes
  window.AnPage = { outcomesChanged: () => Promise.all([loadFunnel(), loadValidity()]), get };

  $("job").onchange = loadJob;
  $("ms-period").onchange = loadMatchScores;
  document.querySelectorAll('input[name="fn-scope"]').forEach((x) => { x.onchange = loadFunnel; });
  document.querySelectorAll('input[name="cs-measure"]').forEach((x) => { x.onchange = renderConsistency; });
  let resizeTimer = null;  // axis labels turn and legends scroll on a phone: draw again when the width class changes
  let wasNarrow = window.innerWidth < 600;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { const now = window.innerWidth < 600; if (now !== wasNarrow) { wasNarrow = now; renderAll(); } }, 150);
  });

  (async function start() {
    try {
      const me = await get("/api/v1/auth/me");
      state.role = me.user.role;
      $("who").textContent = me.user.display_name || me.user.email;
      state.jobs = (await get("/api/v1/jobs")).jobs;
    } catch (err) { if (err.message !== "login") showError(API.errorText(err)); return; }
    if (!state.jobs.length) { showError(I18N.t("an_no_jobs")); return; }
    const sel = $("job");
    for (const j of state.jobs) { const o = el("option", j.title); o.value = j.id; sel.append(o); }
    const wanted = new URLSearchParams(location.search).get("job");
    if (wanted && state.jobs.some((j) => j.id === wanted)) sel.value = wanted;
    await loadJob();
  })();
})();
