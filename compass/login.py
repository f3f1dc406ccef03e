"""The login page, with a throttle on failed attempts.

After LOGIN_FAILURE_LIMIT failed logins for one user name from one client
address within LOGIN_FAILURE_WINDOW_MINUTES, further attempts are rejected
before the password is checked. The response is a 429 whose message tells
the user when to try again. The admin's login form gets the same throttle
(see compass.urls). The failures are counted in the "shared" cache, so every
worker process sees the same count. A successful login clears the count.

The redirect after login is Django's: LoginView follows `next` only when it
points to this site (`url_has_allowed_host_and_scheme`), else it goes to
LOGIN_REDIRECT_URL.
"""

import hashlib
import logging
import math
import time

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import caches
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)

THROTTLE_CACHE = "shared"
THROTTLED_CODE = "throttled"
# Too Many Requests
THROTTLED_STATUS = 429


def current_time() -> float:
    """Return the time in seconds since the epoch; tests replace this function to move the clock."""
    return time.time()


def client_address(request: HttpRequest) -> str:
    """Return the client's IP address, read past TRUSTED_PROXY_COUNT proxies.

    Each proxy appends the address it received the request from to
    X-Forwarded-For. So the entry TRUSTED_PROXY_COUNT places from the right is
    the address the outermost trusted proxy saw. Entries left of it may be forged.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    return forwarded[-count] if len(forwarded) >= count else remote


class LoginThrottle:
    """The failed logins of one user name from one address, as timestamps within the window."""

    def __init__(self, username: str, address: str):
        digest = hashlib.sha256(f"{username.casefold()}\0{address}".encode()).hexdigest()
        self.key = f"login-failures:{digest}"
        self.limit = settings.LOGIN_FAILURE_LIMIT
        self.window = settings.LOGIN_FAILURE_WINDOW_MINUTES * 60
        self.cache = caches[THROTTLE_CACHE]

    def _recent_failures(self, now: float) -> list[float]:
        return [moment for moment in self.cache.get(self.key, []) if moment > now - self.window]

    def wait_seconds(self) -> int:
        """Return the seconds until the next attempt is allowed; 0 when it is allowed now."""
        now = current_time()
        failures = self._recent_failures(now)
        if len(failures) < self.limit:
            return 0
        # The oldest failure that keeps the count at the limit must leave the window first.
        return max(1, math.ceil(failures[-self.limit] + self.window - now))

    def record_failure(self) -> int:
        """Count one more failure and return the number of failures within the window."""
        now = current_time()
        # Only the last `limit` failures decide the lockout, so no more are kept.
        failures = [*self._recent_failures(now), now][-self.limit:]
        # NOTE: two workers failing at the same moment may each write their own list and lose one
        # failure. So concurrent attempts can exceed the limit by their number.
        self.cache.set(self.key, failures, timeout=self.window)
        return len(failures)

    def clear(self) -> None:
        self.cache.delete(self.key)


class LoginThrottleMixin:
    """Rejects attempts while the user name and address are throttled; mix into AuthenticationForm classes."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is None or not self.cleaned_data.get("password"):
            return super().clean()
        address = client_address(self.request)
        throttle = LoginThrottle(username, address)
        self.wait_seconds = throttle.wait_seconds()
        if self.wait_seconds:
            logger.info("Rejected a login for user name %r from %s: throttled for %d s more",
                        username, address, self.wait_seconds)
            raise ValidationError(_throttled_message(self.wait_seconds), code=THROTTLED_CODE)
        try:
            cleaned_data = super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                failures = throttle.record_failure()
                logger.info("Failed login for user name %r from %s (%d of %d)",
                            username, address, failures, throttle.limit)
                if failures >= throttle.limit:
                    logger.warning("Throttled logins for user name %r from %s for %d minutes after %d "
                                   "failures", username, address, throttle.window // 60, failures)
            raise
        throttle.clear()
        return cleaned_data


class ThrottledAuthenticationForm(LoginThrottleMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(LoginThrottleMixin, AdminAuthenticationForm):
    pass


def _throttled_message(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Too many failed login attempts. Try again in %(minutes)d minute.",
        "Too many failed login attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, THROTTLED_CODE):
            response.status_code = THROTTLED_STATUS
            response["Retry-After"] = str(form.wait_seconds)
        return response
