"""Validate parsed tables against a portfolio and the library, and plan what an apply would write.

Nothing is written here. Lookups are loaded once (see `lookups`), so the number
of queries does not grow with the number of rows.
"""

from collections import defaultdict
from collections.abc import Callable

from django.utils.translation import gettext as _

from portfolio.imports.checks_catalogue import check_service, check_team
from portfolio.imports.checks_governance import check_adoption, check_assignment, check_responsibility
from portfolio.imports.columns import KIND_ORDER, Kind
from portfolio.imports.context import Context, RowReader
from portfolio.imports.lookups import Existing, Library, team_lookup_key
from portfolio.imports.plan import Action, ImportPlan, RowOutcome
from portfolio.imports.tables import ParsedFiles, Table
from portfolio.imports.values import text
from portfolio.models import Portfolio, RaciRole
from portfolio.text import normalise_name

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 250

CHECKS = {
    Kind.TEAMS: check_team,
    Kind.SERVICES: check_service,
    Kind.ASSIGNMENTS: check_assignment,
    Kind.RESPONSIBILITIES: check_responsibility,
    Kind.PRACTICES: check_adoption,
}
# The column that names each kind's key in duplicate messages.
KEY_FIELDS = {
    Kind.TEAMS: "name",
    Kind.SERVICES: "key",
    Kind.ASSIGNMENTS: "pattern",
    Kind.RESPONSIBILITIES: "role",
    Kind.PRACTICES: "practice",
}


def validate(parsed: ParsedFiles, portfolio: Portfolio, *, existing: Existing | None = None,
             library: Library | None = None, progress: Progress | None = None) -> ImportPlan:
    """Check every row of `parsed` and return the plan: what each row would do, and every error."""
    context = Context(existing or Existing.load(portfolio), library or Library.load())
    _collect_file_names(parsed.tables, context)
    plan = ImportPlan(file_errors=list(parsed.errors), notes=list(parsed.notes))
    seen: dict[tuple[Kind, object], list[tuple[RowOutcome, str]]] = defaultdict(list)

    total = parsed.row_count
    tables = sorted(parsed.tables, key=lambda table: KIND_ORDER.index(table.kind))
    for table in tables:
        for row in table.rows:
            outcome = RowOutcome(table.kind, table.source, row.number,
                                 row.where or _("row %(row)s") % {"row": row.number})
            reader = RowReader(table, row, outcome, context)
            key = CHECKS[table.kind](reader)
            if key is not None:
                seen[table.kind, key].append((outcome, reader.column(KEY_FIELDS[table.kind])))
            plan.outcomes.append(outcome)
            if progress and len(plan.outcomes) % PROGRESS_EVERY == 0:
                progress(len(plan.outcomes), total)

    _mark_duplicates(seen)
    _warn_several_accountable(plan, context)
    if progress:
        progress(len(plan.outcomes), total)
    return plan


def _collect_file_names(tables: list[Table], context: Context) -> None:
    """Note the teams and services the upload defines, so that rows of any file may refer to them."""
    for table in tables:
        if table.kind == Kind.TEAMS:
            for row in table.rows:
                name = normalise_name(text(row.values.get("name")))
                if name:
                    context.file_teams.setdefault(team_lookup_key(name), name)
        elif table.kind == Kind.SERVICES:
            for row in table.rows:
                key = normalise_name(text(row.values.get("key")))
                if key:
                    context.file_services.add(key)


def _mark_duplicates(seen: dict) -> None:
    """Mark every row whose key another row of the upload also has, naming the other rows."""
    for (_kind, _key), rows in seen.items():
        if len(rows) < 2:
            continue
        for outcome, column in rows:
            others = [_place(other, outcome) for other, _column in rows if other is not outcome]
            outcome.error(column, outcome.label, _(
                "Duplicate row: “%(label)s” is also in %(others)s; keep one row for it."
            ) % {"label": outcome.label, "others": ", ".join(others)})
            outcome.write = None


def _place(other: RowOutcome, outcome: RowOutcome) -> str:
    if other.source == outcome.source:
        return other.where
    return f"{other.source}, {other.where}"


def _warn_several_accountable(plan: ImportPlan, context: Context) -> None:
    """Warn on new accountable rows that leave an activity of a service with more than one accountable team.

    The import adds RACI cells and removes none, so an accountable team already
    recorded stays; the analysis then reports the activity as having several.
    """
    added = defaultdict(list)
    for outcome in plan.outcomes:
        if outcome.kind == Kind.RESPONSIBILITIES and outcome.action == Action.CREATE \
                and outcome.write.values["role"] == RaciRole.ACCOUNTABLE:
            values = outcome.write.values
            added[values["service"], values["activity"]].append(outcome)
    if not added:
        return

    current = defaultdict(set)
    for service_id, activity, team_id, role in context.existing.cells:
        if role == RaciRole.ACCOUNTABLE:
            current[service_id, activity].add(context.team_lookup_by_id.get(team_id))
    for (service, activity), outcomes in added.items():
        existing_service = context.existing.services.get(service)
        teams = set(current[existing_service.id, activity]) if existing_service else set()
        teams.update(outcome.write.values["team"] for outcome in outcomes)
        if len(teams) < 2:
            continue
        names = ", ".join(sorted(context.team_name(team) for team in teams))
        for outcome in outcomes:
            outcome.warnings.append(_(
                "%(service)s · %(activity)s will have %(count)s accountable teams (%(names)s); the analysis "
                "reports that as an error, so keep one on the service page."
            ) % {"service": service, "activity": activity, "count": len(teams), "names": names})
