// The analytics page's hiring outcomes: the job's recorded outcomes, a form to record or change one (advanced,
// hired, rejected; a performance rating for a hire), removing one, and the CSV import with every wrong row named.
// After a change the page redraws the figures that depend on outcomes (window.AnPage.outcomesChanged).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const el = DOM.el;
  const FIRST_ROWS = 10;
  const state = { job: null, outcomes: [], interviews: [], all: false };

  const decisionName = (d) => I18N.t("an_dec_" + d);
  function performanceText(p) {
    if (!p) return "–";
    return p.months ? I18N.t("an_perf_after", { rating: p.rating.toFixed(1), months: p.months }) : p.rating.toFixed(1);
  }

  async function load(job) {
    state.job = job; state.all = false;
    $("oc-status").textContent = ""; $("oc-import-status").textContent = "";
    $("oc-import-errors").classList.add("hidden");
    try {
      const [outcomes, interviews] = await Promise.all([window.AnPage.get(`/api/v1/jobs/${job}/outcomes`),
        window.AnPage.get("/api/v1/interviews")]);
      state.outcomes = outcomes.outcomes;
      // finished interviews first (decisions follow interviews), newest first within each
      state.interviews = interviews.interviews.filter((iv) => iv.job_id === job)
        .sort((a, b) => (a.status === "finished") !== (b.status === "finished") ? (a.status === "finished" ? -1 : 1)
          : String(b.created_at).localeCompare(String(a.created_at)));
      state.error = null;
    } catch (err) {
      state.outcomes = []; state.interviews = [];
      state.error = err.status === 403 ? I18N.t("an_no_access") : API.errorText(err);
    }
    render();
  }

  function render() {
    if (!state.job) return;
    $("oc-form").classList.toggle("hidden", !!state.error);
    $("oc-import").classList.toggle("hidden", !!state.error);
    const sel = $("oc-interview"); const chosen = sel.value; sel.textContent = "";
    const decided = new Map(state.outcomes.map((o) => [o.candidate_id, o]));
    for (const iv of state.interviews) {
      const o = decided.get(iv.candidate_id);
      const when = iv.created_at ? DOM.dateTime(iv.created_at, { dateStyle: "medium" }) : "";
      const opt = el("option", `${iv.candidate_name} · ${when}` + (o ? ` · ${decisionName(o.decision)}` : ""));
      opt.value = iv.id; sel.append(opt);
    }
    if (chosen && state.interviews.some((iv) => iv.id === chosen)) sel.value = chosen;
    const body = $("oc-table").querySelector("tbody"); body.textContent = "";
    const heads = [...$("oc-table").querySelectorAll("thead th")].map((th) => th.textContent);
    const shown = state.all ? state.outcomes : state.outcomes.slice(0, FIRST_ROWS);
    for (const o of shown) {
      const tr = el("tr");
      const cells = [o.candidate_name || "–", decisionName(o.decision), performanceText(o.performance),
        DOM.dateTime(o.decided_at, { dateStyle: "medium" }), I18N.t(o.source === "csv" ? "an_src_csv" : "an_src_page")];
      cells.forEach((text, i) => { const td = el("td", text); td.dataset.label = heads[i]; tr.append(td); });
      const actions = el("td", null, "actions");
      if (o.interview_id) {
        const edit = el("button", I18N.t("an_oc_change"), "link");
        edit.type = "button"; edit.setAttribute("aria-label", I18N.t("an_oc_change_for", { name: o.candidate_name || "" }));
        edit.onclick = () => fillForm(o);
        const remove = el("button", I18N.t("an_oc_remove"), "link danger-link");
        remove.type = "button"; remove.setAttribute("aria-label", I18N.t("an_oc_remove_for", { name: o.candidate_name || "" }));
        remove.onclick = () => removeOutcome(o);
        actions.append(edit, " ", remove);
      }
      tr.append(actions);
      body.append(tr);
    }
    $("oc-empty").textContent = state.error || I18N.t("an_oc_empty");
    $("oc-empty").classList.toggle("hidden", !!state.outcomes.length && !state.error);
    $("oc-table").classList.toggle("hidden", !state.outcomes.length);
    $("oc-more").classList.toggle("hidden", state.all || state.outcomes.length <= FIRST_ROWS);
    $("oc-more-btn").textContent = I18N.t("an_oc_more", { n: state.outcomes.length });
    showPerformance();
  }

  function fillForm(o) {
    $("oc-interview").value = o.interview_id;
    $("oc-decision").value = o.decision;
    $("oc-rating").value = o.performance ? o.performance.rating : "";
    $("oc-months").value = o.performance && o.performance.months ? o.performance.months : "";
    showPerformance();
    $("oc-interview").focus();
  }
  function showPerformance() {
    const hired = $("oc-decision").value === "hired";
    document.querySelectorAll("#oc-form .perf").forEach((x) => x.classList.toggle("hidden", !hired));
  }
  $("oc-decision").onchange = showPerformance;
  $("oc-more-btn").onclick = () => { state.all = true; render(); };

  $("oc-form").onsubmit = async (e) => {
    e.preventDefault();
    const status = $("oc-status");
    const interview = $("oc-interview").value;
    if (!interview) { status.textContent = I18N.t("an_oc_pick"); return; }
    const body = { decision: $("oc-decision").value };
    const rating = $("oc-rating").value, months = $("oc-months").value;
    if (body.decision === "hired" && (rating || months)) {
      const r = Number(rating), m = Number(months);
      if (!rating || !(r >= 1 && r <= 5)) { status.textContent = I18N.t("an_oc_bad_rating"); $("oc-rating").focus(); return; }
      if (!months || !(Number.isInteger(m) && m >= 1 && m <= 120)) { status.textContent = I18N.t("an_oc_bad_months"); $("oc-months").focus(); return; }
      body.performance = { rating: r, months: m };
    }
    status.textContent = I18N.t("an_saving");
    let said;
    try {
      await API.call(`/api/v1/interviews/${interview}/outcome`, body, "PUT");
      const iv = state.interviews.find((x) => x.id === interview);
      said = I18N.t("an_oc_saved", { name: iv ? iv.candidate_name : "", decision: decisionName(body.decision) });
    } catch (err) { status.textContent = API.errorText(err); return; }
    await load(state.job);  // (clears the messages)
    status.textContent = said;
    await window.AnPage.outcomesChanged();
  };

  async function removeOutcome(o) {
    if (!window.confirm(I18N.t("an_oc_remove_confirm", { name: o.candidate_name || "", decision: decisionName(o.decision) }))) return;
    const res = await fetch(`/api/v1/interviews/${o.interview_id}/outcome`, { method: "DELETE" });
    await load(state.job);
    $("oc-status").textContent = res.ok ? I18N.t("an_oc_removed", { name: o.candidate_name || "" }) : I18N.t("err_network");
    await window.AnPage.outcomesChanged();
  }

  function rowErrorText(p) {
    const key = "an_rowerr_" + p.code, text = I18N.t(key);
    return I18N.t("an_row_problem", { row: p.row, field: p.field, problem: text !== key ? text : p.message });
  }
  $("oc-import").onsubmit = async (e) => {
    e.preventDefault();
    const file = $("oc-file").files[0]; const status = $("oc-import-status"); const list = $("oc-import-errors");
    list.textContent = ""; list.classList.add("hidden");
    if (!file) { status.textContent = I18N.t("an_oc_no_file"); return; }
    const form = new FormData(); form.append("file", file, file.name);
    status.textContent = I18N.t("an_importing");
    let res, body;
    try { res = await fetch(`/api/v1/jobs/${state.job}/outcomes/import`, { method: "POST", body: form }); body = await res.json().catch(() => ({})); }
    catch (err) { status.textContent = I18N.t("err_network"); return; }
    if (res.ok) {
      $("oc-file").value = "";
      await load(state.job);  // (clears the messages)
      status.textContent = I18N.t("an_oc_imported", { rows: body.rows, created: body.created, updated: body.updated });
      await window.AnPage.outcomesChanged();
      return;
    }
    const err = body.error || {};
    if (err.code === "invalid_rows") {
      status.textContent = I18N.t("an_oc_import_rows", { n: new Set(err.details.map((p) => p.row)).size });
      for (const p of err.details) list.append(el("li", rowErrorText(p)));
      list.classList.remove("hidden");
    } else {
      const key = "an_imperr_" + err.code, text = I18N.t(key);
      status.textContent = text !== key ? text : err.message || res.statusText;
    }
  };

  window.AnOutcomes = { load, render };
})();
