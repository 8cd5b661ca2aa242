// Evaluation report page: the overall result first (each competency's one figure, the AI's suggestion with how sure
// it is, a person's decision), then the questions as the candidate saw them with the reasons for each score, flags,
// doubts, and the candidate's right to a human review. The same order and figures as the PDF (server/reports/pdf.py).
(function () {
  I18N.apply();
  const $ = (id) => document.getElementById(id);
  const id = location.pathname.split("/").pop();
  $("lang").onclick = () => { I18N.toggle(); load(); };
  const el = DOM.el;  // web_client/dom.js
  const one = (x) => x.toFixed(1);  // every score is shown with one decimal, here as in the PDF
  const list = (names) => names.join(I18N.lang === "zh" ? "、" : ", ");
  const colon = I18N.colon;
  const decisionWord = (code) => I18N.t(code ? "rp_dec_" + code : "rp_dec_none");
  // a competency is kept under its plan's key; a reader sees its name in the page's language (the key without one)
  let names = {};
  const nameOf = (key) => (names[key] && names[key][I18N.lang]) || key;

  // The reader's language, as on every HR page (i18n.js: their own choice, else the browser's), not the
  // interview's: the server writes its sentences in it too; what the candidate was asked and said stays as said.
  async function load() {
    const lang = I18N.lang;
    $("pdf").href = `/api/v1/interviews/${id}/report.pdf?lang=${lang}`;
    const res = await fetch(`/api/v1/interviews/${id}/report?lang=${lang}`);
    if (res.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); return; }
    const r = await res.json();
    if (!res.ok) { $("error").textContent = API.errorText(API.errorOf(r, res.status)); $("error").classList.remove("hidden"); return; }
    if (lang !== I18N.lang) return;  // the reader switched language meanwhile: the newer load draws the page
    render(r);
  }

  function flagText(f) {  // the flag's kind in the page's language (as the observer panel says it)
    const key = "flag_" + f.kind, text = I18N.t(key);
    return text === key ? f.label || f.kind : text;
  }

  function renderOverall(ov) {
    const person = ov.decision;
    const status = $("ov-status"); status.textContent = "";
    if (person) {
      const who = person.decided_by_name || person.decided_by;
      status.append(el("span", person.agrees ? I18N.t("rp_confirmed_by", { who })
        : I18N.t("rp_changed_by", { who, suggested: decisionWord(person.suggested) }), "badge ok"));
      $("ov-verdict").textContent = decisionWord(person.decision);
      $("ov-decided").textContent = I18N.t("rp_decided_on", { at: DOM.dateTime(person.decided_at) });
      $("ov-comment").textContent = person.comment ? `“${person.comment}”` : "";
      $("ov-comment").classList.toggle("hidden", !person.comment);
    } else {
      status.append(el("span", I18N.t("rp_suggested_by_ai"), "badge warn"));
      $("ov-verdict").textContent = decisionWord(ov.suggestion);
      $("ov-decided").textContent = I18N.t("rp_not_confirmed");
      $("ov-comment").classList.add("hidden");
    }
    $("ov-verdict").dataset.decision = person ? person.decision : ov.suggestion || "none";
    $("ov-score").textContent = ov.overall == null ? I18N.t("rp_no_suggestion") : I18N.t("rp_overall_score", { score: one(ov.overall) });
    $("ov-certainty").textContent = ov.certainty
      ? I18N.t("rp_certainty", { level: I18N.t("rp_cert_" + ov.certainty), value: ov.confidence.toFixed(2) }) : "";
    const notes = $("ov-notes"); notes.textContent = "";
    if (ov.near) notes.append(el("li", I18N.t("rp_near_" + ov.near, { line: one(ov.near === "advance" ? ov.advance_from : ov.do_not_advance_below) })));
    if (ov.weak.length) notes.append(el("li", I18N.t("rp_weak", { line: one(ov.weak_below), names: list(ov.weak.map(nameOf)) })));
    if (ov.unscored.length) notes.append(el("li", I18N.t("rp_unscored", { names: list(ov.unscored.map(nameOf)) })));
    $("ov-rule").textContent = I18N.t("rp_rule", { advance: one(ov.advance_from), weak: one(ov.weak_below), lower: one(ov.do_not_advance_below) });
    const hist = $("ov-history-list"); hist.textContent = "";
    for (const h of ov.history) {
      hist.append(el("li", I18N.t("rp_history_item", { at: DOM.dateTime(h.decided_at), decision: decisionWord(h.decision),
        who: h.decided_by_name || h.decided_by }) + (h.comment ? ` — “${h.comment}”` : "")));
    }
    $("ov-history").classList.toggle("hidden", !ov.history.length);
    // the person's decision is shown chosen; until one is recorded nothing is, the AI's suggestion included (a
    // reader's own unsaved choice stays)
    if (person) for (const input of document.querySelectorAll('input[name="decision"]')) input.checked = input.value === person.decision;
    decisionButton();
  }

  const chosenDecision = () => document.querySelector('input[name="decision"]:checked');
  function decisionButton() {  // the button asks for a choice until there is one
    const button = $("dc-submit");
    button.dataset.i18n = chosenDecision() ? "rp_decision_save" : "rp_decision_choose";
    button.textContent = I18N.t(button.dataset.i18n);
  }

  function renderCompetencies(r) {
    const rows = $("comp-rows"); rows.textContent = ""; const sel = $("rv-comp"); const chosen = sel.value; sel.textContent = "";
    const labels = ["competency", "ai_score", "rp_certainty_col", "human"].map((k) => I18N.t(k));
    for (const c of r.competencies) {
      const tr = el("tr");
      const cells = [nameOf(c.competency),
        c.ai_score == null ? I18N.t("rp_not_scored") : `${one(c.ai_score)} · ${I18N.t("rp_from_question", { list: list(c.questions.map(String)) })}`,
        c.certainty == null ? "–" : `${I18N.t("rp_cert_" + c.certainty)} (${c.confidence.toFixed(2)})`,
        c.human.map((h) => `${h.score} (${h.reviewer})${h.comment ? colon() + h.comment : ""}`).join(I18N.lang === "zh" ? "；" : "; ") || "–"];
      cells.forEach((text, i) => { const td = el("td", text); td.dataset.label = labels[i]; tr.append(td); });
      rows.append(tr);
      const o = el("option", nameOf(c.competency)); o.value = c.competency; sel.append(o);
    }
    if (chosen) sel.value = chosen;
  }

  function observed(box, nonverbal) {
    const face = nonverbal && nonverbal.face;
    if (face) box.append(el("p", I18N.t("rp_observed", { face: Math.round((face.face_present_share || 0) * 100),
      look: Math.round((face.looking_at_screen_share || 0) * 100) }), "muted small"));
  }

  function reasonList(title, items) {
    const frag = document.createDocumentFragment();
    if (!items.length) return frag;
    frag.append(el("h5", title, "reason-head"));
    const ul = el("ul", null, "evidence");
    for (const item of items) {
      const li = el("li");
      if (item.at) li.append(el("span", `[${item.at}] `, "at"));
      li.append(item.text || item.notes.join(" "));
      if (item.quote) { li.append(" "); li.append(el("q", item.quote)); }
      ul.append(li);
    }
    frag.append(ul);
    return frag;
  }

  function renderScore(box, s, table) {
    const head = el("p", null, "q-score");
    head.append(el("strong", I18N.t("rp_score_line", { competency: nameOf(s.competency), score: one(s.score) })),
      ` · ${I18N.t("rp_ai_certainty_short", { level: I18N.t("rp_cert_" + s.certainty) })}`);
    box.append(head);
    if (s.after_follow_ups) box.append(el("p", I18N.t("rp_score_after_follow_ups"), "muted small"));
    const row = table[s.competency];
    if (row && row.questions.length > 1) box.append(el("p", I18N.t("rp_combined", { score: one(row.ai_score), list: list(row.questions.map(String)) }), "muted small"));
    const r = s.reasons;
    if (r.level) { const p = el("p"); p.append(el("span", `${I18N.t("rp_level")}${colon()}`, "lbl"), r.level); box.append(p); }
    if (r.level_reason) { const p = el("p"); p.append(el("span", `${I18N.t("rp_level_reason")}${colon()}`, "lbl"), r.level_reason); box.append(p); }
    box.append(reasonList(I18N.t("rp_supports"), r.supporting), reasonList(I18N.t("rp_missing"), r.missing),
      reasonList(I18N.t("rp_unsure_here"), r.unsure.map((u) => ({ text: u, quote: "", at: "" }))));
    if (s.scored_by) box.append(el("p", s.scored_by, "muted small"));
  }

  function renderQuestions(r) {
    const box = $("answers"); box.textContent = "";
    const table = Object.fromEntries(r.competencies.map((c) => [c.competency, c]));
    for (const q of r.questions) {
      const div = el("article", null, "answer-block");
      div.dataset.question = q.number;
      const h = el("h3"); h.append(el("span", I18N.t("rp_question_of", { n: q.number, total: q.total }), "q-number"));
      if (q.at) h.append(el("span", ` [${q.at}]`, "at"));
      div.append(h, el("p", q.question, "q-text"), el("p", `${I18N.t("answer")}${colon()}${q.answer || "–"}`));
      observed(div, q.nonverbal);
      for (const f of q.follow_ups) {
        const fu = el("div", null, "follow-up");
        fu.dataset.label = f.label;
        const fh = el("h4"); fh.append(el("span", I18N.t("rp_follow_up", { label: f.label }), "q-number"));
        if (f.at) fh.append(el("span", ` [${f.at}]`, "at"));
        fu.append(fh, el("p", f.question, "q-text"));
        if (f.why) fu.append(el("p", `${I18N.t("why_asked")}${colon()}${f.why}`, "muted small"));
        fu.append(el("p", `${I18N.t("answer")}${colon()}${f.answer || "–"}`));
        observed(fu, f.nonverbal);
        div.append(fu);
      }
      const scores = el("div", null, "q-scores");
      if (!q.scores.length) scores.append(el("p", I18N.t("rp_no_question_score"), "muted small"));
      for (const s of q.scores) renderScore(scores, s, table);
      div.append(scores);
      box.append(div);
    }
  }

  function render(r) {
    const iv = r.interview;
    names = r.competency_names || {};
    $("who").textContent = `${iv.candidate.name} · ${iv.job.title}`;
    $("ai-label").textContent = I18N.t("report_ai_label");  // the catalogue's sentences in the page's language
    $("dc-status").textContent = ""; $("rv-status").textContent = "";
    $("content-deleted").textContent = r.content_deleted || "";
    $("content-deleted").classList.toggle("hidden", !r.content_deleted);
    renderOverall(r.overall);
    renderCompetencies(r);
    renderQuestions(r);
    const missing = r.answers_missing;  // why there are no answers to show: said, not an empty box
    $("answers-missing").textContent = missing ? I18N.t("rp_answers_" + missing.reason, { date: missing.date }) : "";
    $("answers-missing").classList.toggle("hidden", !missing);
    const fl = $("flag-list"); fl.textContent = "";
    for (const f of r.flags) fl.append(el("li", `[${f.at}] ${flagText(f)}${f.detail ? " · " + f.detail : ""}`));
    if (!r.flags.length) fl.append(el("li", I18N.t("none"), "muted"));
    $("nonverbal-note").textContent = I18N.t("report_nonverbal_note");
    const un = $("unsure"); un.textContent = "";
    for (const u of r.uncertain) un.append(el("li", u));
    if (!r.uncertain.length) un.append(el("li", I18N.t("none"), "muted"));
    $("review-right").textContent = I18N.t("report_review_right");
    $("review-requested").textContent = iv.review_requested_at ? I18N.t("requested", { at: DOM.dateTime(iv.review_requested_at) }) : "";
  }

  async function post(path, body, status) {
    status.textContent = ""; status.classList.remove("error");
    const res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const data = await res.json();
    if (!res.ok) { status.textContent = API.errorText(API.errorOf(data, res.status)); status.classList.add("error"); return false; }
    return true;
  }

  $("decision-form").addEventListener("change", (e) => {
    if (e.target.name === "decision") { decisionButton(); $("dc-status").textContent = ""; }
  });
  $("decision-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const chosen = chosenDecision();
    if (!chosen) {  // nothing is recorded without a person's choice
      $("dc-status").textContent = I18N.t("rp_decision_choose_first"); $("dc-status").classList.add("error");
      document.querySelector('input[name="decision"]').focus();
      return;
    }
    if (await post(`/api/v1/interviews/${id}/decision`, { decision: chosen.value, comment: $("dc-comment").value }, $("dc-status"))) {
      $("dc-comment").value = ""; await load(); $("dc-status").textContent = I18N.t("rp_decision_saved");
    }
  });
  $("review-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { competency: $("rv-comp").value, score: Number($("rv-score").value), comment: $("rv-comment").value };
    if (await post(`/api/v1/interviews/${id}/reviews`, body, $("rv-status"))) {
      $("rv-comment").value = ""; await load(); $("rv-status").textContent = I18N.t("saved");
    }
  });
  load();
  (async () => {  // observers read the report; the job's recruiters, hiring managers and admins also rate and decide
    const me = await fetch("/api/v1/auth/me");
    if (me.ok && (await me.json()).user.role !== "observer") {
      $("decision-form").classList.remove("hidden"); $("rating-card").classList.remove("hidden");
    }
  })();
})();
