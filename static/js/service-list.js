// The catalogue page's script. Without it the page still works: the filters submit as a plain
// form and each selection box works on its own. The listeners sit on the document, so they keep
// working after htmx replaces the table.
//
// History: htmx saves the page's HTML before it swaps in a new table, and the back button puts
// that HTML back. HTML keeps a form control's attributes, not what the user typed or chose since
// the page loaded, so after each swap the filter controls' attributes are set to the state that
// the new table was made for (its data-filter-* attributes). What the user types is untouched:
// a control the user has changed ignores changes to its attributes.
//
// Selection: "Select all on this page" ticks or clears every row's box, and the bulk form's
// heading counts the ticked services.
(function () {
  "use strict";

  var ROW_BOXES = 'input[type="checkbox"][name="services"][form="bulk-form"]';
  var FILTERS = ["q", "pattern", "status", "owner", "findings", "attestation"];

  function syncFilterAttributes() {
    var table = document.getElementById("service-table");
    var form = document.getElementById("service-filter");
    if (!table || !form) {
      return;
    }
    FILTERS.forEach(function (name) {
      var control = form.elements[name];
      var value = table.getAttribute("data-filter-" + name) || "";
      if (!control) {
        return;
      }
      if (control.tagName === "SELECT") {
        Array.prototype.forEach.call(control.options, function (option) {
          if (option.value === value) {
            option.setAttribute("selected", "");
          } else {
            option.removeAttribute("selected");
          }
        });
      } else {
        control.setAttribute("value", value);
      }
    });
  }

  function rowBoxes() {
    return Array.prototype.slice.call(document.querySelectorAll(ROW_BOXES));
  }

  function refreshSelection() {
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
      refreshSelection();
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    syncFilterAttributes();
    refreshSelection();
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", refreshSelection);
  } else {
    refreshSelection();
  }
})();
