// Set-password page (/set-password?token=…): the link an admin passed on (or that was e-mailed) names the account;
// the user chooses a password (the project's rule: at least 10 characters), the link is then used up, and they log
// in. A file of its own: the pages' Content-Security-Policy allows no inline script.
(function () {
  "use strict";
I18N.apply();
const $ = (id) => document.getElementById(id);
const token = new URLSearchParams(location.search).get("token") || "";
const MIN = 10;
let state = ["setpw_checking", {}];  // what the status line says, as [key, values] (said again on a language switch)
let error = null;  // the form's error as [key, values]

function say(key, values) { state = [key, values || {}]; $("setpw-state").textContent = I18N.t(key, values || {}); }
function fail(key, values) {
  error = key ? [key, values || {}] : null;
  $("setpw-error").textContent = key ? I18N.t(key, values || {}) : "";
}
// a refusal of the link in the page's language; another error with its code's words or the server's message
function linkError(err) {
  const key = "setpw_err_" + (err.code || "");
  return I18N.t(key) !== key ? [key, {}] : ["setpw_failed", { msg: API.errorText(err) }];
}
$("lang").onclick = () => { I18N.toggle(); say(...state); if (error) fail(...error); };

async function check() {
  if (!token) { say("setpw_no_token"); return; }
  try {
    const who = await API.call("/api/v1/auth/password-link", { token });
    say("setpw_for", { email: who.email });
    $("setpw-email").value = who.email;  // for password managers: the account the new password belongs to
    $("setpw").classList.remove("hidden");
    $("setpw-new").focus();
  } catch (err) { say(...linkError(err)); }
}

for (const id of ["setpw-new", "setpw-repeat"]) $(id).addEventListener("input", () => { if (error) fail(null); });
$("setpw").addEventListener("submit", async (e) => {
  e.preventDefault();
  const pw = $("setpw-new").value;
  if (pw.length < MIN) { fail("setpw_short"); return; }
  if (pw !== $("setpw-repeat").value) { fail("setpw_mismatch"); return; }
  fail(null);
  $("setpw-submit").disabled = true;
  try {
    await API.call("/api/v1/auth/set-password", { token, password: pw });
    $("setpw").classList.add("hidden");
    say("setpw_done");
    $("setpw-done").classList.remove("hidden");
    $("setpw-login").focus();
  } catch (err) {
    $("setpw-submit").disabled = false;
    const [key, values] = linkError(err);
    if (key.startsWith("setpw_err_")) { $("setpw").classList.add("hidden"); say(key, values); } else fail(key, values);
  }
});
check();
})();
