"""Read JSON: the governance report export, or a catalogue file with one list per kind.

Both shapes are described in docs/import-format.md. A report of schema version 2
(`portfolio.reports`) carries every field the import writes, in its records: the
"teams" list, each service's description and context, and "practices.recorded".
Version 1 lacks them and names teams only as references (name and party kind),
so an import of it leaves those fields as they are. The catalogue shape carries
every field.
"""

import json

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portfolio.imports.columns import SPECS, Kind
from portfolio.imports.lookups import team_lookup_key
from portfolio.imports.reading_csv import UnreadableText, decode_text
from portfolio.imports.tables import Notice, ParsedFiles, RowBudget, SourceRow, Table
from portfolio.models import RaciRole

REPORT_SCHEMA_VERSIONS = (1, 2)
CATALOGUE_SECTIONS = {
    "teams": Kind.TEAMS,
    "services": Kind.SERVICES,
    "pattern_assignments": Kind.ASSIGNMENTS,
    "responsibilities": Kind.RESPONSIBILITIES,
    "practices": Kind.PRACTICES,
}
# Fields of a catalogue service entry beyond its columns: nested assignments, RACI and context.
SERVICE_NESTED = {"patterns", "raci", "context"}
ROLE_LISTS = {"accountable": RaciRole.ACCOUNTABLE, "responsible": RaciRole.RESPONSIBLE,
              "consulted": RaciRole.CONSULTED, "informed": RaciRole.INFORMED}


class InvalidShape(ValueError):
    """The JSON parses but is not one of the shapes the import reads."""


def read_json(name: str, data: bytes, *, budget: RowBudget, parsed: ParsedFiles) -> None:
    try:
        text, _encoding = decode_text(data)
        document = json.loads(text)
    except UnreadableText as error:
        parsed.errors.append(Notice(name, str(error)))
        return
    except json.JSONDecodeError as error:
        parsed.errors.append(Notice(name, _("The file is not valid JSON: %(error)s at line %(line)s, column "
                                            "%(column)s.") % {"error": error.msg, "line": error.lineno,
                                                              "column": error.colno}))
        return
    builder = TableBuilder(name, budget)
    try:
        if isinstance(document, dict) and "cover" in document:
            _read_report(document, builder, parsed)
        elif isinstance(document, dict):
            _read_catalogue(document, builder, parsed)
        else:
            raise InvalidShape(_("The file must hold one JSON object; see docs/import-format.md."))
    except InvalidShape as error:
        parsed.errors.append(Notice(name, str(error)))
        return
    parsed.tables.extend(builder.tables())


class TableBuilder:
    """Collects JSON entries into one table per kind, with the fields that any entry sets as headers."""

    def __init__(self, source: str, budget: RowBudget):
        self.source = source
        self.budget = budget
        self.by_kind: dict[Kind, Table] = {}

    def add(self, kind: Kind, number: int, where: str, values: dict) -> None:
        self.budget.take()
        table = self.by_kind.setdefault(kind, Table(kind, self.source, {}))
        for field_name in values:
            table.headers.setdefault(field_name, field_name)
        table.rows.append(SourceRow(number, values, where=where))

    def tables(self) -> list[Table]:
        return list(self.by_kind.values())


def _entries(document: dict, section: str) -> list:
    return _object_list(document.get(section), section)


def _object_list(value, where: str) -> list[dict]:
    """Return `value` when it is a list of objects, [] when it is missing or null; else raise InvalidShape."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidShape(_("“%(section)s” must be a list of objects.") % {"section": where})
    for position, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise InvalidShape(_("%(section)s[%(position)s] must be an object.")
                               % {"section": where, "position": position})
    return value


def _object(value, where: str) -> dict:
    """Return `value` when it is an object, {} when it is missing or null; else raise InvalidShape."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidShape(_("“%(section)s” must be an object.") % {"section": where})
    return value


def _team_refs(line: dict, role_list: str, where: str) -> list:
    """Return a RACI line's list of team references for `role_list`, [] when it is missing or null."""
    refs = line.get(role_list)
    if refs is None:
        return []
    if not isinstance(refs, list):
        raise InvalidShape(_("“%(section)s” must be a list of teams.") % {"section": f"{where}.{role_list}"})
    return refs


def _read_catalogue(document: dict, builder: TableBuilder, parsed: ParsedFiles) -> None:
    if not CATALOGUE_SECTIONS.keys() & document.keys():
        raise InvalidShape(_("The JSON object has none of the lists %(sections)s, and it is not a report "
                             "export; see docs/import-format.md.")
                           % {"sections": ", ".join(CATALOGUE_SECTIONS)})
    for section, kind in CATALOGUE_SECTIONS.items():
        allowed = {column.field for column in SPECS[kind].columns}
        if kind == Kind.SERVICES:
            allowed |= SERVICE_NESTED
        unknown = set()
        for position, entry in enumerate(_entries(document, section)):
            unknown |= entry.keys() - allowed
            where = f"{section}[{position}]"
            values = {field_name: value for field_name, value in entry.items()
                      if field_name in allowed and field_name not in ("patterns", "raci")}
            builder.add(kind, position + 1, where, values)
            if kind == Kind.SERVICES:
                _nested_service_rows(entry, position, where, builder)
        if unknown:
            parsed.notes.append(Notice(builder.source, _("Fields %(fields)s of “%(section)s” are not "
                                                         "imported.")
                                       % {"fields": ", ".join(sorted(unknown)), "section": section}))


def _nested_service_rows(entry: dict, position: int, where: str, builder: TableBuilder) -> None:
    """Add a catalogue service's nested "patterns" and "raci" as assignment and responsibility rows."""
    key = entry.get("key")
    patterns = entry.get("patterns", [])
    for index, assignment in enumerate(patterns if isinstance(patterns, list) else [patterns]):
        values = {"service": key}
        if isinstance(assignment, dict):
            values["pattern"] = assignment.get("pattern")
            if "activities" in assignment:
                values["activities"] = assignment["activities"]
        else:
            values["pattern"] = assignment
        builder.add(Kind.ASSIGNMENTS, position + 1, f"{where}.patterns[{index}]", values)
    raci = entry.get("raci", {})
    if not isinstance(raci, dict):
        raise InvalidShape(_("%(where)s.raci must be an object of activity to roles.") % {"where": where})
    for activity, roles in raci.items():
        if not isinstance(roles, dict):
            raise InvalidShape(_("%(where)s.raci.%(activity)s must be an object of role to team names.")
                               % {"where": where, "activity": activity})
        for role, teams in roles.items():
            for index, team in enumerate(teams if isinstance(teams, list) else [teams]):
                builder.add(Kind.RESPONSIBILITIES, position + 1, f"{where}.raci.{activity}.{role}[{index}]",
                            {"service": key, "activity": activity, "team": team, "role": role})


def _read_report(document: dict, builder: TableBuilder, parsed: ParsedFiles) -> None:
    version = document.get("schema_version")
    # JSON true equals 1 in Python, so the type is checked too.
    if type(version) is not int or version not in REPORT_SCHEMA_VERSIONS:
        raise InvalidShape(_("The report's schema version %(version)s is not supported; this import reads "
                             "versions %(supported)s.")
                           % {"version": version, "supported": ", ".join(map(str, REPORT_SCHEMA_VERSIONS))})
    scope = _object(_object(document.get("cover"), "cover").get("scope"), "cover.scope")
    if any(scope.get(name) for name in ("team", "pattern", "status")):
        parsed.notes.append(Notice(builder.source, _("The report covers part of the portfolio; only its "
                                                     "services are imported.")))
    services = _entries(document, "services")
    if "teams" in document:
        _report_team_records(_entries(document, "teams"), builder)
    else:
        _report_teams(services, builder)
    for position, service in enumerate(services):
        where = f"services[{position}]"
        _report_service(service, position, where, builder)
        _report_raci(service, position, where, builder)
    _report_practices(_object(document.get("practices"), "practices"), builder)
    _note_waivers(document, builder, parsed)


def _report_service(service: dict, position: int, where: str, builder: TableBuilder) -> None:
    """Add the service's row, with description and context when the report has them, and its assignments."""
    owner = service.get("owner") or {}
    values = {
        "key": service.get("key"), "name": service.get("name"), "status": service.get("status"),
        # A hand-edited report may name the owner by a string instead of a team reference.
        "owner": owner.get("name") if isinstance(owner, dict) else owner or None,
    }
    for field_name in ("description", "context"):
        if field_name in service:
            values[field_name] = service[field_name]
    builder.add(Kind.SERVICES, position + 1, where, values)
    for index, line in enumerate(_object_list(service.get("patterns"), f"{where}.patterns")):
        builder.add(Kind.ASSIGNMENTS, position + 1, f"{where}.patterns[{index}]", {
            "service": service.get("key"), "pattern": line.get("pattern_key"),
            "activities": line.get("activities") or [],
        })


def _report_team_records(teams: list[dict], builder: TableBuilder) -> None:
    for position, team in enumerate(teams):
        builder.add(Kind.TEAMS, position + 1, f"teams[{position}]", {
            "name": team.get("name"), "party_kind": team.get("party_kind"),
            "contact": team.get("contact"), "member_count": team.get("member_count"),
        })


def _report_teams(services: list[dict], builder: TableBuilder) -> None:
    """Add a team row for every team a version 1 report names, in order of first mention."""
    seen = set()
    for position, service in enumerate(services):
        refs = [("owner", service.get("owner"))]
        for index, line in enumerate(_object_list(service.get("raci"), f"services[{position}].raci")):
            for role_list in ROLE_LISTS:
                refs += [(f"raci[{index}].{role_list}", ref)
                         for ref in _team_refs(line, role_list, f"services[{position}].raci[{index}]")]
        for path, ref in refs:
            if not isinstance(ref, dict) or not ref.get("name"):
                continue
            lookup = team_lookup_key(str(ref["name"]))
            if lookup in seen:
                continue
            seen.add(lookup)
            builder.add(Kind.TEAMS, position + 1, f"services[{position}].{path}",
                        {"name": ref["name"], "party_kind": ref.get("party_kind")})


def _report_raci(service: dict, position: int, where: str, builder: TableBuilder) -> None:
    for index, line in enumerate(_object_list(service.get("raci"), f"{where}.raci")):
        for role_list, role in ROLE_LISTS.items():
            for team_index, ref in enumerate(_team_refs(line, role_list, f"{where}.raci[{index}]")):
                builder.add(Kind.RESPONSIBILITIES, position + 1,
                            f"{where}.raci[{index}].{role_list}[{team_index}]",
                            {"service": service.get("key"), "activity": line.get("activity"),
                             "team": ref.get("name") if isinstance(ref, dict) else ref, "role": role.value})


def _report_practices(practices: dict, builder: TableBuilder) -> None:
    """Add a row per recorded adoption; a version 1 report has only the needed and unneeded lines."""
    sections = ("recorded",) if "recorded" in practices else ("needed", "unneeded")
    for section in sections:
        for position, line in enumerate(_object_list(practices.get(section), f"practices.{section}")):
            builder.add(Kind.PRACTICES, position + 1, f"practices.{section}[{position}]", {
                "practice": line.get("key"), "status": line.get("status"),
                "capability_level": line.get("capability_level"), "owner": line.get("owner") or None,
            })


def _note_waivers(document: dict, builder: TableBuilder, parsed: ParsedFiles) -> None:
    """Note that the report's waivers are not imported: users of the source portfolio accepted them."""
    count = len(_object_list(document.get("waivers"), "waivers"))
    if count:
        parsed.notes.append(Notice(builder.source, ngettext(
            "The report's %(count)s waiver is not imported; accept its finding again on the findings page if "
            "the waiver still applies.",
            "The report's %(count)s waivers are not imported; accept their findings again on the findings "
            "page if the waivers still apply.", count) % {"count": count}))
