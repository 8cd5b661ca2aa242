// HR page, admins only: the access log (who read which candidates' personal data), from GET /api/v1/audit/reads.
// A candidate's name filters the log to that candidate ("who has seen this person's data").
(function () {
  I18N.add({
    access_h: "Access log: who read candidates' personal data", access_all: "Show every candidate",
    access_caption: "Newest first; the same read repeated soon after counts on its row (×N)",
    access_when: "When", access_who: "Who", access_what: "What", access_cands: "Candidates", access_from: "From",
    access_more: "Load older", access_none: "No reads recorded yet.", access_filter: "Reads that showed {name}'s data",
    access_more_cands: "+{n} more", access_deleted: "(deleted)", access_error: "The access log could not be loaded: {msg}",
    access_filter_by: "Show only reads of {name}",
    "act_interviews.list": "Interview list", "act_interview.read": "Interview record (transcript)",
    "act_interview.observe": "Watched live", "act_report.read": "Report", "act_report.download": "Report PDF",
    "act_invitations.read": "Invitations (contact details)", "act_schedule.read": "Booking",
    "act_job_schedule.read": "Job's bookings", "act_matches.read": "Resume ranking", "act_import.read": "Bulk import results",
    "act_match.override": "Resume match (HR decision)", "act_resume.duplicate": "Existing candidate (duplicate upload)",
    "act_invitation.send": "Invitation sent (e-mail address)", "act_audit.read": "Access log",
    "act_candidates.list": "Candidate list",
    err_audit_unavailable: "This data cannot be shown right now because its access cannot be recorded. Try again shortly.",
  }, {
    access_h: "访问记录：谁查看了候选人的个人信息", access_all: "显示全部候选人",
    access_caption: "最新的在前；短时间内重复的同一查看计入同一行（×N）",
    access_when: "时间", access_who: "查看人", access_what: "内容", access_cands: "候选人", access_from: "来源地址",
    access_more: "加载更早的记录", access_none: "尚无查看记录。", access_filter: "查看过 {name} 信息的记录",
    access_more_cands: "另 {n} 人", access_deleted: "（已删除）", access_error: "无法加载访问记录：{msg}",
    access_filter_by: "只显示 {name} 的记录",
    "act_interviews.list": "面试列表", "act_interview.read": "面试记录（文字稿）", "act_interview.observe": "实时观看",
    "act_report.read": "评估报告", "act_report.download": "评估报告 PDF", "act_invitations.read": "邀请（联系方式）",
    "act_schedule.read": "预约", "act_job_schedule.read": "职位的全部预约", "act_matches.read": "简历匹配排名",
    "act_import.read": "批量导入结果", "act_match.override": "简历匹配（HR 判定）", "act_resume.duplicate": "已有候选人（重复上传）",
    "act_invitation.send": "发送邀请（邮箱地址）", "act_audit.read": "访问记录", "act_candidates.list": "候选人列表",
    err_audit_unavailable: "由于无法记录此次访问，暂时不能显示这些数据，请稍后再试。",
  });
  I18N.apply(document.getElementById("access-box"));
  const $ = (id) => document.getElementById(id);
  let filter = null;  // {id, name} of the candidate the log is narrowed to
  let nextBefore = null;
  let pages = [];  // rows loaded so far (re-rendered on a language switch)
  let seq = 0;  // only the newest load renders

  const when = DOM.dateTime;  // web_client/dom.js

  const COLUMNS = ["access_when", "access_who", "access_what", "access_cands", "access_from"];
  function cell(tr, ...children) {  // data-label: the column's name, shown before the value on a phone
    const td = document.createElement("td"); td.append(...children);
    td.dataset.label = I18N.t(COLUMNS[tr.children.length] || ""); tr.append(td); return td;
  }

  function render() {
    const body = $("access-rows"); body.textContent = "";
    $("access-filter-note").textContent = filter ? I18N.t("access_filter", { name: filter.name || filter.id }) : "";
    $("access-all").classList.toggle("hidden", !filter);
    if (!pages.length) {
      const tr = document.createElement("tr"); const td = cell(tr, I18N.t("access_none")); td.colSpan = 5;
      delete td.dataset.label; body.append(tr);
    }
    for (const r of pages) {
      const tr = document.createElement("tr");
      const t = document.createElement("time"); t.dateTime = r.last_at; t.textContent = when(r.last_at);
      const whenCell = cell(tr, t);
      if (r.count > 1) { whenCell.append(` ×${r.count}`); whenCell.title = `${when(r.first_at)} – ${when(r.last_at)}`; }
      cell(tr, r.actor_email);
      cell(tr, I18N.t("act_" + r.action));
      const names = cell(tr);
      r.candidates.forEach((c, i) => {
        if (i) names.append(", ");
        const b = document.createElement("button"); b.type = "button"; b.className = "link";
        b.textContent = c.name || c.id.slice(0, 8) + " " + I18N.t("access_deleted");
        b.setAttribute("aria-label", I18N.t("access_filter_by", { name: c.name || c.id.slice(0, 8) }));
        b.onclick = () => { filter = c; load(false); };
        names.append(b);
      });
      if (r.candidates_total > r.candidates.length) names.append(" " + I18N.t("access_more_cands", { n: r.candidates_total - r.candidates.length }));
      cell(tr, r.ip);
      body.append(tr);
    }
    $("access-more").classList.toggle("hidden", !nextBefore);
  }

  async function load(older) {
    const mine = ++seq;
    const q = new URLSearchParams({ limit: "50" });
    if (filter) q.set("candidate_id", filter.id);
    if (older && nextBefore) q.set("before", nextBefore);
    let data;
    try { data = await API.call("/api/v1/audit/reads?" + q); } catch (err) {
      if (mine === seq) $("access-filter-note").textContent = I18N.t("access_error", { msg: API.errorText(err) });
      return;
    }
    if (mine !== seq) return;
    pages = older ? pages.concat(data.reads) : data.reads;
    nextBefore = data.next_before;
    render();
  }

  $("access-all").onclick = () => { filter = null; load(false); };
  $("access-more").onclick = () => load(true);
  document.addEventListener("langchange", render);

  document.addEventListener("hrready", async (e) => {  // hr.js, with who is logged in
    if (e.detail.user.role !== "admin") return;  // the log is for the organisation's admins
    $("access-box").classList.remove("hidden");
    await load(false);
  });
})();
