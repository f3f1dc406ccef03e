"""Row checks for pattern assignments, responsibilities and practice adoption.

Each fills the row's outcome and returns the row's key, by which duplicate rows
in the upload are found.
"""

from django.utils.translation import gettext as _

from portfolio.imports.checks_catalogue import read_number, record_row
from portfolio.imports.context import RowReader
from portfolio.imports.plan import Change, Write
from portfolio.imports.values import split_list, text


def check_assignment(reader: RowReader) -> tuple[str, str] | None:
    context = reader.context
    service = _required(reader, "service", _("service key")) and reader.service("service")
    pattern = _required(reader, "pattern", _("pattern")) and reader.choice("pattern", context.patterns,
                                                                           _("pattern"))
    reader.outcome.label = " · ".join((service or text(reader.raw("service")),
                                       pattern or text(reader.raw("pattern"))))
    if not (service and pattern):
        return None
    scope = context.library.scopes.get(pattern, ())
    activities = _governed_activities(reader, pattern, scope)
    if reader.outcome.errors:
        return service, pattern

    existing_service = context.existing.services.get(service)
    current = context.existing.assignments.get((existing_service.id, pattern)) if existing_service else None
    if current is None:
        reader.outcome.write = Write(None, {"service": service, "pattern": pattern,
                                            "activities": activities or list(scope)})
    elif activities is None or activities == current[1]:
        reader.outcome.unchanged = True
    else:
        reader.outcome.changes = [
            Change(reader.column("activities"), "; ".join(current[1]), "; ".join(activities))]
        reader.outcome.write = Write(current[0], {"activities": activities})
    return service, pattern


def _governed_activities(reader: RowReader, pattern: str, scope: tuple[str, ...]) -> list[str] | None:
    """Return the activities the row lists, in lifecycle order; None when the column is absent.

    A blank cell stands for every activity in the pattern's scope.
    """
    if not reader.has("activities"):
        return None
    if reader.blank("activities"):
        return list(scope)
    context = reader.context
    listed = set()
    for item in split_list(reader.raw("activities")):
        activity = context.activities.find(item)
        if activity is None:
            closest = context.suggester.closest(item, context.activities.by_header)
            message = _("Unknown lifecycle activity “%(value)s”") % {"value": item}
            if closest:
                message += " " + _("— did you mean “%(suggestion)s”?") % {"suggestion": closest}
            else:
                message += "; " + _("use keys or names from %(choices)s") % {
                    "choices": context.activities.listing()}
            reader.error("activities", message, value=item)
        elif activity not in scope:
            reader.error("activities", _(
                "“%(activity)s” is outside the scope of %(pattern)s (%(scope)s); remove it or choose "
                "another pattern.") % {"activity": activity, "pattern": context.library.patterns[pattern],
                                        "scope": ", ".join(scope)}, value=item)
        else:
            listed.add(activity)
    if not listed and not reader.outcome.errors:
        reader.error("activities", _("No activity is listed; list activities separated by “;”, or leave the "
                                     "cell blank for every activity the pattern covers."))
    return [activity for activity in scope if activity in listed]


def check_responsibility(reader: RowReader) -> tuple[str, str, str, str] | None:
    context = reader.context
    service = _required(reader, "service", _("service key")) and reader.service("service")
    activity = _required(reader, "activity", _("lifecycle activity")) and reader.choice(
        "activity", context.activities, _("lifecycle activity"))
    team = _required(reader, "team", _("team")) and reader.team("team")
    role = _required(reader, "role", _("RACI role")) and reader.choice("role", context.roles, _("RACI role"))
    reader.outcome.label = " · ".join((
        service or text(reader.raw("service")), activity or text(reader.raw("activity")),
        context.team_name(team) if team else text(reader.raw("team")), role or text(reader.raw("role")),
    ))
    if not (service and activity and team and role):
        return None

    existing_service = context.existing.services.get(service)
    team_id = context.team_id(team)
    cell = (existing_service.id if existing_service else None, activity, team_id, role)
    if team_id is not None and cell in context.existing.cells:
        reader.outcome.unchanged = True
    else:
        reader.outcome.write = Write(None, {"service": service, "activity": activity, "team": team,
                                            "role": role})
    return service, activity, team, role


def check_adoption(reader: RowReader) -> str | None:
    context = reader.context
    practice = _required(reader, "practice", _("practice")) and reader.choice("practice", context.practices,
                                                                              _("practice"))
    reader.outcome.label = practice or text(reader.raw("practice"))
    values = {"practice": practice}
    if _required(reader, "status", _("adoption status")):
        values["status"] = reader.choice("status", context.adoption_statuses, _("adoption status"))
    if reader.has("capability_level"):
        read_number(reader, values, "capability_level", minimum=1, maximum=5)
    if reader.has("owner"):
        values["owner"] = None if reader.blank("owner") else reader.team("owner")
    if not practice or reader.outcome.errors:
        return practice or None

    current = context.existing.adoptions.get(practice)
    if current is None:
        record_row(reader, None, None, values)
        return practice
    before = {"practice": practice, "status": current.status, "capability_level": current.capability_level,
              "owner": context.team_lookup_by_id.get(current.owner_id)}
    record_row(reader, current.id, before, values)
    return practice


def _required(reader: RowReader, field_name: str, label: str) -> bool:
    if reader.blank(field_name):
        reader.error(field_name, _("The %(label)s is missing; enter it.") % {"label": label})
        return False
    return True

