// HR page: the workspace's areas. One view per address (#jobs, #candidates, #interviews, #analytics, #settings/team,
// ...), so the browser's back and forward move between areas and an address can be shared; the navigation marks
// the current area (aria-current). The job picker (#job, which every job section listens to) moves into the view that
// works on a job, at its top and staying in sight while the view scrolls. Tables with class "stack" get each cell's
// column name (data-label) so a phone shows a row as a card.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const el = DOM.el;  // web_client/dom.js
  const AREAS = ["jobs", "candidates", "interviews", "analytics", "settings"];
  const SUBS = ["team", "retention", "access", "sessions", "integrations"];
  const FOCUS = { "jobs/new": "jd-title", "candidates/upload": "resume-files", "interviews/new": "cand-name" };
  let role = null, current = null, jobs = [];

  const allowed = (node) => !node.dataset.roles || node.dataset.roles.split(" ").includes(role);
  function parse() {  // "#settings/team?x=1" -> {area: "settings", sub: "team", params}
    const raw = decodeURIComponent(location.hash.slice(1));
    const [path, query] = [raw.split("?")[0], raw.split("?").slice(1).join("?")];
    const [area, sub] = path.split("/");
    return { area, sub: sub || "", params: new URLSearchParams(query || "") };
  }
  function viewOf(area) { return $("view-" + area); }
  function defaultArea() { return "interviews"; }  // every role has it: the daily overview

  function show(fromNavigation) {
    let { area, sub, params } = parse();
    if (!AREAS.includes(area) || !allowed(viewOf(area))) area = defaultArea();
    for (const a of AREAS) viewOf(a).hidden = a !== area;
    for (const link of document.querySelectorAll("#ws-nav a[data-area]")) {
      if (link.dataset.area === area) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
    }
    if (area === "settings") {  // the settings' own parts: one at a time
      const open = [...document.querySelectorAll("#view-settings .subnav li")].filter(allowed).map((li) => li.querySelector("a").dataset.sub);
      if (!open.includes(sub)) sub = open[0];
      for (const part of document.querySelectorAll("#view-settings .subview")) part.hidden = part.dataset.sub !== sub;
      for (const link of document.querySelectorAll("#view-settings .subnav a")) {
        if (link.dataset.sub === sub) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
      }
    }
    const slot = viewOf(area).querySelector(".job-slot");  // the job picker where this area works on a job
    if (slot && !slot.contains($("job-context"))) slot.append($("job-context"));
    $("job-context").classList.toggle("hidden", !slot || !allowed($("job-context")));
    if (slot && params.get("job") && [...$("job").options].some((o) => o.value === params.get("job")) && $("job").value !== params.get("job")) {
      $("job").value = params.get("job"); $("job").dispatchEvent(new Event("change"));
    }
    const target = FOCUS[`${area}/${sub}`];  // a step of the guide: where its work starts
    if (target && allowed($(target).closest("[data-roles]") || $(target))) { $(target).scrollIntoView({ block: "center" }); $(target).focus(); }
    else if (fromNavigation && area !== current) viewOf(area).querySelector(".view-h").focus();  // where the new content starts
    current = area;
    document.title = `${I18N.t("ws_" + area)} · ${I18N.t("ws_title")}`;
    document.dispatchEvent(new CustomEvent("routechange", { detail: { area, sub, params } }));
  }
  // The interviews table's filters (and the like) kept in the address without a new history entry each.
  function setParams(params) {
    const { area, sub } = parse(); const q = params.toString();
    history.replaceState(null, "", `#${area || current}${sub ? "/" + sub : ""}${q ? "?" + q : ""}`);
  }
  window.WS = { setParams, go: (hash) => { location.hash = hash; } };

  // --- the jobs list (jobs area) ----------------------------------------------------------------------------------
  function renderJobs() {
    const rows = $("jobs-rows"); rows.textContent = "";
    $("jobs-empty").classList.toggle("hidden", jobs.length > 0);
    $("jobs-table").classList.toggle("hidden", !jobs.length);
    for (const j of jobs) {
      const tr = el("tr"); const name = el("td"); name.append(el("strong", j.title));
      if (j.id === $("job").value) name.append(" ", el("span", I18N.t("ws_job_current"), "badge ok"));
      const acts = el("td", null, "act"), links = el("div", null, "job-acts");
      const open = el("button", I18N.t("ws_job_open"), "secondary"); open.type = "button";
      open.setAttribute("aria-label", I18N.t("ws_job_open_for", { title: j.title }));
      open.addEventListener("click", () => {
        $("job").value = j.id; $("job").dispatchEvent(new Event("change"));
        $("req-h").setAttribute("tabindex", "-1"); $("req-h").focus();
      });
      const cands = el("a", I18N.t("ws_candidates")); cands.href = `#candidates?job=${encodeURIComponent(j.id)}`;
      cands.setAttribute("aria-label", I18N.t("ws_job_cands_for", { title: j.title }));
      const ivs = el("a", I18N.t("ws_interviews")); ivs.href = `#interviews?job=${encodeURIComponent(j.id)}`;
      ivs.setAttribute("aria-label", I18N.t("ws_job_ivs_for", { title: j.title }));
      links.append(open, cands, ivs); acts.append(links);
      tr.append(name, el("td", DOM.languageName(j.language === "zh" ? "chinese" : "english")), acts);
      rows.append(tr);
    }
  }
  document.addEventListener("jobslisted", (e) => { jobs = e.detail; renderJobs(); });
  $("job").addEventListener("change", () => {  // the chosen job in the address too, and marked in the list
    renderJobs();
    const { params } = parse(); params.set("job", $("job").value);
    if (current && viewOf(current).querySelector(".job-slot")) setParams(params);
  });

  // --- a phone shows the rows of "stack" tables as cards: each cell says its column ---------------------------
  function label(table) {
    const names = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    for (const tr of table.querySelectorAll("tbody tr")) {
      [...tr.children].forEach((td, i) => {
        if (names[i] && td.colSpan === 1 && td.dataset.label !== names[i]) td.dataset.label = names[i];
      });
    }
  }
  const labelAll = () => document.querySelectorAll("table.stack").forEach(label);
  new MutationObserver(labelAll).observe(document.querySelector("main"), { childList: true, subtree: true });
  document.addEventListener("langchange", () => { labelAll(); renderJobs(); show(false); });

  window.addEventListener("hashchange", () => show(true));
  document.addEventListener("hrready", (e) => { role = e.detail.user.role; show(false); });
})();
