// Workshop board: arrow keys and j/k follow the previous/next links, and the
// item timer counts down on the client. Loaded as an external file because the
// Content Security Policy forbids inline scripts.
(function () {
  "use strict";

  function isTyping(target) {
    return target.closest("input, select, textarea, [contenteditable]") !== null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || isTyping(event.target)) {
      return;
    }
    var selector = null;
    if (event.key === "ArrowRight" || event.key === "j") {
      selector = "[data-board-next]";
    } else if (event.key === "ArrowLeft" || event.key === "k") {
      selector = "[data-board-previous]";
    }
    var link = selector && document.querySelector(selector);
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  });

  function format(seconds) {
    var sign = seconds < 0 ? "-" : "";
    var abs = Math.abs(seconds);
    var rest = abs % 60;
    return sign + Math.floor(abs / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function setUpTimer(timer) {
    var display = timer.querySelector("[data-timer-display]");
    var button = timer.querySelector("[data-timer-toggle]");
    var remaining = parseInt(timer.dataset.timerMinutes, 10) * 60;
    var interval = null;
    display.textContent = format(remaining);
    button.addEventListener("click", function () {
      if (interval !== null) {
        window.clearInterval(interval);
        interval = null;
        button.textContent = button.dataset.startLabel;
        return;
      }
      button.textContent = button.dataset.stopLabel;
      interval = window.setInterval(function () {
        remaining -= 1;
        display.textContent = format(remaining);
        timer.classList.toggle("board__timer--over", remaining < 0);
      }, 1000);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-timer-minutes]").forEach(setUpTimer);
  });
})();
