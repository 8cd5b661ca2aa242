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
  document.addEventListener("teamchanged", () => { if (active) load(); });  // a user added or given another role
  document.addEventListener("langchange", () => { if (active) { render(); if (status) say(...status); } });
})();

// The accounts (admins only), drawn by this script into the team section above the responsibilities: who may log
// in and as what (name, e-mail, role, status, last login); an admin adds a user, changes a role, deactivates or
// reactivates someone, or issues a new set-password link. A new link is shown once, with a copy button.
(function () {
  "use strict";
  const box = document.getElementById("team-box");
  const el = DOM.el;
  const ROLES = ["admin", "recruiter", "hiring_manager", "observer"];
  let me = null, people = [], status = null, shownLink = null;  // shownLink: {name, email, url, until, emailed}

  function labelled(node, key) { node.setAttribute("data-i18n", key); node.textContent = I18N.t(key); return node; }
  function field(id, key, input) {
    const wrap = el("div", null, "users-field");
    const label = labelled(el("label"), key); label.htmlFor = id; input.id = id;
    wrap.append(label, input);
    return wrap;
  }
  function roleSelect() {
    const sel = el("select");
    for (const r of ROLES) { const o = el("option", I18N.t("role_" + r)); o.value = r; sel.append(o); }
    return sel;
  }

  // the part's fixed markup (its words re-applied by I18N on a language switch through data-i18n)
  const part = el("div", null, "users-part"); part.id = "users-part";
  part.setAttribute("role", "region"); part.setAttribute("aria-labelledby", "users-h");
  const h = labelled(el("h3"), "users_h"); h.id = "users-h";
  const explain = labelled(el("p", null, "muted"), "users_explain");
  const add = el("details"); add.id = "users-add";
  const form = el("form", null, "users-form"); form.id = "users-form"; form.noValidate = false;
  const nameIn = el("input"); nameIn.type = "text"; nameIn.required = true; nameIn.maxLength = 200; nameIn.autocomplete = "off";
  const emailIn = el("input"); emailIn.type = "email"; emailIn.required = true; emailIn.maxLength = 320; emailIn.autocomplete = "off";
  const roleIn = roleSelect(); roleIn.value = "recruiter";
  const create = labelled(el("button"), "users_create"); create.type = "submit";
  form.append(field("users-new-name", "users_name", nameIn), field("users-new-email", "users_email", emailIn),
    field("users-new-role", "users_role", roleIn), create);
  add.append(labelled(el("summary"), "users_add"), form);
  const linkBox = el("div", null, "users-link hidden"); linkBox.id = "users-link";
  linkBox.setAttribute("role", "group"); linkBox.setAttribute("aria-labelledby", "users-link-h");
  const statusLine = el("p"); statusLine.id = "users-status"; statusLine.setAttribute("role", "status");
  statusLine.setAttribute("aria-live", "polite");
  const scroll = el("div", null, "table-scroll");
  const table = el("table"); table.id = "users-table";
  const caption = labelled(el("caption", null, "muted"), "users_caption");
  const headRow = el("tr");
  for (const key of ["users_name", "users_email", "users_role", "users_status", "users_last_login", "users_actions"]) {
    const th = labelled(el("th"), key); th.scope = "col"; headRow.append(th);
  }
  const thead = el("thead"); thead.append(headRow);
  const rows = el("tbody"); rows.id = "users-rows";
  table.append(caption, thead, rows); scroll.append(table);
  part.append(h, explain, add, linkBox, statusLine, scroll);
  const anchor = document.getElementById("team-h");  // below the section's heading, above the responsibilities
  if (anchor) anchor.after(part); else box.prepend(part);

  const nameOf = (u) => u.display_name || u.email;
  function say(key, values) { status = key ? [key, values] : null; statusLine.textContent = key ? I18N.t(key, values) : ""; }
  function fail(err) { say("users_error", { msg: API.errorText(err) }); }
  function cell(text, key) { const td = el("td", text); if (key) td.dataset.label = I18N.t(key); return td; }
  function button(key, labelKey, name, onClick, cls) {
    const b = el("button", I18N.t(key), cls || "secondary"); b.type = "button";
    b.setAttribute("aria-label", I18N.t(labelKey, { name })); b.addEventListener("click", onClick);
    return b;
  }

  function renderLink() {
    linkBox.textContent = "";
    linkBox.classList.toggle("hidden", !shownLink);
    if (!shownLink) return;
    const l = shownLink;
    const head = el("h4", I18N.t("users_link_h", { name: l.name })); head.id = "users-link-h";
    const note = el("p", I18N.t("users_link_note", { name: l.name, until: DOM.dateTime(l.until) }));
    if (l.emailed) note.append(" ", I18N.t("users_link_emailed", { email: l.email }));
    const row = el("div", null, "link-box");
    const url = el("input"); url.type = "text"; url.readOnly = true; url.value = l.url; url.id = "users-link-url";
    url.setAttribute("aria-label", I18N.t("users_link_label"));
    url.addEventListener("focus", () => url.select());
    const copied = el("span", null, "small"); copied.setAttribute("role", "status");
    const copy = el("button", I18N.t("users_copy")); copy.type = "button"; copy.id = "users-link-copy";
    copy.addEventListener("click", async () => {
      if (await DOM.copyText(l.url)) { copied.textContent = I18N.t("users_copied"); return; }
      url.focus(); url.select(); copied.textContent = I18N.t("users_copy_failed");
    });
    const done = el("button", I18N.t("users_close"), "secondary"); done.type = "button";
    done.addEventListener("click", () => { shownLink = null; renderLink(); });  // gone for good: shown only once
    row.append(url, copy, done);
    linkBox.append(head, note, row, copied);
  }

  function showLink(answer) {
    const u = answer.user;
    shownLink = { name: nameOf(u), email: u.email, url: answer.set_password_link, until: answer.expires_at,
      emailed: answer.emailed };
    renderLink();
    document.getElementById("users-link-url").focus();
  }

  function replace(member) { people = people.map((u) => (u.id === member.id ? member : u)); render(); }

  async function changeRole(u, sel) {
    say(null);
    try {
      const member = await API.call(`/api/v1/users/${u.id}/role`, { role: sel.value }, "PUT");
      replace(member);
      say("users_role_changed", { name: nameOf(member), role: I18N.t("role_" + member.role) });
      document.dispatchEvent(new CustomEvent("teamchanged"));
    } catch (err) { sel.value = u.role; fail(err); }
  }
  async function setActive(u, active) {
    say(null);
    try {
      const member = await API.call(`/api/v1/users/${u.id}/active`, { active }, "PUT");
      replace(member);
      say(active ? "users_reactivated" : "users_deactivated", { name: nameOf(member) });
    } catch (err) { fail(err); }
  }
  async function newLink(u) {
    say(null);
    try { showLink(await API.call(`/api/v1/users/${u.id}/password-link`, { language: I18N.lang }, "POST")); }
    catch (err) { fail(err); }
  }

  function render() {
    rows.textContent = "";
    for (const u of people) {
      const tr = el("tr"); if (!u.active) tr.className = "inactive";
      const who = el("td"); who.append(el("strong", nameOf(u)));  // the row's heading: no label on a phone
      if (me && u.id === me.id) who.append(" ", el("span", I18N.t("users_you"), "muted small"));
      const role = cell(null, "users_role"); const sel = roleSelect(); sel.value = u.role;
      sel.setAttribute("aria-label", I18N.t("users_role_of", { name: nameOf(u) }));
      sel.addEventListener("change", () => changeRole(u, sel));
      role.append(sel);
      const state = cell(null, "users_status");
      state.append(el("span", I18N.t(u.active ? "users_active" : "users_inactive"), "badge " + (u.active ? "ok" : "warn")));
      const last = cell(u.last_login_at ? DOM.dateTime(u.last_login_at) : I18N.t("users_never"), "users_last_login");
      const acts = cell(null, "users_actions"); const wrap = el("div", null, "team-add");
      if (u.active) {
        wrap.append(button("users_new_link", "users_new_link_label", nameOf(u), () => newLink(u)));
        if (!me || u.id !== me.id) {
          wrap.append(button("users_deactivate", "users_deactivate_label", nameOf(u), () => setActive(u, false)));
        }
      } else {
        wrap.append(button("users_reactivate", "users_reactivate_label", nameOf(u), () => setActive(u, true)));
      }
      acts.append(wrap);
      tr.append(who, cell(u.email, "users_email"), role, state, last, acts);
      rows.append(tr);
    }
  }

  async function load() {
    try { people = (await API.call("/api/v1/team")).users; render(); } catch (err) { fail(err); }
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    say(null); create.disabled = true;
    try {
      const answer = await API.call("/api/v1/users", { display_name: nameIn.value.trim(), email: emailIn.value.trim(),
        role: roleIn.value, language: I18N.lang });
      people = people.concat([answer.user]).sort((a, b) => a.email.localeCompare(b.email));
      render(); form.reset(); roleIn.value = "recruiter";
      say("users_created", { name: nameOf(answer.user) });
      showLink(answer);
      document.dispatchEvent(new CustomEvent("teamchanged"));
    } catch (err) { fail(err); }
    finally { create.disabled = false; }
  });

  document.addEventListener("hrready", (e) => {
    me = e.detail.user;
    if (me.role !== "admin") return;
    load();
  });
  document.addEventListener("langchange", () => {
    if (!me || me.role !== "admin") return;
    for (const o of part.querySelectorAll("#users-new-role option")) o.textContent = I18N.t("role_" + o.value);
    render(); renderLink(); if (status) say(...status);
  });
})();
