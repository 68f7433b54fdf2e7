// Small behaviours around the HTMX panel, on every page of the application:
//  - a notice (toast) with a link when one of your jobs finishes, driven by the header badge,
//    which lists the ids of your active jobs and is refreshed by the panel's poll or its own;
//  - an ARIA live region announcing status changes in the panel;
//  - polls pause while the tab is hidden (hx-trigger filter) and catch up when it is shown;
//  - a quiet "Reconnecting…" line while the server cannot be reached, gone on the next answer;
//  - inline confirmations answered with the keyboard (Escape cancels, focus is kept sensible);
//  - details that open in place and stay open while the panel refreshes;
//  - relative times ("3 min ago") kept current, the exact local time on hover.
(function () {
  "use strict";
  const FINAL = new Set(["completed", "failed", "stopped", "expired"]);
  const WORDS = { completed: "completed", failed: "failed", stopped: "was stopped", expired: "expired" };
  const openDetails = new Set();
  let statusBefore = new Map();
  let activeBefore = null;
  let answered = null; // {id, kind} of the confirmation the user just answered

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const rows = () => new Map($$("#panel li.job[data-job-id]").map(el => [el.dataset.jobId, el]));
  const snapshot = () => new Map([...rows()].map(([id, el]) => [id, el.dataset.status]));
  const isPoll = elt => elt && (elt.id === "panel" || elt.id === "jobs-badge");

  // ---- notices and announcements -------------------------------------------------------------
  function toast(text, links, kind) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const el = document.createElement("div");
    el.className = "toast" + (kind ? " toast-" + kind : "");
    el.setAttribute("role", kind === "error" ? "alert" : "status");
    const msg = document.createElement("span");
    msg.textContent = text;
    el.appendChild(msg);
    (links || []).forEach(([label, href, download]) => {
      const a = document.createElement("a");
      a.href = href;
      a.textContent = label;
      if (download) a.setAttribute("download", "");
      el.appendChild(a);
    });
    const close = document.createElement("button");
    close.className = "toast-close";
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    close.addEventListener("click", () => el.remove());
    el.appendChild(close);
    box.appendChild(el);
    while (box.children.length > 4) box.firstElementChild.remove();
    let timer = setTimeout(() => el.remove(), 10000);
    el.addEventListener("mouseenter", () => clearTimeout(timer));
    el.addEventListener("mouseleave", () => { timer = setTimeout(() => el.remove(), 4000); });
  }

  function announce(text) {
    const region = document.getElementById("announcer");
    if (!region) return;
    region.textContent = "";
    setTimeout(() => { region.textContent = text; }, 50);
  }

  // A job's notice shows once per browser tab, whichever way it was learnt of (a job of yours
  // leaving the badge's active list, or a system job you are notified of in the "n new" list).
  const shownKey = "bgjobs-notices";
  const shown = new Set(JSON.parse(sessionStorage.getItem(shownKey) || "[]"));
  function claimNotice(id) {
    if (shown.has(id)) return false;
    shown.add(id);
    sessionStorage.setItem(shownKey, JSON.stringify([...shown].slice(-200)));
    return true;
  }

  function finishedNotice(row) {
    const id = row.dataset.jobId, status = row.dataset.status;
    if (!FINAL.has(status) || !claimNotice(id)) return;
    notifyFinished(row);
    const onPanel = !!document.getElementById("job-" + id);
    const href = onPanel ? "#job-" + id : "/jobs?tab=" + (row.dataset.tab || "user") + "#job-" + id;
    const links = [];
    const download = row.querySelector("a[download]");
    if (download) links.push(["Download", download.getAttribute("href"), true]);
    const open = row.querySelector(".actions a.button:not([download])");
    if (open) links.push([open.textContent.trim(), open.getAttribute("href")]);
    links.push([onPanel ? "Show" : "Show in Background Jobs", href]);
    toast(`${row.dataset.label} ${WORDS[status] || status}.`, links,
      status === "failed" ? "error" : status === "completed" ? "ok" : "");
  }

  function noticeFor(id) {
    const row = document.getElementById("job-" + id);
    if (row && FINAL.has(row.dataset.status)) { finishedNotice(row); return; }
    // Not on this page: ask for the row (one small request per finished job).
    fetch("/jobs/" + encodeURIComponent(id), { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(r => (r.ok ? r.text() : ""))
      .then(html => {
        if (!html) return;
        const t = document.createElement("template");
        t.innerHTML = html.trim();
        const fetched = t.content.querySelector("li.job");
        if (fetched) finishedNotice(fetched);
      })
      .catch(() => {});
  }

  // System jobs you are notified of that ended since you last opened the System Generated tab.
  let endedBefore = null;
  function checkNotified() {
    const marker = document.getElementById("jobs-new");
    if (!marker) return;
    const ended = (marker.dataset.ended || "").split(" ").filter(Boolean);
    const fresh = ended.filter(id => !shown.has(id) && !(endedBefore && endedBefore.has(id)));
    // On arrival, at most the three newest (the tab lists the rest); afterwards every new one.
    (endedBefore ? fresh : fresh.slice(0, 3)).forEach(noticeFor);
    const count = document.getElementById("system-unseen");
    if (count && marker.dataset.count !== count.textContent.trim()) {
      count.textContent = marker.dataset.count;
      count.hidden = marker.dataset.count === "0";
    }
    const panel = document.getElementById("panel");
    if (endedBefore && fresh.length && panel && !panel.dataset.polling && window.htmx) {
      // The panel was idle: bring the new rows in (on the System Generated tab this marks them seen).
      htmx.ajax("GET", location.pathname + location.search, { target: "#panel", swap: "outerHTML" });
    }
    endedBefore = new Set(ended);
  }

  function activeIds() {
    const badge = document.getElementById("jobs-badge");
    return badge ? new Set((badge.dataset.active || "").split(" ").filter(Boolean)) : null;
  }

  function checkFinished() {
    const now = activeIds();
    if (now === null) return;
    if (activeBefore) {
      activeBefore.forEach(id => {
        if (!now.has(id)) noticeFor(id);
      });
    }
    activeBefore = now;
  }

  // ---- browser notifications (opt-in) --------------------------------------------------------
  // Once the user opts in (and the browser allows), polls keep running while the tab is hidden,
  // and a job of theirs that ends meanwhile shows a system notification that opens its row.
  const NOTIFY_KEY = "bgjobs-notify";
  window.bgjobsNotifying = () => "Notification" in window && Notification.permission === "granted"
    && localStorage.getItem(NOTIFY_KEY) === "1";

  function showNotifyControl() {
    const box = document.getElementById("notify");
    if (!box || !("Notification" in window)) return;
    box.hidden = false;
    const on = window.bgjobsNotifying();
    const button = document.getElementById("notify-toggle");
    button.textContent = on ? "Turn off notifications" : "Notify me when my jobs finish";
    button.setAttribute("aria-pressed", on ? "true" : "false");
    document.getElementById("notify-state").textContent =
      Notification.permission === "denied" ? "Notifications are blocked in this browser's settings." : on ? "Notifications on." : "";
  }

  document.addEventListener("click", e => {
    if (!e.target.closest("#notify-toggle")) return;
    if (window.bgjobsNotifying()) { localStorage.removeItem(NOTIFY_KEY); showNotifyControl(); return; }
    Notification.requestPermission().then(permission => {
      if (permission === "granted") localStorage.setItem(NOTIFY_KEY, "1");
      showNotifyControl();
    });
  });

  function notifyFinished(row) {
    if (!document.hidden || !window.bgjobsNotifying()) return;
    const id = row.dataset.jobId, status = row.dataset.status;
    const note = new Notification(`${row.dataset.label} ${WORDS[status] || status}`, {
      body: (row.querySelector(".description") || {}).textContent || "", tag: "bgjobs-" + id });
    note.onclick = () => {
      window.focus();
      if (document.getElementById("job-" + id)) location.hash = "job-" + id;
      else location.href = "/jobs?tab=" + (row.dataset.tab || "user") + "&q=" + encodeURIComponent(id) + "#job-" + id;
      note.close();
    };
  }

  // ---- times -------------------------------------------------------------------------------
  // Time left: rounded down, two units, as the server renders it (viewmodels.until).
  function until(seconds) {
    const d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600), m = Math.floor(seconds % 3600 / 60);
    if (d) return h ? `${d} d ${h} h` : `${d} d`;
    if (h) return `${h} h ${m} min`;
    return m ? `${m} min` : `${seconds} s`;
  }

  function relative(date, now) {
    if (date > now) return "in " + until(Math.floor((date - now) / 1000));
    const seconds = Math.trunc((now - date) / 1000); // as the server's int()
    let text;
    if (seconds >= 86400) text = Math.floor(seconds / 86400) + " d";
    else if (seconds >= 3600) text = Math.floor(seconds / 3600) + " h";
    else if (seconds >= 60) text = Math.floor(seconds / 60) + " min";
    else if (seconds < 10) return "just now";
    else text = seconds + " s";
    return text + " ago";
  }

  function refreshStalls(root, now) {
    // "No progress for 5 min": the server renders it, and it keeps growing here between changes
    // (a stalled job changes nothing, so no poll would bring a new line).
    $$(".stall[data-stall-since]", root).forEach(el => {
      const since = new Date(el.dataset.stallSince);
      const quiet = (now - since) / 1000;
      el.hidden = isNaN(since) || quiet < Number(el.dataset.stallAfter || 300);
      if (!el.hidden) el.textContent = "No progress for " + relative(since, now).replace(/ ago$/, "");
    });
  }

  function refreshTimes(root) {
    const now = Date.now();
    refreshStalls(root, now);
    $$("time[data-rel][datetime]", root).forEach(el => {
      const date = new Date(el.getAttribute("datetime"));
      if (isNaN(date)) return;
      el.textContent = relative(date, now);
      if (!el.dataset.localised) {
        el.title = date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "long" });
        el.dataset.localised = "1";
      }
    });
  }

  // ---- details -------------------------------------------------------------------------------
  function applyDetails(root) {
    $$(".details-toggle", root).forEach(btn => {
      const panel = document.getElementById(btn.getAttribute("aria-controls"));
      if (!panel) return;
      const id = btn.getAttribute("aria-controls");
      if (btn.getAttribute("aria-expanded") === "true") openDetails.add(id);
      const open = openDetails.has(id);
      panel.hidden = !open;
      btn.setAttribute("aria-expanded", open ? "true" : "false");
      btn.textContent = open ? "Hide details" : "Details";
      // The parameters are fetched when the details open (lists never load them): after every
      // re-render too, since a swapped-in row comes without them.
      const lazy = open && window.htmx && panel.querySelector("[data-lazy-params]");
      if (lazy) htmx.trigger(lazy, "open-details");
    });
  }

  document.addEventListener("click", e => {
    const btn = e.target.closest(".details-toggle");
    if (!btn) return;
    const id = btn.getAttribute("aria-controls");
    if (openDetails.has(id)) openDetails.delete(id); else openDetails.add(id);
    btn.setAttribute("aria-expanded", openDetails.has(id) ? "true" : "false");
    applyDetails(btn.closest("li") || document);
  });

  // ---- keyboard and focus for inline confirmations ------------------------------------------
  document.addEventListener("keydown", e => {
    if (e.key !== "Escape") return;
    const row = e.target.closest && e.target.closest("li.job[data-confirming], .bulk-confirm");
    const cancel = row && row.querySelector("[data-cancel]");
    if (cancel) { e.preventDefault(); cancel.click(); }
  });

  // A poll must not wipe a row action under way or an inline confirmation the user is answering.
  let rowRequests = 0;
  const rowBusy = () => rowRequests > 0 || !!$("#panel [data-confirming]");
  document.addEventListener("htmx:beforeRequest", e => {
    const elt = e.detail.elt;
    if (elt.id === "panel") { if (rowBusy()) e.preventDefault(); return; }
    if (elt.closest && elt.closest("#panel li.job")) {
      rowRequests += 1;
      // Counted down on the request's own end: the button that sent it is gone after the swap.
      e.detail.xhr.addEventListener("loadend", () => { rowRequests = Math.max(0, rowRequests - 1); });
      const row = elt.closest("li.job[data-confirming]");
      if (row) answered = { id: row.dataset.jobId, kind: row.dataset.confirming };
      if (row && row.dataset.confirming === "stop" && elt.hasAttribute("hx-post")) showStopping(row);
    }
  });
  document.addEventListener("htmx:beforeSwap", e => {
    if (e.detail.elt.id === "panel" && e.detail.requestConfig && e.detail.requestConfig.verb === "get"
        && e.detail.xhr.status === 200 && e.detail.elt.hasAttribute("data-polling") && rowBusy()) {
      e.detail.shouldSwap = false; // an answer that crossed a row action: the next poll brings it
    }
  });

  // "Stopping…" shows the moment the user confirms; the server's answer then tells the outcome.
  function showStopping(row) {
    row.dataset.status = "stopping";
    row.classList.add("stopping");
    const pill = row.querySelector("[data-testid=status]");
    if (pill) pill.lastChild.textContent = "Stopping…";
    const text = row.querySelector(".confirm-text");
    if (text) text.textContent = "Stopping…";
    row.querySelectorAll(".actions button").forEach(b => { b.disabled = true; });
  }

  function restoreFocus() {
    if (!answered) return;
    const { id, kind } = answered;
    const row = document.getElementById("job-" + id);
    if (row && row.dataset.confirming) return; // the new confirmation focuses itself (autofocus)
    if (document.activeElement && document.activeElement !== document.body && row && row.contains(document.activeElement)) return;
    const target = row
      ? (row.querySelector("#" + kind + "-" + id) || row.querySelector(".actions button, .actions a"))
      : ($("#panel li.job .actions button") || $("#panel .filter"));
    answered = null;
    if (target) target.focus();
  }

  // A changed poll may answer with only the rows that moved (swapped out of band) and the new
  // version in #panel-version; the panel's poll asks with that version, not the one it was built with.
  document.addEventListener("htmx:configRequest", e => {
    const version = e.detail.elt.id === "panel" && document.getElementById("panel-version");
    if (!version || !e.detail.path.startsWith("/jobs/poll")) return;
    const url = new URL(e.detail.path, location.href);
    url.searchParams.set("v", version.dataset.version);
    e.detail.path = url.pathname + url.search;
  });

  // Find: the form sends the tab and status the address bar shows (the panel's links change them),
  // and shows the URL's filters again after Back or a history restore.
  document.addEventListener("htmx:configRequest", e => {
    if (e.detail.elt.id !== "find") return;
    const here = new URLSearchParams(location.search);
    ["tab", "status"].forEach(name => { if (here.get(name)) e.detail.parameters[name] = here.get(name); });
    ["q", "type", "from", "to"].forEach(name => { if (!e.detail.parameters[name]) delete e.detail.parameters[name]; });
  });
  function syncFind() {
    const form = document.getElementById("find");
    if (!form) return;
    const here = new URLSearchParams(location.search);
    ["q", "type", "from", "to", "tab", "status"].forEach(name => {
      const field = form.elements[name];
      if (field && document.activeElement !== field) field.value = here.get(name) || (name === "tab" ? "user" : name === "status" ? "all" : "");
    });
  }
  document.addEventListener("htmx:historyRestore", syncFind);
  window.addEventListener("popstate", () => setTimeout(syncFind, 0));

  // ---- reconnecting ------------------------------------------------------------------------
  function connection(ok) {
    const line = document.getElementById("connection");
    if (line && line.hidden === ok) return;
    if (line) line.hidden = ok;
  }

  document.addEventListener("htmx:sendError", () => connection(false));
  document.addEventListener("htmx:timeout", () => connection(false));
  document.addEventListener("htmx:afterRequest", e => {
    const status = e.detail.xhr ? e.detail.xhr.status : 0;
    if (status >= 200 && status < 500 && status !== 0) connection(true);
  });

  document.addEventListener("htmx:responseError", e => {
    const xhr = e.detail.xhr;
    if (isPoll(e.detail.elt) && (xhr.status >= 500 || xhr.status === 0)) { connection(false); return; }
    if (xhr.status >= 400 && xhr.status !== 401) toast(xhr.responseText || "Something went wrong; please try again.", [], "error");
    // A refused row action (a 503 while the queue server is away, a 409) keeps the row: show it
    // as it is again, or its confirmation would hold the panel's polls back for good.
    const failed = e.detail.elt.closest && e.detail.elt.closest("#panel li.job[data-confirming]");
    const cancel = failed && failed.querySelector("[data-cancel]");
    if (cancel) htmx.ajax("GET", cancel.getAttribute("hx-get"), { target: failed, swap: "outerHTML" });
  });

  // ---- after every swap --------------------------------------------------------------------
  document.addEventListener("htmx:afterSettle", e => {
    const changes = [];
    rows().forEach((el, id) => {
      const was = statusBefore.get(id), now = el.dataset.status;
      if (was && was !== now) changes.push(`${el.dataset.label}: ${el.querySelector("[data-testid=status]").textContent.trim()}`);
    });
    if (changes.length) announce(changes.join(". "));
    statusBefore = snapshot();
    applyDetails(document);
    refreshTimes(document);
    checkFinished();
    checkNotified();
    restoreFocus();
  });

  document.addEventListener("jobStarted", () => {
    announce("Job started again.");
    const panel = document.getElementById("panel");
    if (panel && window.htmx) htmx.ajax("GET", location.pathname + location.search, { target: "#panel", swap: "outerHTML" });
  });

  document.addEventListener("bulkDeleted", e => {
    toast(e.detail.report, [], e.detail.skipped ? "" : "ok");
    announce(e.detail.report);
    if (document.getElementById("panel") && window.htmx) htmx.ajax("GET", location.pathname + location.search, { target: "#panel", swap: "outerHTML" });
  });

  document.addEventListener("jobDeleted", () => {
    announce("Job deleted.");
    const panel = document.getElementById("panel");
    if (panel && window.htmx) {
      // Refill the page (the next job moves up, or the empty state shows).
      htmx.ajax("GET", location.pathname + location.search, { target: "#panel", swap: "outerHTML" });
    }
  });

  document.addEventListener("visibilitychange", () => {
    // Polls are paused while hidden ([!document.hidden]); catch up at once when shown again.
    if (document.hidden || !window.htmx) return;
    ["panel", "jobs-badge"].forEach(id => {
      const el = document.getElementById(id);
      if (el && el.dataset.polling) htmx.trigger(el, "refresh");
    });
  });

  // Start forms go through HTMX, so the duplicate guard can ask inline ("open it, or start
  // another?"); "Start another" sends the same form again (files included) with force=1.
  function enhanceStartForms(root) {
    $$('form[action^="/start/"]:not([hx-post]):not([hx-get])', root).forEach(form => {
      const prompt = document.createElement("div");
      prompt.className = "start-prompt";
      form.appendChild(prompt);
      form.setAttribute("hx-post", form.getAttribute("action"));
      form.setAttribute("hx-target", "find .start-prompt");
      form.setAttribute("hx-swap", "innerHTML");
      if (window.htmx) htmx.process(form);
    });
  }

  // Times in the user's zone: tell the server the browser's zone when it differs from the one it remembers.
  function rememberTimezone() {
    const known = document.body.dataset.timezone;
    let zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (err) { return; }
    if (known === undefined || !zone || zone === known) return;
    let headers = {};
    try { headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}"); } catch (err) { /* none */ }
    fetch("/me/timezone", { method: "POST", credentials: "same-origin", headers,
                            body: new URLSearchParams({ timezone: zone }) })
      .then(r => { if (r.ok) document.body.dataset.timezone = zone; })
      .catch(() => {});
  }

  function init() {
    syncFind();
    enhanceStartForms(document);
    showNotifyControl();
    rememberTimezone();
    statusBefore = snapshot();
    activeBefore = activeIds();
    checkNotified();
    applyDetails(document);
    refreshTimes(document);
    setInterval(() => refreshTimes(document), 15000);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
