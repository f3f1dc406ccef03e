"""Health endpoints for container engines, orchestrators and load balancers.

`/healthz` (liveness) returns 200 as long as the process serves requests and
touches nothing else. `/readyz` (readiness) returns 200 when the database
responds to `SELECT 1`, and 503 otherwise. `HealthCheckMiddleware` serves both
before the host check, the HTTPS redirect, the session and the login, so a
probe needs neither a configured host name nor credentials, and writes no
session row.
"""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

HEALTHZ_PATH = "/healthz"
READYZ_PATH = "/readyz"


def healthz(request: HttpRequest) -> HttpResponse:
    return _plain_response("ok\n")


def readyz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Readiness check failed: database %r did not respond: %s",
                       connection.settings_dict.get("NAME"), error)
        return _plain_response("database unavailable\n", status=503)
    return _plain_response("ok\n")


def _plain_response(text: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


HEALTH_VIEWS = {
    HEALTHZ_PATH: healthz,
    f"{HEALTHZ_PATH}/": healthz,
    READYZ_PATH: readyz,
    f"{READYZ_PATH}/": readyz,
}
