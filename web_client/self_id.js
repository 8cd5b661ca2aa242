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
    // every text carries its catalogue key (data-i18n): the language switch re-renders the whole form
    const keyed = (tag, key) => { const el = document.createElement(tag); el.dataset.i18n = key; el.textContent = I18N.t(key); return el; };
    const legend = keyed("legend", "sid_h"); legend.className = "h2";
    const note = keyed("p", "sid_note"); note.className = "muted";
    fs.append(legend, note);
    for (const [field, values] of Object.entries(CHOICES)) {
      const label = document.createElement("label"); label.append(keyed("span", "sid_" + field), " ");
      const sel = document.createElement("select"); sel.name = field;
      for (const v of ["", ...values]) {
        const o = keyed("option", v ? "sid_" + v : "sid_skip"); o.value = v;
        if ((current[field] || "") === v) o.selected = true; sel.append(o);
      }
      label.append(sel); fs.append(label);
    }
    const save = keyed("button", "sid_save"); save.type = "submit";
    const withdraw = keyed("button", "sid_withdraw"); withdraw.type = "button"; withdraw.className = "secondary";
    withdraw.classList.toggle("hidden", !current.given);
    const status = document.createElement("p"); status.setAttribute("role", "status");
    const say = (key) => { status.dataset.i18n = key; status.textContent = I18N.t(key); };
    const sayError = (err) => { delete status.dataset.i18n; status.textContent = API.errorText(err); };
    fs.append(save, " ", withdraw, status); form.append(fs); container.append(form);

    form.addEventListener("submit", async (e) => {
      e.preventDefault(); delete status.dataset.i18n; status.textContent = "";
      const body = { token };
      for (const field of Object.keys(CHOICES)) body[field] = form.elements[field].value || null;
      try {
        const out = await API.call(URL, body);
        say(out.given ? "sid_saved" : "sid_withdrawn"); withdraw.classList.toggle("hidden", !out.given);
      } catch (err) { sayError(err); }
    });
    withdraw.addEventListener("click", async () => {
      try {
        await API.call(`${URL}?token=${encodeURIComponent(token)}`, null, "DELETE");
        for (const field of Object.keys(CHOICES)) form.elements[field].value = "";
        say("sid_withdrawn"); withdraw.classList.add("hidden");
      } catch (err) { sayError(err); }
    });
  }
  window.SelfId = { mount };
})();
