// HR page: the fairness check of the selected job's AI scores (GET /api/v1/jobs/{id}/bias), one table per attribute.
(function () {
  I18N.add({
    bias_h: "Fairness check of the AI scores for the job selected above",
    bias_method: "Method of NYC Local Law 144: per group, the share of candidates scored above the median of all candidates (scoring rate), divided by the highest group's (impact ratio). Ratios under 0.8 are flagged for a person to look into. Groups come only from candidates' voluntary answers, which are never used in any score.",
    bias_summary: "{scored} scored interviews, {given} with voluntary answers; median score {median}.",
    bias_none: "No scored interviews yet.", bias_group: "Group", bias_n: "People", bias_above: "Above the median",
    bias_rate: "Scoring rate", bias_ratio: "Impact ratio", bias_flag: "under 0.8: look into it", bias_ok: "ok",
    bias_highest: "highest", bias_too_few: "fewer than {k}: not shown", bias_unknown: "Did not say: {n}",
    bias_attr_sex: "Sex", bias_attr_race_ethnicity: "Race / ethnicity", bias_attr_age_band: "Age",
    bias_attr_sex_race_ethnicity: "Sex and race / ethnicity", bias_error: "The fairness check could not be loaded: {msg}",
  }, {
    bias_h: "上方所选职位的 AI 评分公平性检查",
    bias_method: "采用纽约市地方法律 144 号的方法：每个群体中得分高于全体中位数的候选人比例（得分率），除以得分率最高群体的比例（影响比）。影响比低于 0.8 的会被标出，供人员核查。群体信息仅来自候选人自愿填写的回答，这些回答从不用于任何评分。",
    bias_summary: "已评分面试 {scored} 场，其中 {given} 位自愿填写；评分中位数 {median}。",
    bias_none: "尚无已评分的面试。", bias_group: "群体", bias_n: "人数", bias_above: "高于中位数",
    bias_rate: "得分率", bias_ratio: "影响比", bias_flag: "低于 0.8：请核查", bias_ok: "正常",
    bias_highest: "最高", bias_too_few: "少于 {k} 人：不显示", bias_unknown: "未填写：{n}",
    bias_attr_sex: "性别", bias_attr_race_ethnicity: "种族 / 族裔", bias_attr_age_band: "年龄",
    bias_attr_sex_race_ethnicity: "性别与种族 / 族裔", bias_error: "无法加载公平性检查：{msg}",
  });
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
