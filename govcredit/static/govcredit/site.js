/* Behaviour every page shares, kept out of the HTML so that the Content-Security-Policy can forbid
 * inline scripts and event handlers: a <select data-autosubmit> submits its form when changed. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) { el.form.submit(); }
  });
}());
