// Candidate scheduling page: free slots grouped by day in the candidate's time zone; book, reschedule, cancel,
// and start the interview when it is time (or at once, when the job allows it).
(function () {

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
