"""The interactive API docs page: Swagger UI from the app's own static files, no CDN.

The page loads the vendored swagger-ui-dist files and an external start-up
script, `static/js/api-docs.js`, so it needs no inline script under the
Content Security Policy. The script reads the schema URL and the CSRF token
from data attributes of the page.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

TEMPLATE = "api/docs.html"


class LocalSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api, **kwargs) -> HttpResponse:
        context = {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)}
        return render(request, TEMPLATE, context)
