"""Row checks for teams and services: each fills the row's outcome and returns the row's key.

A column that is present sets its field on every row, a blank cell included
(blank means empty or none); a column that is absent leaves the field as it is.
Status is the exception: a blank status keeps the current one.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portfolio.imports.columns import CONTEXT_PREFIX
from portfolio.imports.context import RowReader
from portfolio.imports.lookups import team_lookup_key
from portfolio.imports.plan import Change, Write
from portfolio.imports.values import InvalidValue, text, whole_number
from portfolio.models import Service, ServiceStatus, Team
from portfolio.text import normalise_name

# Changes are shown up to this many characters of each value.
SHOWN_CHARACTERS = 80


def check_team(reader: RowReader) -> str | None:
    context = reader.context
    name = normalise_name(text(reader.raw("name")))
    if not name:
        reader.error("name", _("The team's name is missing; enter it."))
        return None
    lookup = team_lookup_key(name)
    reader.outcome.label = name
    existing = context.existing.teams.get(lookup)

    values = {"name": name}
    if reader.has("party_kind") and not reader.blank("party_kind"):
        kind = reader.choice("party_kind", context.party_kinds, _("party kind"))
        if kind:
            values["party_kind"] = kind
    elif existing is None:
        reader.error("party_kind", _("A new team needs a party kind; enter one of %(choices)s.")
                     % {"choices": context.party_kinds.listing()})
    if reader.has("contact"):
        values["contact"] = text(reader.raw("contact")).strip()
    if reader.has("member_count"):
        read_number(reader, values, "member_count", minimum=0)

    _check_model_fields(reader, Team(**values), values)
    before = None
    if existing is not None:
        before = {"name": existing.name, "party_kind": existing.party_kind, "contact": existing.contact,
                  "member_count": existing.member_count}
    record_row(reader, existing.id if existing else None, before, values)
    return lookup


def check_service(reader: RowReader) -> str | None:
    context = reader.context
    key = normalise_name(text(reader.raw("key")))
    if not key:
        reader.error("key", _("The service's key is missing; enter a short unique key such as "
                              "“claims-portal”."))
        return None
    reader.outcome.label = key
    existing = context.existing.services.get(key)

    values = {"key": key}
    name = normalise_name(text(reader.raw("name")))
    if name:
        values["name"] = name
    elif reader.has("name") or existing is None:
        reader.error("name", _("The service's name is missing; enter it."))
    if reader.has("status") and not reader.blank("status"):
        status = reader.choice("status", context.service_statuses, _("service status"))
        if status:
            values["status"] = status
    elif existing is None:
        values["status"] = ServiceStatus.LIVE.value
    if reader.has("owner"):
        values["owner"] = None if reader.blank("owner") else reader.team("owner")
    if reader.has("description"):
        values["description"] = text(reader.raw("description"))
    service_context = _read_context(reader, dict(existing.context) if existing else {})
    if service_context is not None:
        values["context"] = service_context

    _check_model_fields(reader, Service(**{name: value for name, value in values.items() if name != "owner"}),
                        values)
    before = None
    if existing is not None:
        before = {"key": existing.key, "name": existing.name, "status": existing.status,
                  "description": existing.description, "context": existing.context,
                  "owner": context.team_lookup_by_id.get(existing.owner_id)}
    record_row(reader, existing.id if existing else None, before, values)
    return key


def read_number(reader: RowReader, values: dict, field_name: str, *, minimum: int,
                 maximum: int | None = None) -> None:
    if reader.blank(field_name):
        values[field_name] = None
        return
    try:
        values[field_name] = whole_number(reader.raw(field_name), minimum=minimum, maximum=maximum)
    except InvalidValue as error:
        reader.error(field_name, str(error))


def _read_context(reader: RowReader, context: dict) -> dict | None:
    """Return the service's decision-factor answers after this row, or None when the row sets none.

    A JSON "context" object replaces them all; a factor column sets one answer
    and a blank cell there removes it.
    """
    factor_fields = [name for name in reader.row.values if name.startswith(CONTEXT_PREFIX)]
    if not reader.has("context") and not factor_fields:
        return None
    if reader.has("context"):
        context = _read_context_object(reader)
    for field_name in factor_fields:
        factor = field_name.removeprefix(CONTEXT_PREFIX)
        if reader.blank(field_name):
            context.pop(factor, None)
            continue
        label = _("answer to “%(factor)s”") % {"factor": reader.context.library.factors[factor]}
        option = reader.choice(field_name, reader.context.factor_choices[factor], label)
        if option:
            context[factor] = option
    return context


def _read_context_object(reader: RowReader) -> dict:
    raw = reader.raw("context")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        reader.error("context", _("Expected an object of decision factor keys to option keys."))
        return {}
    context = {}
    library = reader.context.library
    for factor, option in raw.items():
        choices = reader.context.factor_choices.get(factor)
        if choices is None:
            reader.error("context", _("Unknown decision factor “%(factor)s”; use one of %(factors)s.")
                         % {"factor": factor, "factors": ", ".join(library.factors)}, value=factor)
        elif choices.find(option) is None:
            reader.error("context", _("“%(option)s” is not an answer to “%(factor)s”; use one of "
                                      "%(options)s.")
                         % {"option": option, "factor": factor, "options": choices.listing()}, value=option)
        else:
            context[factor] = choices.find(option)
    return context


def _check_model_fields(reader: RowReader, instance, values: dict) -> None:
    """Run the model's field validators (lengths, key characters) on the fields the row sets.

    Foreign keys and uniqueness are left out: the import resolves references
    and finds duplicates itself, without a query per row.
    """
    checked = {name for name in values if name not in ("owner", "context")}
    exclude = [field.name for field in instance._meta.fields if field.name not in checked]
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            reader.error(field_name, " ".join(messages), value=values.get(field_name))


def record_row(reader: RowReader, target_id: int | None, before: dict | None, values: dict) -> None:
    """Set the row's pending write, or mark it unchanged when every value equals the current one."""
    if reader.outcome.errors:
        return
    if before is None:
        reader.outcome.write = Write(None, values)
        return
    changes = [
        Change(reader.column(name), shown(reader, name, before[name]), shown(reader, name, value))
        for name, value in values.items() if before[name] != value
    ]
    if changes:
        reader.outcome.changes = changes
        reader.outcome.write = Write(target_id, values)
    else:
        reader.outcome.unchanged = True


def shown(reader: RowReader, field_name: str, value) -> str:
    """Return `value` as the preview shows it: team names for owners, short text for the rest."""
    if value is None:
        return ""
    if field_name in ("owner", "team"):
        return reader.context.team_name(value)
    if isinstance(value, dict):
        return "; ".join(f"{factor}: {option}" for factor, option in sorted(value.items()))
    value = str(value)
    return value if len(value) <= SHOWN_CHARACTERS else value[:SHOWN_CHARACTERS - 1] + "…"
