// HR page, admins only: the team. Each person with what they are responsible for (server/http/access.py): the jobs
// assigned to recruiters and hiring managers, the interviews observers are invited to; the admin assigns a job or
// invites an observer here, and takes either back.
(function () {
  "use strict";
  I18N.add({
    team_h: "Team: who is responsible for what",
    team_explain: "Recruiters work on the jobs assigned to them (and the jobs they create): candidates, interviews, invitations, times. Hiring managers read and rate the interviews of their jobs. Observers only read the interviews they are invited to. Admins see everything.",
    team_caption: "People of your organisation", team_person: "Person", team_role: "Role", team_for: "Responsible for",
    team_add: "Give access", team_everything: "everything in the organisation", team_nothing: "nothing yet",
    team_job_for: "Job to assign to {name}", team_assign: "Assign job", team_iv_for: "Interview for {name} to observe",
    team_invite: "Invite to observe", team_remove: "Take back", team_remove_label: "Take {what} back from {name}",
    team_all_jobs: "every job is assigned", team_all_ivs: "invited to every interview",
    team_assigned: "{name} is now responsible for {what}.", team_invited: "{name} may now observe {what}.",
    team_removed: "{name} no longer has {what}.", team_error: "Could not change access: {msg}",
    err_wrong_role: "This person's role cannot be given that.",
  }, {
    team_h: "团队：谁负责什么",
    team_explain: "招聘专员负责分配给他们的职位（以及他们自己创建的职位）：候选人、面试、邀请和时间。用人经理查看并评价其职位的面试。观察员只能查看邀请他们观看的面试。管理员可以查看全部内容。",
    team_caption: "本组织的成员", team_person: "成员", team_role: "角色", team_for: "负责范围",
    team_add: "授予权限", team_everything: "本组织的全部内容", team_nothing: "尚无",
    team_job_for: "分配给 {name} 的职位", team_assign: "分配职位", team_iv_for: "邀请 {name} 观看的面试",
    team_invite: "邀请观看", team_remove: "收回", team_remove_label: "收回 {name} 的 {what}",
    team_all_jobs: "已分配全部职位", team_all_ivs: "已邀请观看全部面试",
    team_assigned: "{name} 现在负责 {what}。", team_invited: "{name} 现在可以观看 {what}。",
    team_removed: "{name} 不再负责 {what}。", team_error: "无法更改权限：{msg}",
    err_wrong_role: "此成员的角色不能获得该权限。",
  });
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
    active = true; box.classList.remove("hidden"); load();
  });
  // the interview list hr.js reads every few seconds: re-drawn only when an interview came or went (a choice the
  // admin is making in a list stays as it is otherwise)
  document.addEventListener("interviewslisted", (e) => {
    const ids = (list) => list.map((i) => i.id).join();
    const changed = ids(e.detail) !== ids(interviews);
    interviews = e.detail;
    if (active && changed) render();
  });
  document.addEventListener("jobcreated", () => { if (active) load(); });
  document.addEventListener("langchange", () => { if (active) { render(); if (status) say(...status); } });
})();
