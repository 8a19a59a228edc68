// Shows times relative ("5 min ago", exact UTC on hover), and refreshes the
// status region of /status in place: every data-refresh-ms it fetches the
// page again (a 304 when nothing changed) and swaps the region when its
// markup differs. Without JavaScript the page shows UTC times and is static.
(function () {
  "use strict";
  function ago(t) {
    var s = Math.round((Date.now() - t) / 1000), future = s < 0;
    var f = future ? "in " : "", b = future ? "" : " ago";
    s = Math.abs(s);
    if (s < 60) return future ? "soon" : "just now";
    if (s < 3600) return f + Math.round(s / 60) + " min" + b;
    if (s < 86400) return f + Math.round(s / 3600) + " h" + b;
    return f + Math.round(s / 86400) + " d" + b;
  }
  function relabel(root) {
    root.querySelectorAll("time[data-rel]").forEach(function (el) {
      var t = Date.parse(el.getAttribute("datetime"));
      if (isNaN(t)) return;
      if (!el.title) el.title = el.textContent;
      el.textContent = ago(t);
    });
  }
  var region = document.querySelector("[data-status-region]");
  // last is the server's markup of the region, before relabel changes it.
  var last = region ? region.innerHTML : "";
  relabel(document);
  if (!region || !window.fetch || !window.DOMParser) return;
  var every = +region.getAttribute("data-refresh-ms") || 30000;
  var busy = false;
  region.setAttribute("data-refreshes", "0");

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var next = doc.querySelector("[data-status-region]");
    if (!next || next.innerHTML === last) return;
    // Keep the open component lists open across the swap.
    var open = {};
    region.querySelectorAll(".system").forEach(function (s) {
      var d = s.querySelector("details");
      if (d && d.open) open[s.id] = true;
    });
    last = next.innerHTML;
    region.innerHTML = last;
    relabel(region);
    Object.keys(open).forEach(function (id) {
      var d = document.querySelector("#" + id + " details");
      if (d) d.open = true;
    });
    region.setAttribute("data-swaps", String(+region.getAttribute("data-swaps") + 1));
  }

  function tick() {
    if (busy || document.hidden) return;
    busy = true;
    fetch(location.pathname, { headers: { "Accept": "text/html" }, cache: "no-cache", credentials: "omit" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html) swap(html);
        relabel(region);
        region.setAttribute("data-refreshes", String(+region.getAttribute("data-refreshes") + 1));
      })
      .catch(function () { /* offline or leaving the page: try again next time */ })
      .then(function () { busy = false; });
  }

  setInterval(tick, every);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) tick(); });
})();
