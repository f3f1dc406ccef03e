"""Show times in the user's time zone: the profile setting, else the browser's, else UTC.

The profile's time zone is copied into the session at login and when saved, so
activating it costs no query. The browser's comes from the `tz` cookie, which
static/js/time-zone.js sets from Intl.DateTimeFormat once.
"""

import zoneinfo
from functools import cache
from urllib.parse import unquote

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from portfolio.models import UserPreference

SESSION_KEY = "time_zone"
COOKIE_NAME = "tz"


@cache
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone_or_none(name: str | None) -> zoneinfo.ZoneInfo | None:
    """Return the zone called `name`, or None for an empty or unknown name."""
    if not name or name not in available_time_zones():
        return None
    return zoneinfo.ZoneInfo(name)


def request_time_zone(request: HttpRequest) -> zoneinfo.ZoneInfo | None:
    session = getattr(request, "session", None)
    preferred = session.get(SESSION_KEY) if session is not None else None
    return time_zone_or_none(preferred) or time_zone_or_none(unquote(request.COOKIES.get(COOKIE_NAME, "")))


class TimeZoneMiddleware:
    """Activate the request's time zone for templates and exports, or UTC when none is known."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        zone = request_time_zone(request)
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def preference_set_time_zone(*, request: HttpRequest, name: str) -> UserPreference:
    """Store `name` (validated by the caller's form) as the user's time zone and use it from now on."""
    preference, _ = UserPreference.objects.update_or_create(user=request.user, defaults={"time_zone": name})
    request.session[SESSION_KEY] = name
    return preference


@receiver(user_logged_in, dispatch_uid="history-time-zone-login")
def _copy_time_zone_to_session(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    name = UserPreference.objects.filter(user=user).values_list("time_zone", flat=True).first()
    if name:
        request.session[SESSION_KEY] = name
    else:
        request.session.pop(SESSION_KEY, None)
