// HR page: the guided first run. On a user's first visit a short checklist opens (create a job from its description,
// upload resumes, invite yourself, take the interview, read the report); each step links to its area and ticks
// itself from what the server already has (jobs, ranked candidates, an interview, a finished one, a report this user
// opened, from any page or device: GET /api/v1/auth/me/report-read). Hidden with its button, it stays hidden for that
// user (localStorage);
// the "Getting started" button in the header opens it again.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const el = DOM.el;  // web_client/dom.js
  const STEPS = [
    { id: "job", key: "guide_job", help: "guide_job_help", href: "#jobs/new" },
    { id: "resumes", key: "guide_resumes", help: "guide_resumes_help", href: "#candidates/upload" },
    { id: "invite", key: "guide_invite", help: "guide_invite_help", href: "#interviews/new" },
    { id: "take", key: "guide_take", help: "guide_take_help", href: "#interviews" },
    { id: "report", key: "guide_report", help: "guide_report_help", href: "#interviews" },
  ];
  let user = null, jobs = [], done = {}, finishedId = null, checking = false, again = false;

  const storeKey = () => "ws-guide:" + user.id;
  function stored() { try { return JSON.parse(localStorage.getItem(storeKey())) || {}; } catch (e) { return {}; } }
  function remember(patch) { localStorage.setItem(storeKey(), JSON.stringify({ ...stored(), ...patch })); }
  const isOpen = () => !$("guide").classList.contains("hidden");

  function render() {
    const ol = $("guide-steps"); ol.textContent = "";
    for (const s of STEPS) {
      const li = el("li", null, done[s.id] ? "done" : "");
      const mark = el("span", done[s.id] ? "✓" : "", "tick"); mark.setAttribute("aria-hidden", "true");
      const a = el("a", I18N.t(s.key));
      a.href = s.id === "report" && finishedId ? "/reports/" + finishedId : s.href;
      if (s.id === "report") a.dataset.report = "1";
      const state = el("span", I18N.t(done[s.id] ? "guide_state_done" : "guide_state_todo"), "visually-hidden");
      li.append(mark, a, " ", state, el("div", I18N.t(s.help), "muted small"));
      ol.append(li);
    }
    $("guide-done").classList.toggle("hidden", !STEPS.every((s) => done[s.id]));
    $("help").setAttribute("aria-expanded", String(isOpen()));
  }
  function open(focus) {
    $("guide").classList.remove("hidden"); remember({ dismissed: false }); render(); check();
    if (focus) $("guide-h").focus();
  }
  function close() {
    $("guide").classList.add("hidden"); remember({ dismissed: true }); render(); $("help").focus();
  }

  // What the organisation already has, as far as this user may see it.
  async function check() {
    if (!user || !isOpen()) return;
    if (checking) { again = true; return; }  // once more after the one under way: something changed meanwhile
    checking = true;
    try {
      done.job = jobs.length > 0;
      if (!done.resumes) {
        for (const j of jobs.slice(0, 5)) {
          const m = await API.call(`/api/v1/jobs/${encodeURIComponent(j.id)}/matches`);
          if (m.matches.length) { done.resumes = true; break; }
        }
      }
      const any = await API.call("/api/v1/interviews?limit=1");
      done.invite = (any.total != null ? any.total : any.interviews.length) > 0;
      const fin = await API.call("/api/v1/interviews?status=finished&sort=finished_at&order=desc&limit=1");
      const first = fin.interviews.find((i) => i.status === "finished");
      finishedId = first ? first.id : null; done.take = !!first;
      if (!stored().report_read && (await API.call("/api/v1/auth/me/report-read")).report_read) remember({ report_read: true });
      done.report = !!stored().report_read;
    } catch (err) { /* the checklist stays as it was; the areas say what went wrong */ }
    finally { checking = false; }
    render();
    if (again) { again = false; check(); }
  }

  $("help").addEventListener("click", () => (isOpen() ? close() : open(true)));
  $("guide-close").addEventListener("click", close);
  document.addEventListener("click", (e) => {  // a report opened from this page: the last step is done
    const a = e.target.closest && e.target.closest("a[data-report]");
    if (a && user) { remember({ report_read: true }); done.report = true; }
  });
  document.addEventListener("hrready", (e) => {
    user = e.detail.user;
    const guided = user.role === "admin" || user.role === "recruiter";  // the steps are recruiting work
    $("help").classList.toggle("hidden", !guided);
    if (!guided) return;
    if (!stored().dismissed) open(false); else render();
  });
  document.addEventListener("jobslisted", (e) => { jobs = e.detail; check(); });
  document.addEventListener("matcheslisted", (e) => { if (e.detail > 0 && !done.resumes) { done.resumes = true; render(); } });
  document.addEventListener("interviewschanged", () => check());
  document.addEventListener("routechange", () => check());
  document.addEventListener("langchange", render);
})();
