/* Search-as-you-type for an organisation: a text box over a JSON endpoint (?q=…, answers
 * {"results": [{"id", "name", "credit_code"}]}) that fills a hidden input with the chosen id.
 * Markup: <div data-org-picker data-url="…"><input type="search" data-org-text> <input type="hidden">
 * <ul data-org-results hidden></ul></div>. No inline script, so the Content-Security-Policy holds. */
(function () {
  "use strict";
  function setup(box) {
    var text = box.querySelector("[data-org-text]");
    var hidden = box.querySelector("input[type=hidden]");
    var list = box.querySelector("[data-org-results]");
    var timer = null, asked = "";
    function close() { list.hidden = true; text.setAttribute("aria-expanded", "false"); }
    function choose(org) {
      hidden.value = org ? String(org.id) : "";
      text.value = org ? org.name : "";
      close();
    }
    function show(results) {
      list.textContent = "";
      results.forEach(function (org) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link";
        button.textContent = org.name + " · " + org.credit_code;
        button.addEventListener("click", function () { choose(org); text.focus(); });
        li.appendChild(button);
        list.appendChild(li);
      });
      if (!results.length) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = box.getAttribute("data-none") || "";
        list.appendChild(none);
      }
      list.hidden = false;
      text.setAttribute("aria-expanded", "true");
    }
    function ask() {
      var q = text.value.trim();
      if (q.length < 2) { close(); return; }
      asked = q;
      fetch(box.getAttribute("data-url") + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {results: []}; })
        .then(function (data) { if (asked === q) { show(data.results || []); } });
    }
    text.addEventListener("input", function () {
      hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
    text.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { close(); }
      if (event.key === "ArrowDown" && !list.hidden) {
        var first = list.querySelector("button");
        if (first) { event.preventDefault(); first.focus(); }
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-org-picker]"), setup);
  });
}());
