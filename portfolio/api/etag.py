"""ETags and If-Match for service updates: optimistic concurrency over HTTP.

A service's ETag is its `updated_at` in microseconds since the epoch, quoted
(`"1733332800123456"`). Every save of the service's own fields (key, name,
description, status, owner, context) moves it. Pattern and RACI changes
do not, because they are separate resources with their own operations, so
the ETag versions the service's fields, not the whole representation.
"""

from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext as _
from ninja.errors import HttpError

from portfolio.api.errors import PRECONDITION_REQUIRED, PreconditionFailed
from portfolio.models import Service

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ANY = "*"


def service_etag(service: Service) -> str:
    micros = (service.updated_at - EPOCH) // timedelta(microseconds=1)
    return f'"{micros}"'


def required_version(header: str | None, service: Service) -> datetime | None:
    """Return the `updated_at` that a write with the If-Match `header` must find, or None for `*`.

    Raises 428 when the header is missing and 412 when it names none of the
    service's current ETag. Weak tags (`W/"…"`) never match: If-Match uses the
    strong comparison.
    """
    if header is None:
        raise HttpError(PRECONDITION_REQUIRED, _(
            "Send the If-Match header with the service's ETag from your last read (GET), or "
            "If-Match: * to overwrite whatever is stored."))
    return _match(header, service)


def optional_version(header: str | None, service: Service) -> datetime | None:
    """Like `required_version`, but a missing If-Match header sets no condition."""
    return None if header is None else _match(header, service)


def _match(header: str, service: Service) -> datetime | None:
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    if ANY in tags:
        return None
    current = service_etag(service)
    if current not in tags:
        raise stale(service)
    return service.updated_at


def stale(service: Service | None) -> PreconditionFailed:
    """Build the 412 error for a write based on an older version of `service` (None: deleted)."""
    if service is None:
        return PreconditionFailed(_("The service has been deleted since you read it."))
    return PreconditionFailed(
        _("“%(service)s” changed after the version your If-Match header names; read it again (GET) "
          "and apply your change to the current version.") % {"service": service},
        etag=service_etag(service),
    )
