// Candidate page: what went wrong when the browser did not give the microphone or camera, in words and with the
// steps for the candidate's browser, instead of the browser's raw error. The page shows it with a Try again button
// (another getUserMedia, no reload) and, when a camera was asked for, "Continue with the microphone only".
(function () {
  "use strict";
  // getUserMedia's error names (and older Chrome/Firefox ones) -> the case the page explains
  const CASES = {
    NotAllowedError: "denied", PermissionDeniedError: "denied", SecurityError: "denied",
    NotFoundError: "notfound", DevicesNotFoundError: "notfound",
    NotReadableError: "inuse", TrackStartError: "inuse", AbortError: "inuse",
    OverconstrainedError: "constraints", ConstraintNotSatisfiedError: "constraints",
  };

  // The browser, for its own steps to allow a blocked site again (Edge and Opera say "Chrome" too: test them first).
  function browser(ua) {
    ua = ua || navigator.userAgent;
    if (/\bEdg(e|A|iOS)?\//.test(ua)) return "edge";
    if (/\b(Firefox|FxiOS)\//.test(ua)) return "firefox";
    if (/(Chrome|Chromium|CriOS)\//.test(ua)) return "chrome";  // HeadlessChrome too
    if (/\bSafari\//.test(ua)) return "safari";
    return "other";
  }

  // Whether this page may ask for devices at all: only secure pages (https or this machine) have mediaDevices.
  function insecure() {
    return !window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia;
  }

  // {kind, title, text, steps, system, detail, retry}: the keys of the catalogue's words for ``err`` (null: an
  // insecure page, which no retry can mend).
  function explain(err) {
    if (err === null) {
      return { kind: "insecure", title: "cand_dev_insecure_h", text: "cand_dev_insecure", steps: null, system: false,
        detail: "", retry: false };
    }
    const kind = CASES[err && err.name] || "other";
    const out = { kind, title: `cand_dev_${kind}_h`, text: `cand_dev_${kind}`, steps: null, system: false,
      detail: (err && err.message) || "", retry: true };
    if (kind === "denied") { out.steps = `cand_help_${browser()}`; out.system = true; }
    return out;
  }

  window.DeviceHelp = { explain, browser, insecure };
})();
