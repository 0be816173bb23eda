/* Behaviour every page shares, kept out of the HTML so that the Content-Security-Policy can forbid
 * inline scripts and event handlers: a <select data-autosubmit> submits its form when changed; a
 * <button data-menu-toggle="id"> opens and closes the element with that id (the menu on a phone). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) { el.form.submit(); }
  });
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest ? event.target.closest("[data-menu-toggle]") : null;
    var menu = button ? document.getElementById(button.getAttribute("data-menu-toggle")) : null;
    if (!menu) { return; }
    var open = menu.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
}());
