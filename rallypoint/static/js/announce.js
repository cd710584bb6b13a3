// Announcements: the statistics page refreshes its numbers when they change, and the
// feed records which announcements were on screen.
//
// The server sends "announcement_stats" {"id": n} to the author's pages after each open
// or acknowledgement; live.js turns it into a "rallypoint:announcement_stats" DOM event.
(function () {
  "use strict";

  function refreshStats(id) {
    var holder = document.getElementById("announce-stats");
    if (!holder || !window.htmx) return;
    if (id !== undefined && String(id) !== holder.getAttribute("data-announcement-id")) return;
    window.htmx.trigger(holder, "announce-refresh");
  }

  document.addEventListener("rallypoint:announcement_stats", function (event) {
    var detail = event.detail || {};
    var data = detail.data || detail;
    refreshStats(data.id);
  });
  document.addEventListener("rallypoint:reconnected", function () { refreshStats(); });

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  var seen = [];
  var timer = null;
  function flush() {
    timer = null;
    var holder = document.querySelector("[data-opened-url]");
    if (!holder || !seen.length) return;
    var ids = seen.splice(0, seen.length);
    fetch(holder.getAttribute("data-opened-url"), {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ announcements: ids }),
    }).catch(function () { seen.push.apply(seen, ids); });
  }

  if (!("IntersectionObserver" in window)) return;
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      var element = entry.target;
      observer.unobserve(element);
      element.removeAttribute("data-unopened");
      seen.push(parseInt(element.getAttribute("data-announcement-id"), 10));
      if (timer === null) timer = window.setTimeout(flush, 1000);
    });
  }, { threshold: 0.5 });

  function scan() {
    document.querySelectorAll("[data-opened-url] [data-unopened]").forEach(function (el) {
      observer.observe(el);
    });
  }
  scan();
  document.addEventListener("htmx:afterSettle", scan);
})();
