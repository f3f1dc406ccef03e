// Keep the keyboard focus on the page after htmx replaces the focused element, and put it on the
// status message after a form's full POST and redirect.
//
// htmx itself gives the focus back only to an element with the same id as the one that had it,
// and to a swapped-in element with the autofocus attribute. Any other button or link that is
// replaced leaves the focus on <body>, so a keyboard or screen reader user starts again at the
// top of the page. This script then looks for the closest ancestor of the lost element, by id,
// that is back in the page after the swap (the swapped region, or a row inside it), and
// focuses the first of these in it:
//   1. a field marked aria-invalid, or an error (role="alert"), because the request failed;
//   2. the equivalent of the control that was used: same tag, name and text, in a form with
//      the same action (a "Change team" button in the same member's row, for example);
//   3. a status message (role="status");
//   4. the region's heading;
//   5. the region's first link or form control (the first field of a row opened for editing,
//      or the Edit link of a row that was saved).
// Elements that cannot take the focus by themselves get tabindex="-1".
(function () {
  "use strict";

  var CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea";
  var lost = null;

  function isShown(element) {
    return !element.closest("[hidden]") && element.getClientRects().length > 0;
  }

  // Return the first element matching `selector` that is shown and is either a control or has
  // text, because an empty status region would be focused with nothing to read out.
  function firstShown(region, selector) {
    var found = region.querySelectorAll(selector);
    for (var index = 0; index < found.length; index++) {
      var element = found[index];
      if (isShown(element) && (element.matches(CONTROLS) || element.textContent.trim() !== "")) {
        return element;
      }
    }
    return null;
  }

  // A description of a control that is the same before and after its region is re-rendered.
  function signature(element) {
    var form = element.form || element.closest("form");
    var text = element.tagName === "SELECT" ? "" : element.textContent.trim();
    return [
      element.tagName,
      element.getAttribute("name") || "",
      element.getAttribute("href") || "",
      form ? form.getAttribute("action") || "" : "",
      text
    ].join("|");
  }

  function sameControl(region, expected) {
    var controls = region.querySelectorAll(CONTROLS);
    for (var index = 0; index < controls.length; index++) {
      if (signature(controls[index]) === expected && isShown(controls[index])) {
        return controls[index];
      }
    }
    return null;
  }

  function target(region, expected) {
    return firstShown(region, "[aria-invalid=true], [role=alert]")
      || sameControl(region, expected)
      || firstShown(region, "[role=status]")
      || firstShown(region, "h1, h2, h3")
      || firstShown(region, CONTROLS);
  }

  function focus(element) {
    if (!element.matches(CONTROLS) && !element.hasAttribute("tabindex")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }

  function focusLost() {
    var active = document.activeElement;
    return !active || active === document.body || !active.isConnected;
  }

  document.addEventListener("htmx:beforeSwap", function () {
    var active = document.activeElement;
    if (!active || active === document.body) {
      lost = null;
      return;
    }
    var ids = [];
    for (var element = active.parentElement; element; element = element.parentElement) {
      if (element.id) {
        ids.push(element.id);
      }
    }
    lost = { element: active, ids: ids, signature: signature(active) };
  });

  // htmx:afterSettle fires once for each swapped element, out-of-band ones included. The first
  // call that finds the focus lost moves it, so later calls find it in place and do nothing.
  document.addEventListener("htmx:afterSettle", function () {
    if (!lost || lost.element.isConnected || !focusLost()) {
      return;
    }
    for (var index = 0; index < lost.ids.length; index++) {
      var region = document.getElementById(lost.ids[index]);
      var element = region && target(region, lost.signature);
      if (element) {
        lost = null;
        focus(element);
        return;
      }
    }
  });

  // Django's messages list appears after a form's POST and redirect (Mark done on the minutes,
  // for example). It reports what the action did, so it takes the focus unless an autofocus
  // field already has it.
  document.addEventListener("DOMContentLoaded", function () {
    var messages = document.querySelector("main .messages");
    if (messages && focusLost()) {
      focus(messages);
    }
  });
})();
