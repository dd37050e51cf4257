// Putting things in order in the admin: drag a row by its handle, or move it with the
// "Move up" / "Move down" buttons (or the arrow keys on the handle). Works on every
// inline whose rows have a `position` (or `order`) field; the field is renumbered
// 1, 2, 3... in page order and hidden, since the page order now says it. A number the
// server refused stays in sight with its message. Without JavaScript the numbers stay
// visible and editable.
(function () {
  "use strict";
  var live;

  function announce(text) {
    if (!live) {
      live = document.createElement("div");
      live.className = "visually-hidden sortable-live";
      live.setAttribute("aria-live", "polite");
      document.body.appendChild(live);
    }
    live.textContent = text;
  }

  function groups() {
    return document.querySelectorAll(".js-inline-admin-formset");
  }

  function prefixOf(group) {
    var data = group.getAttribute("data-inline-formset");
    return data ? JSON.parse(data).options.prefix : "";
  }

  function field(row, prefix) {
    var match = row.id && row.id.match(new RegExp("^" + prefix + "-(\\d+)$"));
    if (!match) return null;
    var base = prefix + "-" + match[1] + "-";
    return row.querySelector('[name="' + base + 'position"], [name="' + base + 'order"]');
  }

  function rows(group) {
    var prefix = prefixOf(group);
    return Array.prototype.filter.call(
      group.querySelectorAll(".form-row, .inline-related"),
      function (row) {
        return !row.classList.contains("empty-form") && field(row, prefix);
      }
    );
  }

  // The row of this group that an element is in (not a nested group's row, not a fieldset line).
  function rowAt(group, element) {
    var all = rows(group);
    while (element && element !== group && all.indexOf(element) < 0) element = element.parentElement;
    return element && element !== group ? element : null;
  }

  function inUse(row) {
    // An extra row nobody filled in must stay unchanged, or Django would validate it.
    if (row.classList.contains("has_original")) return true;
    return Array.prototype.some.call(
      row.querySelectorAll("input[type=text], textarea, select"),
      function (input) {
        return input.value && !/-(position|order)$/.test(input.name);
      }
    );
  }

  // From 1, never 0: a new row still at its default 0 is one nobody placed (it goes last).
  function renumber(group) {
    var prefix = prefixOf(group);
    var next = 1;
    rows(group).forEach(function (row) {
      var input = field(row, prefix);
      if (inUse(row)) input.value = next++;
    });
  }

  // The name of the group's number field ("position" or "order"), from any row or the
  // template row "Add another" copies; null if the group has none.
  function sortName(group) {
    var pattern = new RegExp("^" + prefixOf(group) + "-(\\d+|__prefix__)-(position|order)$");
    var named = Array.prototype.find.call(group.querySelectorAll("input[name]"), function (input) {
      return pattern.test(input.name);
    });
    return named ? named.name.replace(/^.*-/, "") : null;
  }

  function boxOf(input) {
    return input.closest("td, .fieldBox") || input.closest(".form-row");
  }

  function refused(group) {
    var prefix = prefixOf(group);
    return rows(group).some(function (row) {
      var box = boxOf(field(row, prefix));
      return box && box.querySelector(".errorlist");
    });
  }

  function label(row) {
    var named = row.querySelector(".inline_label, td.original p, input[type=text]");
    return (named && (named.value || named.textContent) || "Row").trim().slice(0, 60);
  }

  function move(group, row, step) {
    var all = rows(group);
    var index = all.indexOf(row);
    var other = all[index + step];
    if (!other) return;
    if (step < 0) other.parentNode.insertBefore(row, other);
    else other.parentNode.insertBefore(row, other.nextSibling);
    renumber(group);
    announce(label(row) + ": moved to place " + (index + step + 1) + " of " + all.length);
  }

  function button(text, name, onPress) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "sortable-move";
    b.textContent = text;
    b.setAttribute("aria-label", name);
    b.addEventListener("click", onPress);
    return b;
  }

  function equip(group, row) {
    if (row.querySelector(".sortable-tools")) return;
    var prefix = prefixOf(group);
    var tools = document.createElement("span");
    tools.className = "sortable-tools";
    var handle = document.createElement("span");
    handle.className = "sortable-handle";
    handle.textContent = "⠿";
    handle.title = "Drag to reorder";
    handle.tabIndex = 0;
    handle.setAttribute("role", "button");
    handle.setAttribute("aria-label", "Reorder: press the up or down arrow to move");
    handle.addEventListener("keydown", function (event) {
      if (event.key === "ArrowUp" || event.key === "ArrowDown") {
        event.preventDefault();
        move(group, row, event.key === "ArrowUp" ? -1 : 1);
        handle.focus();
      }
    });
    handle.addEventListener("pointerdown", function () {
      row.draggable = true;
    });
    tools.appendChild(handle);
    tools.appendChild(button("↑", "Move up", function () { move(group, row, -1); }));
    tools.appendChild(button("↓", "Move down", function () { move(group, row, 1); }));
    var place = row.querySelector(":scope > td.original, :scope > h3") || row.firstElementChild;
    place.insertBefore(tools, place.firstChild);
    var box = boxOf(field(row, prefix));
    if (!box) return;
    if (group.dataset.sortable === "shown") {
      // A number was refused: the numbers stay visible, the refused ones marked.
      if (box.querySelector(".errorlist")) box.classList.add("sortable-error");
    } else {
      // The number is what the page order says now: hide its input (and its column).
      box.classList.add("sortable-hidden");
    }
  }

  function setUp(group) {
    if (group.dataset.sortable) return;
    var name = sortName(group);
    if (!name) return;
    // Set up even with no rows yet (a new ladder): rows added later are numbered too.
    group.dataset.sortable = refused(group) ? "shown" : "on";
    var header = group.querySelector("th.column-" + name);
    if (header && group.dataset.sortable === "on") header.classList.add("sortable-hidden");
    rows(group).forEach(function (row) { equip(group, row); });

    var dragged = null;
    group.addEventListener("dragstart", function (event) {
      dragged = rowAt(group, event.target);
      if (!dragged) return;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.id);
      dragged.classList.add("sortable-dragging");
      event.stopPropagation();
    });
    group.addEventListener("dragover", function (event) {
      if (!dragged) return;
      var over = rowAt(group, event.target);
      if (!over || over === dragged) return;
      event.preventDefault();
      event.stopPropagation();
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      over.parentNode.insertBefore(dragged, after ? over.nextSibling : over);
    });
    group.addEventListener("drop", function (event) {
      if (dragged) event.preventDefault();
    });
    group.addEventListener("dragend", function () {
      if (!dragged) return;
      dragged.classList.remove("sortable-dragging");
      dragged.draggable = false;
      renumber(group);
      announce(label(dragged) + ": moved to place " + (rows(group).indexOf(dragged) + 1));
      dragged = null;
    });
    var form = group.closest("form");
    if (form) {
      form.addEventListener("submit", function () {
        if (group.dataset.sortable === "on") renumber(group);  // shown numbers are sent as typed
      });
    }
  }

  function setUpAll() {
    Array.prototype.forEach.call(groups(), setUp);
  }

  document.addEventListener("DOMContentLoaded", setUpAll);
  // A row added with "Add another" gets its tools too.
  document.addEventListener("formset:added", function (event) {
    var group = event.target.closest(".js-inline-admin-formset");
    if (group && group.dataset.sortable) equip(group, event.target);
  });
})();
