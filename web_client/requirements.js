// HR page: a job from its pasted description, and the requirements of the selected job as two editable lists
// (must-have, nice-to-have). A changed line is read again by the server (POST .../requirements/read) so what the
// ranking will look for shows under it; "Save" stores the whole set (PUT .../requirements).
(function () {
  "use strict";
  I18N.apply(document.getElementById("jd-form")); I18N.apply(document.getElementById("req-box"));

  const $ = (id) => document.getElementById(id);
  const el = DOM.el;
  let jobId = "";       // the job whose requirements are shown
  let reqs = null;      // its requirements ({language, title, requirements: [...]}) as edited here
  let dirty = false;    // edited since loaded or saved
  let reading = 0;      // lines being read by the server
  let canEdit = false;  // admins and the job's recruiters (hrready); the section is hidden from the other roles
  let seq = 0;          // only the newest load may render (HR switches jobs quickly)

  // --- what the ranking will look for, in words -------------------------------------------------------------
  function readAs(r) {
    const v = r.value == null ? "" : String(r.value);
    if (r.kind === "skill") {
      const names = [v, ...(r.alternatives || [])];
      let s = I18N.t(names.length > 1 ? "rk_skill_any" : "rk_skill", { value: names.join(" / ") });
      if (r.level === "expert") s += ` (${I18N.t("rk_expert")})`;
      return s;
    }
    if (r.kind === "years") return I18N.t(r.subject ? "rk_years_in" : "rk_years", { n: Number(v), subject: r.subject || "" });
    if (r.kind === "degree") {
      const level = I18N.t("deg_" + v);
      return r.majors && r.majors.length ? I18N.t("rk_degree_in", { level, majors: r.majors.join(", ") }) : I18N.t("rk_degree", { level });
    }
    if (r.kind === "language") return I18N.t("rk_language", { value: DOM.languageName(v) }) + (r.level === "fluent" ? ` (${I18N.t("rk_fluent")})` : "");
    if (r.kind === "management") return v ? I18N.t("rk_team", { n: v }) : I18N.t("rk_management");
    return v;
  }

  // --- the two lists -----------------------------------------------------------------------------------------
  function setDirty(on) {
    dirty = on;
    $("req-save").disabled = !canEdit || !reqs || reading > 0;
    if (on) { $("req-status").textContent = I18N.t("req_unsaved"); }
  }
  function say(text) { $("req-status").textContent = text; }

  function itemRow(r) {
    const li = el("li"); li.dataset.id = r.id;
    if (r._unsaved) li.classList.add("unsaved");
    const line = el("div", null, "req-line");
    const text = el("input"); text.type = "text"; text.value = r.text; text.maxLength = 500; text.className = "req-text";
    text.setAttribute("aria-label", I18N.t("req_line")); text.disabled = !canEdit;
    text.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); commit(); } });
    text.addEventListener("change", () => commit());
    let busy = false;  // Enter and the change event both commit: read once
    async function commit() {
      const value = text.value.trim();
      if (busy || value === r.text) return;
      if (!value) { text.value = r.text; return; }  // an emptied line keeps its text; "Remove" removes it
      busy = true;
      try { await readInto(value, r.must_have, r); } finally { busy = false; }
    }
    const list = el("select"); list.disabled = !canEdit; list.className = "req-kind";
    list.setAttribute("aria-label", I18N.t("req_list", { text: r.text }));
    for (const [val, key] of [["must", "req_as_must"], ["nice", "req_as_nice"]]) {
      const o = el("option", I18N.t(key)); o.value = val; list.append(o);
    }
    list.value = r.must_have ? "must" : "nice";
    list.addEventListener("change", () => {
      r.must_have = list.value === "must"; r._unsaved = true; render(); setDirty(true);
      say(I18N.t(r.must_have ? "req_moved_must" : "req_moved_nice", { text: r.text }));
      focusItem(r.id, ".req-kind");
    });
    const rm = el("button", I18N.t("remove"), "secondary"); rm.type = "button"; rm.disabled = !canEdit;
    rm.setAttribute("aria-label", I18N.t("req_remove", { text: r.text }));
    rm.addEventListener("click", () => {
      const list = r.must_have ? "req-must" : "req-nice";
      const i = reqs.requirements.indexOf(r); reqs.requirements.splice(i, 1);
      const next = reqs.requirements.slice(i).find((x) => x.must_have === r.must_have);
      render(); setDirty(true); say(I18N.t("req_removed", { text: r.text }));
      if (next) focusItem(next.id, ".req-text"); else $(list === "req-must" ? "req-add-must" : "req-add-nice").focus();
    });
    line.append(text, list, rm);
    li.append(line, el("p", readAs(r), "muted small req-read"));
    return li;
  }
  function focusItem(id, selector) {
    const li = document.querySelector(`#req-box li[data-id="${CSS.escape(id)}"]`);
    if (li) li.querySelector(selector).focus();
  }
  function render() {
    for (const [id, must] of [["req-must", true], ["req-nice", false]]) {
      const ul = $(id); ul.textContent = "";
      const items = reqs ? reqs.requirements.filter((r) => r.must_have === must) : [];
      for (const r of items) ul.append(itemRow(r));
      if (reqs && !items.length) ul.append(el("li", I18N.t("req_none"), "req-empty"));
    }
    for (const b of document.querySelectorAll("#req-box .req-edit")) b.classList.toggle("hidden", !canEdit);
    $("req-save").disabled = !canEdit || !reqs || reading > 0;
  }

  // A line HR typed (new, or replacing ``old``) read by the server into requirement items.
  async function readInto(text, mustHave, old) {
    reading += 1; setDirty(dirty); say(I18N.t("req_reading")); $("req-error").textContent = "";
    const job = jobId;
    try {
      const d = await API.call(`/api/v1/jobs/${job}/requirements/read`, { text, must_have: mustHave });
      if (job !== jobId) return;  // another job was selected meanwhile
      const items = d.requirements.map((r) => ({ ...r, _unsaved: true }));
      const at = old ? reqs.requirements.indexOf(old) : -1;
      if (at >= 0) reqs.requirements.splice(at, 1, ...items); else reqs.requirements.push(...items);
      render(); setDirty(true);
      say(I18N.t("req_added", { text: items.map((r) => r.text).join(", ") }));
      if (items.length) focusItem(items[0].id, ".req-text");
    } catch (err) {
      $("req-error").textContent = API.errorText(err);
      if (old) render();
    } finally { reading -= 1; $("req-save").disabled = !canEdit || !reqs || reading > 0; }
  }

  function addLine(mustHave) {
    if (!reqs) return;
    const ul = $(mustHave ? "req-must" : "req-nice");
    const empty = ul.querySelector(".req-empty"); if (empty) empty.remove();
    const li = el("li"); const line = el("div", null, "req-line");
    const text = el("input"); text.type = "text"; text.maxLength = 500; text.className = "req-text";
    text.placeholder = I18N.t("req_new"); text.setAttribute("aria-label", I18N.t(mustHave ? "req_add_must" : "req_add_nice"));
    let done = false;
    async function commit() {
      if (done) return;
      const value = text.value.trim();
      done = true;
      if (!value) { li.remove(); if (!ul.children.length) render(); return; }
      await readInto(value, mustHave, null);
    }
    text.addEventListener("keydown", (e) => {
      if (e.key === "Enter") { e.preventDefault(); commit(); }
      if (e.key === "Escape") { text.value = ""; commit(); $(mustHave ? "req-add-must" : "req-add-nice").focus(); }
    });
    text.addEventListener("blur", () => commit());
    line.append(text); li.append(line); ul.append(li); text.focus();
  }
  $("req-add-must").addEventListener("click", () => addLine(true));
  $("req-add-nice").addEventListener("click", () => addLine(false));

  $("req-save").addEventListener("click", async () => {
    if (!reqs || reading) return;
    $("req-error").textContent = "";
    const job = jobId;
    const body = { ...reqs, requirements: reqs.requirements.map(({ _unsaved, ...r }) => r) };
    try {
      const d = await API.call(`/api/v1/jobs/${job}/requirements`, body, "PUT");
      if (job !== jobId) return;
      reqs = d; render(); setDirty(false); say(I18N.t("req_saved"));
      document.dispatchEvent(new CustomEvent("requirementssaved", { detail: { job_id: job } }));
    } catch (err) { $("req-error").textContent = API.errorText(err); }
  });

  function show(job, data) {
    jobId = job; reqs = data; $("req-error").textContent = ""; render(); setDirty(false); say("");
  }
  async function load() {
    const job = $("job").value;
    if (!job || !canEdit || (job === jobId && reqs)) return;
    const n = ++seq; jobId = job; reqs = null; render();
    try {
      const d = await API.call(`/api/v1/jobs/${job}/requirements`);
      if (n === seq) show(job, d);
    } catch (err) { if (n === seq) $("req-error").textContent = API.errorText(err); }
  }
  $("job").addEventListener("change", () => load());

  // --- a job from its description ------------------------------------------------------------------------------
  let library = [];
  function renderLibrary() {
    // no plan is chosen for HR: a job gets the interview its recruiter picked, never the list's first by default
    const sel = $("jd-plan"); const keep = sel.value; sel.textContent = "";
    const none = el("option", I18N.t("jd_choose_plan")); none.value = ""; sel.append(none);
    for (const p of library) { const o = el("option", p.title[I18N.lang] || p.title.en); o.value = p.id; sel.append(o); }
    if (keep) sel.value = keep;
  }
  $("jd-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const errors = $("jd-errors"); errors.textContent = ""; $("jd-status").textContent = "";
    const title = $("jd-title").value.trim(); const description = $("jd-text").value;
    const missing = [];
    if (!title) missing.push(["jd-title", "jd_need_title"]);
    if (!description.trim()) missing.push(["jd-text", "jd_need_text"]);
    if (!$("jd-plan").value) missing.push(["jd-plan", "jd_need_plan"]);
    if (missing.length) {
      for (const [, key] of missing) errors.append(el("li", I18N.t(key)));
      for (const [id] of missing) $(id).setAttribute("aria-invalid", "true");
      $(missing[0][0]).focus(); return;
    }
    for (const id of ["jd-title", "jd-text", "jd-plan"]) $(id).removeAttribute("aria-invalid");
    const body = { title, description, library_plan: $("jd-plan").value };
    if ($("jd-lang").value) body.language = $("jd-lang").value;
    $("jd-submit").disabled = true; $("jd-status").textContent = I18N.t("jd_working");  // up to description_model_wait_s
    try {
      const d = await API.call("/api/v1/jobs/from-description", body);
      seq += 1; show(d.job.id, d.requirements);  // at once, from the answer
      const must = d.requirements.requirements.filter((r) => r.must_have).length;
      $("jd-status").textContent = I18N.t("jd_created", { title: d.job.title, must, nice: d.requirements.requirements.length - must })
        + (d.read_by === "model" ? (I18N.lang === "zh" ? "" : " ") + I18N.t("jd_by_model") : "");
      $("jd-title").value = ""; $("jd-text").value = "";
      document.dispatchEvent(new CustomEvent("jobcreated", { detail: d.job }));  // hr.js selects it in the job list
      $("req-h").setAttribute("tabindex", "-1"); $("req-h").focus();
    } catch (err) {
      $("jd-status").textContent = ""; errors.append(el("li", API.errorText(err)));
    } finally { $("jd-submit").disabled = false; }
  });

  document.addEventListener("hrready", async (e) => {
    canEdit = e.detail.user.role === "admin" || e.detail.user.role === "recruiter";
    if (!canEdit) return;  // the job's requirements are its recruiters' and admins' (hr.js hides the sections)
    load();
    try { library = (await API.call("/api/v1/plan-library")).plans; renderLibrary(); } catch (err) { /* the form says so on submit */ }
  });
  document.addEventListener("langchange", () => {
    renderLibrary(); if (reqs) render(); if (dirty) say(I18N.t("req_unsaved"));
    if (!canEdit) $("req-help").textContent += " " + I18N.t("req_readonly");
  });
})();
