// Campaign page: the progress bars and "your contribution" refresh themselves.
//
// While a running campaign's page is visible, ask its progress.json every few seconds
// (data-poll-seconds) and update the numbers in place; pause while the tab is hidden,
// stop when the campaign is no longer there (404) or is over.
(function () {
  "use strict";

  function setText(root, selector, value) {
    var node = root.querySelector(selector);
    if (node && value !== null && value !== undefined) node.textContent = String(value);
  }

  function applyGoal(holder, key, goal) {
    var row = holder.querySelector('[data-goal="' + key + '"]');
    if (!row) return;
    setText(row, '[data-part="value"]', goal.value);
    setText(row, '[data-part="goal"]', goal.goal);
    setText(row, '[data-part="percent"]', goal.percent);
    var bar = row.querySelector("progress");
    if (bar && goal.goal) {
      bar.max = goal.goal;
      bar.value = Math.min(goal.value, goal.goal);
      bar.textContent = goal.bar + "%";
      var template = holder.getAttribute("data-valuetext") || "{value} / {goal} ({percent}%)";
      bar.setAttribute(
        "aria-valuetext",
        template
          .replace("{value}", goal.value)
          .replace("{goal}", goal.goal)
          .replace("{percent}", goal.percent)
      );
    }
    row.classList.toggle("reached", Boolean(goal.goal) && goal.value >= goal.goal);
  }

  function apply(holder, data) {
    var goals = data.goals || {};
    Object.keys(goals).forEach(function (key) { applyGoal(holder, key, goals[key]); });
    var mine = data.contribution || {};
    Object.keys(mine).forEach(function (key) {
      setText(document, '[data-contribution="' + key + '"]', mine[key]);
    });
    return data.state === "active";
  }

  function start(holder) {
    var url = holder.getAttribute("data-progress-url");
    var seconds = Math.max(2, parseInt(holder.getAttribute("data-poll-seconds"), 10) || 5);
    var timer = null;
    var stopped = false;
    var busy = false;

    function schedule() {
      if (stopped || timer) return;
      timer = window.setTimeout(tick, seconds * 1000);
    }

    function tick() {
      timer = null;
      if (document.visibilityState !== "visible") return;
      busy = true;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status === 404 || response.status === 403) {
            stopped = true;
            return null;
          }
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (data && !apply(holder, data)) stopped = true;
        })
        .catch(function () { /* offline for a moment: try again at the next tick */ })
        .then(function () {
          busy = false;
          schedule();
        });
    }

    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && !stopped && !timer && !busy) tick();
    });
    schedule();
  }

  function init() {
    var holder = document.querySelector("#campaign-progress[data-live]");
    if (holder && window.fetch) start(holder);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
