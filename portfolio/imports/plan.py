"""The result of validating an upload: one outcome per row, and the writes an apply would make."""

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from portfolio.imports.columns import KIND_ORDER, Kind
from portfolio.imports.tables import Notice


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass(frozen=True)
class Issue:
    """A problem in one cell: the column as headed in the file, its value, and a message with the fix."""

    column: str
    value: str
    message: str


@dataclass(frozen=True)
class Change:
    column: str
    old: str
    new: str


@dataclass
class Write:
    """A pending write of one row.

    `target_id` is the primary key of the row to update, or None to create one.
    `values` holds model field values, except that references use the keys an
    import names them by: "owner" and "team" hold team lookup keys, "service"
    holds a service key; the apply resolves them once earlier kinds are written.
    """

    target_id: int | None
    values: dict


@dataclass
class RowOutcome:
    kind: Kind
    source: str
    row: int
    where: str
    label: str = ""
    changes: list[Change] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    write: Write | None = None
    unchanged: bool = False

    @property
    def action(self) -> Action:
        if self.errors:
            return Action.ERROR
        if self.unchanged or self.write is None:
            return Action.UNCHANGED
        return Action.CREATE if self.write.target_id is None else Action.UPDATE

    def error(self, column: str, value, message: str) -> None:
        self.errors.append(Issue(column, "" if value is None else str(value), message))


@dataclass
class ImportPlan:
    outcomes: list[RowOutcome] = field(default_factory=list)
    file_errors: list[Notice] = field(default_factory=list)
    notes: list[Notice] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors) or any(outcome.errors for outcome in self.outcomes)

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + sum(len(outcome.errors) for outcome in self.outcomes)

    def counts(self) -> dict[Kind, Counter]:
        """Count rows by kind and action; kinds without rows are left out."""
        counts: dict[Kind, Counter] = {}
        for outcome in self.outcomes:
            counts.setdefault(outcome.kind, Counter())[outcome.action] += 1
        return {kind: counts[kind] for kind in KIND_ORDER if kind in counts}

    def totals(self) -> Counter:
        totals = Counter()
        for counter in self.counts().values():
            totals.update(counter)
        return totals

    def writes(self, kind: Kind) -> list[Write]:
        return [outcome.write for outcome in self.outcomes
                if outcome.kind == kind and outcome.action in (Action.CREATE, Action.UPDATE)]
