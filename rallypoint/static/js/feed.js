// Feed: records which posts were on screen, and asks before deleting.
//
// A post counts as read once it has been at least half visible for one second. Ids are
// sent in batches to the URL in the nearest [data-read-url], as {"posts": [ids]}, with
// the CSRF token that base.html gives htmx. Without JavaScript nothing is recorded.
(function () {
  "use strict";
  if (window.rallypointFeed) {
    window.rallypointFeed.scan();
    return;
  }

  var DWELL_MS = 1000;
  var FLUSH_MS = 2000;
  var timers = new Map();
  var pending = new Map();
  var flushTimer = null;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function flush() {
    flushTimer = null;
    var byUrl = new Map();
    pending.forEach(function (url, id) {
      if (!byUrl.has(url)) byUrl.set(url, []);
      byUrl.get(url).push(id);
    });
    pending.clear();
    byUrl.forEach(function (ids, url) {
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        keepalive: true,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ posts: ids }),
      }).catch(function () {
        ids.forEach(function (id) { pending.set(id, url); });
      });
    });
  }

  function scheduleFlush() {
    if (flushTimer === null) flushTimer = window.setTimeout(flush, FLUSH_MS);
  }

  function markSeen(element) {
    var id = parseInt(element.getAttribute("data-post-id"), 10);
    var holder = element.closest("[data-read-url]");
    if (!id || !holder) return;
    element.removeAttribute("data-unread");
    observer.unobserve(element);
    pending.set(id, holder.getAttribute("data-read-url"));
    scheduleFlush();
  }

  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      var element = entry.target;
      if (entry.isIntersecting && entry.intersectionRatio >= 0.5) {
        if (!timers.has(element)) {
          timers.set(element, window.setTimeout(function () {
            timers.delete(element);
            markSeen(element);
          }, DWELL_MS));
        }
      } else if (timers.has(element)) {
        window.clearTimeout(timers.get(element));
        timers.delete(element);
      }
    });
  }, { threshold: [0, 0.5, 1] });

  function scan() {
    document.querySelectorAll("[data-post-id][data-unread]").forEach(function (element) {
      observer.observe(element);
    });
  }

  document.addEventListener("htmx:afterSettle", scan);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && pending.size) flush();
  });
  window.addEventListener("pagehide", function () { if (pending.size) flush(); });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  window.rallypointFeed = { scan: scan, flush: flush };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
})();
