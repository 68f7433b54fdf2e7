// Small behaviours around the HTMX panel: finished-job toasts and announcements, pausing polls
// while a confirmation is open, and a quiet "Reconnecting…" line when the server is unreachable.
(function () {
  "use strict";
  const FINAL = new Set(["completed", "failed", "stopped", "expired"]);
  let before = new Map();

  function statuses(root) {
    const map = new Map();
    (root || document).querySelectorAll("#panel [data-job-id]").forEach(el => map.set(el.dataset.jobId, el));
    return map;
  }

  function toast(text, href) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const el = document.createElement("div");
    el.className = "toast";
    el.textContent = text + " ";
    if (href) { const a = document.createElement("a"); a.href = href; a.textContent = "Show"; el.appendChild(a); }
    box.appendChild(el);
    setTimeout(() => el.remove(), 8000);
  }

  function announce(text) {
    const region = document.getElementById("announcer");
    if (region) region.textContent = text;
  }

  document.addEventListener("htmx:beforeRequest", e => {
    const panel = document.getElementById("panel");
    // A poll must not wipe an inline confirmation the user is answering.
    if (panel && e.detail.elt === panel && panel.querySelector("[data-confirming]")) e.preventDefault();
    if (panel && e.detail.elt === panel) before = new Map([...statuses()].map(([id, el]) => [id, el.dataset.status]));
  });

  document.addEventListener("htmx:afterSettle", () => {
    const changes = [];
    statuses().forEach((el, id) => {
      const was = before.get(id), now = el.dataset.status;
      if (was && was !== now) {
        changes.push(`${el.dataset.label}: ${el.querySelector("[data-testid=status]").textContent}`);
        if (!FINAL.has(was) && FINAL.has(now)) toast(`${el.dataset.label} is ${now.replace("_", " ")}.`, "#job-" + id);
      }
    });
    if (changes.length) announce(changes.join(". "));
    before = new Map([...statuses()].map(([id, el]) => [id, el.dataset.status]));
    document.querySelectorAll(".reconnecting").forEach(el => { el.hidden = true; });
  });

  document.addEventListener("htmx:sendError", () => {
    document.querySelectorAll(".reconnecting").forEach(el => { el.hidden = false; });
  });

  document.addEventListener("htmx:responseError", e => {
    if (e.detail.xhr.status >= 400) toast(e.detail.xhr.responseText || "Something went wrong.");
  });

  document.addEventListener("visibilitychange", () => {
    // Polls are paused while hidden ([!document.hidden]); catch up at once when shown again.
    const panel = document.getElementById("panel");
    if (!document.hidden && panel && panel.dataset.polling && window.htmx) htmx.trigger(panel, "refresh");
  });
})();
