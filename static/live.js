// In-place refresh of a page's live region (the dashboard and the system
// page); without this file the page is simply static.
//
// The element [data-live-url] holds the region [data-live-region] and the
// note [data-live-note]. Every data-refresh-seconds the script fetches the
// fragment at data-live-url and swaps it into the region, except while
// - a form field has focus, or any element of the region has focus;
// - a form field holds input that was not submitted (its value differs from
//   its default: defaultValue / defaultChecked / defaultSelected);
// - a <dialog> or an aria-modal element is open (window.confirm() blocks
//   this script by itself);
// - text in the region is selected.
// A refresh that is due while blocked runs as soon as the block ends. The
// page is not refreshed while the tab is hidden, and is refreshed at once
// when it becomes visible again.
//
// The note says "updated N s ago" (not announced: it ticks), and announces
// politely when the server cannot be reached or the session has expired;
// the old content stays in both cases.
//
// For tests and for curious people, the element [data-live-url] carries
// data-live-state (live, paused, offline, expired, hidden),
// data-live-skipped (how many due refreshes a block has held back),
// data-live-checks (how many fetches the server answered) and
// data-live-swaps (how many times the region was replaced).
(function () {
  "use strict";

  var root = document.querySelector("[data-live-url]");
  if (!root || !window.fetch) {
    return;
  }
  var region = root.querySelector("[data-live-region]");
  var note = root.querySelector("[data-live-note]");
  if (!region || !note) {
    return;
  }
  var age = note.querySelector("[data-live-age]");
  var message = note.querySelector("[data-live-message]");
  var url = root.getAttribute("data-live-url");
  var seconds = parseFloat(root.getAttribute("data-refresh-seconds"));
  var interval = (seconds > 0 ? seconds : 20) * 1000;
  // The clock that checks whether a refresh is due, and ticks the note.
  var tickEvery = Math.min(1000, interval / 2);

  var updatedAt = Date.now();
  var lastAttempt = Date.now();
  var inflight = false;
  var timer = null;
  var lastHTML = null;
  // etag is the ETag of the fragment shown: the server answers 304 while it
  // has not changed.
  var etag = "";
  var checks = 0;
  var leaving = false;
  var problem = "";
  var problemDetail = "";
  var blockedBy = "";
  var skipped = 0;
  var swaps = 0;

  // dirty reports whether a form control holds input that differs from what
  // the server rendered.
  function dirty(el) {
    switch (el.type) {
    case "hidden":
    case "submit":
    case "button":
    case "reset":
    case "image":
      return false;
    case "checkbox":
    case "radio":
      return el.checked !== el.defaultChecked;
    case "select-one":
    case "select-multiple":
      var opts = el.options, anyDefault = false, i;
      for (i = 0; i < opts.length; i++) {
        if (opts[i].defaultSelected) { anyDefault = true; break; }
      }
      for (i = 0; i < opts.length; i++) {
        // A single select without a default shows its first option.
        var want = opts[i].defaultSelected ||
          (!anyDefault && i === 0 && el.type === "select-one" && el.size <= 1);
        if (opts[i].selected !== want) { return true; }
      }
      return false;
    case "file":
      return el.value !== "";
    default:
      return typeof el.defaultValue === "string" && el.value !== el.defaultValue;
    }
  }

  // blockReason says why the region must not be replaced now, "" when it
  // may be.
  function blockReason() {
    var active = document.activeElement;
    if (active && active !== document.body && active !== document.documentElement) {
      if (region.contains(active) || active.isContentEditable ||
          (active.matches && active.matches("input, select, textarea"))) {
        return "editing";
      }
    }
    var fields = document.querySelectorAll("input, select, textarea");
    for (var i = 0; i < fields.length; i++) {
      if (dirty(fields[i])) { return "editing"; }
    }
    if (document.querySelector("dialog[open]")) { return "dialog"; }
    var modals = document.querySelectorAll('[aria-modal="true"]');
    for (var j = 0; j < modals.length; j++) {
      if (modals[j].getClientRects().length > 0) { return "dialog"; }
    }
    var sel = window.getSelection && window.getSelection();
    if (sel && !sel.isCollapsed && sel.anchorNode && region.contains(sel.anchorNode)) {
      return "selection";
    }
    return "";
  }

  function ageText(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) { return "updated " + s + " s ago"; }
    var m = Math.floor(s / 60);
    if (m < 60) { return "updated " + m + " min ago"; }
    return "updated " + Math.floor(m / 60) + " h ago";
  }

  var pausedText = {
    editing: " · paused while you edit",
    dialog: " · paused while a dialog is open",
    selection: " · paused while text is selected"
  };

  function setText(el, text) {
    if (el.textContent !== text) { el.textContent = text; }
  }

  function showNote() {
    setText(age, ageText(Date.now() - updatedAt) + (pausedText[blockedBy] || ""));
    var state = problem || (blockedBy ? "paused" : "live");
    if (document.hidden) { state = "hidden"; }
    root.setAttribute("data-live-state", state);
  }

  // setProblem puts a problem in the announced part of the note; "" clears it.
  function setProblem(kind, detail) {
    detail = detail || "";
    if (kind === problem && detail === problemDetail) { return; }
    problem = kind;
    problemDetail = detail;
    while (message.firstChild) { message.removeChild(message.firstChild); }
    if (kind === "offline") {
      message.textContent = " · offline, retrying";
    } else if (kind === "error") {
      message.textContent = " · could not refresh (" + detail + "), retrying";
    } else if (kind === "expired") {
      message.appendChild(document.createTextNode(" · your session has expired: "));
      var link = document.createElement("a");
      link.href = note.getAttribute("data-sign-in") || "/login";
      link.textContent = "sign in again";
      message.appendChild(link);
      message.appendChild(document.createTextNode(" to keep this page up to date"));
    }
  }

  function swap(html, tag) {
    etag = tag || "";
    if (html !== lastHTML) {
      region.innerHTML = html;
      lastHTML = html;
      swaps++;
      root.setAttribute("data-live-swaps", String(swaps));
      document.dispatchEvent(new CustomEvent("live:updated"));
    }
    updatedAt = Date.now();
    setProblem("");
  }

  function refresh() {
    inflight = true;
    lastAttempt = Date.now();
    var headers = { "Accept": "text/html" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(url, {
      credentials: "same-origin",
      cache: "no-store",
      redirect: "manual",
      headers: headers
    }).then(function (res) {
      checks++;
      root.setAttribute("data-live-checks", String(checks));
      // A redirect (to the login page) or 401/403: the session is gone.
      if (res.type === "opaqueredirect" || res.status === 401 || res.status === 403) {
        setProblem("expired");
        return;
      }
      if (res.status === 304) {
        // Nothing changed since the fragment shown.
        updatedAt = Date.now();
        setProblem("");
        return;
      }
      if (!res.ok) {
        setProblem("error", "HTTP " + res.status);
        return;
      }
      return res.text().then(function (html) {
        // The user may have started typing while the request ran.
        blockedBy = blockReason();
        if (blockedBy) {
          lastAttempt = 0;
          return;
        }
        swap(html, res.headers.get("ETag"));
      });
    }).catch(function () {
      // A fetch cut short by leaving the page is no sign of trouble.
      if (!leaving) { setProblem("offline"); }
    }).then(function () {
      inflight = false;
      showNote();
    });
  }

  function tick() {
    if (document.hidden) { return; }
    if (!inflight && Date.now() - lastAttempt >= interval) {
      blockedBy = blockReason();
      if (blockedBy) {
        skipped++;
        root.setAttribute("data-live-skipped", String(skipped));
      } else {
        refresh();
      }
    } else if (blockedBy && !blockReason()) {
      blockedBy = "";
    }
    showNote();
  }

  function start() {
    if (timer === null) { timer = window.setInterval(tick, tickEvery); }
  }

  function stop() {
    if (timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
  }

  window.addEventListener("pagehide", function () { leaving = true; });
  window.addEventListener("pageshow", function () { leaving = false; });

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      stop();
      showNote();
      return;
    }
    lastAttempt = 0;
    tick();
    start();
  });

  note.hidden = false;
  root.setAttribute("data-live-skipped", "0");
  root.setAttribute("data-live-swaps", "0");
  root.setAttribute("data-live-checks", "0");
  showNote();
  if (!document.hidden) { start(); }
})();
