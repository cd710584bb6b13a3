// The notifications bell in the top bar (#notify-bell): keeps its unread count current.
//
// The server sends {"unread": n} as the live event "notifications", which live.js
// re-dispatches on `document` as "rallypoint:notifications"; htmx responses that change
// the count trigger the same event (HX-Trigger). After a broken connection events are
// not replayed, so on "rallypoint:reconnected" the count is fetched again.
(function () {
  "use strict";

  var bell = document.getElementById("notify-bell");
  if (!bell) {
    return;
  }
  var badge = bell.querySelector(".notify-count");
  var label = bell.querySelector(".visually-hidden");
  var MAX_SHOWN = 99;

  function show(unread) {
    var count = Number(unread);
    if (!Number.isInteger(count) || count < 0) {
      return;
    }
    bell.dataset.unread = String(count);
    if (badge) {
      badge.textContent = count > MAX_SHOWN ? MAX_SHOWN + "+" : String(count);
      badge.hidden = count === 0;
    }
    if (label) {
      label.textContent = (bell.dataset.labelTemplate || "Notifications, %(count)s unread")
        .replace("%(count)s", String(count));
    }
  }

  document.addEventListener("rallypoint:notifications", function (event) {
    if (event.detail && "unread" in event.detail) {
      show(event.detail.unread);
    }
  });
  document.addEventListener("rallypoint:reconnected", function () {
    if (!bell.dataset.countUrl) {
      return;
    }
    fetch(bell.dataset.countUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data) {
          show(data.unread);
        }
      })
      .catch(function () {});
  });
})();
