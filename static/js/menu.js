// The header's menu is a <details>: it works without this file. This adds what people expect
// of a menu on a phone (Escape and a tap elsewhere close it), and opens it on wide screens in
// browsers too old to show a closed <details>' contents (static/css/hearth.css, "Header").
(function () {
  "use strict";
  var menu = document.querySelector(".site-menu");
  if (!menu) return;
  var wide = window.matchMedia("(min-width: 50.01rem)");
  var styled = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");

  function fit() {
    if (!styled) menu.open = wide.matches;
  }
  fit();
  wide.addEventListener("change", fit);

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open && !wide.matches) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (menu.open && !wide.matches && !menu.contains(event.target)) menu.open = false;
  });
})();
