// Candidate page: "Ask for a human review", wherever the page states that right (the consent step, the end). Calls
// POST /api/v1/candidate/review-request, which is idempotent: asking again keeps the first request's time. Every
// place on the page shows the same confirmation once one of them has asked.
(function () {
  "use strict";
  const boxes = [];
  let token = null, requestedAt = null;

  // Every text of a box, in the page's language now (a box mounted before the page settled on the interview's
  // language, or before the candidate switched, must not keep the other language's words).
  function render(box) {
    box.right.textContent = I18N.t("cand_review_right");
    box.button.textContent = I18N.t("cand_review_button");
    box.status.textContent = requestedAt ? I18N.t("cand_review_sent", { at: DOM.dateTime(requestedAt) }) : "";
    box.button.classList.toggle("hidden", Boolean(requestedAt));
  }

  async function ask(box) {
    box.button.disabled = true;
    box.status.textContent = "";
    try {
      requestedAt = (await API.call("/api/v1/candidate/review-request", { token })).requested_at;
      boxes.forEach(render);
      box.status.focus();
    } catch (err) {
      box.status.textContent = API.errorText(err);
    } finally {
      box.button.disabled = false;
    }
  }

  // Fill ``container`` with the right (unless ``statesRight`` is false: the page says it just above), the button and
  // its confirmation. ``alreadyAt``: the time of an earlier request (the session's review_requested_at), or null.
  function mount(container, linkToken, alreadyAt, statesRight = true) {
    token = linkToken;
    if (alreadyAt && !requestedAt) requestedAt = alreadyAt;
    if (container.dataset.mounted) { boxes.forEach(render); return; }
    container.dataset.mounted = "1";
    const right = DOM.el("p", I18N.t("cand_review_right"));
    right.classList.toggle("hidden", !statesRight);
    const button = DOM.el("button", I18N.t("cand_review_button"), "secondary");
    button.type = "button";
    const status = DOM.el("p", "", "review-status");
    status.setAttribute("role", "status");
    status.tabIndex = -1;
    container.append(right, button, status);
    const box = { right, button, status };
    boxes.push(box);
    button.addEventListener("click", () => ask(box));
    render(box);
  }

  document.addEventListener("langchange", () => boxes.forEach(render));
  window.ReviewRequest = { mount };
})();
