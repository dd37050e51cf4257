/* careerquiz embed loader (docs/partners.md): the quiz in a frame sized to its content,
   careerquiz:* events on its container, and a plain link if it cannot be shown. */
(function () {
  "use strict";
  var REF = /^[A-Za-z0-9._-]{1,64}$/;
  var NAME = /^[A-Za-z0-9_.-]{1,40}$/; // a passed-through parameter (quiz.passthrough)
  var HIDDEN = "data-hidden-";
  var GRACE_MS = 4000; // after the frame loads, to hear from it before falling back to a link
  var registry = (window.careerquizEmbeds = window.careerquizEmbeds || { widgets: [] });

  function emit(widget, name, detail) {
    widget.box.dispatchEvent(
      new CustomEvent("careerquiz:" + name, { detail: detail, bubbles: true })
    );
  }

  function fallback(widget) {
    if (widget.fallen) return;
    widget.fallen = true;
    widget.frame.style.display = "none";
    var place = widget.dialog || widget.box;
    var line = document.createElement("p");
    var link = document.createElement("a");
    line.className = "careerquiz-fallback";
    link.href = widget.base + "/quiz/" + encodeURIComponent(widget.quiz) + "/";
    link.target = "_blank"; // no opener: browsers' default for _blank
    link.textContent = "Take the career quiz";
    line.append(link);
    place.append(line);
  }

  function rung(value) {
    return value && typeof value === "object" ? { slug: value.slug, title: value.title } : null;
  }

  function onMessage(event) {
    var data = event.data;
    if (!data || data.careerquiz !== 1 || typeof data.type !== "string") return;
    var widget = registry.widgets.filter(function (w) {
      return w.frame.contentWindow === event.source;
    })[0];
    // Only the frame we made, and only from the app's own origin, may talk to us.
    if (!widget || event.origin !== widget.base) return;
    var detail = data.detail || {};
    widget.alive = true;
    if (data.type === "resize") {
      var height = Math.ceil(Number(detail.height));
      if (height > 0 && height !== widget.height) {
        widget.height = height;
        widget.frame.style.height = height + "px";
      }
      event.source.postMessage({ careerquiz: 1, type: "sized" }, widget.base);
    } else if (data.type === "ready" && !widget.ready) {
      widget.ready = true;
      emit(widget, "ready", { quiz: widget.quiz });
    } else if (data.type === "step") {
      emit(widget, "step", { index: detail.index, number: detail.number, total: detail.total });
    } else if (data.type === "complete" && !widget.completed[detail.id]) {
      widget.completed[detail.id] = true;
      emit(widget, "complete", {
        id: detail.id,
        rung: rung(detail.rung),
        next_rung: rung(detail.next_rung),
        result_url: detail.result_url,
        ref: detail.ref || "",
        passthrough: detail.passthrough || {},
      });
    } else if (data.type === "escape" && widget.dialog) {
      widget.dialog.close(); // Escape pressed inside the frame, whose keys we never see
    } else if (data.type === "rejected" && !widget.fallen) {
      fallback(widget);
      if (detail.message) console.warn("careerquiz: " + detail.message);
    }
  }

  // A button opening the quiz in a modal <dialog> (centred, or a slider at the side): the
  // page behind is inert, Escape closes it, focus stays inside and then goes back.
  function popup(widget, tag, src, mode) {
    var open = document.createElement("button");
    var dialog = (widget.dialog = document.createElement("dialog"));
    var close = document.createElement("button");
    open.type = close.type = "button";
    open.className = "careerquiz-open";
    open.textContent = tag.getAttribute("data-button-text") || "Take the career quiz";
    close.textContent = "\u00d7";
    close.setAttribute("aria-label", "Close the quiz");
    close.style.cssText = "float:right;font-size:1.5rem;border:0;background:none;cursor:pointer";
    dialog.className = "careerquiz-" + mode;
    dialog.setAttribute("aria-label", widget.frame.title);
    dialog.style.cssText =
      (mode === "slider"
        ? "margin-right:0;width:min(30rem,100%);max-width:none;height:100%;max-height:none"
        : "width:min(44rem,calc(100vw - 2rem));max-height:90vh") + ";padding:0;border:0";
    close.onclick = function () {
      dialog.close();
    };
    open.onclick = function () {
      if (!widget.frame.src) widget.frame.src = src; // loaded when first opened
      dialog.showModal();
      if (mode === "slider" && !matchMedia("(prefers-reduced-motion:reduce)").matches)
        dialog.animate({ transform: ["translateX(100%)", "none"] }, 250);
    };
    dialog.addEventListener("close", function () {
      open.focus();
      emit(widget, "close", {});
    });
    close.autofocus = true;
    // Tab past either end lands on a guard that sends focus round, not out to the browser.
    dialog.append(guard(widget.frame), close, widget.frame, guard(close));
    widget.box.append(open, dialog);
  }

  function guard(target) {
    var span = document.createElement("span");
    span.tabIndex = 0;
    span.onfocus = function () {
      target.focus();
    };
    return span;
  }

  function find(target) {
    try {
      return document.querySelector(target);
    } catch (error) {
      return document.getElementById(target.replace(/^#/, "")); // e.g. "#2024", a legal id
    }
  }

  function mount(tag) {
    tag.careerquizMounted = true;
    var target = tag.getAttribute("data-target");
    var box = target ? find(target) : document.createElement("div");
    if (!box) {
      console.warn("careerquiz: no element matches data-target=" + target);
      return;
    }
    if (!target) tag.parentNode.insertBefore(box, tag);
    var base = new URL(tag.src, location.href).origin;
    var quiz = tag.getAttribute("data-quiz");
    var params = new URLSearchParams({ partner: tag.getAttribute("data-partner") || "" });
    // So an origin the partner has not registered is told so at once, not framed blank.
    params.set("origin", location.origin);
    // The frame takes only the values it knows (careerquiz.partners.look).
    ["region", "background", "heading"].forEach(function (name) {
      var value = tag.getAttribute("data-" + name);
      if (value) params.set(name, value);
    });
    var ref = tag.getAttribute("data-ref");
    if (ref && REF.test(ref)) params.set("ref", ref);
    else if (ref) console.warn("careerquiz: data-ref must be 1-64 of A-Z a-z 0-9 . _ -; ignored");
    // Only what the partner names travels: listed query parameters, data-hidden-* values.
    var pass = {};
    var query = new URLSearchParams(location.search);
    (tag.getAttribute("data-pass-params") || "").split(/[\s,]+/).forEach(function (name) {
      if (NAME.test(name) && query.get(name)) pass[name] = query.get(name);
    });
    [].forEach.call(tag.attributes, function (attr) {
      var name = attr.name.slice(HIDDEN.length);
      if (!attr.name.indexOf(HIDDEN) && NAME.test(name) && attr.value) pass[name] = attr.value;
    });
    Object.keys(pass)
      .slice(0, 10)
      .forEach(function (name) {
        params.set("p." + name, pass[name].slice(0, 200));
      });

    var frame = document.createElement("iframe");
    var src = base + "/embed/" + encodeURIComponent(quiz) + "/?" + params;
    frame.title = tag.getAttribute("data-title") || "Career placement quiz";
    frame.loading = "lazy";
    frame.style.cssText = "display:block;width:100%;height:480px;border:0";
    box.classList.add("careerquiz-embed");
    var widget = { box: box, frame: frame, base: base, quiz: quiz, height: 0, completed: {} };
    registry.widgets.push(widget);
    var mode = tag.getAttribute("data-open");
    if (mode === "popup" || mode === "slider") popup(widget, tag, src, mode);
    else {
      frame.src = src;
      box.append(frame);
    }
    frame.addEventListener("load", function () {
      setTimeout(function () {
        if (!widget.alive) fallback(widget);
      }, GRACE_MS);
    });
  }

  if (!registry.listening) {
    registry.listening = true;
    window.addEventListener("message", onMessage);
  }
  var tags = document.querySelectorAll("script[data-quiz][data-partner]");
  [].forEach.call(tags, function (tag) {
    if (!tag.careerquizMounted && /\/embed\.js(\?|$)/.test(tag.src)) mount(tag);
  });
})();
