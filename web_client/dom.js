// Small page helpers shared by the pages' scripts (loaded after i18n.js).
(function () {
  "use strict";
  // An element with its text (never parsed as HTML) and an optional class.
  function el(tag, text, cls) {
    const x = document.createElement(tag);
    if (text != null) x.textContent = text;
    if (cls) x.className = cls;
    return x;
  }
  // A moment in the page's language: day, month, year and time unless other Intl options are given.
  function dateTime(iso, options) {
    return new Intl.DateTimeFormat(I18N.lang === "zh" ? "zh-CN" : "en-GB",
      options || { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
  }
  // A language as the document readers name it (analyzers/documents/requirement_vocabulary.py: "english",
  // "cantonese", ...) in the page's language; a name not in the map as it is.
  const LANGUAGE_CODES = { english: "en", chinese: "zh", cantonese: "yue", japanese: "ja", korean: "ko", german: "de",
    french: "fr", spanish: "es" };
  function languageName(name) {
    if (!LANGUAGE_CODES[name]) return name;
    try { return new Intl.DisplayNames([I18N.lang === "zh" ? "zh-CN" : "en"], { type: "language" }).of(LANGUAGE_CODES[name]); }
    catch (e) { return name; }
  }
  // Put ``text`` on the clipboard; resolves true when it is there (false: the browser refused, the person copies
  // it by hand from where it is shown).
  async function copyText(text) {
    try { await navigator.clipboard.writeText(text); return true; } catch (e) { return false; }
  }
  // A cell appended to the row ``tr`` holding ``children``; data-label is the name of its column (``columns``: the
  // catalogue keys of the table's columns, in order), shown before the value on a phone.
  function columnCell(tr, columns, ...children) {
    const td = document.createElement("td"); td.append(...children);
    const label = columns[tr.children.length]; if (label) td.dataset.label = I18N.t(label);
    tr.append(td); return td;
  }
  window.DOM = { el, dateTime, languageName, copyText, columnCell };
})();
