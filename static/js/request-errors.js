// Show a message when an htmx request fails, instead of leaving the page silently unchanged.
// The region and its translated messages are in base.html (#request-error); "{status}" in a
// message is replaced with the HTTP status. The region hides again after the next successful
// request. Loaded as an external file because the Content Security Policy forbids inline scripts.
(function () {
  "use strict";

  function region() {
    return document.getElementById("request-error");
  }

  function show(message) {
    var element = region();
    if (!element || !message) {
      return;
    }
    element.textContent = message;
    element.hidden = false;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var element = region();
    var status = event.detail.xhr ? event.detail.xhr.status : "";
    if (element) {
      show(element.dataset.serverMessage.replace("{status}", status));
    }
  });

  document.addEventListener("htmx:sendError", function () {
    var element = region();
    if (element) {
      show(element.dataset.networkMessage);
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var element = region();
    if (element && event.detail.successful) {
      element.hidden = true;
    }
  });
})();
