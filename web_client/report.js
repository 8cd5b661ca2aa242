// Evaluation report page: AI scores with evidence and timestamps, follow-ups and why, flags, human ratings.
(function () {
  I18N.apply();
  const $ = (id) => document.getElementById(id);
  const id = location.pathname.split("/").pop();
  $("pdf").href = `/api/v1/interviews/${id}/report.pdf`;
  $("lang").onclick = () => { I18N.toggle(); load(); };
  const el = DOM.el;  // web_client/dom.js

  async function load() {
    const res = await fetch(`/api/v1/interviews/${id}/report`);
    if (res.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); return; }
    const r = await res.json();
    if (!res.ok) { $("error").textContent = r.error.message; $("error").classList.remove("hidden"); return; }
    I18N.initial = r.interview.language;  // a reader who has not chosen a language reads the interview's
    I18N.apply();
    render(r);
  }

  function flagText(f) {  // the flag's kind in the page's language (as the observer panel says it)
    const key = "flag_" + f.kind, text = I18N.t(key);
    return text === key ? f.label || f.kind : text;
  }

  function render(r) {
    const iv = r.interview;
    $("who").textContent = `${iv.candidate.name} · ${iv.job.title}`;
    $("ai-label").textContent = r.ai_label;
    $("content-deleted").textContent = r.content_deleted || "";
    $("content-deleted").classList.toggle("hidden", !r.content_deleted);
    const rows = $("comp-rows"); rows.textContent = ""; const sel = $("rv-comp"); const chosen = sel.value; sel.textContent = "";
    for (const c of r.competencies) {
      const tr = el("tr");
      tr.append(el("td", c.competency), el("td", c.ai_score == null ? "–" : c.ai_score.toFixed(1)),
        el("td", c.confidence == null ? "–" : c.confidence.toFixed(2)),
        el("td", c.human.map((h) => `${h.score} (${h.reviewer})${h.comment ? ": " + h.comment : ""}`).join("; ") || "–"));
      rows.append(tr);
      const o = el("option", c.competency); o.value = c.competency; sel.append(o);
    }
    if (chosen) sel.value = chosen;
    const box = $("answers"); box.textContent = "";
    for (const a of r.answers) {
      const div = el("div", null, "answer-block");
      div.append(el("h3", `${I18N.t(a.kind === "followup" ? "followup" : "question")} ${a.turn_index + 1}${a.at ? " [" + a.at + "]" : ""}: ${a.question}`));
      if (a.kind === "followup" && a.reason) div.append(el("p", `${I18N.t("why_asked")}: ${a.reason}`, "muted small"));
      div.append(el("p", `${I18N.t("answer")}: ${a.answer || "–"}`));
      for (const s of a.scores) {
        const p = el("p"); p.append(el("strong", `${s.competency}: ${s.score} / 5`), ` · ${I18N.t("confidence")} ${s.confidence.toFixed(2)}`);
        div.append(p);
        if (s.level) div.append(el("p", `${I18N.t("level")}: ${s.level}`, "muted small"));
        if (s.scored_by) div.append(el("p", s.scored_by, "muted small"));
        const ul = el("ul", null, "evidence");
        for (const e of s.evidence) {
          const li = el("li", `${e.at ? `[${e.at}] ` : ""}${e.note || ""} `);
          if (e.quote) li.append(el("q", e.quote));
          ul.append(li);
        }
        div.append(ul);
      }
      box.append(div);
    }
    const fl = $("flag-list"); fl.textContent = "";
    for (const f of r.flags) fl.append(el("li", `[${f.at}] ${flagText(f)}${f.detail ? " · " + f.detail : ""}`));
    if (!r.flags.length) fl.append(el("li", I18N.t("none"), "muted"));
    $("nonverbal-note").textContent = r.nonverbal_note;
    const un = $("unsure"); un.textContent = "";
    for (const u of r.uncertain) un.append(el("li", u));
    if (!r.uncertain.length) un.append(el("li", I18N.t("none"), "muted"));
    $("review-right").textContent = r.review_right;
    $("review-requested").textContent = iv.review_requested_at ? I18N.t("requested", { at: DOM.dateTime(iv.review_requested_at) }) : "";
  }

  $("review-form").addEventListener("submit", async (e) => {
    e.preventDefault(); $("rv-status").textContent = "";
    const res = await fetch(`/api/v1/interviews/${id}/reviews`, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ competency: $("rv-comp").value, score: Number($("rv-score").value), comment: $("rv-comment").value }) });
    const data = await res.json();
    if (!res.ok) { $("rv-status").textContent = data.error.message; return; }
    $("rv-status").textContent = I18N.t("saved"); $("rv-comment").value = ""; load();
  });
  load();
  (async () => {  // observers read the report; the job's recruiters, hiring managers and admins also rate it
    const me = await fetch("/api/v1/auth/me");
    if (me.ok && (await me.json()).user.role === "observer") $("review-form").classList.add("hidden");
  })();
})();
