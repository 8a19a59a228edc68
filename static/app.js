// Progressive enhancement only: every page works without this file.
// - a[data-confirm][data-method=post]: ask, then POST to the link's URL
//   (without JavaScript the link opens a confirmation page instead);
// - form[data-confirm]: ask before submitting;
// - time[data-relative]: refresh "3 min ago" every minute from datetime, and
//   show the viewer's local time before the UTC time on hover;
// - button[data-copy]: shown only where the Clipboard API exists, copies the
//   value of the input its data-copy selects and says data-copy-done in the
//   [data-copy-status] element (without JavaScript the input is selected and
//   copied by hand);
// - input[data-select-all]: selects its whole value when focused.
// The in-place refresh of the dashboard and the system page is static/live.js.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function postTo(url) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = url;
    var token = csrfToken();
    if (token) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "csrf_token";
      input.value = token;
      form.appendChild(input);
    }
    document.body.appendChild(form);
    form.submit();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-confirm]");
    if (!link || event.defaultPrevented || event.button !== 0 ||
        event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    if (window.confirm(link.getAttribute("data-confirm"))) {
      if (link.getAttribute("data-method") === "post") {
        postTo(link.href);
      } else {
        window.location.assign(link.href);
      }
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // relative mirrors relativeTime in internal/interfaces/web/funcs.go.
  function relative(now, then) {
    var d = now - then, prefix = "", suffix = " ago";
    if (d < 0) { d = -d; prefix = "in "; suffix = ""; }
    var min = 60 * 1000, hour = 60 * min, day = 24 * hour;
    if (d < 45 * 1000) { return "just now"; }
    if (d < hour) { return prefix + Math.max(1, Math.floor(d / min)) + " min" + suffix; }
    if (d < day) { return prefix + Math.floor(d / hour) + " h" + suffix; }
    if (d < 30 * day) {
      var n = Math.floor(d / day);
      return prefix + n + (n === 1 ? " day" : " days") + suffix;
    }
    return new Date(then).toISOString().slice(0, 10);
  }

  function refreshTimes() {
    var now = Date.now();
    document.querySelectorAll("time[data-relative]").forEach(function (el) {
      var then = Date.parse(el.getAttribute("datetime"));
      if (!isNaN(then)) {
        el.textContent = relative(now, then);
        // The hover text gives the viewer's local time first, UTC after it.
        if (!el.hasAttribute("data-utc")) {
          el.setAttribute("data-utc", el.title);
          el.title = new Date(then).toLocaleString() + " (your time) · " + el.title;
        }
      }
    });
  }

  function setupCopyButtons() {
    if (!navigator.clipboard || !window.isSecureContext) {
      return;
    }
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var input = document.querySelector(button.getAttribute("data-copy"));
      if (!input) {
        return;
      }
      var status = document.querySelector("[data-copy-status]");
      var done = button.getAttribute("data-copy-done") || "The key is on the clipboard.";
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(input.value).then(function () {
          button.textContent = "Copied";
          if (status) { status.textContent = done; }
        }, function () {
          input.focus();
          input.select();
          if (status) { status.textContent = "Copying failed: the text is selected, copy it by hand."; }
        });
      });
    });
  }

  document.addEventListener("focusin", function (event) {
    var el = event.target;
    if (el.matches && el.matches("input[data-select-all]")) {
      el.select();
    }
  });

  setupCopyButtons();
  setInterval(refreshTimes, 60 * 1000);
  window.addEventListener("pageshow", refreshTimes);
  // static/live.js replaced part of the page: its times need the same care.
  document.addEventListener("live:updated", refreshTimes);
})();
