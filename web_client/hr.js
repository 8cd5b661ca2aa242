// HR page: create interview links and pick an interview to watch. Each section is for the roles in its data-roles
// (server/http/access.py): recruiters work on their jobs, hiring managers and observers read interviews.
(function () {
  I18N.add({ interviews: "Interviews", logout: "Log out", new_interview: "New interview", job: "Job",
    candidate_name: "Candidate name", candidate_email: "Candidate email (optional)", create_link: "Create interview link",
    link_for_candidate: "Link for the candidate:", all_interviews: "All interviews of your organisation",
    candidate: "Candidate", status: "Status", watch: "Watch", report: "Report", live: "live now",
    new_job: "New job from an interview plan", from_library: "From the plan library", paste_instead: "— or paste a plan below —",
    plan_text: "Plan (YAML or JSON)", interview_language: "Interview language", job_title: "Job title (optional)",
    create_job: "Create job", job_created: "Job created: {title}", plan_load: "Edit the plan of the job selected above",
    candidates_h: "Candidates for the job selected above", upload_resumes: "Upload resumes (PDF, DOCX, text)", upload: "Upload",
    must_all: "only candidates who meet every must-have", min_score: "minimum score", match: "Match", why: "Why",
    invite: "Invite", invited: "Interview link:", send_invite: "E-mail the link", invite_queued: "sending to {to}…", override: "HR decision", uploading: "Uploading {n} files…",
    met: "met", partly: "partly", missing: "missing", remove: "Remove",
    plan_save: "Save as a new plan version", plan_saved: "Saved: new interviews for {title} use this plan.",
    st_created: "invited", st_consented: "consented", st_live: "in progress", st_finished: "finished", st_failed: "failed",
    legal_hold: "legal hold", content_deleted: "transcript deleted (retention)",
    my_interviews: "Interviews of your jobs", observed_interviews: "Interviews you are invited to observe",
    role_admin: "admin", role_recruiter: "recruiter", role_hiring_manager: "hiring manager", role_observer: "observer",
    link_new: "New link", link_withdraw: "Withdraw link", link_withdrawn: "link withdrawn",
    link_new_for: "New link for {name}", link_withdraw_for: "Withdraw the link of {name}",
    link_issued: "New link (earlier links no longer work):", link_error: "The link could not be changed: {msg}" },
  { interviews: "面试", logout: "退出", new_interview: "新建面试", job: "职位", candidate_name: "候选人姓名",
    candidate_email: "候选人邮箱（可选）", create_link: "生成面试链接", link_for_candidate: "候选人链接：",
    all_interviews: "本组织的全部面试", candidate: "候选人", status: "状态", watch: "观看", report: "报告", live: "正在进行",
    new_job: "根据面试方案新建职位", from_library: "从方案库选择", paste_instead: "— 或在下方粘贴方案 —", plan_text: "方案（YAML 或 JSON）",
    interview_language: "面试语言", job_title: "职位名称（可选）", create_job: "创建职位", job_created: "已创建职位：{title}",
    candidates_h: "上方所选职位的候选人", upload_resumes: "上传简历（PDF、DOCX、文本）", upload: "上传", must_all: "仅显示满足全部必备条件的候选人",
    min_score: "最低分", send_invite: "发送邮件邀请", invite_queued: "正在发送至 {to}…", match: "匹配度", why: "原因", invite: "邀请", invited: "面试链接：", override: "HR 判定", uploading: "正在上传 {n} 个文件…",
    met: "满足", partly: "部分满足", missing: "不满足", remove: "删除",
    plan_load: "编辑上方所选职位的方案", plan_save: "保存为新的方案版本", plan_saved: "已保存：{title} 的新面试将使用此方案。",
    st_created: "已邀请", st_consented: "已同意", st_live: "进行中", st_finished: "已结束", st_failed: "失败",
    legal_hold: "法律保留", content_deleted: "文字稿已删除（保留期满）",
    my_interviews: "您负责的职位的面试", observed_interviews: "邀请您观看的面试",
    role_admin: "管理员", role_recruiter: "招聘专员", role_hiring_manager: "用人经理", role_observer: "观察员",
    link_new: "生成新链接", link_withdraw: "撤回链接", link_withdrawn: "链接已撤回",
    link_new_for: "为 {name} 生成新链接", link_withdraw_for: "撤回 {name} 的链接",
    link_issued: "新链接（之前的链接已失效）：", link_error: "无法更改链接：{msg}" });
  I18N.apply();
  const $ = (id) => document.getElementById(id);
  $("lang").onclick = () => { I18N.toggle(); refresh(); loadMatches(); showRole(); };
  function showRole() {  // who is logged in, and as what
    const role = $("who").dataset.role; if (!role) return;
    $("who").textContent = `${$("who").textContent.split(" · ")[0]} · ${I18N.t("role_" + role)}`;
  }
  $("logout").onclick = async () => { await fetch("/api/v1/auth/logout", { method: "POST" }); location.href = "/login"; };

  // Loads overlap (HR switches jobs while the first job's answer is on its way): only the newest call of a loader
  // may render, so an older answer never replaces a newer one. newestOnly("x") returns "is this still the newest?".
  const loadSeq = {};
  function newestOnly(name) { const n = (loadSeq[name] || 0) + 1; loadSeq[name] = n; return () => loadSeq[name] === n; }
  async function get(path) {
    const res = await fetch(path);
    if (res.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); throw new Error("login"); }
    return res.json();
  }
  let canRecruit = false;  // the job's candidates, interviews, invitations and times (admins and recruiters)
  let listKey = "all_interviews";
  async function init() {
    const me = await get("/api/v1/auth/me"); const role = me.user.role;
    $("who").textContent = me.user.email; $("who").dataset.role = role; showRole();
    for (const section of document.querySelectorAll("[data-roles]")) {
      section.classList.toggle("hidden", !section.dataset.roles.split(" ").includes(role));
    }
    canRecruit = role === "admin" || role === "recruiter";
    listKey = { admin: "all_interviews", observer: "observed_interviews" }[role] || "my_interviews";
    $("list-h").dataset.i18n = listKey; $("list-h").textContent = I18N.t(listKey);
    await loadJobs(); if (canRecruit) await loadLibrary();
    // the sections in their own files (access_log.js, retention.js, bias.js) start now, with who is logged in
    document.dispatchEvent(new CustomEvent("hrready", { detail: { user: me.user } }));
    await loadIntegrations();  // invitation channels and the DingTalk import, as set up on the server
    refresh(); loadMatches(); setInterval(refresh, 5000);
    loadLatestImport();  // bulk import
    loadSchedule();  // interview scheduling
  }
  async function loadJobs() {
    const jobs = await get("/api/v1/jobs"); $("job").textContent = "";
    for (const j of jobs.jobs) { const o = document.createElement("option"); o.value = j.id; o.textContent = j.title; $("job").append(o); }
  }
  async function loadLibrary() {
    const lib = await get("/api/v1/plan-library");
    for (const p of lib.plans) { const o = document.createElement("option"); o.value = p.id; o.textContent = p.title[I18N.lang] || p.title.en; $("plan-lib").append(o); }
  }
  $("plan-form").addEventListener("submit", async (e) => {
    e.preventDefault(); $("plan-errors").textContent = ""; $("plan-status").textContent = "";
    const body = { language: $("plan-lang").value };
    if ($("plan-title").value) body.title = $("plan-title").value;
    if ($("plan-lib").value) body.library_plan = $("plan-lib").value; else body.plan = $("plan-text").value;
    const res = await fetch("/api/v1/jobs/import", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const data = await res.json();
    if (!res.ok) { showProblems(data); return; }
    $("plan-status").textContent = I18N.t("job_created", { title: data.title }); await loadJobs(); $("job").value = data.id;
  });

  let editingJob = null;
  function showProblems(data) {
    const problems = (data.error.details && data.error.details.length) ? data.error.details : [{ message: data.error.message }];
    for (const p of problems) { const li = document.createElement("li"); li.textContent = p.field && !p.message.startsWith(p.field) ? `${p.field}: ${p.message}` : p.message; $("plan-errors").append(li); }
  }
  $("plan-load").addEventListener("click", async () => {
    $("plan-errors").textContent = ""; $("plan-status").textContent = "";
    editingJob = { id: $("job").value, title: $("job").selectedOptions[0].textContent };
    const res = await fetch(`/api/v1/jobs/${editingJob.id}/plan?format=yaml`);
    $("plan-text").value = await res.text(); $("plan-lib").value = ""; $("plan-save").classList.remove("hidden");
    $("plan-text").focus();
  });
  $("plan-save").addEventListener("click", async () => {
    $("plan-errors").textContent = ""; $("plan-status").textContent = "";
    const res = await fetch(`/api/v1/jobs/${editingJob.id}/plan`, { method: "PUT", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ plan: $("plan-text").value, language: $("plan-lang").value }) });
    const data = await res.json();
    if (!res.ok) { showProblems(data); return; }
    $("plan-status").textContent = I18N.t("plan_saved", { title: editingJob.title });
  });

  // --- candidates: resume upload, ranked matches with explanations, overrides, invitations ---------------
  const el = DOM.el;  // web_client/dom.js
  $("resume-upload").addEventListener("click", async () => {
    const files = $("resume-files").files; if (!files.length) return;
    $("upload-results").textContent = I18N.t("uploading", { n: files.length });
    const form = new FormData(); for (const f of files) form.append("files", f, f.name);
    const res = await fetch(`/api/v1/jobs/${$("job").value}/resumes`, { method: "POST", body: form });
    const data = await res.json(); $("upload-results").textContent = "";
    if (!res.ok) { $("upload-results").append(el("li", data.error.message, "error")); return; }
    for (const r of data.results) {  // a refused file: why, in the page's language, then the server's words
      const li = el("li", r.ok ? `✓ ${r.filename}: ${r.name}` : `✗ ${r.filename}: `, r.ok ? "" : "error");
      if (!r.ok) li.append(importError(r.error));
      $("upload-results").append(li);
    }
    loadMatches();
  });
  $("job").addEventListener("change", () => loadMatches());
  // requirements.js: a job made from a description joins the list, selected; saved requirements re-rank
  document.addEventListener("jobcreated", async (e) => {
    await loadJobs(); $("job").value = e.detail.id; $("job").dispatchEvent(new Event("change"));
  });
  document.addEventListener("requirementssaved", () => loadMatches());
  $("must-all").addEventListener("change", () => loadMatches());
  $("min-score").addEventListener("change", () => loadMatches());
  // Why a verdict was given, in the page's language: the reason codes of analyzers/documents/match_result.py
  // (REASONS); the server's English explanation when a code is not in the catalogue.
  I18N.add({ rs_skill_listed: "'{found}' is {skill}", rs_skill_in_text: "{skill} named in the resume text",
    rs_skill_implied: "'{found}' implies {skill}", rs_skill_similar: "'{skill}' ~ '{found}' (similarity {cosine})",
    rs_skill_closest: "not found; closest '{found}' (similarity {cosine})", rs_skill_not_found: "'{skill}' not found in the resume",
    rs_one_of: "one of {names}", rs_none_of: "none of {names} named in the resume",
    rs_below_expert: "'{found}' is a lower level than the expert use asked for",
    rs_country_elsewhere: "'{skill}' is asked for in {country}; the resume names only: {elsewhere}",
    rs_years_in: "{total} years of work, {have} of them in {subject} (internships and part-time excluded) vs {need} required: {status}",
    rs_years_in_any: "{total} years of work, {have} of them in the kind of work asked for (internships and part-time excluded) vs {need} required: {status}",
    rs_no_years: "no years of experience or dated work history in the resume", rs_years: "{have} years vs {need} required",
    rs_no_degree: "no degree stated in the resume", rs_degree: "highest degree {have_level} vs {need_level} required",
    rs_major_in: "major {major} is in {majors}", rs_major_not_in: "major {major} is not in {majors}",
    rs_major_unknown: "major not stated, {majors} required", rs_resume_language: "inferred from the resume's language: it is written in {language} (no level stated)",
    rs_language_working: "{language} stated at a working level",
    rs_language_not_fluent: "{language} named without a fluent or working level (an exam certificate or a basic level is not fluency)",
    rs_language_missing: "{language} not mentioned in the resume", rs_language_listed: "{found} listed under languages",
    rs_language_in_text: "{language} ability stated in the resume text",
    rs_team: "led a team of {size}",
    rs_team_vs: "led a team of {size} vs {need} required", rs_management_title: "management title '{title}'",
    rs_management_title_no_size: "management title '{title}'; team size not stated ({need} required)",
    rs_no_management: "no team led or management title in the resume" },
  { rs_skill_listed: "“{found}”即 {skill}", rs_skill_in_text: "简历正文提到 {skill}", rs_skill_implied: "“{found}”包含 {skill}",
    rs_skill_similar: "“{skill}”与“{found}”相近（相似度 {cosine}）", rs_skill_closest: "未找到；最接近的是“{found}”（相似度 {cosine}）",
    rs_skill_not_found: "简历中未找到“{skill}”", rs_one_of: "属于 {names} 之一", rs_none_of: "简历中未提到 {names} 中的任何一项",
    rs_below_expert: "“{found}”低于要求的精通程度",
    rs_country_elsewhere: "要求的是{country}的“{skill}”；简历只提到{elsewhere}",
    rs_years_in: "工作 {total} 年，其中 {subject} {have} 年（不含实习和兼职），要求 {need} 年：{status}",
    rs_years_in_any: "工作 {total} 年，其中所要求类型的工作 {have} 年（不含实习和兼职），要求 {need} 年：{status}",
    rs_no_years: "简历中没有工作年限或注明日期的工作经历", rs_years: "工作 {have} 年，要求 {need} 年",
    rs_no_degree: "简历中没有写明学历", rs_degree: "最高学历{have_level}，要求{need_level}",
    rs_major_in: "专业“{major}”属于{majors}", rs_major_not_in: "专业“{major}”不属于{majors}",
    rs_major_unknown: "未写明专业，要求{majors}", rs_resume_language: "由简历语言推断：简历用{language}书写（未写明水平）",
    rs_language_working: "写明{language}达到工作水平",
    rs_language_not_fluent: "提到{language}但未写明流利或工作水平（考试证书或基础水平不算流利）",
    rs_language_missing: "简历中未提到{language}", rs_language_listed: "语言一栏列有{found}",
    rs_language_in_text: "简历正文写明了{language}能力",
    rs_team: "带领过 {size} 人的团队", rs_team_vs: "带领过 {size} 人的团队，要求 {need} 人",
    rs_management_title: "管理职位“{title}”", rs_management_title_no_size: "管理职位“{title}”；未写明团队人数（要求 {need} 人）",
    rs_no_management: "简历中没有带团队或管理职位的经历" });
  function regionName(code) {  // ISO region codes (analyzers/documents/country_scope.py) in the page's language
    try { return new Intl.DisplayNames([I18N.lang === "zh" ? "zh-CN" : "en"], { type: "region" }).of(code) || code; } catch { return code; }
  }
  function reasonValue(key, v) {
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(key === "cosine" ? 2 : 1);
    if (key === "status") return I18N.t(v);
    if (key === "have_level" || key === "need_level") return I18N.t("deg_" + v);  // requirements.js has the names
    if (key === "language") return DOM.languageName(v);
    if (key === "country" || key === "elsewhere") return String(v).split(",").map((c) => regionName(c.trim())).join(I18N.lang === "zh" ? "、" : ", ");
    return v;
  }
  function reasonText(it) {
    if (!it.reasons || !it.reasons.length || it.reasons.some((r) => I18N.t("rs_" + r.code) === "rs_" + r.code)) return it.explanation;
    return it.reasons.map((r) => {
      const values = {}; for (const [k, v] of Object.entries(r.values)) values[k] = reasonValue(k, v);
      return I18N.t("rs_" + r.code, values);
    }).join(I18N.lang === "zh" ? "；" : "; ");
  }
  async function loadMatches() {
    if (!canRecruit || !$("job").value) return;
    const q = new URLSearchParams({ min_score: $("min-score").value || "0" });
    if ($("must-all").checked) q.set("must_haves", "all");
    const current = newestOnly("matches");
    const data = await get(`/api/v1/jobs/${$("job").value}/matches?${q}`);
    if (!current()) return;
    const rows = $("match-rows"); rows.textContent = "";
    for (const m of data.matches) {
      const tr = el("tr"); tr.append(el("td", m.name), el("td", `${Math.round(m.score)} (${m.must_haves_met}/${m.must_haves_total})`));
      const why = el("td"); const ul = el("ul", null, "evidence");
      for (const it of m.items) {
        const li = el("li"); li.append(el("span", I18N.t(it.status), "lbl-" + it.status), ` ${it.requirement}${it.must_have ? " *" : ""} `);
        if (it.evidence.length) li.append(el("q", it.evidence[0]));
        if (it.explanation) li.append(" — ", el("span", reasonText(it), "muted small reason"));  // why this verdict
        const sel = el("select"); sel.setAttribute("aria-label", `${I18N.t("override")}: ${it.requirement}`);
        for (const st of ["", "met", "partly", "missing"]) { const o = el("option", st ? I18N.t(st) : "—"); o.value = st; sel.append(o); }
        sel.addEventListener("change", async () => {
          if (!sel.value) return;
          await fetch(`/api/v1/jobs/${$("job").value}/matches/${m.candidate_id}/overrides`, { method: "POST",
            headers: { "Content-Type": "application/json" }, body: JSON.stringify({ requirement_id: it.requirement_id, status: sel.value }) });
          loadMatches();
        });
        li.append(" ", sel); ul.append(li);
      }
      why.append(ul); tr.append(why);
      const act = el("td"); const btn = el("button", I18N.t("invite")); btn.type = "button";
      btn.addEventListener("click", async () => {
        const res = await fetch("/api/v1/interviews", { method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ job_id: $("job").value, candidate_id: m.candidate_id }) });
        const d = await res.json();
        if (res.ok) { const a = el("a", d.link); a.href = d.link; act.textContent = I18N.t("invited") + " "; act.append(a); refresh(); }
      });
      act.append(btn); tr.append(act); rows.append(tr);
    }
  }

  // --- bulk candidate import: a zip of resumes and/or a CSV list, progress, per-file results -------------
  I18N.add({ import_h: "Import candidates in bulk for the job selected above",
    import_help: "A .zip of resumes (PDF, DOCX, text; folders allowed) and/or a .csv list with the columns name, email, phone and optionally resume (the resume text, or a file name in the zip). CSV in UTF-8 or GB18030, as Excel saves it.",
    import_choose: "Zip and/or CSV file", import_start: "Import", import_progress: "Import progress",
    import_results: "Result per file", import_file: "File", import_detail: "Details",
    imp_choose_first: "Choose a .zip and/or .csv file first.", imp_uploading: "Uploading…",
    imp_running: "{done} of {total} processed: {created} new, {duplicate} duplicates, {failed} failed",
    imp_done: "Done: {created} new candidates, {duplicate} duplicates, {failed} failed (of {total}).",
    imp_interrupted: "Interrupted after {done} of {total}: the server stopped. Upload the files again; candidates already imported are reported as duplicates.",
    imp_run_failed: "The import stopped on a server error after {done} of {total}.",
    imp_pending: "waiting", imp_created: "new candidate", imp_duplicate: "duplicate", imp_failed: "failed",
    err_scanned: "Scanned image without text (no OCR)", err_broken_file: "Damaged or unreadable file",
    err_unsupported_type: "Not a PDF, DOCX or text resume", err_empty: "No resume content", err_too_large: "File too large",
    err_duplicate: "Already a candidate for this job", err_invalid_email: "Invalid e-mail address",
    err_invalid_phone: "Invalid phone number", err_missing_name: "No name", err_missing_file: "File not in the zip",
    err_ambiguous_file: "Several files with this name", err_internal_error: "Server error",
    err_upload_too_large: "The upload is too large", err_unpacked_too_large: "Unpacks to too much data",
    err_text_too_long: "The text is too long for a resume", err_parse_limit: "Reading it took too long or too much memory",
    err_too_many_files: "Too many files", err_broken_archive: "The zip cannot be read", err_invalid_csv: "The CSV cannot be used",
    err_bad_encoding: "Unknown CSV encoding", err_no_rows: "The CSV has no candidates", err_no_files: "The zip has no resumes",
    err_import_busy: "Other imports are running", err_empty_file: "The file is empty",
    imp_http_error: "The upload failed (HTTP {status}); nothing was imported." },
  { import_h: "为上方所选职位批量导入候选人",
    import_help: "简历压缩包 .zip（PDF、DOCX、文本，可含子文件夹），和/或 .csv 名单：列为 姓名、邮箱、手机，可选 简历（简历文本，或压缩包中的文件名）。CSV 可为 UTF-8 或 GB18030（Excel 默认保存格式）。",
    import_choose: "压缩包和/或 CSV 文件", import_start: "导入", import_progress: "导入进度",
    import_results: "逐个文件的结果", import_file: "文件", import_detail: "说明",
    imp_choose_first: "请先选择 .zip 和/或 .csv 文件。", imp_uploading: "正在上传…",
    imp_running: "已处理 {done}/{total}：新增 {created}，重复 {duplicate}，失败 {failed}",
    imp_done: "完成：新增候选人 {created} 位，重复 {duplicate}，失败 {failed}（共 {total}）。",
    imp_interrupted: "已中断（处理了 {done}/{total}）：服务器已停止。请重新上传；已导入的候选人会标记为重复。",
    imp_run_failed: "导入因服务器错误中止（处理了 {done}/{total}）。",
    imp_pending: "等待中", imp_created: "新候选人", imp_duplicate: "重复", imp_failed: "失败",
    err_scanned: "扫描图片，无文字层（不支持 OCR）", err_broken_file: "文件损坏或无法读取",
    err_unsupported_type: "不是 PDF、DOCX 或文本简历", err_empty: "没有简历内容", err_too_large: "文件过大",
    err_duplicate: "已是该职位的候选人", err_invalid_email: "邮箱地址无效", err_invalid_phone: "手机号码无效",
    err_missing_name: "缺少姓名", err_missing_file: "压缩包中没有该文件", err_ambiguous_file: "有多个同名文件",
    err_internal_error: "服务器错误", err_upload_too_large: "上传的文件过大", err_unpacked_too_large: "解压后数据过大",
    err_text_too_long: "文字过长，不像一份简历", err_parse_limit: "读取耗时过长或占用内存过多",
    err_too_many_files: "文件过多", err_broken_archive: "压缩包无法读取", err_invalid_csv: "CSV 无法使用",
    err_bad_encoding: "无法识别 CSV 编码", err_no_rows: "CSV 中没有候选人", err_no_files: "压缩包中没有简历",
    err_import_busy: "其他导入正在进行", err_empty_file: "文件为空",
    imp_http_error: "上传失败（HTTP {status}），未导入任何内容。" });
  I18N.apply($("import-box"));
  let importTimer = null, lastImport = null;
  function importError(err) {  // the kind in the page's language, the server's exact words after it
    const span = el("span"); const known = I18N.t("err_" + err.code);
    if (known !== "err_" + err.code) span.append(el("strong", known), " ");
    span.append(el("span", err.message, "muted small")); return span;
  }
  function renderImport(d) {
    lastImport = d; $("import-view").classList.remove("hidden");
    const dt = d.source === "dingtalk", listing = dt && d.total === 0 && (d.status === "pending" || d.status === "running");
    const bar = $("import-progress");
    if (listing) bar.removeAttribute("value");  // DingTalk's candidates are still being listed: no total yet
    else { bar.max = Math.max(1, d.total); bar.value = d.done; }
    const vars = { done: d.done, total: d.total, created: d.created, duplicate: d.duplicate, failed: d.failed,
      updated: d.updated || 0, unchanged: d.unchanged || 0 };
    const key = ({ done: "imp_done", interrupted: "imp_interrupted", failed: "imp_run_failed" }[d.status] || "imp_running")
      .replace("imp_", dt ? "dt_" : "imp_");
    $("import-status").textContent = I18N.t(listing ? "dt_listing" : key, vars);
    if (dt && d.error) $("import-status").append(" ", importError(d.error));  // why it failed, or what was left out
    $("import-status").className = d.status === "interrupted" || d.status === "failed" ? "error" : "";
    $("import-file-col").dataset.i18n = dt ? "dt_item" : "import_file"; $("import-file-col").textContent = I18N.t($("import-file-col").dataset.i18n);
    $("import-caption").dataset.i18n = dt ? "dt_results" : "import_results"; $("import-caption").textContent = I18N.t($("import-caption").dataset.i18n);
    const rows = $("import-rows"); rows.textContent = "";
    for (const it of d.items || []) {
      const tr = el("tr"); const cls = { created: "lbl-met", updated: "lbl-met", duplicate: "lbl-partly", failed: "lbl-missing" }[it.status] || "muted";
      const detail = el("td"); if (it.error) detail.append(importError(it.error));
      tr.append(el("td", it.filename), el("td", I18N.t("imp_" + it.status), cls), el("td", it.name || "–"), detail);
      rows.append(tr);
    }
  }
  async function pollImport(id) {
    clearTimeout(importTimer);
    const d = await get(`/api/v1/imports/${id}`);
    if (d.job_id !== $("job").value) return;  // HR switched jobs meanwhile
    renderImport(d);
    if (d.status === "pending" || d.status === "running") importTimer = setTimeout(() => pollImport(id), 1000);
    else loadMatches();
  }
  async function loadLatestImport() {  // the job's latest import, followed while it runs
    clearTimeout(importTimer); lastImport = null; $("import-view").classList.add("hidden"); $("import-error").textContent = "";
    if (!canRecruit || !$("job").value) return;
    const list = await get(`/api/v1/jobs/${$("job").value}/imports`);
    if (list.imports && list.imports.length) pollImport(list.imports[0].id);
  }
  $("import-start").addEventListener("click", async () => {
    const files = $("import-files").files; $("import-error").textContent = "";
    if (!files.length) { $("import-error").textContent = I18N.t("imp_choose_first"); return; }
    const form = new FormData(); for (const f of files) form.append("file", f, f.name);
    clearTimeout(importTimer); $("import-start").disabled = true;
    $("import-view").classList.remove("hidden"); $("import-rows").textContent = "";
    $("import-progress").removeAttribute("value"); $("import-status").className = ""; $("import-status").textContent = I18N.t("imp_uploading");
    try {
      const res = await fetch(`/api/v1/jobs/${$("job").value}/imports`, { method: "POST", body: form });
      const d = await res.json().catch(() => ({ error: { code: "http_" + res.status, message: I18N.t("imp_http_error", { status: res.status }) } }));
      if (!res.ok) { $("import-view").classList.add("hidden"); $("import-error").append(importError(d.error)); return; }
      renderImport(d); pollImport(d.id);
    } catch (e) {  // the connection broke during the upload
      $("import-view").classList.add("hidden"); $("import-error").textContent = I18N.t("imp_http_error", { status: "–" });
    } finally { $("import-start").disabled = false; }
  });
  $("job").addEventListener("change", loadLatestImport);
  document.addEventListener("langchange", () => { if (lastImport) renderImport(lastImport); });
  // --- end of bulk candidate import ----------------------------------------------------------------------

  // --- DingTalk: import a recruiting job's candidates; invitations by e-mail, DingTalk work notice or webhook ------
  I18N.add({ dt_import_h: "Import from DingTalk",
    dt_import_help: "The candidates of a job in DingTalk recruiting, with their resumes; importing again updates them. Someone who is already a candidate for this job (same e-mail or phone) is not added twice.",
    dt_ats_job: "DingTalk recruiting job id", dt_import_start: "Import from DingTalk", dt_job_first: "Enter the job's id in DingTalk recruiting first.",
    dt_item: "DingTalk candidate", dt_results: "Result per candidate",
    dt_listing: "Reading the candidates of the DingTalk job…",
    dt_running: "{done} of {total} candidates: {created} new, {updated} updated, {unchanged} unchanged, {duplicate} duplicates, {failed} failed",
    dt_done: "Done: {created} new, {updated} updated, {unchanged} unchanged, {duplicate} duplicates, {failed} failed (of {total} candidates in DingTalk).",
    dt_run_failed: "The import from DingTalk stopped after {done} of {total} candidates.",
    dt_interrupted: "Interrupted after {done} of {total} candidates: the server stopped. Import again; candidates already imported are recognised.",
    imp_updated: "updated", imp_unchanged: "unchanged",
    err_no_resume: "No resume in DingTalk", err_dingtalk_error: "DingTalk refused", err_dingtalk_auth_failed: "DingTalk refused the app's credentials",
    err_dingtalk_rate_limited: "DingTalk's rate limit", err_dingtalk_unavailable: "DingTalk cannot be reached",
    err_truncated: "Not every candidate was imported", err_dingtalk_not_configured: "DingTalk is not set up on this server",
    err_dingtalk_operator_not_configured: "The DingTalk import is not set up on this server",
    err_no_recipient: "No recipient", err_email_not_configured: "E-mail is not set up on this server",
    err_webhook_not_configured: "The webhook is not set up on this server", err_interview_finished: "The interview has ended",
    err_invalid_request: "Invalid input",
    inv_channel: "Send via", ch_email: "E-mail", ch_dingtalk: "DingTalk work notice", ch_webhook: "Webhook",
    inv_userid: "DingTalk userid", send_dingtalk: "Send as work notice", send_webhook: "Send to the webhook",
    inv_userid_first: "Enter the candidate's DingTalk userid (one, without spaces or commas).",
    inv_sent: "sent to {to}", inv_failed: "not delivered to {to} ({n} tries):", inv_states: "Invitations",
    inv_http_error: "The server could not be reached; nothing was sent.", inv_on: "{channel}: " },
  { dt_import_h: "从钉钉导入",
    dt_import_help: "钉钉招聘中某个职位的候选人及其简历；再次导入会更新已导入的候选人。已是本职位候选人的人（邮箱或手机相同）不会重复添加。",
    dt_ats_job: "钉钉招聘职位 ID", dt_import_start: "从钉钉导入", dt_job_first: "请先填写钉钉招聘中的职位 ID。",
    dt_item: "钉钉候选人", dt_results: "逐个候选人的结果",
    dt_listing: "正在读取钉钉职位的候选人…",
    dt_running: "已处理 {done}/{total} 位候选人：新增 {created}，更新 {updated}，无变化 {unchanged}，重复 {duplicate}，失败 {failed}",
    dt_done: "完成：新增 {created}，更新 {updated}，无变化 {unchanged}，重复 {duplicate}，失败 {failed}（钉钉中共 {total} 位候选人）。",
    dt_run_failed: "从钉钉导入在处理 {done}/{total} 位候选人后中止。",
    dt_interrupted: "已中断（处理了 {done}/{total} 位候选人）：服务器已停止。请再次导入；已导入的候选人会被识别。",
    imp_updated: "已更新", imp_unchanged: "无变化",
    err_no_resume: "钉钉中没有简历", err_dingtalk_error: "钉钉拒绝了请求", err_dingtalk_auth_failed: "钉钉拒绝了应用凭证",
    err_dingtalk_rate_limited: "钉钉调用频率限制", err_dingtalk_unavailable: "无法连接钉钉",
    err_truncated: "并非所有候选人都已导入", err_dingtalk_not_configured: "本服务器未配置钉钉",
    err_dingtalk_operator_not_configured: "本服务器未配置钉钉导入",
    err_no_recipient: "没有收件人", err_email_not_configured: "本服务器未配置邮件",
    err_webhook_not_configured: "本服务器未配置 Webhook", err_interview_finished: "面试已结束",
    err_invalid_request: "输入无效",
    inv_channel: "发送方式", ch_email: "邮件", ch_dingtalk: "钉钉工作通知", ch_webhook: "Webhook",
    inv_userid: "钉钉 userid", send_dingtalk: "发送工作通知", send_webhook: "发送到 Webhook",
    inv_userid_first: "请填写候选人的钉钉 userid（一个，不含空格或逗号）。",
    inv_sent: "已发送至 {to}", inv_failed: "未能送达 {to}（尝试 {n} 次）：", inv_states: "邀请",
    inv_http_error: "无法连接服务器，未发送任何内容。", inv_on: "{channel}：" });
  I18N.apply($("dt-import"));
  let integrations = { invitation_channels: [], dingtalk_import: false };
  async function loadIntegrations() {
    const d = await get("/api/v1/integrations");  // on an error: nothing offered, the rest of the page works
    integrations = { invitation_channels: d.invitation_channels || [], dingtalk_import: !!d.dingtalk_import };
    $("dt-import").classList.toggle("hidden", !integrations.dingtalk_import);
  }
  $("dt-import").addEventListener("submit", async (e) => {
    e.preventDefault(); $("import-error").textContent = "";
    const atsJob = $("dt-ats-job").value.trim();
    if (!atsJob) { $("import-error").textContent = I18N.t("dt_job_first"); $("dt-ats-job").focus(); return; }
    clearTimeout(importTimer); $("dt-import-start").disabled = true;
    try {
      const res = await fetch(`/api/v1/jobs/${$("job").value}/imports/dingtalk`, { method: "POST",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ats_job_id: atsJob }) });
      const d = await res.json().catch(() => ({ error: { code: "http_" + res.status, message: `HTTP ${res.status}` } }));
      if (!res.ok) { $("import-error").append(importError(d.error)); return; }
      renderImport(d); pollImport(d.id);
    } catch (err) {
      $("import-error").textContent = I18N.t("imp_http_error", { status: "–" });
    } finally { $("dt-import-start").disabled = false; }
  });

  const inviteBoxes = new Map();  // interview id -> its invite control, kept while the list refreshes every 5 s
  function inviteControl(iv) {
    const channels = integrations.invitation_channels;
    if (!channels.length) return null;
    if (inviteBoxes.has(iv.id)) return inviteBoxes.get(iv.id).box;
    const box = el("div", null, "invite-box"), n = inviteBoxes.size;
    const chLabel = el("label"); const sel = el("select"); sel.id = chLabel.htmlFor = `inv-ch-${n}`;
    for (const c of channels) { const o = el("option"); o.value = c; sel.append(o); }
    const uidLabel = el("label"); const uid = el("input"); uid.type = "text"; uid.id = uidLabel.htmlFor = `inv-uid-${n}`;
    uid.maxLength = 64; uid.autocomplete = "off"; uid.spellcheck = false;
    const send = el("button", null, "secondary"); send.type = "button";
    const error = el("span", null, "error"); error.setAttribute("role", "alert");
    const states = el("ul", null, "invite-states"); states.setAttribute("aria-live", "polite");
    if (channels.length > 1) box.append(chLabel, sel);
    box.append(uidLabel, uid, send, error, states);
    let invitations = [], timer = null;
    function render() {
      const ch = sel.value;
      chLabel.textContent = I18N.t("inv_channel");
      for (const o of sel.options) o.textContent = I18N.t("ch_" + o.value);
      uidLabel.textContent = I18N.t("inv_userid");
      uidLabel.classList.toggle("hidden", ch !== "dingtalk"); uid.classList.toggle("hidden", ch !== "dingtalk");
      send.textContent = I18N.t({ email: "send_invite", dingtalk: "send_dingtalk", webhook: "send_webhook" }[ch]);
      states.setAttribute("aria-label", I18N.t("inv_states"));
      states.textContent = "";
      for (const inv of invitations) {
        const li = el("li"); const name = I18N.t("inv_on", { channel: I18N.t("ch_" + inv.channel) });
        if (inv.status === "pending") li.append(name + I18N.t("invite_queued", { to: inv.recipient }));
        else if (inv.status === "sent") li.append(el("span", name + I18N.t("inv_sent", { to: inv.recipient }), "lbl-met"));
        else {
          li.append(el("span", name + I18N.t("inv_failed", { to: inv.recipient, n: inv.attempts }), "lbl-missing"), " ",
            el("span", inv.last_error, "muted small"));
        }
        states.append(li);
      }
    }
    async function load() {  // the interview's invitations; followed while one is on its way
      clearTimeout(timer);
      const d = await get(`/api/v1/interviews/${iv.id}/invitations`);
      invitations = d.invitations; render();
      if (invitations.some((i) => i.status === "pending")) timer = setTimeout(load, 1500);
    }
    sel.addEventListener("change", () => { error.textContent = ""; render(); });
    send.addEventListener("click", async () => {
      error.textContent = "";
      const body = { channel: sel.value };
      if (sel.value === "dingtalk") {
        body.dingtalk_userid = uid.value.trim();
        if (!/^[^,\s]+$/.test(body.dingtalk_userid)) { error.textContent = I18N.t("inv_userid_first"); uid.focus(); return; }
      }
      send.disabled = true;
      try {
        const res = await fetch(`/api/v1/interviews/${iv.id}/invitations`, { method: "POST",
          headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
        const d = await res.json().catch(() => ({ error: { code: "http_" + res.status, message: `HTTP ${res.status}` } }));
        if (!res.ok) { error.append(importError(d.error)); return; }
        invitations = invitations.filter((i) => i.id !== d.id).concat([d]); render();  // at once, then followed
        timer = setTimeout(load, 1500);
      } catch (err) { error.textContent = I18N.t("inv_http_error"); } finally { send.disabled = false; }
    });
    inviteBoxes.set(iv.id, { box, render });
    render(); load();
    return box;
  }
  document.addEventListener("langchange", () => { for (const b of inviteBoxes.values()) b.render(); });
  // --- end of DingTalk ---------------------------------------------------------------------------------------

  // --- the candidate's link: a new one (earlier ones stop working at once) or withdrawn (server/http/routes/links.py) ---
  const issuedLinks = new Map();  // interview id -> the link issued on this page (kept while the list refreshes)
  const linkErrors = new Map();  // interview id -> why the last change failed (kept likewise)
  function linkControl(iv) {
    const box = el("div", null, "link-box");
    const change = async (method) => {
      linkErrors.delete(iv.id);
      try {
        const d = await API.call(`/api/v1/interviews/${iv.id}/link`, null, method);
        if (method === "POST") issuedLinks.set(iv.id, d.link); else issuedLinks.delete(iv.id);
      } catch (err) { linkErrors.set(iv.id, I18N.t("link_error", { msg: API.errorText(err) })); }
      await refresh();
    };
    const fresh = el("button", I18N.t("link_new"), "secondary"); fresh.type = "button";
    fresh.setAttribute("aria-label", I18N.t("link_new_for", { name: iv.candidate_name }));
    fresh.addEventListener("click", () => change("POST"));
    box.append(fresh);
    if (!iv.link_revoked) {
      const withdraw = el("button", I18N.t("link_withdraw"), "secondary danger"); withdraw.type = "button";
      withdraw.setAttribute("aria-label", I18N.t("link_withdraw_for", { name: iv.candidate_name }));
      withdraw.addEventListener("click", () => change("DELETE"));
      box.append(withdraw);
    }
    if (issuedLinks.has(iv.id) && !iv.link_revoked) {
      const p = el("span", I18N.t("link_issued") + " "); const a = el("a", issuedLinks.get(iv.id));
      a.href = issuedLinks.get(iv.id); p.append(a); box.append(p);
    }
    if (linkErrors.has(iv.id)) {  // an alert only when there is something to say (the row has the invitation's too)
      const msg = el("span", linkErrors.get(iv.id), "error"); msg.setAttribute("role", "alert"); box.append(msg);
    }
    return box;
  }

  async function refresh() {
    const data = await get("/api/v1/interviews");
    document.dispatchEvent(new CustomEvent("interviewslisted", { detail: data.interviews }));  // team.js
    const rows = $("rows"); rows.textContent = "";
    for (const iv of data.interviews) {
      const tr = document.createElement("tr");
      const cells = [iv.candidate_name, iv.job_title, I18N.t("st_" + iv.status) + (iv.live_connected ? " · " + I18N.t("live") : "")
        + (iv.legal_hold ? " · " + I18N.t("legal_hold") : "") + (iv.content_deleted ? " · " + I18N.t("content_deleted") : "")
        + (iv.link_revoked ? " · " + I18N.t("link_withdrawn") : "")];
      for (const c of cells) { const td = document.createElement("td"); td.textContent = c; tr.append(td); }
      const td = document.createElement("td"); const a = document.createElement("a");
      a.href = "/observe/" + iv.id; a.textContent = I18N.t("watch"); td.append(a);
      if (canRecruit && (iv.status === "created" || iv.status === "consented")) {
        const invite = iv.link_revoked ? null : inviteControl(iv);  // channel, recipient, delivery state (kept across refreshes)
        if (invite) td.append(invite);
      }
      if (canRecruit && iv.status !== "finished" && iv.status !== "failed") td.append(linkControl(iv));
      if (iv.status === "finished" || iv.status === "live") {
        const r = document.createElement("a"); r.href = "/reports/" + iv.id; r.textContent = I18N.t("report");
        td.append(" · ", r);
      }
      tr.append(td); rows.append(tr);
    }
  }
  $("create").addEventListener("submit", async (e) => {
    e.preventDefault(); $("create-error").textContent = "";
    const res = await fetch("/api/v1/interviews", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ job_id: $("job").value, candidate: { name: $("cand-name").value, email: $("cand-email").value } }) });
    const data = await res.json();
    if (!res.ok) { $("create-error").textContent = data.error.message; return; }
    $("created-link").href = data.link; $("created-link").textContent = data.link; $("created").classList.remove("hidden"); refresh();
  });
  // --- interview scheduling: the job's windows and slots, candidates' times, no-shows ------------------------
  I18N.add({ sched_h: "Interview times for the job selected above",
    sched_immediate: "Candidates may start at once (otherwise only in a booked time)", sched_minutes: "Slot length (minutes)",
    sched_save: "Save settings", sched_saved: "Saved.", win_legend: "Offer a window (your time zone: {zone})", win_start: "From",
    win_end: "To", win_cap: "Candidates per slot", win_add: "Add window", win_added: "{n} slots added.",
    sched_slots: "Offered slots", sched_bookings: "Candidates' interview times", sched_time: "Time", sched_booked: "Booked",
    sched_state: "Schedule", sched_none: "No slots offered yet.", win_fill: "Give the window's start and end.",
    ss_unscheduled: "not booked", ss_booked: "booked", ss_cancelled: "cancelled", ss_no_show: "no-show",
    mark_no_show: "Mark as no-show", unmark_no_show: "Take back no-show", sched_theirs: "candidate's time" },
  { sched_h: "上方所选职位的面试时间", sched_immediate: "候选人可随时开始（否则只能在预约的时间）", sched_minutes: "每个时段长度（分钟）",
    sched_save: "保存设置", sched_saved: "已保存。", win_legend: "开放一个时间窗口（您的时区：{zone}）", win_start: "开始", win_end: "结束",
    win_cap: "每个时段的候选人数", win_add: "添加窗口", win_added: "已添加 {n} 个时段。", sched_slots: "已开放的时段",
    sched_bookings: "候选人的面试时间", sched_time: "时间", sched_booked: "已预约", sched_state: "预约状态",
    sched_none: "尚未开放任何时段。", win_fill: "请填写窗口的开始和结束时间。",
    ss_unscheduled: "未预约", ss_booked: "已预约", ss_cancelled: "已取消", ss_no_show: "未出席",
    mark_no_show: "标记为未出席", unmark_no_show: "撤销未出席", sched_theirs: "候选人当地时间" });
  const hrZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  let schedData = null;
  const whenText = (iso) => DOM.dateTime(iso,
    { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  function schedMsg(ok, text) { $("sched-status").textContent = ok ? text : ""; $("sched-error").textContent = ok ? "" : text; }
  async function schedCall(method, path, body) {
    const res = await fetch(path, { method, headers: { "Content-Type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
    const d = res.status === 204 ? {} : await res.json();
    if (!res.ok) throw new Error(d.error.message);
    return d;
  }
  function renderSchedule() {
    const d = schedData; if (!d) return;
    I18N.apply($("sched-box"));
    $("win-legend").textContent = I18N.t("win_legend", { zone: hrZone });
    $("sched-immediate").checked = d.allow_immediate; $("sched-minutes").value = d.slot_minutes;
    const slots = $("sched-slots"); slots.textContent = "";
    if (!d.slots.length) { const tr = el("tr"); const td = el("td", I18N.t("sched_none"), "muted"); td.colSpan = 3; tr.append(td); slots.append(tr); }
    for (const s of d.slots) {
      const tr = el("tr"); const act = el("td");
      if (s.booked === 0) {
        const b = el("button", I18N.t("remove"), "secondary"); b.type = "button";
        b.setAttribute("aria-label", `${I18N.t("remove")}: ${whenText(s.starts_at)}`);
        b.addEventListener("click", async () => {
          try { await schedCall("DELETE", `/api/v1/jobs/${d.job_id}/slots/${s.id}`); await loadSchedule(); } catch (e) { schedMsg(false, e.message); }
        });
        act.append(b);
      }
      const end = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(s.ends_at));
      tr.append(el("td", `${whenText(s.starts_at)}–${end}`), el("td", `${s.booked}/${s.capacity}`), act);
      slots.append(tr);
    }
    const rows = $("sched-bookings"); rows.textContent = "";
    for (const b of d.bookings) {
      const tr = el("tr"); const act = el("td");
      const mark = b.schedule_status === "booked" ? true : b.schedule_status === "no_show" ? false : null;
      if (mark !== null && (b.interview_status === "created" || b.interview_status === "consented")) {
        const btn = el("button", I18N.t(mark ? "mark_no_show" : "unmark_no_show"), "secondary"); btn.type = "button";
        btn.addEventListener("click", async () => {
          try { await schedCall("PUT", `/api/v1/interviews/${b.interview_id}/no-show`, { no_show: mark }); await loadSchedule(); }
          catch (e) { schedMsg(false, e.message); }
        });
        act.append(btn);
      }
      let when = b.scheduled_at ? whenText(b.scheduled_at) : "–";
      if (b.scheduled_at && b.candidate_timezone && b.candidate_timezone !== hrZone) {
        try {  // and in the candidate's own time, as they were told
          const theirs = new Intl.DateTimeFormat(I18N.lang === "zh" ? "zh-CN" : "en-GB", { timeZone: b.candidate_timezone,
            weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(b.scheduled_at));
          when += ` (${I18N.t("sched_theirs")}: ${theirs} ${b.candidate_timezone})`;
        } catch (e) { /* unknown zone in this browser: HR's time only */ }
      }
      tr.append(el("td", b.candidate_name), el("td", when),
        el("td", I18N.t("ss_" + b.schedule_status), b.schedule_status === "no_show" ? "lbl-missing" : ""), act);
      rows.append(tr);
    }
  }
  async function loadSchedule() {
    if (!canRecruit || !$("job").value) return;
    const current = newestOnly("schedule");
    const d = await get(`/api/v1/jobs/${$("job").value}/schedule`);
    if (current()) { schedData = d; renderSchedule(); }
  }
  $("sched-save").addEventListener("click", async () => {
    try {
      schedData = await schedCall("PUT", `/api/v1/jobs/${$("job").value}/schedule`,
        { allow_immediate: $("sched-immediate").checked, slot_minutes: Number($("sched-minutes").value) });
      renderSchedule(); schedMsg(true, I18N.t("sched_saved"));
    } catch (e) { schedMsg(false, e.message); }
  });
  $("win-add").addEventListener("click", async () => {
    if (!$("win-start").value || !$("win-end").value) { schedMsg(false, I18N.t("win_fill")); return; }
    try {  // datetime-local is the HR user's local time; the API takes it with its UTC offset
      const r = await schedCall("POST", `/api/v1/jobs/${$("job").value}/windows`, {
        starts_at: new Date($("win-start").value).toISOString(), ends_at: new Date($("win-end").value).toISOString(),
        capacity: Number($("win-cap").value) || 1 });
      await loadSchedule(); schedMsg(true, I18N.t("win_added", { n: r.slots.length }));
    } catch (e) { schedMsg(false, e.message); }
  });
  $("job").addEventListener("change", () => { schedMsg(true, ""); loadSchedule(); });
  document.addEventListener("langchange", renderSchedule);
  // --- end of interview scheduling ---------------------------------------------------------------------------

  init();
})();
