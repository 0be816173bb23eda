/* Search-as-you-type pickers and the organisation tree (core/widgets.py, subjects' tree). Loaded as a file
 * so that the Content-Security-Policy can forbid inline scripts; every text is inserted with textContent. */
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  function setupPicker(box) {
    var input = box.querySelector("[data-picker-input]");
    var list = box.querySelector("[role=listbox]");
    var values = Array.prototype.slice.call(box.querySelectorAll("[data-picker-value]"));
    var items = [], active = -1, asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    // The browser refuses to send the form while a required picker has no choice, or while a name was typed
    // but not chosen from the list (it would be lost silently).
    function check() {
      var chosen = values.some(function (v) { return v.value; });
      var required = input.getAttribute("aria-required") === "true";
      input.setCustomValidity(!chosen && (required || input.value.trim()) ? box.getAttribute("data-required") : "");
    }
    function choose(item) {
      values.forEach(function (v) { v.value = v.getAttribute("data-picker-value") === item.kind ? item.id : ""; });
      input.value = item.label;
      check();
      close();
      box.dispatchEvent(new CustomEvent("picker:change", {bubbles: true, detail: item}));
    }
    function mark() {
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      if (active >= 0 && list.children[active]) {
        input.setAttribute("aria-activedescendant", list.children[active].id);
        list.children[active].scrollIntoView({block: "nearest"});
      }
    }
    function render() {
      while (list.firstChild) { list.removeChild(list.firstChild); }
      if (!items.length) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = box.getAttribute("data-empty");
        list.appendChild(none);
      }
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = input.id + "-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("data-kind", item.kind);
        var name = document.createElement("span");
        name.textContent = item.label;
        li.appendChild(name);
        if (item.detail) {
          var detail = document.createElement("span");
          detail.className = "muted";
          detail.textContent = item.detail;
          li.appendChild(detail);
        }
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(item); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      mark();
    }
    var search = debounce(function () {
      var q = input.value.trim();
      if (!q) { close(); return; }
      var mine = ++asked;
      var url = box.getAttribute("data-url");
      url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q);
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {results: []}; })
        .then(function (data) {
          if (mine !== asked) { return; }
          items = data.results || [];
          active = items.length ? 0 : -1;
          render();
        });
    }, 200);

    input.addEventListener("input", function () {
      values.forEach(function (v) { v.value = ""; });
      check();
      search();
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown" && items.length) { active = (active + 1) % items.length; mark(); event.preventDefault(); }
      else if (event.key === "ArrowUp" && items.length) { active = (active + items.length - 1) % items.length; mark(); event.preventDefault(); }
      else if (event.key === "Enter" && active >= 0) { choose(items[active]); event.preventDefault(); }
      else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    check();
  }

  function loadChildren(details) {
    var src = details.getAttribute("data-src");
    if (!details.open || !src || details.getAttribute("data-loaded")) { return; }
    details.setAttribute("data-loaded", "1");
    fetch(src, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        var target = details.querySelector("[data-children]");
        var parsed = new DOMParser().parseFromString(html, "text/html");
        while (target.firstChild) { target.removeChild(target.firstChild); }
        Array.prototype.forEach.call(parsed.body.childNodes, function (node) {
          target.appendChild(document.importNode(node, true));
        });
      });
  }

  document.querySelectorAll("[data-picker]").forEach(setupPicker);
  document.addEventListener("toggle", function (event) {
    var el = event.target;
    if (el && el.tagName === "DETAILS") { loadChildren(el); }
  }, true);
}());
