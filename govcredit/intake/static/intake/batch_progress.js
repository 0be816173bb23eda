/* A batch page follows its import until it finishes (the status JSON every 1.5 s, then a reload). */
(function () {
  var box = document.getElementById("batch-progress");
  if (!box || box.dataset.finished === "1") return;
  function set(id, v) { var el = document.getElementById(id); if (el) el.textContent = v; }
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
      set("batch-status", s.status); set("rows-done", s.rows_done); set("n-accepted", s.accepted);
      set("n-updated", s.updated); set("n-unchanged", s.unchanged); set("n-rejected", s.rejected); set("batch-message", s.message);
      var bar = document.getElementById("batch-bar");
      if (s.percent !== null) bar.value = s.percent; else bar.removeAttribute("value");
      if (s.has_report) document.getElementById("batch-report").hidden = false;
      if (s.finished) { window.location.reload(); } else { setTimeout(poll, 1500); }
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
