// HR page, admins only: retention periods, legal hold and erasure per candidate, and the log of deletions.
(function () {
  const box = document.getElementById("retention-box");
  I18N.apply(box);
  const $ = (id) => document.getElementById(id);
  const el = DOM.el, when = DOM.dateTime;  // web_client/dom.js
  let people = [], deletions = [], periods = null;
  const holds = {};  // candidate id -> {reason, since} as last answered by the server

  function renderPeriods() {
    $("ret-content").value = periods.interview_content_days; $("ret-candidate").value = periods.candidate_days;
    if (periods.is_default) $("ret-status").textContent = I18N.t("ret_defaults");
  }

  function renderPeople() {
    const body = $("ret-people"); body.textContent = "";
    for (const p of people) {
      const tr = el("tr"); tr.append(el("td", p.name));
      const hold = holds[p.id];
      tr.append(el("td", hold ? I18N.t("ret_held_since", { at: when(hold.since), reason: hold.reason }) : I18N.t("ret_not_held")));
      const actions = el("td"); const msg = el("span"); msg.setAttribute("role", "alert"); msg.className = "error";
      const act = async (fn) => { msg.textContent = ""; try { await fn(); } catch (err) { msg.textContent = API.errorText(err); } };
      if (hold) {
        const lift = el("button", I18N.t("ret_unhold")); lift.type = "button"; lift.className = "secondary";
        lift.onclick = () => act(async () => { await API.call(`/api/v1/candidates/${p.id}/legal-hold`, { hold: false }, "PUT"); delete holds[p.id]; renderPeople(); });
        actions.append(lift);
      } else {
        const reason = el("input"); reason.type = "text"; reason.setAttribute("aria-label", I18N.t("ret_reason") + I18N.colon() + p.name);
        reason.placeholder = I18N.t("ret_reason"); reason.style.maxWidth = "12rem";
        const place = el("button", I18N.t("ret_hold")); place.type = "button"; place.className = "secondary";
        place.onclick = () => act(async () => {
          const out = await API.call(`/api/v1/candidates/${p.id}/legal-hold`, { hold: true, reason: reason.value }, "PUT");
          holds[p.id] = { reason: out.reason, since: out.since }; renderPeople();
        });
        const erase = el("button", I18N.t("ret_erase")); erase.type = "button"; erase.className = "secondary danger";
        erase.onclick = () => {  // a second, explicit step before anything is deleted
          const ask = el("span", I18N.t("ret_confirm", { name: p.name }) + " ");
          const yes = el("button", I18N.t("ret_yes")); yes.type = "button"; yes.className = "danger";
          const no = el("button", I18N.t("ret_no")); no.type = "button"; no.className = "secondary";
          no.onclick = () => renderPeople();
          yes.onclick = () => act(async () => {
            await API.call(`/api/v1/candidates/${p.id}`, null, "DELETE");
            people = people.filter((x) => x.id !== p.id); renderPeople(); await loadLog();
          });
          actions.textContent = ""; actions.append(ask, yes, " ", no, " ", msg); yes.focus();
        };
        actions.append(reason, " ", place, " ", erase);
      }
      actions.append(" ", msg); tr.append(actions); body.append(tr);
    }
    if (!people.length) { const tr = el("tr"); const td = el("td", I18N.t("ret_none")); td.colSpan = 3; tr.append(td); body.append(tr); }
  }

  function renderLog() {
    const body = $("ret-log"); body.textContent = "";
    for (const d of deletions) {
      const tr = el("tr");
      const counts = Object.entries(d.counts).filter(([, n]) => n).map(([k, n]) => `${I18N.t("cnt_" + k)} ${n}`).join(", ");
      const cells = [when(d.at), I18N.t("why_" + d.reason), I18N.t("scope_" + d.scope) + (counts ? ` (${counts})` : ""),
        d.actor_email || "—"];
      ["access_when", "ret_why", "access_what", "ret_by"].forEach((label, i) => {
        const td = el("td", cells[i]); td.dataset.label = I18N.t(label); tr.append(td);  // shown on a phone
      });
      body.append(tr);
    }
    if (!deletions.length) { const tr = el("tr"); const td = el("td", I18N.t("ret_none")); td.colSpan = 4; tr.append(td); body.append(tr); }
  }

  async function loadLog() { deletions = (await API.call("/api/v1/retention/deletions")).deletions; renderLog(); }

  async function loadPeople() {  // every candidate: interviewed, uploaded or imported
    people = [];
    for (const c of (await API.call("/api/v1/candidates")).candidates) {
      people.push({ id: c.id, name: c.name });
      if (c.legal_hold) holds[c.id] = { reason: c.legal_hold_reason, since: c.legal_hold_since };
      else delete holds[c.id];
    }
    renderPeople();
  }

  async function savePeriods(wanted) {
    try {
      periods = await API.call("/api/v1/retention", wanted, "PUT");
      renderPeriods(); $("ret-status").textContent = I18N.t("ret_saved");
    } catch (err) { $("ret-status").textContent = API.errorText(err); }
  }
  $("ret-form").addEventListener("submit", async (e) => {
    e.preventDefault(); const status = $("ret-status"); status.textContent = "";
    const wanted = { interview_content_days: Number($("ret-content").value), candidate_days: Number($("ret-candidate").value) };
    if (wanted.interview_content_days >= periods.interview_content_days && wanted.candidate_days >= periods.candidate_days) {
      await savePeriods(wanted); return;
    }
    // a shorter period deletes data at the next sweep: a second, explicit step first
    const yes = el("button", I18N.t("ret_confirm_save")); yes.type = "button"; yes.className = "danger";
    const no = el("button", I18N.t("ret_cancel")); no.type = "button"; no.className = "secondary";
    yes.onclick = () => savePeriods(wanted);
    no.onclick = () => { renderPeriods(); status.textContent = ""; };
    status.append(I18N.t("ret_shorter") + " ", yes, " ", no); yes.focus();
  });
  document.addEventListener("langchange", () => {
    if (!periods) return;
    renderPeople(); renderLog();
    if (periods.is_default) $("ret-status").textContent = I18N.t("ret_defaults");  // said again in this language
  });

  document.addEventListener("hrready", async (e) => {  // hr.js, with who is logged in
    if (e.detail.user.role !== "admin") return;
    box.classList.remove("hidden");
    periods = await API.call("/api/v1/retention"); renderPeriods();
    await Promise.all([loadPeople(), loadLog()]);
  });
})();
