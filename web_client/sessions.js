// HR page: changing one's password (every other login ends), and for admins who is logged in, with
// "sign out everywhere" per person (DELETE /api/v1/users/{id}/sessions).
(function () {
  "use strict";
  I18N.apply(document.getElementById("account-box"));
  I18N.apply(document.getElementById("logins-box"));
  const $ = (id) => document.getElementById(id);
  const text = (key, fallback) => { const t = I18N.t(key); return t !== key ? t : fallback; };

  $("pw-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("pw-error").textContent = ""; $("pw-status").textContent = "";
    const current = $("pw-current").value, fresh = $("pw-new").value;
    if (fresh.length < 10) { $("pw-error").textContent = I18N.t("pw_short"); $("pw-new").focus(); return; }
    if (fresh !== $("pw-again").value) { $("pw-error").textContent = I18N.t("pw_mismatch"); $("pw-again").focus(); return; }
    $("pw-submit").disabled = true;
    try {
      const out = await API.call("/api/v1/auth/password", { current_password: current, new_password: fresh });
      $("pw-form").reset();
      $("pw-status").textContent = I18N.t("pw_done", { n: Math.max(0, out.ended - 1) });  // one of them was this browser's
      loadLogins();
    } catch (err) {
      $("pw-error").textContent = API.errorText(err);
    } finally { $("pw-submit").disabled = false; }
  });

  // ---- admins: who is logged in
  let isAdmin = false;
  let people = [];
  const COLUMNS = ["logins_person", "logins_role", "logins_open", "logins_last", ""];
  const cell = (tr, ...children) => DOM.columnCell(tr, COLUMNS, ...children);
  function render() {
    const body = $("logins-rows"); body.textContent = "";
    for (const p of people) {
      const tr = document.createElement("tr");
      const name = p.display_name ? `${p.display_name} (${p.email})` : p.email;
      cell(tr, name);
      cell(tr, text("role_" + p.role, p.role));
      cell(tr, String(p.sessions));
      cell(tr, p.last_seen_at ? DOM.dateTime(p.last_seen_at) : I18N.t("logins_never"));
      const b = DOM.el("button", I18N.t("logins_out"), "secondary danger"); b.type = "button";
      b.setAttribute("aria-label", I18N.t("logins_out_label", { name: p.email }));
      b.disabled = p.sessions === 0;
      b.onclick = () => signOut(p, b);
      cell(tr, b);
      body.append(tr);
    }
  }
  async function loadLogins() {
    if (!isAdmin) return;
    try { people = (await API.call("/api/v1/sessions")).users; } catch (err) {
      $("logins-status").textContent = I18N.t("logins_error", { msg: API.errorText(err) }); return;
    }
    render();
  }
  async function signOut(person, button) {
    button.disabled = true;
    try {
      const out = await API.call(`/api/v1/users/${encodeURIComponent(person.id)}/sessions`, null, "DELETE");
      $("logins-status").textContent = I18N.t("logins_ended", { name: person.email, n: out.ended });
    } catch (err) {
      $("logins-status").textContent = API.errorText(err);
    }
    loadLogins();
  }
  document.addEventListener("langchange", render);
  document.addEventListener("hrready", (e) => {  // hr.js, with who is logged in
    isAdmin = e.detail.user.role === "admin";
    if (!isAdmin) return;
    $("logins-box").classList.remove("hidden");
    loadLogins();
  });
})();
