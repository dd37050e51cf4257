// After htmx swaps in a new quiz panel, move keyboard and screen-reader focus as a
// full page load would: to the error when the answer was refused, else to the new
// question's (or the result's) heading.
// htmx:load fires on the new content itself; the events fired on the form are lost
// with it, because an outerHTML swap removes the form from the document.
document.addEventListener("htmx:load", function (event) {
  var panel = event.target;
  if (!panel || panel.id !== "quiz-panel") return;
  var target =
    panel.querySelector(".field-error") || panel.querySelector("#quiz-heading, #result-heading");
  if (target) target.focus();
});

// Printing a result (for a manager, say) shows every folded section.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details").forEach(function (details) {
    details.open = true;
  });
});
