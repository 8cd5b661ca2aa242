// Login page: log in, say why a login was refused (and for how long), then go back to the page that asked for it
// (?next=, on this server only). A file of its own: the pages' Content-Security-Policy allows no inline script.
(function () {
  "use strict";
I18N.add({ login_title: "Interview server — log in", email: "Email", password: "Password", login: "Log in",
  err_bad_credentials: "Wrong email or password.",
  err_login_wait: "Too many wrong passwords. You can try again in {s} seconds.",
  err_login_locked: "Too many wrong passwords: logging in is locked for {m} minutes. Try again later or ask your organisation's admin.",
  err_login_busy: "The server is checking many logins right now. Try again in a moment.",
  err_network: "The server could not be reached. Check your connection and try again." },
  { login_title: "面试服务器 — 登录", email: "邮箱", password: "密码", login: "登录",
  err_bad_credentials: "邮箱或密码错误。",
  err_login_wait: "密码错误次数过多，请在 {s} 秒后重试。",
  err_login_locked: "密码错误次数过多，登录已锁定 {m} 分钟。请稍后再试，或联系本组织的管理员。",
  err_login_busy: "服务器正在处理大量登录，请稍后再试。",
  err_network: "无法连接服务器，请检查网络后重试。" });
I18N.apply();
const $ = (id) => document.getElementById(id);
let shown = null;  // the error on screen ({code, seconds}), re-rendered on a language switch
function showError() {
  if (!shown) { $("login-error").textContent = ""; return; }
  const s = shown.seconds;
  const key = "err_" + shown.code;
  const text = I18N.t(key, { s: String(s), m: String(Math.ceil(s / 60)) });
  $("login-error").textContent = text !== key ? text : shown.message;
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
  } catch (err) { shown = { code: "network", message: err.message }; showError(); return; }
  if (res.ok) { location.href = nextPage(); return; }
  const data = await res.json().catch(() => ({}));
  const seconds = parseInt(res.headers.get("Retry-After") || "0", 10) || 0;
  shown = { code: (data.error && data.error.code) || "", message: (data.error && data.error.message) || res.statusText, seconds };
  showError();
  if (seconds > 0) holdButton(seconds);
});
})();
