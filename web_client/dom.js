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
  window.DOM = { el, dateTime };
})();
