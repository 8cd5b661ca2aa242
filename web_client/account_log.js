// HR page, admins only: the account log (who created, changed, deactivated or assigned which user), from
// GET /api/v1/audit/account-changes. A user's address filters the log to the changes made to that user.
(function () {
  I18N.apply(document.getElementById("acctlog-box"));
  const $ = (id) => document.getElementById(id);
  let filter = null;  // {id, email} of the user the log is narrowed to
  const log = API.pages("/api/v1/audit/account-changes", "changes", {
    query: () => (filter ? { user_id: filter.id } : {}),
    render,
    failed: (err) => { $("acctlog-filter-note").textContent = I18N.t("acctlog_error", { msg: API.errorText(err) }); },
  });

  const COLUMNS = ["access_when", "acctlog_by", "acctlog_change", "acctlog_user", "access_from"];
  const cell = (tr, ...children) => DOM.columnCell(tr, COLUMNS, ...children);

  function change(c) {  // the change in words, with what it names
    const d = c.detail || {};
    const role = (r) => I18N.t("role_" + r);
    return I18N.t("acct_" + c.action, {
      role: role(d.role), from: role(d.from), to: role(d.to), n: String(d.logins_ended ?? ""),
      job: d.job_title || I18N.t("acctlog_deleted_job"), interview: (d.interview_id || "").slice(0, 8),
    });
  }

  function render() {
    const body = $("acctlog-rows"); body.textContent = "";
    $("acctlog-filter-note").textContent = filter ? I18N.t("acctlog_filter", { user: filter.email }) : "";
    $("acctlog-all").classList.toggle("hidden", !filter);
    if (!log.rows.length) {
      const tr = document.createElement("tr"); const td = cell(tr, I18N.t("acctlog_none")); td.colSpan = 5;
      delete td.dataset.label; body.append(tr);
    }
    for (const c of log.rows) {
      const tr = document.createElement("tr");
      const t = document.createElement("time"); t.dateTime = c.at; t.textContent = DOM.dateTime(c.at);
      cell(tr, t);
      cell(tr, c.actor_id ? c.actor_email : I18N.t("acctlog_command_line"));
      cell(tr, change(c));
      const b = document.createElement("button"); b.type = "button"; b.className = "link";
      b.textContent = c.subject_email;
      b.setAttribute("aria-label", I18N.t("acctlog_filter_by", { user: c.subject_email }));
      b.onclick = () => { filter = { id: c.subject_id, email: c.subject_email }; log.load(false); };
      cell(tr, b);
      cell(tr, c.ip);
      body.append(tr);
    }
    $("acctlog-more").classList.toggle("hidden", !log.more);
  }

  $("acctlog-all").onclick = () => { filter = null; log.load(false); };
  $("acctlog-more").onclick = () => log.load(true);
  document.addEventListener("langchange", render);
  document.addEventListener("routechange", (e) => {  // workspace.js: opened again, it shows the changes since
    if (e.detail.area === "settings" && e.detail.sub === "access" && !$("acctlog-box").classList.contains("hidden")) log.load(false);
  });

  document.addEventListener("hrready", async (e) => {  // hr.js, with who is logged in
    if (e.detail.user.role !== "admin") return;  // the log is for the organisation's admins
    $("acctlog-box").classList.remove("hidden");
    await log.load(false);
  });
})();
