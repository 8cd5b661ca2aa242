// HR page: a job from its pasted description, and the requirements of the selected job as two editable lists
// (must-have, nice-to-have). A changed line is read again by the server (POST .../requirements/read) so what the
// ranking will look for shows under it; "Save" stores the whole set (PUT .../requirements).
(function () {
  "use strict";
  I18N.add({ jd_h: "New job from a description", jd_title: "Job title", jd_text: "Job description (paste it here)",
    jd_help: "Must-have and nice-to-have requirements are read from it at once; you can edit them before ranking candidates.",
    jd_plan: "Interview plan", jd_lang_auto: "Language of the description", jd_submit: "Create job and read its requirements",
    jd_working: "Reading the description…", jd_created: "Job created: {title}. {must} must-haves and {nice} nice-to-haves read; check them below.",
    jd_by_model: "The language model recognised the description's section headings; the requirements were read under them.",
    jd_need_title: "Give the job a title.", jd_need_text: "Paste the job description.",
    req_h: "Requirements of the job selected above",
    req_help: "Read from the job description. Change a line and it is read again; move it between the lists, remove it or add one, then save: the ranking of candidates uses the saved set.",
    req_must_h: "Must-have", req_nice_h: "Nice-to-have", req_add_must: "Add a must-have", req_add_nice: "Add a nice-to-have",
    req_save: "Save requirements", req_saved: "Saved. The ranking uses these requirements now.",
    err_text_unreadable: "The text takes too long to read: shorten it or split its long lines.",
    req_unsaved: "Changes not saved yet.", req_reading: "Reading…", req_none: "None.", req_line: "Requirement",
    req_list: "List for: {text}", req_as_must: "Must-have", req_as_nice: "Nice-to-have", req_remove: "Remove: {text}",
    req_removed: "Removed: {text}", req_moved_must: "Moved to must-have: {text}", req_moved_nice: "Moved to nice-to-have: {text}",
    req_added: "Added: {text}", req_new: "New requirement", req_readonly: "Only HR users and admins can change them.",
    rk_skill: "Skill: {value}", rk_skill_any: "Skill: any of {value}", rk_expert: "expert level",
    rk_years: "At least {n} years of work", rk_years_in: "At least {n} years: {subject}",
    rk_degree: "Degree: {level} or higher", rk_degree_in: "Degree: {level} or higher, in {majors}",
    rk_language: "Language: {value}", rk_fluent: "fluent", rk_management: "Management experience",
    rk_team: "Has led a team of at least {n}",
    deg_none: "any", deg_associate: "associate", deg_bachelor: "bachelor's", deg_master: "master's", deg_phd: "doctorate" },
  { jd_h: "根据职位描述新建职位", jd_title: "职位名称", jd_text: "职位描述（粘贴到这里）",
    jd_help: "会立即从中读出必备条件和加分项；在为候选人排名之前可以修改。",
    jd_plan: "面试方案", jd_lang_auto: "与职位描述相同", jd_submit: "创建职位并读取要求",
    jd_working: "正在读取职位描述…", jd_created: "已创建职位：{title}。读出 {must} 项必备条件、{nice} 项加分项，请在下方核对。",
    jd_by_model: "职位描述的小标题由语言模型识别，条件按这些小标题读出。",
    jd_need_title: "请填写职位名称。", jd_need_text: "请粘贴职位描述。",
    req_h: "上方所选职位的要求",
    req_help: "从职位描述中读出。修改一行后会重新读取；可在两个列表之间移动、删除或添加，然后保存：候选人排名使用保存后的要求。",
    req_must_h: "必备条件", req_nice_h: "加分项", req_add_must: "添加必备条件", req_add_nice: "添加加分项",
    req_save: "保存要求", req_saved: "已保存，排名已按这些要求计算。",
    err_text_unreadable: "文本读取耗时过长：请缩短或把过长的行拆开。",
    req_unsaved: "有尚未保存的修改。", req_reading: "正在读取…", req_none: "无。", req_line: "要求",
    req_list: "所属列表：{text}", req_as_must: "必备", req_as_nice: "加分", req_remove: "删除：{text}",
    req_removed: "已删除：{text}", req_moved_must: "已移到必备条件：{text}", req_moved_nice: "已移到加分项：{text}",
    req_added: "已添加：{text}", req_new: "新要求", req_readonly: "只有 HR 和管理员可以修改。",
    rk_skill: "技能：{value}", rk_skill_any: "技能：{value} 任一", rk_expert: "精通",
    rk_years: "至少 {n} 年工作经验", rk_years_in: "至少 {n} 年：{subject}",
    rk_degree: "学历：{level}及以上", rk_degree_in: "学历：{level}及以上，专业：{majors}",
    rk_language: "语言：{value}", rk_fluent: "流利", rk_management: "管理经验",
    rk_team: "带领过至少 {n} 人的团队",
    deg_none: "不限", deg_associate: "大专", deg_bachelor: "本科", deg_master: "硕士", deg_phd: "博士" });
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
    const sel = $("jd-plan"); const keep = sel.value; sel.textContent = "";
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
    if (missing.length) {
      for (const [, key] of missing) errors.append(el("li", I18N.t(key)));
      for (const [id] of missing) $(id).setAttribute("aria-invalid", "true");
      $(missing[0][0]).focus(); return;
    }
    for (const id of ["jd-title", "jd-text"]) $(id).removeAttribute("aria-invalid");
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
