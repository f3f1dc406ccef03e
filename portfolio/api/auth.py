"""The API's two ways in: a personal token for scripts, the browser session for the app's own pages.

A request that sends an `Authorization` header is judged by that header
alone: a wrong, revoked or malformed token gets 401 even when a session
cookie comes along, so a script never acts through someone's browser
session by accident. A read-only token gets 403 on every method other than
GET, HEAD and OPTIONS. The session needs Django's CSRF token on writes, as
the app's forms do.
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from portfolio.models import ApiToken, ApiTokenScope
from portfolio.tokens import token_authenticate

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    """`Authorization: Bearer vcc_…`: a personal API token created on the account's tokens page."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        row = token_authenticate(token.strip())
        if row is None:
            raise AuthenticationError(message=_("The API token is invalid or revoked."))
        if row.scope != ApiTokenScope.WRITE and request.method not in SAFE_METHODS:
            raise HttpError(403, _("This API token is read-only; create a read and write token to change "
                                   "data."))
        # The portfolio access checks read request.user, exactly as for the pages.
        request.user = row.user
        request.api_token = row
        return row


class SessionAuth(APIKeyCookie):
    """The Django session of a logged-in user; writes need the `X-CSRFToken` header."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest):
        if "Authorization" in request.headers or not request.user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, _("CSRF check failed; send the CSRF token in the X-CSRFToken header."))
        return request.user

    def authenticate(self, request: HttpRequest, key: str | None):
        return request.user if request.user.is_authenticated else None
