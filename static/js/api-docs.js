// Start Swagger UI on the API docs page (templates/api/docs.html).
// The page has no inline script, so the schema URL and the CSRF token come from data attributes.
// Requests made with "Try it out" use the browser session unless a Bearer token is entered under
// "Authorize"; session writes need the CSRF token, which the interceptor adds.
(function () {
  "use strict";

  var SAFE_METHODS = ["GET", "HEAD", "OPTIONS"];

  function start() {
    var element = document.getElementById("swagger-ui");
    var csrfToken = element.dataset.csrfToken;
    window.ui = window.SwaggerUIBundle({
      url: element.dataset.openapiUrl,
      domNode: element,
      deepLinking: true,
      layout: "BaseLayout",
      persistAuthorization: false,
      requestInterceptor: function (request) {
        var method = (request.method || "GET").toUpperCase();
        if (csrfToken && SAFE_METHODS.indexOf(method) === -1) {
          request.headers["X-CSRFToken"] = csrfToken;
        }
        return request;
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
