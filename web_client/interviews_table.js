// HR page, interviews area: the interviews table. Sorting, filters, search and paging are the server's
// (GET /api/v1/interviews?sort=&order=&status=&job_id=&date_from=&date_to=&has_flags=&q=&offset=&limit=); the
// table's state lives in the address (#interviews?sort=ai_score&...), so a reload or a shared address shows the same
// rows. Each row offers what the server says the user may do on it now (its "actions": copy_link, resend, reissue,
// revoke), each change confirmed first and its outcome said in the row.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const el = DOM.el;  // web_client/dom.js
  const STATUSES = ["created", "consented", "live", "finished", "failed"];
  const ENDED = ["finished", "failed"];
  const DEFAULTS = { sort: "created_at", order: "desc", status: "", job: "", from: "", to: "", flags: "", q: "", page: 1, size: 25 };
  const FIRST_ORDER = { candidate: "asc", job: "asc", status: "asc" };  // text columns start A-Z; dates and figures newest/highest
  let state = { ...DEFAULTS };
  let jobs = [], data = null, active = false, seq = 0, role = null;
  const notes = new Map();  // interview id -> what the last action on it did: {key, err?, until?, channel?, link?}

  // --- the state <-> the address's parameters ------------------------------------------------------------------
  function fromParams(p) {
    const s = { ...DEFAULTS };
    for (const k of Object.keys(DEFAULTS)) if (p.has(k)) s[k] = p.get(k);
    s.page = Math.max(1, parseInt(s.page, 10) || 1);
    s.size = [10, 25, 50].includes(Number(s.size)) ? Number(s.size) : DEFAULTS.size;
    if (!["asc", "desc"].includes(s.order)) s.order = DEFAULTS.order;
    return s;
  }
  function toParams() {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(state)) if (String(v) !== String(DEFAULTS[k])) p.set(k, v);
    return p;
  }
  function apiQuery() {
    const q = new URLSearchParams({ sort: state.sort, order: state.order, offset: (state.page - 1) * state.size, limit: state.size });
    if (state.status) q.set("status", state.status);
    if (state.job) q.set("job_id", state.job);
    if (state.from) q.set("date_from", state.from);
    if (state.to) q.set("date_to", state.to);
    if (state.flags) q.set("has_flags", state.flags === "with" ? "true" : "false");
    if (state.q.trim()) q.set("q", state.q.trim());
    return q;
  }
  function change(patch) {  // a filter, the sort or the page changed: the address keeps it, the server answers
    state = { ...state, ...patch };
    if (window.WS) WS.setParams(toParams());
    load();
  }

  // --- the filter form -----------------------------------------------------------------------------------------
  function options(sel, items) {
    sel.textContent = "";
    for (const [value, text] of items) { const o = el("option", text); o.value = value; sel.append(o); }
  }
  // The table's heading (and name): whose interviews it lists, or the one job the filter narrows it to.
  function heading() {
    if (!role) return;
    const h = $("list-h"), job = state.job && jobs.find((j) => j.id === state.job);
    const whose = { admin: "all_interviews", observer: "observed_interviews" }[role] || "my_interviews";
    if (job) { delete h.dataset.i18n; h.textContent = I18N.t("iv_of_job", { job: job.title }); }
    else { h.dataset.i18n = whose; h.textContent = I18N.t(whose); }
  }
  function renderFilters() {
    heading();
    options($("iv-status"), [["", I18N.t("iv_any_status")], ...STATUSES.map((s) => [s, I18N.t("st_" + s)])]);
    options($("iv-job"), [["", I18N.t("iv_all_jobs")], ...jobs.map((j) => [j.id, j.title])]);
    options($("iv-flags"), [["", I18N.t("iv_flags_any")], ["with", I18N.t("iv_flags_with")], ["without", I18N.t("iv_flags_without")]]);
    $("iv-status").value = state.status; $("iv-job").value = state.job; $("iv-flags").value = state.flags;
    $("iv-from").value = state.from; $("iv-to").value = state.to; $("iv-size").value = String(state.size);
    if (document.activeElement !== $("iv-q")) $("iv-q").value = state.q;
    for (const th of document.querySelectorAll("#iv-table th[data-sort]")) {
      if (th.dataset.sort === state.sort) th.setAttribute("aria-sort", state.order === "asc" ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    }
  }
  for (const [id, key] of [["iv-status", "status"], ["iv-job", "job"], ["iv-flags", "flags"], ["iv-from", "from"], ["iv-to", "to"]]) {
    $(id).addEventListener("change", () => change({ [key]: $(id).value, page: 1 }));
  }
  $("iv-size").addEventListener("change", () => change({ size: Number($("iv-size").value), page: 1 }));
  let typing = null;
  $("iv-q").addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(() => change({ q: $("iv-q").value, page: 1 }), 300); });
  $("iv-filters").addEventListener("submit", (e) => { e.preventDefault(); clearTimeout(typing); change({ q: $("iv-q").value, page: 1 }); });
  $("iv-filters").addEventListener("reset", (e) => { e.preventDefault(); change({ ...DEFAULTS, size: state.size }); });
  for (const th of document.querySelectorAll("#iv-table th[data-sort]")) {
    th.querySelector("button").addEventListener("click", () => {
      const key = th.dataset.sort;
      const order = state.sort === key ? (state.order === "asc" ? "desc" : "asc") : (FIRST_ORDER[key] || "desc");
      change({ sort: key, order, page: 1 });
    });
  }
  $("iv-prev").addEventListener("click", () => change({ page: Math.max(1, state.page - 1) }));
  $("iv-next").addEventListener("click", () => change({ page: state.page + 1 }));

  // --- confirming a change ---------------------------------------------------------------------------------------
  // Resolves true when the person confirmed. The native dialog keeps focus inside and closes on Escape.
  function confirmAction(titleKey, textKey, yesKey, values, danger) {
    const dlg = $("confirm");
    $("confirm-h").textContent = I18N.t(titleKey, values); $("confirm-text").textContent = I18N.t(textKey, values);
    $("confirm-yes").textContent = I18N.t(yesKey); $("confirm-yes").className = danger ? "danger" : "";
    $("confirm-no").textContent = I18N.t("iv_cancel");
    const opener = document.activeElement;
    return new Promise((resolve) => {
      const done = (ok) => {
        $("confirm-yes").onclick = $("confirm-no").onclick = dlg.oncancel = null;
        if (dlg.open) dlg.close();
        if (opener && opener.isConnected) opener.focus();
        resolve(ok);
      };
      $("confirm-yes").onclick = () => done(true);
      $("confirm-no").onclick = () => done(false);
      dlg.oncancel = (e) => { e.preventDefault(); done(false); };
      dlg.showModal(); $("confirm-no").focus();  // the safe choice has the focus
    });
  }

  // --- the actions of a row --------------------------------------------------------------------------------------
  function actionsOf(iv) {  // the server's list (the list API); before it, what the routes allowed
    if (Array.isArray(iv.actions)) return iv.actions;
    if (!HR.canRecruit()) return [];
    const out = [];
    if (!ENDED.includes(iv.status)) out.push("reissue");
    if (!ENDED.includes(iv.status) && !iv.link_revoked) out.push("revoke");
    return out;
  }
  async function act(iv, action) {
    const name = iv.candidate_name, channel = iv.invitation ? I18N.t("ch_" + iv.invitation.channel) : "";
    const values = { name, channel };
    const asks = {
      resend: ["iv_resend_q", "iv_resend_text", "iv_resend_yes", false],
      reissue: ["iv_reissue_q", "iv_reissue_text", "iv_reissue_yes", false],
      revoke: ["iv_revoke_q", "iv_revoke_text", "iv_revoke_yes", true],
    };
    if (asks[action] && !(await confirmAction(...asks[action].slice(0, 3), values, asks[action][3]))) return;
    notes.delete(iv.id);
    const path = `/api/v1/interviews/${encodeURIComponent(iv.id)}`;
    try {
      if (action === "copy_link") {
        const d = await API.call(`${path}/link`);
        const copied = await DOM.copyText(d.link);  // not copied: shown to copy by hand
        notes.set(iv.id, { key: copied ? "iv_copied" : "iv_copy_here", until: d.expires_at, link: d.link });
      } else if (action === "resend") {
        const d = await API.call(`${path}/invitations/resend`, {});
        notes.set(iv.id, { key: "iv_resent", channel: d.channel });
      } else if (action === "reissue") {
        const d = await API.call(`${path}/link`, null, "POST");
        notes.set(iv.id, { key: "link_issued", link: d.link });
      } else if (action === "revoke") {
        await API.call(`${path}/link`, null, "DELETE");
        notes.set(iv.id, { key: "iv_revoked" });
      }
    } catch (err) {
      notes.set(iv.id, { key: "iv_action_error", err });
    }
    await load();
    const row = document.querySelector(`#rows tr[data-id="${CSS.escape(iv.id)}"] .iv-note`);
    if (row) row.focus();  // the outcome is read out where the person is
  }
  const LABELS = { copy_link: ["iv_copy", "iv_copy_for"], resend: ["iv_resend", "iv_resend_for"],
    reissue: ["link_new", "link_new_for"], revoke: ["link_withdraw", "link_withdraw_for"] };
  function actionButtons(iv) {
    const box = el("div", null, "link-box");
    for (const a of actionsOf(iv)) {
      const b = el("button", I18N.t(LABELS[a][0]), "secondary" + (a === "revoke" ? " danger" : "")); b.type = "button";
      b.setAttribute("aria-label", I18N.t(LABELS[a][1], { name: iv.candidate_name }));
      b.addEventListener("click", () => act(iv, a));
      box.append(b);
    }
    const note = notes.get(iv.id);
    if (note) {
      const values = { msg: note.err ? API.errorText(note.err) : "", until: note.until ? DOM.dateTime(note.until) : "",
        channel: note.channel ? I18N.t("ch_" + note.channel) : "" };  // said again in the page's language
      const p = el("span", I18N.t(note.key, values) + (note.link ? " " : ""), "iv-note " + (note.err ? "error" : "ok-note"));
      p.setAttribute("role", note.err ? "alert" : "status"); p.tabIndex = -1;
      if (note.link) { const a = el("a", note.link); a.href = note.link; p.append(a); }
      box.append(p);
    }
    return box.children.length ? box : null;
  }

  // --- the rows ---------------------------------------------------------------------------------------------------
  const figure = (v) => (v == null ? "–" : Number(v).toFixed(1));
  function statusText(iv) {
    return I18N.t("st_" + iv.status) + (iv.live_connected ? " · " + I18N.t("live") : "")
      + (iv.legal_hold ? " · " + I18N.t("legal_hold") : "") + (iv.content_deleted ? " · " + I18N.t("content_deleted") : "")
      + (iv.link_revoked ? " · " + I18N.t("link_withdrawn") : "");
  }
  function row(iv) {
    const tr = el("tr"); tr.dataset.id = iv.id;
    const who = el("td", null, "iv-who"); who.append(el("strong", iv.candidate_name));
    if (iv.candidate_email) who.append(el("div", iv.candidate_email, "muted small"));
    const date = el("td");
    if (iv.created_at) date.append(el("span", DOM.dateTime(iv.created_at, { dateStyle: "medium" })));
    if (iv.scheduled_at) date.append(el("div", I18N.t("iv_booked", { when: DOM.dateTime(iv.scheduled_at) }), "muted small"));
    const flags = el("td", null, "fig");
    if (iv.flags) flags.append(el("span", String(iv.flags), "badge warn")); else flags.append(el("span", iv.flags === 0 ? "0" : "–", "muted"));
    const acts = el("td", null, "act");
    const watch = el("a", I18N.t("watch")); watch.href = "/observe/" + iv.id; acts.append(watch);
    if (iv.status === "finished" || iv.status === "live") {
      const r = el("a", I18N.t("report")); r.href = "/reports/" + iv.id; r.dataset.report = "1"; acts.append(" · ", r);
    }
    if (HR.canRecruit() && (iv.status === "created" || iv.status === "consented") && !iv.link_revoked) {
      const invite = HR.inviteControl(iv);  // channel, recipient, delivery state (hr.js; kept across refreshes)
      if (invite) acts.append(invite);
    }
    const buttons = actionButtons(iv); if (buttons) acts.append(buttons);
    tr.append(who, el("td", iv.job_title), date, el("td", statusText(iv)), el("td", figure(iv.ai_score), "num fig"),
      el("td", figure(iv.human_rating), "num fig"), flags, acts);
    return tr;
  }
  // What has the focus in the table, to give it back after the rows are drawn again (a button by its id or name).
  function focusedInRows() {
    const f = document.activeElement, tr = f && f.closest && f.closest("#rows tr");
    if (!tr) return null;
    return { id: tr.dataset.id, elId: f.id, label: f.getAttribute("aria-label") || f.textContent, note: f.classList.contains("iv-note") };
  }
  function refocus(k) {
    const tr = k && document.querySelector(`#rows tr[data-id="${CSS.escape(k.id)}"]`);
    if (!tr) return;
    const match = k.elId ? document.getElementById(k.elId)
      : k.note ? tr.querySelector(".iv-note")
        : [...tr.querySelectorAll("a, button")].find((x) => (x.getAttribute("aria-label") || x.textContent) === k.label);
    if (match && tr.contains(match)) match.focus();
  }
  function render() {
    renderFilters();
    const keep = focusedInRows();
    const rows = $("rows"); rows.textContent = "";
    if (!data) return;
    for (const iv of data.interviews) rows.append(row(iv));
    refocus(keep);
    const total = data.total == null ? data.interviews.length : data.total;
    const first = total ? (state.page - 1) * state.size + 1 : 0, last = (state.page - 1) * state.size + data.interviews.length;
    const pages = Math.max(1, Math.ceil(total / state.size));
    $("iv-count").textContent = total ? I18N.t("iv_count", { first, last, total }) : "";
    $("iv-empty").classList.toggle("hidden", total > 0);
    $("iv-page").textContent = I18N.t("iv_page", { page: state.page, pages });
    $("iv-prev").disabled = state.page <= 1; $("iv-next").disabled = state.page >= pages;
    // no pager for a server without paging (no total: every row came) or when one short page holds them all
    $("iv-pager").classList.toggle("hidden", data.total == null || (total <= 10 && state.page === 1));
  }
  async function load() {
    if (!role) return;
    const mine = ++seq;
    try {
      const d = await API.call("/api/v1/interviews?" + apiQuery());
      if (mine !== seq) return;
      data = d; $("iv-error").textContent = "";
      const total = d.total == null ? d.interviews.length : d.total;
      if (!d.interviews.length && total && state.page > 1) { change({ page: Math.ceil(total / state.size) }); return; }
      render();
      document.dispatchEvent(new CustomEvent("interviewsloaded", { detail: d }));  // guide.js
    } catch (err) {
      if (mine === seq) $("iv-error").textContent = I18N.t("iv_load_error", { msg: API.errorText(err) });
    }
  }
  // Every few seconds while the table is shown: statuses move on. The focus stays where it was (render); not while
  // the person types in a row or answers a dialog.
  setInterval(() => {
    const a = document.activeElement;
    const typing = $("rows").contains(a) && (a.tagName === "INPUT" || a.tagName === "SELECT");
    if (active && !document.hidden && !typing && !$("confirm").open) load();
  }, 5000);

  document.addEventListener("hrready", (e) => { role = e.detail.user.role; heading(); });
  document.addEventListener("jobslisted", (e) => { jobs = e.detail; renderFilters(); });
  document.addEventListener("interviewschanged", () => { if (role) load(); });
  document.addEventListener("langchange", render);
  // workspace.js: the address changed; the table is shown on #interviews and follows its parameters
  document.addEventListener("routechange", (e) => {
    active = e.detail.area === "interviews";
    if (!active) return;
    const next = fromParams(e.detail.params);
    const same = JSON.stringify(next) === JSON.stringify(state);
    state = next;
    if (!same || !data) load(); else render();
  });
})();
