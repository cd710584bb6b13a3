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

// Live feed: new posts, comments and reaction counts arrive through live.js as
// "rallypoint:<event>" DOM events carrying ids and counts only. Content is fetched from
// endpoints that check access ([data-feed-live] names them).
//
// - post_created: feeds whose [data-new-posts] lists the post's space count it in a
//   "N new posts" button; clicking it inserts those posts at the top of the list.
// - comment_created: updates comment counts; on the post's page the comment is added.
// - reactions_changed: updates the counts, keeping which reactions are the viewer's.
// - post_removed: feeds drop the card; the post's page says it was removed.
//
// The @ helper: in a text box of the feed, "@" followed by letters asks for matching
// people (debounced) and offers them in a listbox (arrows, Enter or Tab, Escape).
(function () {
  "use strict";
  if (window.rallypointFeedLive) {
    return;
  }
  window.rallypointFeedLive = true;

  var DEBOUNCE_MS = 200;
  var pendingPosts = new Map();

  function config() {
    return document.querySelector("[data-feed-live]");
  }

  function countLabel(holder, prefix, count) {
    var key = count === 1 ? prefix + "One" : prefix + "Many";
    return (holder.dataset[key] || "{count}").replace("{count}", String(count));
  }

  function activate(element) {
    if (window.htmx) window.htmx.process(element);
    if (window.rallypointFeed) window.rallypointFeed.scan();
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content;
  }

  function getText(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.text();
    });
  }

  // ---------------------------------------------------------------- new posts

  function prompts() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-new-posts]"));
  }

  function promptIds(prompt) {
    if (!pendingPosts.has(prompt)) pendingPosts.set(prompt, []);
    return pendingPosts.get(prompt);
  }

  function showPrompt(prompt) {
    var ids = promptIds(prompt);
    var button = prompt.querySelector("button");
    if (!button) return;
    button.hidden = ids.length === 0;
    button.textContent = ids.length ? countLabel(prompt, "label", ids.length) : "";
  }

  document.addEventListener("rallypoint:post_created", function (event) {
    var data = event.detail || {};
    prompts().forEach(function (prompt) {
      var spaces = (prompt.dataset.spaces || "").split(" ");
      if (spaces.indexOf(String(data.space)) === -1) return;
      if (document.getElementById("post-" + data.post)) return;
      var ids = promptIds(prompt);
      if (ids.indexOf(data.post) === -1) ids.push(data.post);
      showPrompt(prompt);
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-new-posts] button");
    if (!button) return;
    var prompt = button.closest("[data-new-posts]");
    var ids = promptIds(prompt).slice();
    if (!ids.length) return;
    var feed = prompt.closest(".feed") || document;
    var list = feed.querySelector("ol.posts:not(.pinned)");
    var url = prompt.dataset.postsUrl + "?ids=" + ids.join(",");
    button.disabled = true;
    getText(url)
      .then(function (html) {
        pendingPosts.set(prompt, []);
        showPrompt(prompt);
        if (!list) return;
        var items = fragment(html);
        var first = null;
        Array.prototype.slice.call(items.children).forEach(function (item) {
          var article = item.querySelector("[data-post-id]");
          if (article && document.getElementById(article.id)) item.remove();
        });
        var empty = list.querySelector(".empty-state");
        if (empty && items.children.length) empty.closest("li").remove();
        first = items.querySelector("article");
        list.insertBefore(items, list.firstChild);
        activate(list);
        if (first) {
          first.setAttribute("tabindex", "-1");
          first.focus({ preventScroll: true });
        }
      })
      .catch(function () {
        window.location.reload();
      })
      .finally(function () {
        button.disabled = false;
      });
  });

  // ---------------------------------------------------------------- comments

  function postPage(postId) {
    var article = document.getElementById("post-" + postId);
    return article && article.classList.contains("post-full") ? article : null;
  }

  document.addEventListener("rallypoint:comment_created", function (event) {
    var data = event.detail || {};
    var settings = config();
    var card = document.getElementById("post-" + data.post);
    if (!card || !settings) return;
    var link = card.querySelector(".post-comments");
    if (link && typeof data.comments === "number") {
      link.textContent = countLabel(settings, "labelComments", data.comments);
    }
    if (!postPage(data.post)) return;
    var heading = document.querySelector("#comments-heading .count");
    if (heading && typeof data.comments === "number") heading.textContent = String(data.comments);
    if (document.getElementById("comment-" + data.comment)) return;
    var url = settings.dataset.commentUrl.replace(/\/0\/$/, "/" + data.comment + "/");
    getText(url)
      .then(function (html) {
        if (document.getElementById("comment-" + data.comment)) return;
        var item = fragment(html);
        var holder;
        if (data.parent) {
          var parent = document.getElementById("comment-" + data.parent);
          if (!parent) return;
          holder = parent.querySelector(":scope > ol.replies");
          if (!holder) {
            holder = document.createElement("ol");
            holder.className = "replies";
            parent.insertBefore(holder, parent.querySelector(":scope > .reply-box"));
          }
        } else {
          var section = document.getElementById("comments");
          holder = section.querySelector(":scope > ol.comments");
          if (!holder) {
            var none = section.querySelector(":scope > p.muted");
            if (none) none.remove();
            holder = document.createElement("ol");
            holder.className = "comments";
            section.insertBefore(holder, section.querySelector(":scope > form"));
          }
        }
        var added = item.firstElementChild;
        holder.appendChild(item);
        if (added) activate(added);
      })
      .catch(function () {});
  });

  // ---------------------------------------------------------------- reactions

  document.addEventListener("rallypoint:reactions_changed", function (event) {
    var data = event.detail || {};
    var form = document.getElementById("reactions-" + data.target + "-" + data.id);
    if (!form || !data.counts) return;
    form.querySelectorAll("button[name=emoji]").forEach(function (button) {
      var count = data.counts[button.value];
      if (typeof count !== "number") return;
      var badge = button.querySelector(".reaction-count");
      if (count > 0) {
        if (!badge) {
          badge = document.createElement("span");
          badge.className = "reaction-count";
          button.appendChild(badge);
        }
        badge.textContent = String(count);
      } else if (badge) {
        badge.remove();
      }
    });
  });

  // ---------------------------------------------------------------- removed posts

  document.addEventListener("rallypoint:post_removed", function (event) {
    var data = event.detail || {};
    pendingPosts.forEach(function (ids, prompt) {
      var at = ids.indexOf(data.post);
      if (at !== -1) {
        ids.splice(at, 1);
        showPrompt(prompt);
      }
    });
    var article = document.getElementById("post-" + data.post);
    if (!article) return;
    if (article.classList.contains("post-full")) {
      var settings = config();
      var notice = document.createElement("p");
      notice.className = "message";
      notice.setAttribute("role", "status");
      notice.textContent = settings ? settings.dataset.labelRemoved : "";
      article.replaceChildren(notice);
      return;
    }
    var item = article.closest("li") || article;
    item.remove();
  });

  // ---------------------------------------------------------------- @ suggestions

  var box = null;
  var listbox = null;
  var options = [];
  var active = -1;
  var timer = null;
  var requestNumber = 0;
  var uid = 0;

  function mentionQuery(textarea) {
    var before = textarea.value.slice(0, textarea.selectionStart);
    var found = /(^|[^\w@\]])@([^\s@[\]()]{1,30})$/.exec(before);
    return found ? { text: found[2], start: before.length - found[2].length - 1 } : null;
  }

  function close() {
    if (listbox) listbox.remove();
    if (box) {
      box.removeAttribute("aria-activedescendant");
      box.removeAttribute("aria-controls");
    }
    listbox = null;
    options = [];
    active = -1;
  }

  function choose(index) {
    var person = options[index];
    var query = box && mentionQuery(box);
    if (!person || !query) return close();
    var value = box.value;
    var caret = box.selectionStart;
    var insert = person.token + " ";
    box.value = value.slice(0, query.start) + insert + value.slice(caret);
    var at = query.start + insert.length;
    box.setSelectionRange(at, at);
    box.focus();
    close();
  }

  function highlight(index) {
    if (!listbox) return;
    active = index;
    Array.prototype.forEach.call(listbox.children, function (option, at) {
      option.setAttribute("aria-selected", at === index ? "true" : "false");
    });
    if (index >= 0) box.setAttribute("aria-activedescendant", listbox.children[index].id);
  }

  function show(textarea, people) {
    close();
    if (!people.length) return;
    box = textarea;
    if (!textarea.id) textarea.id = "mention-box-" + ++uid;
    listbox = document.createElement("ul");
    listbox.className = "mention-suggestions";
    listbox.id = textarea.id + "-mentions";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", textarea.dataset.mentionLabel || "@");
    people.forEach(function (person, index) {
      var option = document.createElement("li");
      option.id = listbox.id + "-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.textContent = person.name;
      if (person.title) {
        var title = document.createElement("span");
        title.className = "muted small";
        title.textContent = " · " + person.title;
        option.appendChild(title);
      }
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();
        choose(index);
      });
      listbox.appendChild(option);
    });
    options = people;
    textarea.setAttribute("aria-controls", listbox.id);
    textarea.insertAdjacentElement("afterend", listbox);
    highlight(0);
  }

  function mentionable(target) {
    return target instanceof HTMLTextAreaElement && target.name === "body" && config();
  }

  document.addEventListener("input", function (event) {
    var textarea = event.target;
    if (!mentionable(textarea)) return;
    textarea.setAttribute("aria-autocomplete", "list");
    var settings = config();
    if (settings.dataset.labelMentionHelp) textarea.dataset.mentionLabel = settings.dataset.labelMentionHelp;
    window.clearTimeout(timer);
    var query = mentionQuery(textarea);
    if (!query) return close();
    timer = window.setTimeout(function () {
      var number = ++requestNumber;
      fetch(settings.dataset.mentionUrl + "?q=" + encodeURIComponent(query.text), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.ok ? response.json() : { people: [] }; })
        .then(function (data) {
          if (number !== requestNumber) return;
          show(textarea, data.people || []);
        })
        .catch(close);
    }, DEBOUNCE_MS);
  });

  document.addEventListener("keydown", function (event) {
    if (!listbox || event.target !== box) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + options.length) % options.length);
    } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });

  document.addEventListener("focusout", function (event) {
    if (event.target === box) window.setTimeout(close, 150);
  });
})();
