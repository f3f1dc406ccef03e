// Arrow-key movement between the R/A/C/I buttons of the RACI matrix on the service page.
// Each button carries data-row (activity index) and data-col (team index * 4 + role index).
// Left and right move along a row, up and down to the same role of the same team in the next
// activity; Home and End jump to the row's first and last button. Enter and Space press the
// focused button as usual. The letters R, A, C and I (either case) press that role's button in
// the focused button's cell (the same team and activity) and move the focus to it. The listener
// sits on the document, so it keeps working after htmx replaces the matrix, and htmx gives the
// focus back to the button with the same id.
// htmx 2.0 wires up swapped-in forms only when the swap settles (defaultSettleDelay, 20 ms). A key
// pressed in between would submit the form without htmx and reload the page, so Enter, Space and
// the role letters first have htmx process the button's form, which changes nothing for a form
// already processed.
(function () {
  "use strict";

  var ROLES = { r: "R", a: "A", c: "C", i: "I" };

  var MOVES = {
    ArrowLeft: [0, -1],
    ArrowRight: [0, 1],
    ArrowUp: [-1, 0],
    ArrowDown: [1, 0]
  };

  function button(matrix, row, col) {
    return matrix.querySelector('button[data-row="' + row + '"][data-col="' + col + '"]');
  }

  function rowEnd(matrix, row, last) {
    var buttons = matrix.querySelectorAll('button[data-row="' + row + '"]');
    if (!buttons.length) {
      return null;
    }
    return last ? buttons[buttons.length - 1] : buttons[0];
  }

  document.addEventListener("keydown", function (event) {
    var current = event.target;
    if (!current.matches || !current.matches("[data-raci-matrix] button[data-row]")) {
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    if ((event.key === "Enter" || event.key === " ") && window.htmx && current.form) {
      window.htmx.process(current.form);
      return;
    }
    var role = ROLES[event.key.toLowerCase()];
    if (role && current.form) {
      var toggle = current.form.querySelector("button.raci-toggle--" + role);
      if (toggle) {
        event.preventDefault();
        toggle.focus();
        if (window.htmx) {
          window.htmx.process(current.form);
        }
        toggle.click();
      }
      return;
    }
    var matrix = current.closest("[data-raci-matrix]");
    var row = Number(current.dataset.row);
    var col = Number(current.dataset.col);
    var target = null;
    if (event.key === "Home" || event.key === "End") {
      target = rowEnd(matrix, row, event.key === "End");
    } else if (MOVES[event.key]) {
      target = button(matrix, row + MOVES[event.key][0], col + MOVES[event.key][1]);
    } else {
      return;
    }
    event.preventDefault();
    if (target) {
      target.focus();
    }
  });
})();
