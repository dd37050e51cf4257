// Inside a partner's frame: tell the page that embeds us (static/embed/embed.js) how tall
// the quiz is and how far the visitor got, and only ever the partner's own origins.
(function () {
  "use strict";
  var root = document.documentElement;
  var origins = (root.getAttribute("data-careerquiz-origins") || "").split(" ").filter(Boolean);
  var frame = document.getElementById("careerquiz-frame");
  if (window.parent === window || !origins.length || !frame) return;

  function send(type, detail) {
    origins.forEach(function (origin) {
      // The browser drops a message whose target origin is not the parent's.
      window.parent.postMessage({ careerquiz: 1, type: type, detail: detail || {} }, origin);
    });
  }

  var SLACK = 0.25; // how much of the frame a shorter question may leave empty
  var height = 0;
  var kept = 0; // the height kept between questions, at this width
  var width = 0;
  new ResizeObserver(function () {
    // The wrapper's height, not the document's: it never grows with the frame itself,
    // so resizing the frame cannot start another resize.
    var next = Math.ceil(frame.getBoundingClientRect().height);
    if (window.innerWidth !== width) kept = 0; // reflowed: fit afresh
    width = window.innerWidth;
    // Between questions (and within one) the frame grows to fit but shrinks only when a
    // question would leave more than SLACK of it empty, so the partner's page below it
    // does not jump at every step; the room below a shorter question stays blank.
    if (!document.querySelector("[data-careerquiz-step]")) kept = 0;
    else if (next > kept || next < kept * (1 - SLACK)) kept = next;
    next = Math.max(next, kept);
    if (next !== height) {
      height = next;
      send("resize", { height: next });
    }
  }).observe(frame);

  var shown = 0;
  function announce() {
    var step = document.querySelector("[data-careerquiz-step]");
    var number = step ? Number(step.getAttribute("data-careerquiz-step")) : 0;
    // A step shown again with an error message is not a new step.
    if (number && number !== shown) {
      var total = Number(step.getAttribute("data-careerquiz-total"));
      send("step", { index: number - 1, number: number, total: total });
    }
    shown = number;
  }

  window.addEventListener("message", function (event) {
    var trusted = origins[0] === "*" || origins.indexOf(event.origin) >= 0;
    var data = event.data;
    if (event.source !== window.parent || !trusted || !data || data.careerquiz !== 1) return;
    // The loader sizes us: from now on the frame never shows a scrollbar of its own.
    if (data.type === "sized") root.classList.add("careerquiz-sized");
  });
  document.addEventListener("htmx:afterSettle", announce);
  // In a popup the page closes the dialog: it never hears keys pressed in here.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") send("escape");
  });

  // A refused frame is not a quiz that is ready: the loader shows its fallback link.
  var rejected = document.querySelector("[data-careerquiz-rejected]");
  if (rejected) {
    send("rejected", { message: rejected.getAttribute("data-careerquiz-rejected") });
    return;
  }
  send("ready");
  announce();
  var result = document.getElementById("careerquiz-complete");
  if (result) send("complete", JSON.parse(result.textContent));
})();
