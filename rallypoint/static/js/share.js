// The share panel: network tabs, the live compliance check as the employee types, and
// sharing by a network's share page or by copying, without leaving the page.
// Lengths are counted by share-limits.js; the check here asks the server, whose rules
// (disclosure, blocked terms, personal data) decide.
(function () {
  "use strict";

  var DEBOUNCE_MS = 350;

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setupTabs(panel) {
    var tabs = panel.querySelectorAll("[data-share-tab]");
    var sections = panel.querySelectorAll("[data-share-network]");
    if (!tabs.length) return;
    function choose(network, focus) {
      tabs.forEach(function (tab) {
        var on = tab.getAttribute("data-share-tab") === network;
        tab.setAttribute("aria-selected", on ? "true" : "false");
        tab.tabIndex = on ? 0 : -1;
        if (on && focus) tab.focus();
      });
      sections.forEach(function (section) {
        section.hidden = section.getAttribute("data-share-network") !== network;
      });
    }
    var chosen = panel.querySelector("[data-share-tab][aria-selected=true]");
    choose(chosen ? chosen.getAttribute("data-share-tab") : tabs[0].getAttribute("data-share-tab"));
    tabs.forEach(function (tab, index) {
      tab.addEventListener("click", function (event) {
        event.preventDefault();
        choose(tab.getAttribute("data-share-tab"));
        if (window.history && history.replaceState) {
          history.replaceState(null, "", "?network=" + tab.getAttribute("data-share-tab"));
        }
      });
      tab.addEventListener("keydown", function (event) {
        var step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
        if (!step) return;
        event.preventDefault();
        var next = tabs[(index + step + tabs.length) % tabs.length];
        choose(next.getAttribute("data-share-tab"), true);
      });
    });
  }

  function renderFindings(box, result, panel) {
    box.textContent = "";
    var list = document.createElement("ul");
    list.className = "share-finding-list";
    (result.findings || []).forEach(function (finding) {
      var item = document.createElement("li");
      item.className = "share-finding share-finding-" + finding.action;
      item.setAttribute("data-finding", finding.action);
      item.textContent = finding.message;
      list.appendChild(item);
    });
    (result.reasons || []).forEach(function (reason) {
      var known = (result.findings || []).some(function (f) { return f.message === reason; });
      if (known) return;
      var item = document.createElement("li");
      item.className = "share-finding share-finding-block";
      item.setAttribute("data-finding", "block");
      item.textContent = reason;
      list.appendChild(item);
    });
    if (list.children.length) box.appendChild(list);
    box.setAttribute("data-blocked", result.blocked ? "true" : "false");
  }

  function setBlocked(form, blocked) {
    form.querySelectorAll("[data-share-api],[data-share-intent],[data-share-copy]").forEach(
      function (button) { button.disabled = blocked; }
    );
  }

  function setupCheck(panel, form) {
    var text = form.querySelector("[data-share-text]");
    var box = form.querySelector("[data-share-findings]");
    var url = panel.getAttribute("data-check-url");
    if (!text || !box || !url) return;
    var timer = null;
    var sent = 0;
    function check() {
      var ticket = ++sent;
      var body = new FormData();
      body.append("network", text.getAttribute("data-network"));
      body.append("text", text.value);
      body.append("item", panel.getAttribute("data-item") || "");
      body.append("next", window.location.pathname);
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(form), Accept: "application/json" },
      })
        .then(function (response) { return response.json(); })
        .then(function (result) {
          if (ticket !== sent) return;
          if (result.error) { box.textContent = result.error; return; }
          renderFindings(box, result, panel);
          setBlocked(form, !!result.blocked);
        })
        .catch(function () { /* offline: the server checks again on share */ });
    }
    text.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, DEBOUNCE_MS);
    });
    check();
  }

  function copyText(value) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(value);
    }
    var area = document.createElement("textarea");
    area.value = value;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } finally { document.body.removeChild(area); }
    return Promise.resolve();
  }

  function setupSubmit(panel, form) {
    var result = form.querySelector("[data-share-result]");
    form.addEventListener("submit", function (event) {
      var action = event.submitter ? event.submitter.value : "";
      if (action !== "intent" && action !== "copy") return;
      event.preventDefault();
      var body = new FormData(form);
      body.append("action", action);
      // Chrome and Firefox let a page open a tab for a few seconds after a click, which
      // covers recording the share first.
      // form.action would be the button named "action": read the attribute.
      fetch(form.getAttribute("action") || window.location.pathname, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(form), Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        })
        .then(function (answer) {
          var data = answer.data;
          if (!answer.ok) {
            if (data.policy_url) { window.location.href = data.policy_url; return; }
            if (result) result.textContent = panel.getAttribute("data-label-failed") + " " + (data.error || "");
            return;
          }
          if (action === "intent" && data.intent_url) {
            window.open(data.intent_url, "_blank", "noopener");
            if (result) result.textContent = panel.getAttribute("data-label-opened");
          } else if (action === "copy") {
            copyText(data.text).then(function () {
              if (result) result.textContent = panel.getAttribute("data-label-copied");
            });
          }
        })
        .catch(function () {
          // No answer to read: share the plain way, as without JavaScript.
          var field = document.createElement("input");
          field.type = "hidden";
          field.name = "action";
          field.value = action;
          form.appendChild(field);
          HTMLFormElement.prototype.submit.call(form);
        });
    });
  }

  function setupCopyPage() {
    var button = document.querySelector("[data-share-copy-button]");
    var source = document.querySelector("[data-share-copy-source]");
    if (!button || !source) return;
    button.addEventListener("click", function () {
      copyText(source.value).then(function () {
        button.textContent = button.getAttribute("data-label-copied");
      });
    });
  }

  function init() {
    document.querySelectorAll("[data-share-panel]").forEach(function (panel) {
      setupTabs(panel);
      panel.querySelectorAll("[data-share-form]").forEach(function (form) {
        setupCheck(panel, form);
        setupSubmit(panel, form);
      });
    });
    setupCopyPage();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
