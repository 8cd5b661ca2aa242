// HR page, admins only: the team. Each person with what they are responsible for (server/http/access.py): the jobs
// assigned to recruiters and hiring managers, the interviews observers are invited to; the admin assigns a job or
// invites an observer here, and takes either back.
(function () {
  "use strict";
  const box = document.getElementById("team-box");
  I18N.apply(box);
  const $ = (id) => document.getElementById(id);
  const el = DOM.el;  // web_client/dom.js
  let users = [], jobs = [], interviews = [], active = false;
  let status = null;  // the last change's outcome as [key, values], said again in the other language

  const nameOf = (u) => u.display_name || u.email;
  const jobTitle = (id) => (jobs.find((j) => j.id === id) || { title: id.slice(0, 8) }).title;
  function interviewLabel(id) {
    const iv = interviews.find((i) => i.id === id);
    return iv ? `${iv.candidate_name} · ${iv.job_title}` : id.slice(0, 8);
  }
  function labelled(td, key) { td.dataset.label = I18N.t(key); return td; }
  function say(key, values) { status = key ? [key, values] : null; $("team-status").textContent = key ? I18N.t(key, values) : ""; }

  async function change(method, path, doneKey, person, what) {
    say(null);
    try {
      const member = await API.call(path, null, method);
      users = users.map((u) => (u.id === member.id ? member : u));
      render();
      say(doneKey, { name: nameOf(person), what });
    } catch (err) { say("team_error", { msg: API.errorText(err) }); }
  }

  function chips(person, ids, label, pathOf) {
    const ul = el("ul", null, "chips");
    for (const id of ids) {
      const what = label(id); const li = el("li"); li.append(el("span", what));
      const rm = el("button", I18N.t("team_remove"), "secondary"); rm.type = "button";
      rm.setAttribute("aria-label", I18N.t("team_remove_label", { what, name: nameOf(person) }));
      rm.addEventListener("click", () => change("DELETE", pathOf(id), "team_removed", person, what));
      li.append(rm); ul.append(li);
    }
    return ul;
  }

  function adder(person, options, labelKey, buttonKey, doneKey, fullKey, pathOf) {
    const wrap = el("div", null, "team-add");
    if (!options.length) { wrap.append(el("span", I18N.t(fullKey), "muted small")); return wrap; }
    const sel = el("select"); sel.setAttribute("aria-label", I18N.t(labelKey, { name: nameOf(person) }));
    for (const [id, text] of options) { const o = el("option", text); o.value = id; sel.append(o); }
    const add = el("button", I18N.t(buttonKey), "secondary"); add.type = "button";
    add.addEventListener("click", () => {
      const what = sel.selectedOptions[0].textContent;
      change("PUT", pathOf(sel.value), doneKey, person, what);
    });
    wrap.append(sel, add);
    return wrap;
  }

  function render() {
    const rows = $("team-rows"); rows.textContent = "";
    for (const u of users) {
      const tr = el("tr");
      const who = el("td"); who.append(el("strong", nameOf(u)));  // the row's heading: no label on a phone
      if (u.display_name) who.append(el("div", u.email, "muted small"));
      const role = labelled(el("td", I18N.t("role_" + u.role)), "team_role");
      const scope = labelled(el("td"), "team_for"), give = el("td");
      if (u.role !== "admin") labelled(give, "team_add");  // nothing to give an admin
      if (u.role === "admin") {
        scope.append(el("span", I18N.t("team_everything"), "muted"));
      } else if (u.role === "observer") {
        const path = (id) => `/api/v1/interviews/${id}/observers/${u.id}`;
        scope.append(u.interview_ids.length ? chips(u, u.interview_ids, interviewLabel, path)
          : el("span", I18N.t("team_nothing"), "muted"));
        const open = interviews.filter((i) => !u.interview_ids.includes(i.id)).map((i) => [i.id, interviewLabel(i.id)]);
        give.append(adder(u, open, "team_iv_for", "team_invite", "team_invited", "team_all_ivs", path));
      } else {  // recruiters and hiring managers: jobs
        const path = (id) => `/api/v1/jobs/${id}/members/${u.id}`;
        scope.append(u.job_ids.length ? chips(u, u.job_ids, jobTitle, path) : el("span", I18N.t("team_nothing"), "muted"));
        const open = jobs.filter((j) => !u.job_ids.includes(j.id)).map((j) => [j.id, j.title]);
        give.append(adder(u, open, "team_job_for", "team_assign", "team_assigned", "team_all_jobs", path));
      }
      tr.append(who, role, scope, give); rows.append(tr);
    }
  }

  async function load() {
    try {
      [users, jobs] = await Promise.all([API.call("/api/v1/team").then((d) => d.users),
        API.call("/api/v1/jobs").then((d) => d.jobs)]);
      render();
    } catch (err) { say("team_error", { msg: API.errorText(err) }); }
  }
  document.addEventListener("hrready", (e) => {  // hr.js, with who is logged in
    if (e.detail.user.role !== "admin") return;
    active = true; box.classList.remove("hidden"); load(); loadInterviews();
  });
  // the interviews an observer can be invited to: read again when the list changed (a choice the admin is making in a
  // list stays as it is unless an interview came or went)
  async function loadInterviews() {
    try {
      const list = (await API.call("/api/v1/interviews")).interviews;
      const ids = (l) => l.map((i) => i.id).join();
      const changed = ids(list) !== ids(interviews);
      interviews = list;
      if (active && changed) render();
    } catch (err) { say("team_error", { msg: API.errorText(err) }); }
  }
  document.addEventListener("interviewschanged", () => { if (active) loadInterviews(); });
  document.addEventListener("jobcreated", () => { if (active) load(); });
  document.addEventListener("langchange", () => { if (active) { render(); if (status) say(...status); } });
})();
