"""Turn exceptions into JSON error responses of two shapes.

Every error body is `{"detail": "sentence"}`, except invalid input (422),
whose `detail` lists the invalid values: `{"loc": ["body", "name"], "msg":
"…", "type": "…"}`. `loc` starts with where the value was sent (`body`,
`query`, `path`, `header`) and names the field. Django's ValidationError from
the write services gets the same shape as django-ninja's own, so a client
reads every 422 the same way.
"""

import logging
from functools import partial

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from portfolio.services import EditConflict

logger = logging.getLogger(__name__)

INVALID_STATUS = 422
CONFLICT_STATUS = 409
PRECONDITION_FAILED = 412
PRECONDITION_REQUIRED = 428
# The names the operations give their schema parameters: `payload` for bodies, the rest for queries.
SCHEMA_PARAMETERS = frozenset({"payload", "filters", "params", "ninja_pagination"})


class PreconditionFailed(HttpError):
    """The If-Match header names a version that is no longer stored; `etag` is the current one."""

    def __init__(self, message: str, etag: str | None = None):
        super().__init__(PRECONDITION_FAILED, message)
        self.etag = etag


def install_handlers(api: NinjaAPI) -> None:
    handlers = {
        NinjaValidationError: _ninja_validation_error,
        ValidationError: _validation_error,
        Http404: _not_found,
        PermissionDenied: _permission_denied,
        IntegrityError: _integrity_error,
        AuthenticationError: _authentication_error,
        PreconditionFailed: _precondition_failed,
    }
    for exception, handler in handlers.items():
        api.add_exception_handler(exception, partial(_respond, api=api, handler=handler))


def _respond(request: HttpRequest, exc: Exception, *, api: NinjaAPI, handler) -> HttpResponse:
    detail, status, headers = handler(exc)
    response = api.create_response(request, {"detail": detail}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def _ninja_validation_error(exc: NinjaValidationError):
    items = [
        {"loc": _location(error.get("loc", ())), "msg": str(error.get("msg", "")),
         "type": str(error.get("type", "invalid"))}
        for error in exc.errors
    ]
    logger.debug("Rejected API input: %s", [item["loc"] for item in items])
    return items, INVALID_STATUS, {}


def _location(loc) -> list[str | int]:
    """Return django-ninja's error location without the name of the operation's parameter.

    django-ninja puts the name of the parameter whose type is the schema second:
    `["body", "payload", "name"]`. A client only needs where the value was sent and the
    field: `["body", "name"]`.
    """
    parts = [part if isinstance(part, int) else str(part) for part in loc]
    if len(parts) > 1 and parts[1] in SCHEMA_PARAMETERS:
        del parts[1]
    return parts


def validation_items(error: ValidationError) -> list[dict]:
    """Return the field errors of a Django ValidationError in the API's 422 shape."""
    items: list[dict] = []
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            loc = ["body"] if field == NON_FIELD_ERRORS else ["body", field]
            for item in errors:
                items.append({"loc": loc, "msg": _message(item), "type": item.code or "invalid"})
    else:
        for item in error.error_list:
            items.append({"loc": ["body"], "msg": _message(item), "type": item.code or "invalid"})
    return items


def input_error(error: ValidationError, source: str) -> NinjaValidationError:
    """Return `error` as a 422 whose fields were sent in `source` ("query", "path") rather than the body."""
    items = validation_items(error)
    for item in items:
        item["loc"][0] = source
    return NinjaValidationError(items)


def _message(error: ValidationError) -> str:
    message = error.message
    return str(message % error.params) if error.params else str(message)


def _validation_error(exc: ValidationError):
    if isinstance(exc, EditConflict):
        return _message(exc), CONFLICT_STATUS, {}
    return validation_items(exc), INVALID_STATUS, {}


def _not_found(exc: Http404):
    return str(exc) or _("Not found."), 404, {}


def _permission_denied(exc: PermissionDenied):
    return str(exc) or _("You may not do this."), 403, {}


def _integrity_error(exc: IntegrityError):
    # The services check every constraint first; this is a concurrent write between check and save.
    logger.info("API write conflicted with a concurrent write: %s", exc)
    message = _("Someone else changed the same data at the same moment; reload and try again.")
    return message, CONFLICT_STATUS, {}


def _authentication_error(exc: AuthenticationError):
    message = exc.message if exc.message != "Unauthorized" else _(
        "Authentication required: send `Authorization: Bearer <token>` or log in.")
    return message, 401, {"WWW-Authenticate": 'Bearer realm="api"'}


def _precondition_failed(exc: PreconditionFailed):
    return exc.message, PRECONDITION_FAILED, {"ETag": exc.etag} if exc.etag else {}
