// Live updates: one EventSource per page on the stream named by <body data-live-url>.
//
// Every event arrives as {"id", "channel", "event", "data"} and is re-dispatched on
// `document` as a CustomEvent "rallypoint:<event>" whose detail is the event's data, so
// any feature can listen without knowing about the stream. "rallypoint:reconnected"
// fires when the stream opens again after a break: events sent meanwhile are not
// replayed, so listeners refresh what they show.
//
// #live-status shows the connection state in data-state (connecting, open, error) and in
// its visually hidden text, taken from data-label-<state> when the page provides it.
(function () {
  "use strict";

  var url = document.body.dataset.liveUrl;
  if (!url || !("EventSource" in window)) {
    return;
  }
  var statusElement = document.getElementById("live-status");
  var toastArea = document.getElementById("toasts");
  var fallbackLabels = {
    connecting: "Live updates connecting",
    open: "Live updates on",
    error: "Live updates interrupted, reconnecting",
  };
  var TOAST_SECONDS = 8;
  var MAX_TOASTS = 5;
  var MAX_RETRY_MS = 30000;
  var source = null;
  var retryMs = 1000;
  var hadBreak = false;

  function setState(state) {
    if (!statusElement) {
      return;
    }
    statusElement.dataset.state = state;
    var key = "label" + state.charAt(0).toUpperCase() + state.slice(1);
    var label = statusElement.dataset[key] || fallbackLabels[state];
    var text = statusElement.querySelector(".visually-hidden");
    if (text) {
      text.textContent = label;
    }
    statusElement.title = label;
  }

  function showToast(detail) {
    if (!toastArea || !detail || typeof detail.message !== "string") {
      return;
    }
    var toast = document.createElement("div");
    toast.className = "toast";
    toast.textContent = detail.message;
    toast.addEventListener("click", function () {
      toast.remove();
    });
    toastArea.appendChild(toast);
    while (toastArea.children.length > MAX_TOASTS) {
      toastArea.firstElementChild.remove();
    }
    window.setTimeout(function () {
      toast.remove();
    }, TOAST_SECONDS * 1000);
  }

  function dispatch(raw) {
    var envelope;
    try {
      envelope = JSON.parse(raw);
    } catch (error) {
      return;
    }
    if (!envelope || typeof envelope.event !== "string") {
      return;
    }
    document.dispatchEvent(
      new CustomEvent("rallypoint:" + envelope.event, { detail: envelope.data })
    );
  }

  function connect() {
    setState("connecting");
    source = new EventSource(url);
    source.onopen = function () {
      setState("open");
      retryMs = 1000;
      if (hadBreak) {
        hadBreak = false;
        document.dispatchEvent(new CustomEvent("rallypoint:reconnected"));
      }
    };
    source.onmessage = function (message) {
      dispatch(message.data);
    };
    source.onerror = function () {
      hadBreak = true;
      setState("error");
      // The browser retries by itself after a dropped connection; after a refused one
      // (an error status, a proxy page) it gives up, so we start again, backing off.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        window.setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      }
    };
  }

  document.addEventListener("rallypoint:toast", function (event) {
    showToast(event.detail);
  });
  window.addEventListener("pagehide", function () {
    if (source) {
      source.close();
    }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      hadBreak = true;
      connect();
    }
  });
  connect();
})();
