"""The report as versioned JSON (documented in docs/report-schema.md), and back.

The JSON text is canonical: keys sorted, two-space indent, UTF-8 without
escapes, no timestamps but the report's own date. The same report always gives
the same bytes, which is what a published report's SHA-256 is computed over.
"""

import dataclasses
import hashlib
import json
import types
import typing
from datetime import date
from functools import cache

from portfolio.reports.model import READABLE_SCHEMA_VERSIONS, Report


class SchemaError(ValueError):
    """The JSON is not a report of a schema version this code reads."""


def report_to_data(report: Report) -> dict:
    return dataclasses.asdict(report)


def report_to_json(report: Report) -> str:
    return json.dumps(report_to_data(report), ensure_ascii=False, sort_keys=True, indent=2,
                      default=_encode) + "\n"


def content_hash(text: str) -> str:
    """Return the SHA-256, in hex, of the UTF-8 bytes of `text`."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def report_from_json(text: str) -> Report:
    """Read a report of any readable schema version; fields that an older version lacks get their defaults."""
    data = json.loads(text)
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version not in READABLE_SCHEMA_VERSIONS:
        readable = ", ".join(map(str, READABLE_SCHEMA_VERSIONS))
        raise SchemaError(f"Report schema version {version!r} is not supported; this code reads "
                          f"versions {readable}.")
    return _decode(Report, data)


def _encode(value):
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


@cache
def _field_types(cls) -> dict:
    return typing.get_type_hints(cls)


def _decode(kind, value):
    """Turn decoded JSON `value` into an instance of the type annotation `kind`."""
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _decode(inner[0], value)
    if origin is list:
        (item,) = typing.get_args(kind)
        return [_decode(item, element) for element in value]
    if dataclasses.is_dataclass(kind):
        hints = _field_types(kind)
        return kind(**{
            spec.name: _decode(hints[spec.name], value[spec.name])
            for spec in dataclasses.fields(kind) if spec.name in value
        })
    if kind is date:
        return date.fromisoformat(value)
    return value
