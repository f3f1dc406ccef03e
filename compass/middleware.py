"""Project-wide middleware."""

from urllib.parse import urlparse

from django.conf import settings
from django.shortcuts import resolve_url


class HtmxLoginRedirectMiddleware:
    """Send an htmx request whose session has expired to the login page.

    Without this, `login_required` answers an htmx request with a 302 that the
    browser follows silently, and htmx swaps the login form into a fragment.
    With it, the response becomes an `HX-Redirect` that makes htmx load the
    login page in the whole window, keeping `next` so the user comes back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or response.status_code != 302:
            return response
        login_path = urlparse(resolve_url(settings.LOGIN_URL)).path
        location = response.get("Location", "")
        if urlparse(location).path != login_path:
            return response
        response.status_code = 204
        response["HX-Redirect"] = location
        del response["Location"]
        return response
