// After htmx swaps in a new quiz panel, move keyboard and screen-reader focus as a
// full page load would: to the error when the answer was refused, else to the new
// question's (or the result's) heading.
// htmx:load fires on the new content itself; the events fired on the form are lost
// with it, because an outerHTML swap removes the form from the document.
// Inside a partner's frame focus moves without scrolling: focusing an element in a frame
// scrolls every page around it too, and the partner's page must stay where its reader
// put it (the frame keeps its height between questions, static/js/embed-frame.js).
var embedded = document.documentElement.classList.contains("embedded");
document.addEventListener("htmx:load", function (event) {
  var panel = event.target;
  if (!panel || panel.id !== "quiz-panel") return;
  var target =
    panel.querySelector(".field-error") || panel.querySelector("#quiz-heading, #result-heading");
  if (target) target.focus({ preventScroll: embedded });
});

// Printing a result (for a manager, say) shows every folded section.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details").forEach(function (details) {
    details.open = true;
  });
});
