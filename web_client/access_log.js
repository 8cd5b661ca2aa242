// HR page, admins only: the access log (who read which candidates' personal data), from GET /api/v1/audit/reads.
// A candidate's name filters the log to that candidate ("who has seen this person's data").
(function () {
  I18N.apply(document.getElementById("access-box"));
  const $ = (id) => document.getElementById(id);
  let filter = null;  // {id, name} of the candidate the log is narrowed to
  const log = API.pages("/api/v1/audit/reads", "reads", {
    query: () => (filter ? { candidate_id: filter.id } : {}),
    render,
    failed: (err) => { $("access-filter-note").textContent = I18N.t("access_error", { msg: API.errorText(err) }); },
  });

  const when = DOM.dateTime;  // web_client/dom.js

  const COLUMNS = ["access_when", "access_who", "access_what", "access_cands", "access_from"];
  const cell = (tr, ...children) => DOM.columnCell(tr, COLUMNS, ...children);

  function render() {
    const body = $("access-rows"); body.textContent = "";
    $("access-filter-note").textContent = filter ? I18N.t("access_filter", { name: filter.name || filter.id }) : "";
    $("access-all").classList.toggle("hidden", !filter);
    if (!log.rows.length) {
      const tr = document.createElement("tr"); const td = cell(tr, I18N.t("access_none")); td.colSpan = 5;
      delete td.dataset.label; body.append(tr);
    }
    for (const r of log.rows) {
      const tr = document.createElement("tr");
      const t = document.createElement("time"); t.dateTime = r.last_at; t.textContent = when(r.last_at);
      const whenCell = cell(tr, t);
      if (r.count > 1) { whenCell.append(` ×${r.count}`); whenCell.title = `${when(r.first_at)} – ${when(r.last_at)}`; }
      cell(tr, r.actor_email);
      cell(tr, I18N.t("act_" + r.action));
      const names = cell(tr);
      r.candidates.forEach((c, i) => {
        if (i) names.append(", ");
        const b = document.createElement("button"); b.type = "button"; b.className = "link";
        // "" once deleted; a name of only spaces (stored before names were checked) shows as having none
        const name = c.name.trim() || c.id.slice(0, 8) + " " + I18N.t(c.name ? "access_no_name" : "access_deleted");
        b.textContent = name;
        b.setAttribute("aria-label", I18N.t("access_filter_by", { name }));
        b.onclick = () => { filter = c; log.load(false); };
        names.append(b);
      });
      if (r.candidates_total > r.candidates.length) names.append(" " + I18N.t("access_more_cands", { n: r.candidates_total - r.candidates.length }));
      cell(tr, r.ip);
      body.append(tr);
    }
    $("access-more").classList.toggle("hidden", !log.more);
  }

  $("access-all").onclick = () => { filter = null; log.load(false); };
  $("access-more").onclick = () => log.load(true);
  document.addEventListener("langchange", render);
  document.addEventListener("routechange", (e) => {  // workspace.js: opened again, it shows the reads since
    if (e.detail.area === "settings" && e.detail.sub === "access" && !$("access-box").classList.contains("hidden")) log.load(false);
  });

  document.addEventListener("hrready", async (e) => {  // hr.js, with who is logged in
    if (e.detail.user.role !== "admin") return;  // the log is for the organisation's admins
    $("access-box").classList.remove("hidden");
    await log.load(false);
  });
})();
