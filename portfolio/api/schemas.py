"""Schemas that several resources share: errors, team references and finding counts."""

from ninja import Schema


class FieldError(Schema):
    """One invalid value: where it is (`["body", "name"]`, `["query", "limit"]`) and what is wrong."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: list[FieldError]


class TeamRef(Schema):
    id: int
    name: str


class FindingCounts(Schema):
    """Unwaived findings per level."""

    error: int
    warning: int
    info: int


ERROR_STATUSES = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}


def responses(ok: dict, *extra: int) -> dict:
    """Return ninja's response map: the success entries of `ok`, the common errors and `extra` statuses."""
    result = dict(ok)
    result.update(ERROR_STATUSES)
    for status in extra:
        result[status] = ErrorOut
    return result


def write_responses(ok: dict, *extra: int) -> dict:
    """Return the response map of a write, which may also return 409 when a concurrent write conflicts."""
    return responses(ok, 409, *extra)
