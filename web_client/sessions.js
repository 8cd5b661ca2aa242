// HR page: changing one's password (every other login ends), and for admins who is logged in, with
// "sign out everywhere" per person (DELETE /api/v1/users/{id}/sessions).
(function () {
  "use strict";
  I18N.add({
    acct_h: "Your password", pw_current: "Current password", pw_new: "New password (at least 10 characters)",
    pw_again: "New password again", pw_submit: "Change password",
    pw_help: "Changing it logs you out everywhere else: every other device and browser has to log in again.",
    pw_mismatch: "The two new passwords differ.", pw_short: "The new password needs at least 10 characters.",
    pw_done: "Password changed. Logins ended elsewhere: {n}.",
    err_wrong_password: "The current password is wrong.", err_same_password: "The new password must differ from the current one.",
    err_login_wait: "Too many wrong passwords. You can try again in a little while.",
    err_login_locked: "Too many wrong passwords: your account is locked for a while. Try again later.",
    err_login_busy: "The server is checking many logins right now. Try again in a moment.",
    logins_h: "Who is logged in", logins_caption: "People of your organisation and their open logins",
    logins_help: "Sign a person out everywhere when a device is lost or they leave: all their logins end at once, also open live views.",
    logins_person: "Person", logins_role: "Role", logins_open: "Open logins", logins_last: "Last used",
    logins_out: "Sign out everywhere", logins_out_label: "Sign {name} out everywhere", logins_never: "—",
    logins_ended: "{name} was signed out everywhere ({n} logins ended).",
    logins_error: "The list of logins could not be loaded: {msg}",
    role_admin: "admin", role_hr: "HR", role_observer: "observer",
  }, {
    acct_h: "您的密码", pw_current: "当前密码", pw_new: "新密码（至少 10 个字符）", pw_again: "再次输入新密码",
    pw_submit: "修改密码", pw_help: "修改后，您在其他设备和浏览器上的登录都会退出，需要重新登录。",
    pw_mismatch: "两次输入的新密码不一致。", pw_short: "新密码至少需要 10 个字符。",
    pw_done: "密码已修改。已退出其他登录：{n} 个。",
    err_wrong_password: "当前密码错误。", err_same_password: "新密码不能与当前密码相同。",
    err_login_wait: "密码错误次数过多，请稍后再试。",
    err_login_locked: "密码错误次数过多，您的账号已暂时锁定，请稍后再试。",
    err_login_busy: "服务器正在处理大量登录，请稍后再试。",
    logins_h: "登录情况", logins_caption: "本组织成员及其未结束的登录",
    logins_help: "设备丢失或成员离开时，可让其在所有设备上退出：其全部登录（包括正在观看的实时面试）立即结束。",
    logins_person: "成员", logins_role: "角色", logins_open: "未结束的登录", logins_last: "最近使用",
    logins_out: "在所有设备上退出", logins_out_label: "让 {name} 在所有设备上退出", logins_never: "—",
    logins_ended: "{name} 已在所有设备上退出（结束了 {n} 个登录）。",
    logins_error: "无法加载登录情况：{msg}",
    role_admin: "管理员", role_hr: "HR", role_observer: "观察员",
  });
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
  function cell(tr, ...children) {  // data-label: the column's name, shown before the value on a phone
    const td = document.createElement("td"); td.append(...children);
    const label = COLUMNS[tr.children.length]; if (label) td.dataset.label = I18N.t(label);
    tr.append(td); return td;
  }
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
