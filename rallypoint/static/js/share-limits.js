/* How long a share text is on each network, counted as the network counts it.
 *
 * The twin of rallypoint/networks/limits.py, which decides on the server; this file only
 * tells the person as they type. Keep both in step:
 * - X: 280, weighted as twitter-text does: every link 23, the Latin, Greek, Cyrillic and
 *   other small scripts (and some punctuation) 1, everything else 2, an emoji sequence 2 once;
 * - Bluesky: 300 graphemes, links counted in full;
 * - Mastodon: 500 graphemes, every link 23;
 * - LinkedIn (and the others): characters (code points).
 *
 * A textarea with data-share-network (and data-share-limit) gets a counter "123 / 280" in
 * the element [data-share-counter-for="<its id>"]; the counter turns red over the limit.
 * data-share-url-from names an input whose link is added at the end, as when posting.
 */
(function () {
  "use strict";

  var LIMITS = {
    x: 280,
    bluesky: 300,
    mastodon: 500,
    linkedin: 3000,
    facebook: 63206,
    instagram: 2200,
    xing: 3000,
    whatsapp: 65536,
  };
  var TRANSFORMED_URL_LENGTH = 23;
  // Unicode White_Space, as \s is in the server's pattern (JavaScript's \s differs).
  var SPACE = "\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  // What the server's \w is: a word character for \b.
  var WORD = "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}";
  // networks/limits.py URL_PATTERN, with its \b spelled out: the match starts with a
  // letter or digit after a non-word character, or with "-" after a word character.
  var URL_PATTERN = new RegExp(
    "(?:(?<![" + WORD + "])(?=[a-z0-9])|(?<=[" + WORD + "])(?=-))" +
      "(?:https?://[^" + SPACE + "<>\"]+|(?:[a-z0-9-]+\\.)+[a-z]{2,}(?:/[^" + SPACE +
      "<>\"]*)?(?=[" + SPACE + "]|$))",
    "giu"
  );
  var EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
  // Python's str.strip(): what str.isspace() calls white space (White_Space and \x1c-\x1f).
  var PY_SPACE = SPACE + "\\x1c-\\x1f";
  var STRIP = new RegExp("^[" + PY_SPACE + "]+|[" + PY_SPACE + "]+$", "g");
  var X_LIGHT_RANGES = [[0, 4351], [8192, 8205], [8208, 8223], [8242, 8247]];

  var segmenter = typeof Intl !== "undefined" && Intl.Segmenter
    ? new Intl.Segmenter(undefined, { granularity: "grapheme" })
    : null;

  function graphemes(text) {
    if (!segmenter) return Array.from(text);
    var out = [];
    for (var part of segmenter.segment(text)) out.push(part.segment);
    return out;
  }

  function withUrlsAs(text, length) {
    var count = 0;
    var rest = text.replace(URL_PATTERN, function () {
      count += 1;
      return "";
    });
    return [rest, count * length];
  }

  function xWeight(text) {
    var parts = withUrlsAs(text, TRANSFORMED_URL_LENGTH);
    var weight = parts[1];
    graphemes(parts[0]).forEach(function (grapheme) {
      if (EMOJI.test(grapheme)) {
        weight += 2;
        return;
      }
      for (var char of grapheme) {
        var code = char.codePointAt(0);
        var light = X_LIGHT_RANGES.some(function (range) {
          return range[0] <= code && code <= range[1];
        });
        weight += light ? 1 : 2;
      }
    });
    return weight;
  }

  function textLength(network, text) {
    text = text || "";
    if (network === "x") return xWeight(text);
    if (network === "mastodon") {
      var parts = withUrlsAs(text, TRANSFORMED_URL_LENGTH);
      return parts[1] + graphemes(parts[0]).length;
    }
    if (network === "bluesky") return graphemes(text).length;
    return Array.from(text).length;
  }

  function compose(text, url) {
    text = (text || "").replace(STRIP, "");
    if (url && text.indexOf(url) === -1) return text ? text + " " + url : url;
    return text;
  }

  function check(network, text, url) {
    var length = textLength(network, compose(text, url || ""));
    var limit = LIMITS[network] || 65536;
    return { length: length, limit: limit, ok: length <= limit, overBy: Math.max(0, length - limit) };
  }

  function bind(area) {
    var network = area.dataset.shareNetwork;
    var counter = document.querySelector('[data-share-counter-for="' + area.id + '"]');
    if (!network || !counter) return;
    var source = area.dataset.shareUrlFrom ? document.getElementById(area.dataset.shareUrlFrom) : null;
    function update() {
      var url = source && area.value.trim() ? source.value.trim() : "";
      var result = check(network, area.value, url);
      if (area.dataset.shareLimit) result.limit = Number(area.dataset.shareLimit);
      result.ok = result.length <= result.limit;
      counter.textContent = result.length + " / " + result.limit;
      counter.classList.toggle("over", !result.ok);
      counter.dataset.length = String(result.length);
      area.setAttribute("aria-invalid", result.ok ? "false" : "true");
    }
    area.addEventListener("input", update);
    if (source) source.addEventListener("input", update);
    update();
  }

  window.RallypointShareLimits = {
    LIMITS: LIMITS,
    textLength: textLength,
    compose: compose,
    check: check,
    bind: bind,
  };

  function start() {
    document.querySelectorAll("textarea[data-share-network]").forEach(bind);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
