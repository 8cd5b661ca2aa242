// HR page: create interview links and pick an interview to watch.
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
    met: "met", partly: "partly", missing: "missing", requirements_h: "Requirements (from the job description; editable)",
    req_kind: "Kind", req_text: "Requirement", req_value: "Value", req_must: "Must-have", req_add: "Add a skill requirement",
    req_save: "Save requirements", req_saved: "Saved; the ranking uses them now.", remove: "Remove",
    plan_save: "Save as a new plan version", plan_saved: "Saved: new interviews for {title} use this plan.",
    st_created: "invited", st_consented: "consented", st_live: "in progress", st_finished: "finished", st_failed: "failed" },
  { interviews: "面试", logout: "退出", new_interview: "新建面试", job: "职位", candidate_name: "候选人姓名",
    candidate_email: "候选人邮箱（可选）", create_link: "生成面试链接", link_for_candidate: "候选人链接：",
    all_interviews: "本组织的全部面试", candidate: "候选人", status: "状态", watch: "观看", report: "报告", live: "正在进行",
    new_job: "根据面试方案新建职位", from_library: "从方案库选择", paste_instead: "— 或在下方粘贴方案 —", plan_text: "方案（YAML 或 JSON）",
    interview_language: "面试语言", job_title: "职位名称（可选）", create_job: "创建职位", job_created: "已创建职位：{title}",
    candidates_h: "上方所选职位的候选人", upload_resumes: "上传简历（PDF、DOCX、文本）", upload: "上传", must_all: "仅显示满足全部必备条件的候选人",
    min_score: "最低分", send_invite: "发送邮件邀请", invite_queued: "正在发送至 {to}…", match: "匹配度", why: "原因", invite: "邀请", invited: "面试链接：", override: "HR 判定", uploading: "正在上传 {n} 个文件…",
    met: "满足", partly: "部分满足", missing: "不满足", requirements_h: "职位要求（从职位描述提取，可编辑）", req_kind: "类型",
    req_text: "要求", req_value: "取值", req_must: "必备", req_add: "添加技能要求", req_save: "保存要求", req_saved: "已保存，排名已按新要求计算。",
    remove: "删除",
    plan_load: "编辑上方所选职位的方案", plan_save: "保存为新的方案版本", plan_saved: "已保存：{title} 的新面试将使用此方案。",
    st_created: "已邀请", st_consented: "已同意", st_live: "进行中", st_finished: "已结束", st_failed: "失败" });
  I18N.apply();
  const $ = (id) => document.getElementById(id);
  $("lang").onclick = () => { I18N.toggle(); refresh(); };
  $("logout").onclick = async () => { await fetch("/api/v1/auth/logout", { method: "POST" }); location.href = "/login"; };

  async function get(path) {
    const res = await fetch(path);
    if (res.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); throw new Error("login"); }
    return res.json();
  }
  async function init() {
    const me = await get("/api/v1/auth/me"); $("who").textContent = me.user.email;
    await loadJobs(); await loadLibrary();
    refresh(); loadMatches(); loadRequirements(); setInterval(refresh, 5000);
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
  const el = (tag, text, cls) => { const x = document.createElement(tag); if (text != null) x.textContent = text; if (cls) x.className = cls; return x; };
  $("resume-upload").addEventListener("click", async () => {
    const files = $("resume-files").files; if (!files.length) return;
    $("upload-results").textContent = I18N.t("uploading", { n: files.length });
    const form = new FormData(); for (const f of files) form.append("files", f, f.name);
    const res = await fetch(`/api/v1/jobs/${$("job").value}/resumes`, { method: "POST", body: form });
    const data = await res.json(); $("upload-results").textContent = "";
    if (!res.ok) { $("upload-results").append(el("li", data.error.message, "error")); return; }
    for (const r of data.results) $("upload-results").append(el("li", r.ok ? `✓ ${r.filename}: ${r.name}` : `✗ ${r.filename}: ${r.error.message}`, r.ok ? "" : "error"));
    loadMatches();
  });
  let reqs = null;
  async function loadRequirements() {
    if (!$("job").value) return;
    reqs = await get(`/api/v1/jobs/${$("job").value}/requirements`);
    renderRequirements();
  }
  function renderRequirements() {
    const rows = $("req-rows"); rows.textContent = "";
    reqs.requirements.forEach((r, i) => {
      const tr = el("tr");
      const text = el("input"); text.type = "text"; text.value = r.text; text.setAttribute("aria-label", I18N.t("req_text"));
      text.addEventListener("change", () => { r.text = text.value; if (r.kind === "skill") r.value = text.value; });
      const must = el("input"); must.type = "checkbox"; must.checked = r.must_have; must.setAttribute("aria-label", I18N.t("req_must"));
      must.addEventListener("change", () => { r.must_have = must.checked; });
      const rm = el("button", I18N.t("remove"), "secondary"); rm.type = "button";
      rm.addEventListener("click", () => { reqs.requirements.splice(i, 1); renderRequirements(); });
      const tdText = el("td"); tdText.append(text); const tdMust = el("td"); tdMust.append(must); const tdRm = el("td"); tdRm.append(rm);
      tr.append(el("td", r.kind), tdText, el("td", r.value == null ? "–" : String(r.value)), tdMust, tdRm); rows.append(tr);
    });
  }
  $("req-add").addEventListener("click", () => {
    const n = reqs.requirements.length + 1;
    reqs.requirements.push({ id: `hr-${Date.now()}-${n}`, kind: "skill", text: "New skill", must_have: false, value: "New skill", source: "" });
    renderRequirements();
  });
  $("req-save").addEventListener("click", async () => {
    $("req-status").textContent = "";
    const res = await fetch(`/api/v1/jobs/${$("job").value}/requirements`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(reqs) });
    const d = await res.json();
    if (!res.ok) { $("req-status").textContent = d.error.message; return; }
    reqs = d; renderRequirements(); $("req-status").textContent = I18N.t("req_saved"); loadMatches();
  });
  $("job").addEventListener("change", () => { loadMatches(); loadRequirements(); });
  $("must-all").addEventListener("change", () => loadMatches());
  $("min-score").addEventListener("change", () => loadMatches());
  async function loadMatches() {
    if (!$("job").value) return;
    const q = new URLSearchParams({ min_score: $("min-score").value || "0" });
    if ($("must-all").checked) q.set("must_haves", "all");
    const data = await get(`/api/v1/jobs/${$("job").value}/matches?${q}`);
    const rows = $("match-rows"); rows.textContent = "";
    for (const m of data.matches) {
      const tr = el("tr"); tr.append(el("td", m.name), el("td", `${Math.round(m.score)} (${m.must_haves_met}/${m.must_haves_total})`));
      const why = el("td"); const ul = el("ul", null, "evidence");
      for (const it of m.items) {
        const li = el("li"); li.append(el("span", I18N.t(it.status), "lbl-" + it.status), ` ${it.requirement}${it.must_have ? " *" : ""} `);
        if (it.evidence.length) li.append(el("q", it.evidence[0]));
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

  async function refresh() {
    const data = await get("/api/v1/interviews");
    const rows = $("rows"); rows.textContent = "";
    for (const iv of data.interviews) {
      const tr = document.createElement("tr");
      const cells = [iv.candidate_name, iv.job_title, I18N.t("st_" + iv.status) + (iv.live_connected ? " · " + I18N.t("live") : "")];
      for (const c of cells) { const td = document.createElement("td"); td.textContent = c; tr.append(td); }
      const td = document.createElement("td"); const a = document.createElement("a");
      a.href = "/observe/" + iv.id; a.textContent = I18N.t("watch"); td.append(a);
      if (iv.status === "created" || iv.status === "consented") {
        const b = document.createElement("button"); b.type = "button"; b.className = "secondary"; b.textContent = I18N.t("send_invite");
        b.addEventListener("click", async () => {
          const res = await fetch(`/api/v1/interviews/${iv.id}/invitations`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
          const d = await res.json();
          b.replaceWith(document.createTextNode(res.ok ? I18N.t("invite_queued", { to: d.recipient }) : d.error.message));
        });
        td.append(" · ", b);
      }
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
  init();
})();
