// HR page: the fairness check of the selected job's AI scores (GET /api/v1/jobs/{id}/bias), one table per attribute.
(function () {
  const $ = (id) => document.getElementById(id);
  I18N.apply($("bias-box"));
  let report = null, seq = 0;
  const el = DOM.el;  // web_client/dom.js

  function render() {
    const out = $("bias-tables"); out.textContent = "";
    if (!report) return;
    if (!report.scored_interviews) { $("bias-summary").textContent = I18N.t("bias_none"); return; }
    $("bias-summary").textContent = I18N.t("bias_summary", { scored: report.scored_interviews,
      given: report.self_identified, median: report.median_score.toFixed(2) });
    for (const a of report.attributes) {
      const wrap = el("div"); wrap.style.overflowX = "auto";
      const table = el("table"); const cap = el("caption", I18N.t("bias_attr_" + a.attribute)); cap.className = "muted";
      const head = el("tr");
      for (const k of ["bias_group", "bias_n", "bias_above", "bias_rate", "bias_ratio", ""]) {
        const th = el("th", k ? I18N.t(k) : ""); th.scope = "col"; head.append(th);
      }
      const thead = el("thead"); thead.append(head); const tbody = el("tbody");
      for (const g of a.groups) {
        const label = g.group.split("/").map((part) => I18N.t("sid_" + part)).join(" · ");  // crossed: "Female · Asian"
        const tr = el("tr"); tr.append(el("td", label));
        if (g.too_few) {  // neither a rate nor a count: it would single people out
          const td = el("td", I18N.t("bias_too_few", { k: report.min_group })); td.colSpan = 5; td.className = "muted"; tr.append(td);
        } else {
          const ratio = g.impact_ratio == null ? "–" : g.impact_ratio.toFixed(2);
          const badge = el("span", g.flagged ? I18N.t("bias_flag") : (a.highest_group === g.group ? I18N.t("bias_highest") : I18N.t("bias_ok")));
          badge.className = "badge " + (g.flagged ? "bad" : "ok");
          const last = el("td"); last.append(badge);
          tr.append(el("td", String(g.n)), el("td", String(g.above_median)), el("td", (g.scoring_rate * 100).toFixed(0) + "%"), el("td", ratio), last);
        }
        tbody.append(tr);
      }
      table.append(cap, thead, tbody);
      const unknown = el("p", I18N.t("bias_unknown", { n: a.unknown })); unknown.className = "muted";
      wrap.append(table, unknown); out.append(wrap);
    }
  }

  async function load() {
    const job = $("job").value; if (!job || $("bias-box").classList.contains("hidden")) return;  // hr.js: not this role's
    const mine = ++seq;
    try {
      const r = await API.call(`/api/v1/jobs/${encodeURIComponent(job)}/bias`);
      if (mine === seq) { report = r; render(); }
    } catch (err) { if (mine === seq) { report = null; render(); $("bias-summary").textContent = I18N.t("bias_error", { msg: API.errorText(err) }); } }
  }
  document.addEventListener("hrready", load);  // hr.js: the jobs are loaded
  $("job").addEventListener("change", load);
  document.addEventListener("langchange", render);
})();
