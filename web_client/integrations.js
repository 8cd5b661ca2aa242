// HR page, settings: what this server has set up (GET /api/v1/integrations: invitation channels, the DingTalk import)
// and the latest reports written back to the HR system (GET /api/v1/writeback, the sync log). Read when shown.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const el = DOM.el;  // web_client/dom.js
  let setup = null, syncs = null, syncError = null, role = null;

  function render() {
    const ul = $("int-list"); ul.textContent = "";
    if (setup) {
      for (const ch of ["email", "dingtalk", "webhook"]) {
        const on = setup.invitation_channels.includes(ch);
        const li = el("li"); li.append(el("span", I18N.t(on ? "int_on" : "int_off"), "badge " + (on ? "ok" : "")), " ",
          I18N.t("int_channel", { channel: I18N.t("ch_" + ch) }));
        ul.append(li);
      }
      const li = el("li"); li.append(el("span", I18N.t(setup.dingtalk_import ? "int_on" : "int_off"), "badge " + (setup.dingtalk_import ? "ok" : "")),
        " ", I18N.t("int_dt_import"));
      ul.append(li);
    }
    const rows = $("int-sync-rows"); rows.textContent = "";
    $("int-sync-table").classList.toggle("hidden", !(syncs && syncs.length));
    $("int-sync-status").textContent = syncError ? I18N.t("int_sync_error", { msg: syncError })
      : (syncs && !syncs.length ? I18N.t("int_sync_none") : "");
    for (const w of syncs || []) {
      const cls = { sent: "lbl-met", failed: "lbl-missing", pending: "lbl-partly", sending: "lbl-partly" }[w.status] || "muted";
      const state = el("td"); state.append(el("span", I18N.t("wbs_" + w.status), cls));
      if (w.status === "failed" && w.last_error) state.append(el("div", w.last_error, "muted small"));
      const tr = el("tr");
      tr.append(el("td", w.updated_at ? DOM.dateTime(w.updated_at) : "–"), el("td", `${w.candidate_name} · ${w.job_title}`),
        el("td", I18N.t("wbt_" + w.target)), state);
      rows.append(tr);
    }
  }
  async function load() {
    try { setup = await API.call("/api/v1/integrations"); } catch (err) { setup = null; }
    try { syncs = (await API.call("/api/v1/writeback?limit=20")).writebacks; syncError = null; }
    catch (err) { syncs = null; syncError = API.errorText(err); }
    render();
  }
  document.addEventListener("hrready", (e) => { role = e.detail.user.role; });
  document.addEventListener("routechange", (e) => {
    if (role && e.detail.area === "settings" && e.detail.sub === "integrations") load();
  });
  document.addEventListener("langchange", render);
})();
