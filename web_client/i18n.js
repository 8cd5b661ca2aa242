// Tiny i18n: elements with data-i18n="key" get the text of the current language; t(key) for scripts.
(function () {
  let stored = localStorage.getItem("lang");  // the reader's own choice, which a page's initial language never overrides
  let lang = stored || ((navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en");
  const dicts = { en: {}, zh: {} };
  function t(key, vars) {
    let s = (dicts[lang] && dicts[lang][key]) || dicts.en[key] || key;
    // one pass, each value as it is: a value holding "{name}" or "$&" (a job title, an address) stays as typed
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (Object.hasOwn(vars, k) ? String(vars[k]) : m));
    return s;
  }
  function apply(root) {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    // the switch names the other language in that language ("中文", "English"): a screen reader reads it so
    const other = document.getElementById("lang");
    if (other && other.classList.contains("lang-switch")) other.lang = lang === "zh" ? "en" : "zh-CN";
    (root || document).querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    (root || document).querySelectorAll("[data-i18n-label]").forEach((el) => { el.setAttribute("aria-label", t(el.dataset.i18nLabel)); });
    (root || document).querySelectorAll(".i18n-colon").forEach((el) => { el.textContent = colon(); });
  }
  function colon() { return lang === "zh" ? "：" : ": "; }  // a label's colon in the reader's language (class i18n-colon)
  function setLang(l) { lang = stored = l; localStorage.setItem("lang", l); apply(); document.dispatchEvent(new CustomEvent("langchange")); }
  window.I18N = {
    add(en, zh) { Object.assign(dicts.en, en); Object.assign(dicts.zh, zh); },
    t, apply, setLang,
    get lang() { return lang; },
    set initial(l) { if (!stored && (l === "en" || l === "zh")) lang = l; },
    toggle() { setLang(lang === "zh" ? "en" : "zh"); },
    colon,
  };
})();
