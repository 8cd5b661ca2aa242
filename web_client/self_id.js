// Candidate page, after the interview: voluntary self-identification for bias monitoring. Kept apart from the
// interview and never used in any score; only counts per group reach the company. Withdrawable at any time.
// The questions and their categories are the server's for the organisation's region (no race/ethnicity question
// outside the US by default); with none, there is no survey.
(function () {
  const URL = "/api/v1/candidate/self-identification";

  async function mount(container, token) {
    if (container.dataset.mounted) return;  // the end of an interview may be announced twice
    container.dataset.mounted = "1";
    let current;
    try { current = await API.call(`${URL}?token=${encodeURIComponent(token)}`); } catch (e) { return; }
    const CHOICES = Object.fromEntries((current.questions || []).map((q) => [q.attribute, q.choices]));
    if (!Object.keys(CHOICES).length) return;
    const form = document.createElement("form"); form.className = "card"; form.id = "self-id";
    const fs = document.createElement("fieldset"); fs.className = "bare";
    const legend = document.createElement("legend"); legend.className = "h2"; legend.textContent = I18N.t("sid_h");
    const note = document.createElement("p"); note.className = "muted"; note.textContent = I18N.t("sid_note");
    fs.append(legend, note);
    for (const [field, values] of Object.entries(CHOICES)) {
      const label = document.createElement("label"); label.textContent = I18N.t("sid_" + field) + " ";
      const sel = document.createElement("select"); sel.name = field;
      for (const v of ["", ...values]) {
        const o = document.createElement("option"); o.value = v; o.textContent = I18N.t(v ? "sid_" + v : "sid_skip");
        if ((current[field] || "") === v) o.selected = true; sel.append(o);
      }
      label.append(sel); fs.append(label);
    }
    const save = document.createElement("button"); save.type = "submit"; save.textContent = I18N.t("sid_save");
    const withdraw = document.createElement("button"); withdraw.type = "button"; withdraw.className = "secondary";
    withdraw.textContent = I18N.t("sid_withdraw"); withdraw.classList.toggle("hidden", !current.given);
    const status = document.createElement("p"); status.setAttribute("role", "status");
    fs.append(save, " ", withdraw, status); form.append(fs); container.append(form);

    form.addEventListener("submit", async (e) => {
      e.preventDefault(); status.textContent = "";
      const body = { token };
      for (const field of Object.keys(CHOICES)) body[field] = form.elements[field].value || null;
      try {
        const out = await API.call(URL, body);
        status.textContent = I18N.t(out.given ? "sid_saved" : "sid_withdrawn"); withdraw.classList.toggle("hidden", !out.given);
      } catch (err) { status.textContent = API.errorText(err); }
    });
    withdraw.addEventListener("click", async () => {
      try {
        await API.call(`${URL}?token=${encodeURIComponent(token)}`, null, "DELETE");
        for (const field of Object.keys(CHOICES)) form.elements[field].value = "";
        status.textContent = I18N.t("sid_withdrawn"); withdraw.classList.add("hidden");
      } catch (err) { status.textContent = API.errorText(err); }
    });
  }
  window.SelfId = { mount };
})();
