"""Request ids for log lines: a context variable set per request and a filter that reads it.

`compass.middleware.RequestIdMiddleware` sets the id for the length of a request.
The `RequestIdFilter` on the console handler copies it into every record as
`request_id`, so the format string can show it. Records written outside a
request (management commands, background threads) show NO_REQUEST.
"""

import contextvars
import logging
import re
import uuid

REQUEST_ID_HEADER = "X-Request-ID"
NO_REQUEST = "-"

# An id from the client or a proxy is kept only when it is short and plain, so that it
# cannot break a log line or forge one.
_ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NO_REQUEST)


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(value: str | None) -> str:
    """Return `value` when it is an acceptable request id, else a new random one."""
    if value and _ACCEPTED_REQUEST_ID.fullmatch(value):
        return value
    return new_request_id()


class RequestIdFilter(logging.Filter):
    """Add `request_id` to every record; it never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True
