// JSON calls to the server for the pages (the candidate's interview and schedule pages, the HR page's admin
// sections): one place for the request shape and for turning an error answer ({error: {code, message}}) into
// text in the page's language.
(function () {
  "use strict";
  // GET without a body, POST with a JSON body (or the given method). Resolves with the JSON answer; rejects with an
  // Error that carries the server's error code ("network" when the server could not be reached).
  async function call(path, body, method) {
    let res;
    const init = { method: method || (body ? "POST" : "GET") };
    if (body) { init.headers = { "Content-Type": "application/json" }; init.body = JSON.stringify(body); }
    try {
      res = await fetch(path, init);
    } catch (e) { const err = new Error(e.message); err.code = "network"; throw err; }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      const err = new Error((data.error && data.error.message) || res.statusText); err.code = data.error && data.error.code;
      err.details = (data.error && data.error.details) || [];  // [{field, message}] of a refused request
      err.retryAfter = Number(res.headers.get("Retry-After")) || null;  // seconds, on 429 and 503 answers
      throw err;
    }
    return data;
  }
  // Known error codes (an "err_<code>" entry in I18N) in the page's language; others with the server's message.
  // A refused request names its fields (the API's own names, as in its documentation).
  function errorText(err) {
    const key = "err_" + (err.code || "");
    const text = I18N.t(key);
    if (text === key) return err.message;
    const fields = [...new Set((err.details || []).map((d) => d.field).filter(Boolean))];
    return fields.length ? text + I18N.colon() + fields.join(I18N.lang === "zh" ? "、" : ", ") : text;
  }
  // The Error a failed fetch answer ({error: {code, message, details}}) stands for, for errorText.
  function errorOf(data, status) {
    const e = (data && data.error) || {};
    const err = new Error(e.message || String(status || "")); err.code = e.code; err.details = e.details || [];
    return err;
  }
  // A list read newest first a page at a time (the audit logs: ?limit=, ?before= an answer's next_before).
  // list.load(false) reads the first page again, list.load(true) adds the next; list.rows and list.more are what
  // is loaded; only the newest load calls render() (or failed(err)). query() gives the filters of the moment.
  function pages(path, key, { query, render, failed }) {
    const list = { rows: [], more: false };
    let nextBefore = null;
    let seq = 0;
    list.load = async (older) => {
      const mine = ++seq;
      const q = new URLSearchParams({ limit: "50", ...query() });
      if (older && nextBefore) q.set("before", nextBefore);
      let data;
      try { data = await call(path + "?" + q); } catch (err) {
        if (mine !== seq) return;
        if (!older) { list.rows = []; nextBefore = null; list.more = false; render(); }  // no other filter's rows
        failed(err);
        return;
      }
      if (mine !== seq) return;
      list.rows = older ? list.rows.concat(data[key]) : data[key];
      nextBefore = data.next_before;
      list.more = Boolean(nextBefore);
      render();
    };
    return list;
  }
  window.API = { call, errorText, errorOf, pages };
})();
