"""The kinds of rows an import reads, their columns, and the header names each column accepts.

Headers match regardless of case, accents' composition, spacing and the
characters people put between words ("Service Name", "service_name" and
"SERVICE-NAME" are one header). Each column also accepts common aliases such
as "Owning team" for the service owner.
"""

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Prefix of the fields that hold a service's answer to one decision factor.
CONTEXT_PREFIX = "context."


class Kind(StrEnum):
    TEAMS = "teams"
    SERVICES = "services"
    ASSIGNMENTS = "pattern_assignments"
    RESPONSIBILITIES = "responsibilities"
    PRACTICES = "practices"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    Kind.TEAMS: gettext_lazy("Teams"),
    Kind.SERVICES: gettext_lazy("Services"),
    Kind.ASSIGNMENTS: gettext_lazy("Pattern assignments"),
    Kind.RESPONSIBILITIES: gettext_lazy("Responsibilities"),
    Kind.PRACTICES: gettext_lazy("Practice adoption"),
}

# The order in which tables are validated and written: later kinds refer to earlier ones.
KIND_ORDER = (Kind.TEAMS, Kind.SERVICES, Kind.ASSIGNMENTS, Kind.RESPONSIBILITIES, Kind.PRACTICES)


@dataclass(frozen=True)
class Column:
    """One column of a kind: the field it fills, its template header and the headers it accepts."""

    field: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    example: str = ""
    help: str = ""

    @property
    def accepted(self) -> set[str]:
        return {header_key(name) for name in (self.field, self.header, *self.aliases)}


@dataclass(frozen=True)
class KindSpec:
    kind: Kind
    columns: tuple[Column, ...]
    sheet_aliases: tuple[str, ...] = ()

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.required)

    def column(self, field_name: str) -> Column | None:
        return next((column for column in self.columns if column.field == field_name), None)


SPECS = {
    Kind.TEAMS: KindSpec(Kind.TEAMS, (
        Column("name", "Name", True, ("team", "team name", "party", "party name"), "Cloud Operations",
               gettext_lazy("Unique in the portfolio; matched regardless of case.")),
        Column("party_kind", "Party kind", True,
               ("kind", "party type", "type", "team type", "team kind", "category"), "technology",
               gettext_lazy("business, technology, vendor, service_provider or customer.")),
        Column("contact", "Contact", False, ("email", "e mail", "contact email", "mail"),
               "cloudops@example.com"),
        Column("member_count", "Member count", False,
               ("members", "headcount", "head count", "size", "team size", "people", "number of members"),
               "24", gettext_lazy("A whole number of 0 or more; blank when unknown.")),
    ), sheet_aliases=("team", "parties", "party")),
    Kind.SERVICES: KindSpec(Kind.SERVICES, (
        Column("key", "Key", True, ("service key", "service id", "id", "code", "service code", "identifier"),
               "claims-portal",
               gettext_lazy("Matches the existing service to update; letters, digits, '-', '_' or '.'.")),
        Column("name", "Name", True, ("service name", "service", "title", "service title"), "Claims portal"),
        Column("status", "Status", False, ("service status", "lifecycle status", "state"), "live",
               gettext_lazy("planned, live or retired; blank keeps the current status (live for a new "
                            "service).")),
        Column("owner", "Owner", False,
               ("owning team", "owner team", "team", "service owner", "owned by", "owner name"),
               "Cloud Operations", gettext_lazy("The name of a team; blank for none.")),
        Column("description", "Description", False, ("notes", "summary", "details", "service description"),
               "Where customers file and follow their claims."),
    ), sheet_aliases=("service", "catalogue", "catalog", "service catalogue", "service catalog")),
    Kind.ASSIGNMENTS: KindSpec(Kind.ASSIGNMENTS, (
        Column("service", "Service", True, ("service key", "key", "service id"), "claims-portal",
               gettext_lazy("The service's key.")),
        Column("pattern", "Pattern", True,
               ("pattern key", "pattern name", "value chain pattern", "value chain pattern key"),
               "internal-service-delivery", gettext_lazy("A pattern's key or name.")),
        Column("activities", "Activities", False,
               ("governed activities", "lifecycle activities", "activity", "scope"), "",
               gettext_lazy("Activity keys or names separated by ';'; blank for every activity the "
                            "pattern covers.")),
    ), sheet_aliases=("pattern assignment", "patterns", "pattern", "assignments", "assignment", "mix")),
    Kind.RESPONSIBILITIES: KindSpec(Kind.RESPONSIBILITIES, (
        Column("service", "Service", True, ("service key", "service id"), "claims-portal",
               gettext_lazy("The service's key.")),
        Column("activity", "Activity", True, ("lifecycle activity", "activity key", "stage"), "operate",
               gettext_lazy("A lifecycle activity's key or name.")),
        Column("team", "Team", True, ("team name", "party", "party name", "who"), "Cloud Operations"),
        Column("role", "Role", True, ("raci", "raci role", "responsibility"), "A",
               gettext_lazy("A, R, C or I (or accountable, responsible, consulted, informed).")),
    ), sheet_aliases=("responsibility", "raci", "raci matrix")),
    Kind.PRACTICES: KindSpec(Kind.PRACTICES, (
        Column("practice", "Practice", True,
               ("practice key", "practice name", "management practice", "name"), "incident-management",
               gettext_lazy("A practice's key or name from the pattern library.")),
        Column("status", "Status", True, ("adoption status", "adoption", "adopted"), "adopted",
               gettext_lazy("not_adopted, planned or adopted.")),
        Column("capability_level", "Capability level", False,
               ("capability", "level", "maturity", "maturity level"), "3",
               gettext_lazy("1 to 5; blank when not assessed.")),
        Column("owner", "Owner", False, ("owning team", "owner team", "team", "practice owner"),
               "Cloud Operations", gettext_lazy("The name of a team; blank for none.")),
    ), sheet_aliases=("practice adoption", "practice", "adoption", "adoptions", "practice adoptions")),
}

_SEPARATORS = re.compile(r"[\W_]+")
# Zero-width characters and the byte order mark that Excel and copy-paste leave in headers.
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200e\u200f\u00ad"))


def header_key(text: str) -> str:
    """Return the form in which headers are compared: NFC, case-folded, words joined by single spaces."""
    text = unicodedata.normalize("NFC", str(text)).translate(_INVISIBLE).casefold()
    return " ".join(_SEPARATORS.sub(" ", text).split())


def kind_for_sheet(name: str) -> Kind | None:
    """Return the kind a sheet's name announces ("Teams", "RACI", ...), or None."""
    key = header_key(name)
    for kind, spec in SPECS.items():
        if key in {header_key(kind.value), header_key(kind.label), *map(header_key, spec.sheet_aliases)}:
            return kind
    return None


@dataclass
class HeaderMapping:
    """How one table's header row maps onto the fields of its kind."""

    kind: Kind
    fields: dict[int, str]          # column index -> field
    headers: dict[str, str]         # field -> header as written in the file
    ignored: list[str]              # headers that match no column
    duplicates: list[tuple[str, str, str]]  # (field, first header, second header)

    @property
    def missing(self) -> list[Column]:
        return [column for column in SPECS[self.kind].required if column.field not in self.headers]


def map_headers(kind: Kind, headers: list[str], factors: dict[str, str]) -> HeaderMapping:
    """Map `headers` onto the columns of `kind`.

    `factors` maps the decision factors' header keys (of key and name) to their
    keys; on a services table such a header fills the service's context.
    """
    accepted = {}
    for column in SPECS[kind].columns:
        for name in column.accepted:
            accepted.setdefault(name, column.field)
    if kind == Kind.SERVICES:
        for name, factor_key in factors.items():
            accepted.setdefault(name, CONTEXT_PREFIX + factor_key)

    mapping = HeaderMapping(kind, {}, {}, [], [])
    for index, header in enumerate(headers):
        if header is None or not str(header).strip():
            continue
        field_name = accepted.get(header_key(header))
        if field_name is None:
            mapping.ignored.append(str(header))
        elif field_name in mapping.headers:
            mapping.duplicates.append((field_name, mapping.headers[field_name], str(header)))
        else:
            mapping.fields[index] = field_name
            mapping.headers[field_name] = str(header)
    return mapping


def detect_kind(headers: list[str], factors: dict[str, str]) -> HeaderMapping | None:
    """Return the mapping of the kind whose required columns are all present and that maps most headers.

    Returns None when no kind has all its required columns.
    """
    complete = [mapping for mapping in (map_headers(kind, headers, factors) for kind in KIND_ORDER)
                if not mapping.missing]
    if not complete:
        return None
    return max(complete, key=lambda mapping: (len(mapping.headers), -KIND_ORDER.index(mapping.kind)))


def required_columns_sentence() -> str:
    """Describe the required columns of every kind, for a message about an unrecognised table."""
    parts = [
        _("%(kind)s (%(columns)s)") % {
            "kind": kind.label.lower(),
            "columns": ", ".join(column.header for column in SPECS[kind].required),
        }
        for kind in KIND_ORDER
    ]
    return "; ".join(parts)
