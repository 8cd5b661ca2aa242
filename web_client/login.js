// Login page: log in, say why a login was refused (and for how long), then go back to the page that asked for it
// (?next=, on this server only). A file of its own: the pages' Content-Security-Policy allows no inline script.
(function () {
  "use strict";
I18N.apply();
const $ = (id) => document.getElementById(id);
let shown = null;  // the error on screen ({code, seconds}), re-rendered on a language switch
function showError() {
  if (!shown) { $("login-error").textContent = ""; return; }
  const s = shown.seconds;
  // the two refusals that say for how long have their own words here; any other code as the pages say it, and a
  // code no page knows as "logging in failed" with the code (never the server's English)
  const key = { login_wait: "login_wait_s", login_locked: "login_locked_m" }[shown.code] || "err_" + shown.code;
  const text = I18N.t(key, { s: String(s), m: String(Math.ceil(s / 60)) });
  $("login-error").textContent = text !== key ? text : I18N.t("login_failed", { code: shown.code || shown.status });
}
$("lang").onclick = () => { I18N.toggle(); showError(); };
// After a refused try the button waits as long as the server said (Retry-After).
function holdButton(seconds) {
  const button = $("login-submit");
  button.disabled = true;
  setTimeout(() => { button.disabled = false; }, seconds * 1000);
}
// ?next= as an absolute URL of this origin, or the HR page. Browsers read "//host", "/\host", "/\thost" and the like
// as another site, so the target is resolved the way the browser will resolve it and its origin compared; the full
// URL is used (a path such as "//host" alone, from "/.//host", would leave the origin again).
function nextPage() {
  const raw = new URLSearchParams(location.search).get("next");
  if (!raw || raw[0] !== "/") return "/hr";
  let url;
  try { url = new URL(raw, location.origin); } catch (e) { return "/hr"; }
  return url.origin === location.origin ? url.href : "/hr";
}
$("login").addEventListener("submit", async (e) => {
  e.preventDefault();
  let res;
  try {
    res = await fetch("/api/v1/auth/login", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: $("email").value, password: $("password").value }) });
  } catch (err) { shown = { code: "network" }; showError(); return; }
  if (res.ok) { location.href = nextPage(); return; }
  const data = await res.json().catch(() => ({}));
  const seconds = parseInt(res.headers.get("Retry-After") || "0", 10) || 0;
  shown = { code: (data.error && data.error.code) || "", status: res.status, seconds };
  showError();
  if (seconds > 0) holdButton(seconds);
});
})();
