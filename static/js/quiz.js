// After htmx swaps in a new quiz panel, move keyboard and screen-reader focus to
// its heading, as a full page load would put the visitor at the new question.
// htmx:load fires on the new content itself; the events fired on the form are lost
// with it, because an outerHTML swap removes the form from the document.
document.addEventListener("htmx:load", function (event) {
  var panel = event.target;
  if (!panel || panel.id !== "quiz-panel") return;
  var heading = panel.querySelector("#quiz-heading, #result-heading");
  if (heading) heading.focus();
});
