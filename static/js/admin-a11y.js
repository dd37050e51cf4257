/* Accessibility repairs to markup Django's admin scripts build.
 *
 * SelectFilter2.js (the two-box "managers" picker) puts an aria-label on a bare
 * <span> icon; ARIA forbids naming an element with no role, so axe refuses it.
 * The icon is an image that says what the filter box does: give it that role.
 * SelectFilter builds its boxes on window "load", after this script's own
 * listener would run, hence the timeout.
 */
"use strict";
(function () {
  function nameIcons() {
    document.querySelectorAll("span.search-label-icon[aria-label]:not([role])").forEach(
      function (icon) { icon.setAttribute("role", "img"); }
    );
  }
  window.addEventListener("load", function () { window.setTimeout(nameIcons, 0); });
})();
