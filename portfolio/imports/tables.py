"""What the readers produce: tables of raw rows, and the problems and notes found while reading."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from portfolio.imports.columns import Kind
from portfolio.imports.limits import MAX_ROWS


@dataclass
class SourceRow:
    """One data row as read, before validation.

    `number` is the row number a spreadsheet program shows (the header row of a
    sheet that starts at the top is row 1); in JSON it is the entry's position in
    its list, and `where` then names the entry. `values` maps fields to the
    cell's value: text or None for CSV and XLSX, any JSON value for JSON.
    `cell_errors` maps fields to a reason the cell could not be read.
    """

    number: int
    values: dict[str, object]
    cell_errors: dict[str, str] = field(default_factory=dict)
    where: str = ""


@dataclass
class Table:
    """The rows of one kind read from one CSV file, XLSX sheet or JSON section."""

    kind: Kind
    source: str
    headers: dict[str, str]  # field -> the header as written in the file
    rows: list[SourceRow] = field(default_factory=list)


@dataclass(frozen=True)
class Notice:
    """A message about a whole file or table rather than one row."""

    source: str
    message: str


@dataclass
class ParsedFiles:
    tables: list[Table] = field(default_factory=list)
    errors: list[Notice] = field(default_factory=list)
    notes: list[Notice] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(len(table.rows) for table in self.tables)


class TooManyRows(Exception):
    """Raised by RowBudget when the upload passes the row limit; the readers let it pass."""


class RowBudget:
    """Counts data rows across all files of an upload and stops reading past `limit`."""

    def __init__(self, limit: int = MAX_ROWS):
        self.limit = limit
        self.used = 0

    def take(self) -> None:
        self.used += 1
        if self.used > self.limit:
            raise TooManyRows(
                _("The upload has more than %(limit)s data rows; split it into files of at most "
                  "%(limit)s rows and import them one after the other.") % {"limit": f"{self.limit:,}"}
            )
