"""Project-wide middleware."""

import logging
import time
from urllib.parse import unquote_to_bytes, urlparse, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponseBadRequest, QueryDict
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from compass.health import HEALTH_VIEWS
from compass.logging import REQUEST_ID_HEADER, accept_request_id, request_id_var

logger = logging.getLogger(__name__)
# One line per request: method, path, status, duration and user id.
request_logger = logging.getLogger("compass.requests")

# Exceptions that Django turns into a 4xx response and logs itself.
CLIENT_ERRORS = (Http404, PermissionDenied, BadRequest, SuspiciousOperation)


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
        response["HX-Redirect"] = self._back_to_page(request, location)
        del response["Location"]
        return response

    @staticmethod
    def _back_to_page(request, location: str) -> str:
        """Return `location` with `next` set to the page the browser shows, when htmx names it.

        The request's own URL is often a partial or an endpoint that takes POST only,
        so coming back to it after the login would show a fragment or a 405. Only
        a same-origin page is used; django-htmx drops any other.
        """
        page = request.htmx.current_url_abs_path
        if not page:
            return location
        parts = urlsplit(location)
        query = QueryDict(parts.query, mutable=True)
        query["next"] = page
        return urlunsplit(parts._replace(query=query.urlencode(safe="/")))


class RequestIdMiddleware:
    """Give each request an id, log one line when it ends, and log unhandled errors with their ids.

    The id is the request's X-Request-ID header when that is acceptable (see
    `compass.logging.accept_request_id`), or a new random one. It is set in a
    context variable for the request's log lines and sent back in the
    response's X-Request-ID header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = accept_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            level = logging.DEBUG if request.path_info in HEALTH_VIEWS else logging.INFO
            request_logger.log(level, "%s %s %s %.1f ms user %s", request.method, request.path,
                               response.status_code, (time.perf_counter() - started) * 1000,
                               _loaded_user_id(request))
            return response
        finally:
            request_id_var.reset(token)

    def process_exception(self, request, exception):
        """Log the ids around an exception that will become a 500; Django logs the traceback after this."""
        if isinstance(exception, CLIENT_ERRORS):
            return None
        match = request.resolver_match
        logger.error("Unhandled %s in view %s with arguments %s for user %s",
                     type(exception).__name__, match.view_name if match else "-",
                     match.kwargs if match else {}, _loaded_user_id(request))
        return None


def _loaded_user_id(request) -> str:
    """Return the id of the request's user if the request has loaded the user already, else "-".

    AuthenticationMiddleware loads the user lazily and keeps it in `_cached_user`;
    reading that attribute costs no query, so logging never touches the session.
    """
    user = getattr(request, "_cached_user", None)
    if user is None or not user.is_authenticated:
        return "-"
    return str(user.pk)


class HealthCheckMiddleware:
    """Serve /healthz and /readyz (see `compass.health`) before the rest of the stack."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = HEALTH_VIEWS.get(request.path_info)
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)


class RejectInvalidUtf8Middleware:
    """Respond with 400 when the query string or a URL-encoded form body is not valid UTF-8.

    Django would decode such bytes to U+FFFD replacement characters and store
    them silently. Multipart bodies are left to their parser: the only
    multipart form, the import upload, carries files that the import decodes
    and checks itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "").encode("iso-8859-1", errors="replace")
        if not _is_utf8(query) or (_is_form_body(request) and not _is_utf8(request.body)):
            logger.debug("Rejected a %s request to %s: not valid UTF-8", request.method, request.path)
            message = _("The request contains bytes that are not valid UTF-8. Send the text encoded "
                        "as UTF-8.")
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _is_form_body(request) -> bool:
    return request.content_type == "application/x-www-form-urlencoded" and request.method != "GET"


def _is_utf8(encoded: bytes) -> bool:
    """Return True when `encoded`, a query string or form body, decodes to UTF-8 after percent-decoding."""
    try:
        unquote_to_bytes(encoded).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
