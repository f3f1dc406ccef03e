// The catalogue page's selection: "Select all on this page" ticks or clears every row's box, and
// the bulk form's heading counts the ticked services. Without this script each box still works on
// its own. The listeners sit on the document, so they keep working after htmx replaces the table.
(function () {
  "use strict";

  var ROW_BOXES = 'input[type="checkbox"][name="services"][form="bulk-form"]';

  function rowBoxes() {
    return Array.prototype.slice.call(document.querySelectorAll(ROW_BOXES));
  }

  function refresh() {
    var boxes = rowBoxes();
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    var all = document.querySelector("[data-select-all]");
    if (all) {
      all.closest(".select-all").hidden = false;
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    var count = document.getElementById("bulk-count");
    if (count) {
      count.hidden = ticked === 0;
      count.textContent = ticked === 0 ? "" : "(" + ticked + " " + (count.dataset.label || "selected") + ")";
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-select-all]")) {
      rowBoxes().forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches("[data-select-all]") || target.matches(ROW_BOXES)) {
      refresh();
    }
  });
  document.addEventListener("htmx:afterSettle", refresh);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", refresh);
  } else {
    refresh();
  }
})();
