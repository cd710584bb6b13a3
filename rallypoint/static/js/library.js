/* The library item form: "Fetch details" reads the link's OpenGraph data through
 * Rallypoint (data-og-url on the form) and fills the title, description, site and image
 * address. Fields already typed are kept; everything stays editable, and a page that
 * cannot be read only shows why. */
(function () {
  "use strict";

  function start() {
    var form = document.querySelector("form[data-og-url]");
    if (!form) return;
    var button = form.querySelector("[data-og-fetch]");
    var status = form.querySelector("[data-og-status]");
    var url = form.querySelector("#id_url");
    if (!button || !url) return;
    var fields = {
      title: form.querySelector("#id_title"),
      description: form.querySelector("#id_description"),
      site_name: form.querySelector("#id_site_name"),
      image_url: form.querySelector("#id_image_url"),
    };

    function say(text, bad) {
      if (!status) return;
      status.textContent = text;
      status.classList.toggle("errorlist", Boolean(bad));
    }

    button.addEventListener("click", function () {
      var address = url.value.trim();
      if (!address) {
        say(button.dataset.emptyMessage, true);
        url.focus();
        return;
      }
      button.disabled = true;
      say("…", false);
      fetch(form.dataset.ogUrl + "?url=" + encodeURIComponent(address), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (body) {
            return { ok: response.ok, body: body };
          });
        })
        .then(function (answer) {
          if (!answer.ok) {
            say(answer.body.detail || button.dataset.failedMessage, true);
            return;
          }
          Object.keys(fields).forEach(function (name) {
            var field = fields[name];
            var value = answer.body[name];
            if (field && value && !field.value.trim()) {
              field.value = value;
            }
          });
          say(button.dataset.doneMessage || "✓", false);
        })
        .catch(function () {
          say(button.dataset.failedMessage, true);
        })
        .finally(function () {
          button.disabled = false;
        });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
