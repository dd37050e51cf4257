// A question's answers offer the rungs of its quiz's ladder, as soon as the quiz is
// chosen and before anything is saved: every rung choice carries its ladder
// (`data-ladder`, ladder.admin.LadderTaggedSelect), so do the quiz choices; rungs of
// other ladders are hidden. Rows added with "Add another" follow too. A rung an
// answer already names stays shown when the page opens, so the server can explain
// why it does not fit; changing the quiz clears such a choice. Without JavaScript
// every rung is offered, named with its ladder.
(function () {
  "use strict";

  function quizSelect() {
    return document.querySelector('select[name="quiz"]');
  }

  function chosenLadder() {
    var quiz = quizSelect();
    var option = quiz && quiz.options[quiz.selectedIndex];
    return option ? option.dataset.ladder || "" : "";
  }

  function offer(clearOthers) {
    var ladder = chosenLadder();
    document.querySelectorAll('select[name$="-rung"]').forEach(function (select) {
      Array.prototype.forEach.call(select.options, function (option) {
        var other = Boolean(ladder && option.dataset.ladder && option.dataset.ladder !== ladder);
        if (other && option.selected && clearOthers) select.value = "";
        var keep = option.selected && !clearOthers;
        option.hidden = other && !keep;
        option.disabled = other && !keep;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var quiz = quizSelect();
    if (!quiz) return;
    offer(false);
    quiz.addEventListener("change", function () { offer(true); });
  });
  document.addEventListener("formset:added", function () { offer(false); });
})();
