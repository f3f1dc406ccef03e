"""The state row checks share (the loaded lookups and the names the upload defines) and one row's reader."""

from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import gettext as _

from patterns.models import PartyKind
from portfolio.imports.columns import SPECS, header_key
from portfolio.imports.lookups import Existing, Library, team_lookup_key
from portfolio.imports.plan import RowOutcome
from portfolio.imports.tables import SourceRow, Table
from portfolio.imports.values import Choices, Suggester, did_you_mean, is_blank, text
from portfolio.models import AdoptionStatus, RaciRole, ServiceStatus
from portfolio.text import normalise_name

ROLE_ALIASES = {"accountable": "A", "responsible": "R", "consulted": "C", "informed": "I"}
ADOPTION_ALIASES = {"no": "not_adopted", "none": "not_adopted", "yes": "adopted", "in progress": "planned"}


@dataclass
class Context:
    """The lookups one validation reads, and the teams and services the uploaded files define."""

    existing: Existing
    library: Library
    file_teams: dict[str, str] = field(default_factory=dict)  # team lookup key -> name as in the file
    file_services: set[str] = field(default_factory=set)
    suggester: Suggester = field(default_factory=Suggester)

    @cached_property
    def party_kinds(self) -> Choices:
        return Choices({kind.value: str(kind.label) for kind in PartyKind},
                       {"supplier": PartyKind.VENDOR, "provider": PartyKind.SERVICE_PROVIDER,
                        "msp": PartyKind.SERVICE_PROVIDER, "internal it": PartyKind.TECHNOLOGY,
                        "it": PartyKind.TECHNOLOGY, "client": PartyKind.CUSTOMER})

    @cached_property
    def service_statuses(self) -> Choices:
        return Choices({status.value: str(status.label) for status in ServiceStatus},
                       {"active": ServiceStatus.LIVE, "production": ServiceStatus.LIVE,
                        "decommissioned": ServiceStatus.RETIRED})

    @cached_property
    def adoption_statuses(self) -> Choices:
        return Choices({status.value: str(status.label) for status in AdoptionStatus}, ADOPTION_ALIASES)

    @cached_property
    def roles(self) -> Choices:
        return Choices({role.value: str(role.label) for role in RaciRole}, ROLE_ALIASES)

    @cached_property
    def patterns(self) -> Choices:
        return Choices(self.library.patterns)

    @cached_property
    def activities(self) -> Choices:
        return Choices(self.library.activities)

    @cached_property
    def practices(self) -> Choices:
        return Choices(self.library.practices)

    @cached_property
    def factor_choices(self) -> dict[str, Choices]:
        return {key: Choices(options) for key, options in self.library.factor_options.items()}

    @cached_property
    def team_candidates(self) -> dict[str, str]:
        names = {header_key(team.name): team.name for team in self.existing.teams.values()}
        names.update({header_key(name): name for name in self.file_teams.values()})
        return names

    @cached_property
    def service_candidates(self) -> dict[str, str]:
        keys = {header_key(key): key for key in self.existing.services}
        keys.update({header_key(key): key for key in self.file_services})
        return keys

    @cached_property
    def service_keys_by_name(self) -> dict[str, str]:
        return {header_key(service.name): service.key for service in self.existing.services.values()}

    @cached_property
    def team_lookup_by_id(self) -> dict[int, str]:
        return {team.id: lookup for lookup, team in self.existing.teams.items()}

    def knows_team(self, lookup: str) -> bool:
        return lookup in self.existing.teams or lookup in self.file_teams

    def team_id(self, lookup: str | None) -> int | None:
        team = self.existing.teams.get(lookup) if lookup else None
        return team.id if team else None

    def team_name(self, lookup: str | None) -> str:
        if not lookup:
            return ""
        team = self.existing.teams.get(lookup)
        return team.name if team else self.file_teams.get(lookup, lookup)


class RowReader:
    """One source row of a table, with its outcome: read cells, record errors against their columns."""

    def __init__(self, table: Table, row: SourceRow, outcome: RowOutcome, context: Context):
        self.table = table
        self.row = row
        self.outcome = outcome
        self.context = context
        for field_name, value in row.values.items():
            # PostgreSQL rejects NUL in text, and no name or key needs one.
            if isinstance(value, str) and "\x00" in value:
                row.cell_errors.setdefault(field_name,
                                           _("The cell contains a NUL character (code 0); delete it."))
        for field_name, message in row.cell_errors.items():
            outcome.error(self.column(field_name), "", message)

    def has(self, field_name: str) -> bool:
        """Tell whether the row sets `field_name`: its table has the column, or its JSON entry the field."""
        return field_name in self.row.values

    def raw(self, field_name: str):
        return self.row.values.get(field_name)

    def blank(self, field_name: str) -> bool:
        return is_blank(self.raw(field_name))

    def column(self, field_name: str) -> str:
        header = self.table.headers.get(field_name)
        if header:
            return header
        spec = SPECS[self.table.kind].column(field_name)
        return spec.header if spec else field_name

    def error(self, field_name: str, message: str, value=...) -> None:
        """Record an error in the cell of `field_name`, unless the cell could not be read at all."""
        if field_name in self.row.cell_errors:
            return
        self.outcome.error(self.column(field_name), self.raw(field_name) if value is ... else value, message)

    def choice(self, field_name: str, choices: Choices, label: str) -> str | None:
        """Return the key the cell names among `choices`, or record an error and return None."""
        value = self.raw(field_name)
        found = choices.find(value)
        if found is None:
            closest = self.context.suggester.closest(text(value), choices.by_header)
            self.error(field_name, did_you_mean(
                _("Unknown %(label)s “%(value)s”") % {"label": label, "value": text(value)}, closest,
                _("use one of %(choices)s") % {"choices": choices.listing()}))
        return found

    def team(self, field_name: str) -> str | None:
        """Return the lookup key of the team the cell names, or record an error and return None."""
        value = normalise_name(text(self.raw(field_name)))
        lookup = team_lookup_key(value)
        if self.context.knows_team(lookup):
            return lookup
        closest = self.context.suggester.closest(value, self.context.team_candidates)
        self.error(field_name, did_you_mean(_("Unknown team “%(team)s”") % {"team": value}, closest,
                                            _("add it to the teams table or correct the name")))
        return None

    def service(self, field_name: str) -> str | None:
        """Return the key of the service the cell names, or record an error and return None."""
        value = normalise_name(text(self.raw(field_name)))
        if value in self.context.existing.services or value in self.context.file_services:
            return value
        by_name = self.context.service_keys_by_name.get(header_key(value))
        if by_name:
            self.error(field_name, _("“%(value)s” is the name of a service; use its key “%(key)s”.")
                       % {"value": value, "key": by_name})
            return None
        closest = self.context.suggester.closest(value, self.context.service_candidates)
        self.error(field_name, did_you_mean(_("Unknown service key “%(key)s”") % {"key": value}, closest,
                                            _("add the service to the services table or correct the key")))
        return None
