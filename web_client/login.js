// Login page: log in, then go back to the page that asked for it (?next=), on this server only.
(function () {
  "use strict";
  I18N.add({ login_title: "Interview server — log in", email: "Email", password: "Password", login: "Log in" },
           { login_title: "面试服务器 — 登录", email: "邮箱", password: "密码", login: "登录" });
  I18N.apply();
  document.getElementById("lang").onclick = () => I18N.toggle();

  // ?next= as an absolute URL of this origin, or the HR page. Browsers read "//host", "/\host", "/\thost" and the
  // like as another site, so the target is resolved the way the browser will resolve it and its origin compared;
  // the full URL is used (a path such as "//host" alone would leave the origin again).
  function nextTarget() {
    const raw = new URLSearchParams(location.search).get("next");
    if (!raw || raw[0] !== "/") return "/hr";
    let url;
    try { url = new URL(raw, location.origin); } catch (e) { return "/hr"; }
    return url.origin === location.origin ? url.href : "/hr";
  }

  document.getElementById("login").addEventListener("submit", async (e) => {
    e.preventDefault();
    const res = await fetch("/api/v1/auth/login", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: document.getElementById("email").value,
                             password: document.getElementById("password").value }) });
    if (res.ok) {
      location.href = nextTarget();
    } else {
      const data = await res.json().catch(() => ({}));
      document.getElementById("login-error").textContent = (data.error && data.error.message) || res.statusText;
    }
  });
})();
