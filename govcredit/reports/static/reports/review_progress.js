/* A pre-appointment check page follows its batch until it finishes (the status JSON every 1.5 s, then a reload). */
(function () {
  var box = document.getElementById("review-progress");
  if (!box || box.dataset.finished === "1") return;
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
      document.getElementById("review-done").textContent = s.done;
      document.getElementById("review-bar").value = s.percent;
      if (s.finished) { window.location.reload(); } else { setTimeout(poll, 1500); }
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
