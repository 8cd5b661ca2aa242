// Candidate scheduling page: free slots grouped by day in the candidate's time zone; book, reschedule, cancel,
// and start the interview when it is time (or at once, when the job allows it).
(function () {
  I18N.add({
    s_title: "Interview time", s_your_time: "Your interview is booked for:", s_start: "Start the interview now",
    s_start_now_instead: "Start the interview now instead", s_cancel: "Cancel my interview",
    s_cancel_q: "Cancel this interview time? You can book a new one afterwards.", s_cancel_yes: "Yes, cancel it",
    s_cancel_no: "Keep it", s_zone: "Time zone", s_zone_note: "Times are shown in {zone} ({offset}).",
    s_pick: "Choose a time", s_pick_other: "Move your interview to another time", s_book: "Book this time",
    s_move: "Move my interview to this time", s_book_pick_first: "Choose a time above",
    s_no_slots: "No free times are offered at the moment. Please check again later or contact the recruiter.",
    s_unbooked: "Please choose a time for your interview. It lasts about {minutes} minutes.",
    s_unbooked_optional: "You can start the interview now, or choose a time that suits you better.",
    s_cancelled_note: "Your previous time was cancelled. Choose a new one below.",
    s_opens: "You can join from {time}, {grace} minutes before it starts.", s_utc: "That is {time} UTC.",
    s_booked_ok: "Booked.", s_moved_ok: "Moved to the new time.", s_notified: "A confirmation is on its way.",
    s_cancelled_ok: "Your interview time is cancelled.", s_seats: "{n} seats left",
    s_slot_label: "{day}, {start} to {end}",
    err_slot_taken: "Someone else has just taken this time. Please pick another.",
    err_slot_in_past: "This time has already begun. Please pick a later one.",
    err_slot_not_found: "This time is no longer offered. Please pick another.",
    err_booking_changed: "Your booking was changed in the meantime (perhaps in another window). The page now shows the current state.",
    err_missed_slot: "Your booked time has passed without the interview being joined. Please contact the recruiter for a new time.",
    err_interview_started: "This interview has already started or ended; its time can no longer change.",
    err_invalid_timezone: "This time zone is not known to the server. Please choose another.",
    err_invalid_link: "This interview link is not valid.", err_link_expired: "This interview link has expired. Ask the recruiter for a new one.",
    err_network: "The server could not be reached. Check your connection and try again.",
    s_link_short_notified: "Your current link expires on {time}, before this interview would be over. The confirmation we send you carries a new link that stays valid until after the interview, and this page switches to it.",
    s_link_short_page: "Your current link expires on {time}, before this interview would be over. After booking, this page switches to a new link that stays valid until after the interview: bookmark the page then.",
    s_link_renewed_notified: "Your original link expires on {old}, before your interview. This page now uses a new link, valid until {until}; the confirmation carries it too.",
    s_link_renewed_page: "Your original link expires on {old}, before your interview. This page now uses a new link, valid until {until}: bookmark this page to come back to it.",
  }, {
    s_title: "面试时间", s_your_time: "您的面试已预约在：", s_start: "现在开始面试", s_start_now_instead: "直接开始面试",
    s_cancel: "取消面试", s_cancel_q: "确定取消这个面试时间吗？取消后可以重新预约。", s_cancel_yes: "确定取消", s_cancel_no: "保留",
    s_zone: "时区", s_zone_note: "以下时间按 {zone}（{offset}）显示。", s_pick: "选择时间", s_pick_other: "改到其他时间",
    s_book: "预约这个时间", s_move: "改到这个时间", s_book_pick_first: "请先在上方选择时间",
    s_no_slots: "目前没有可预约的时间。请稍后再来查看，或联系招聘人员。",
    s_unbooked: "请为面试选择一个时间。面试约 {minutes} 分钟。", s_unbooked_optional: "您可以现在开始面试，也可以选择更合适的时间。",
    s_cancelled_note: "您原来的时间已取消，请在下方重新选择。",
    s_opens: "您可以从 {time} 起进入，即开始前 {grace} 分钟。", s_utc: "即 UTC 时间 {time}。",
    s_booked_ok: "预约成功。", s_moved_ok: "已改到新的时间。", s_notified: "确认通知正在发送。", s_cancelled_ok: "您的面试时间已取消。",
    s_seats: "剩余 {n} 个名额", s_slot_label: "{day}，{start} 至 {end}",
    err_slot_taken: "这个时间刚刚被其他人预约了，请选择其他时间。", err_slot_in_past: "这个时间已经开始，请选择更晚的时间。",
    err_slot_not_found: "这个时间已不再开放，请选择其他时间。", err_booking_changed: "您的预约在此期间已被更改（可能在另一个窗口中）。页面现在显示的是最新状态。",
    err_missed_slot: "您预约的时间已过，且未进入面试。请联系招聘人员安排新的时间。", err_interview_started: "此面试已经开始或结束，时间无法再更改。",
    err_invalid_timezone: "服务器不认识这个时区，请选择其他时区。",
    err_invalid_link: "此面试链接无效。", err_link_expired: "此面试链接已过期，请向招聘人员索取新链接。",
    err_network: "无法连接服务器，请检查网络后重试。",
    s_link_short_notified: "您当前的链接将于 {time} 失效，早于这场面试结束。我们发给您的确认通知中附有新链接，有效期到面试结束之后，本页面也会自动换用新链接。",
    s_link_short_page: "您当前的链接将于 {time} 失效，早于这场面试结束。预约后本页面会换用新链接，有效期到面试结束之后：届时请将本页加入书签。",
    s_link_renewed_notified: "您原来的链接将于 {old} 失效，早于您的面试。本页面现在使用新链接，有效期至 {until}；确认通知中也附有这个新链接。",
    s_link_renewed_page: "您原来的链接将于 {old} 失效，早于您的面试。本页面现在使用新链接，有效期至 {until}：请将本页加入书签，以便之后再次打开。",
  });

  const $ = (id) => document.getElementById(id);
  let token = decodeURIComponent(location.pathname.split("/").pop());
  let renewal = null;  // {old, until, slot}: the link this page came with expires before the booked slot
  const browserZone = (Intl.DateTimeFormat().resolvedOptions().timeZone) || "UTC";
  let data = null, zoneName = localStorage.getItem("schedule_tz") || browserZone, langSet = false;

  const api = API.call, errorText = API.errorText;  // web_client/api.js

  // --- formatting in the chosen zone ---------------------------------------------------------------------
  const locale = () => (I18N.lang === "zh" ? "zh-CN" : "en-GB");
  function fmt(iso, opts) { return new Intl.DateTimeFormat(locale(), { timeZone: zoneName, ...opts }).format(new Date(iso)); }
  const dayText = (iso) => fmt(iso, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
  const timeText = (iso) => fmt(iso, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const dayKey = (iso) => new Intl.DateTimeFormat("en-CA", { timeZone: zoneName, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(iso));
  function offsetText(iso) {
    try {
      const part = new Intl.DateTimeFormat("en-US", { timeZone: zoneName, timeZoneName: "longOffset" })
        .formatToParts(new Date(iso || Date.now())).find((p) => p.type === "timeZoneName");
      return part ? part.value.replace("GMT", "UTC") || "UTC" : "";
    } catch (e) { return ""; }
  }
  const fullText = (iso) => `${dayText(iso)}, ${timeText(iso)} (${zoneName}, ${offsetText(iso)})`;
  const utcText = (iso) => new Date(iso).toISOString().slice(0, 16).replace("T", " ");

  function fillZones() {
    const sel = $("tz");
    let zones = [];
    try { zones = Intl.supportedValuesOf("timeZone"); } catch (e) { zones = []; }
    for (const z of [browserZone, zoneName, "UTC"]) if (!zones.includes(z)) zones.unshift(z);
    sel.textContent = "";
    for (const z of zones) { const o = document.createElement("option"); o.value = z; o.textContent = z.replaceAll("_", " "); sel.append(o); }
    sel.value = zoneName;
  }

  // --- rendering ------------------------------------------------------------------------------------------
  function render() {
    if (!data) return;
    I18N.apply();
    $("overview").classList.remove("hidden");
    $("job-title").textContent = data.job_title;
    $("candidate-name").textContent = data.candidate_name;
    const booked = data.schedule_status === "booked" && data.booking;
    const missed = data.schedule_status === "no_show";
    $("booked-box").classList.toggle("hidden", !booked);
    $("missed-note").classList.toggle("hidden", !missed);
    $("cancel").classList.toggle("hidden", !booked || data.interview_status === "live");
    if (booked) {
      $("booked-time").textContent = fullText(data.booking.starts_at) + " – " + timeText(data.booking.ends_at);
      $("booked-utc").textContent = I18N.t("s_utc", { time: utcText(data.booking.starts_at) });
      $("opens-note").textContent = (!data.can_start && data.opens_at)
        ? I18N.t("s_opens", { time: fullText(data.opens_at),
          grace: String(Math.round((new Date(data.booking.starts_at) - new Date(data.opens_at)) / 60000)) }) : "";
    }
    const renewed = booked && renewal && renewal.slot === data.booking.id;
    $("renewed-note").classList.toggle("hidden", !renewed);
    $("renewed-note").textContent = renewed
      ? I18N.t(data.notified_channels.length ? "s_link_renewed_notified" : "s_link_renewed_page",
        { old: fullText(renewal.old), until: fullText(renewal.until) }) : "";
    const unbooked = !booked && !missed;
    $("unbooked-note").classList.toggle("hidden", !unbooked);
    if (unbooked) {
      $("unbooked-note").textContent = data.schedule_status === "cancelled" ? I18N.t("s_cancelled_note")
        : I18N.t(data.allow_immediate ? "s_unbooked_optional" : "s_unbooked", { minutes: String(data.slot_minutes) });
    }
    const start = $("start");
    start.href = "/i/" + encodeURIComponent(token);
    start.classList.toggle("hidden", !data.can_start);
    start.textContent = I18N.t(booked || !data.allow_immediate ? "s_start" : "s_start_now_instead");
    renderSlots(booked, missed);
  }

  function renderSlots(booked, missed) {
    const canChange = !missed && (data.interview_status === "created" || data.interview_status === "consented");
    $("picker").classList.toggle("hidden", !canChange);
    if (!canChange) return;
    $("picker-h").textContent = I18N.t(booked ? "s_pick_other" : "s_pick");
    // the offset at the times shown (daylight saving time may differ from today's)
    const shown = (data.slots[0] && data.slots[0].starts_at) || (booked && data.booking.starts_at) || null;
    $("zone-note").textContent = I18N.t("s_zone_note", { zone: zoneName, offset: offsetText(shown) });
    const days = $("days");
    const chosen = days.querySelector("input:checked");
    const keep = chosen ? chosen.value : null;
    days.textContent = "";
    const groups = new Map();
    for (const s of data.slots) {
      const k = dayKey(s.starts_at);
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(s);
    }
    let i = 0;
    for (const [, slots] of groups) {
      const fs = document.createElement("fieldset"); fs.className = "slots-day"; fs.style.border = "0"; fs.style.padding = "0"; fs.style.margin = "0";
      const legend = document.createElement("legend"); legend.className = "day"; legend.textContent = dayText(slots[0].starts_at);
      const wrap = document.createElement("div"); wrap.className = "slots";
      for (const s of slots) {
        const label = document.createElement("label"); label.className = "slot";
        const input = document.createElement("input"); input.type = "radio"; input.name = "slot"; input.value = s.id; input.id = "slot-" + (i++);
        input.checked = s.id === keep;
        input.setAttribute("aria-label", I18N.t("s_slot_label", { day: dayText(s.starts_at), start: timeText(s.starts_at), end: timeText(s.ends_at) })
          + (s.free > 1 ? " · " + I18N.t("s_seats", { n: String(s.free) }) : ""));
        input.addEventListener("change", updateBook);
        const text = document.createElement("span"); text.textContent = `${timeText(s.starts_at)}–${timeText(s.ends_at)}`;
        text.setAttribute("aria-hidden", "true");
        label.append(input, text); wrap.append(label);
      }
      fs.append(legend, wrap); days.append(fs);
    }
    $("no-slots").classList.toggle("hidden", data.slots.length > 0);
    updateBook();
  }

  function updateBook() {
    const chosen = $("days").querySelector("input:checked");
    const booked = data.schedule_status === "booked" && data.booking;
    $("book").disabled = !chosen;
    $("book").textContent = chosen ? I18N.t(booked ? "s_move" : "s_book") : I18N.t("s_book_pick_first");
    // Would the link in hand stop working before this slot is over? Booking hands out one that lasts.
    const slot = chosen && data.slots.find((s) => s.id === chosen.value);
    const needed = slot && new Date(slot.ends_at).getTime() + (data.link_needed_after_slot_min || 0) * 60000;
    const short = !!(slot && data.link_expires_at && new Date(data.link_expires_at).getTime() < needed);
    $("link-note").classList.toggle("hidden", !short);
    $("link-note").textContent = short
      ? I18N.t(data.notified_channels.length ? "s_link_short_notified" : "s_link_short_page", { time: fullText(data.link_expires_at) }) : "";
  }

  // The server hands out a renewed link when the booked slot outlasts the one in hand: use it from now on (also
  // in the address bar, so a bookmark or a reload keeps working) and tell the candidate.
  function adopt(fresh) {
    data = fresh;
    if (data.renewed_token && data.booking) {
      renewal = { old: data.link_expires_at, until: data.renewed_link_expires_at, slot: data.booking.id };
      token = data.renewed_token;
      history.replaceState(null, "", "/schedule/" + encodeURIComponent(token));
    }
  }

  // --- actions ---------------------------------------------------------------------------------------------
  const same = (a, b) => a && b && JSON.stringify({ ...a, server_time: 0 }) === JSON.stringify({ ...b, server_time: 0 });
  async function load() {
    const fresh = await api(`/api/v1/candidate/schedule?token=${encodeURIComponent(token)}`);
    if (same(fresh, data)) return;  // nothing changed: keep the page (and the keyboard focus) as it is
    adopt(fresh);
    if (!langSet) {
      langSet = true;
      I18N.initial = data.language;
    }
    render();
  }

  function say(key, notified) {
    $("status").textContent = key ? I18N.t(key) + (notified && data.notified_channels.length ? " " + I18N.t("s_notified") : "") : "";
  }
  function fail(err) { $("error").textContent = errorText(err); }

  $("slot-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const chosen = $("days").querySelector("input:checked");
    if (!chosen) return;
    say(null); $("error").textContent = "";
    const booked = data.schedule_status === "booked" && data.booking;
    $("book").disabled = true;
    try {
      adopt(await api(`/api/v1/candidate/schedule/${booked ? "reschedule" : "book"}`, { token, slot_id: chosen.value, timezone: zoneName }));
      render(); say(booked ? "s_moved_ok" : "s_booked_ok", true); $("booked-time").focus();
    } catch (err) {
      fail(err);
      if (["slot_taken", "slot_in_past", "slot_not_found", "booking_changed"].includes(err.code)) await load().catch(() => {});
      else updateBook();
    }
  });
  $("cancel").addEventListener("click", () => { $("cancel-confirm").classList.remove("hidden"); $("cancel-yes").focus(); });
  $("cancel-no").addEventListener("click", () => { $("cancel-confirm").classList.add("hidden"); $("cancel").focus(); });
  $("cancel-yes").addEventListener("click", async () => {
    $("cancel-confirm").classList.add("hidden"); say(null); $("error").textContent = "";
    try { adopt(await api("/api/v1/candidate/schedule/cancel", { token })); render(); say("s_cancelled_ok"); }
    catch (err) { fail(err); await load().catch(() => {}); }
  });
  $("tz").addEventListener("change", () => { zoneName = $("tz").value; localStorage.setItem("schedule_tz", zoneName); render(); });
  $("lang").addEventListener("click", () => { I18N.toggle(); render(); });
  $("booked-time").tabIndex = -1;

  async function start() {
    I18N.apply();
    fillZones();
    try { await load(); }
    catch (err) { $("fatal-text").textContent = errorText(err); $("fatal").classList.remove("hidden"); return; }
    // Refresh now and then: the start button appears when it is time, taken slots disappear.
    setInterval(() => { if ($("cancel-confirm").classList.contains("hidden")) load().catch(() => {}); }, 30000);
  }
  start();
})();
