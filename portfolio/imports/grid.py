"""Turn a grid of cells (a CSV file or an XLSX sheet) into a table of one kind.

The first non-blank row is the header. Blank rows are skipped wherever they
are, so trailing rows that Excel leaves behind cost nothing; row numbers stay
those of the file.
"""

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from portfolio.imports.columns import (
    SPECS,
    HeaderMapping,
    Kind,
    detect_kind,
    header_key,
    map_headers,
    required_columns_sentence,
)
from portfolio.imports.limits import MAX_COLUMNS
from portfolio.imports.tables import Notice, ParsedFiles, RowBudget, SourceRow, Table


@dataclass(frozen=True)
class CellProblem:
    """Stands in a grid for a cell whose value could not be read; `message` says why."""

    message: str


def is_blank(cells: list) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def table_from_grid(
    source: str,
    rows: Iterable[tuple[int, list]],
    *,
    kind: Kind | None,
    factors: dict[str, str],
    budget: RowBudget,
    parsed: ParsedFiles,
) -> Table | None:
    """Read `rows` ((row number, cells) pairs) into a table, adding problems and notes to `parsed`.

    `kind` is the kind a sheet's name announced, or None to detect it from the
    headers. Returns None, with the reason in `parsed.errors`, when the header is
    missing or unusable; an empty file or sheet only adds a note.
    """
    iterator = iter(rows)
    header = next(((number, cells) for number, cells in iterator if not is_blank(cells[:MAX_COLUMNS])), None)
    if header is None:
        parsed.notes.append(Notice(source, _("No rows; skipped.")))
        return None
    header_number, header_cells = header
    headers = [_header_text(cell) for cell in header_cells[:MAX_COLUMNS]]

    mapping = _mapping(source, headers, kind, factors, parsed)
    if mapping is None:
        return None
    for ignored in mapping.ignored:
        parsed.notes.append(Notice(source, _("Column “%(header)s” is not one of the %(kind)s columns; "
                                             "it is ignored.") % {"header": ignored,
                                                                  "kind": mapping.kind.label.lower()}))

    table = Table(mapping.kind, source, mapping.headers)
    for number, cells in iterator:
        cells = cells[:MAX_COLUMNS]
        if is_blank(cells):
            continue
        budget.take()
        table.rows.append(_source_row(number, cells, mapping))
    if not table.rows:
        parsed.notes.append(Notice(source, _("Only a header row (row %(row)s); nothing to import.")
                                   % {"row": header_number}))
    return table


def _header_text(cell) -> str:
    if cell is None or isinstance(cell, CellProblem):
        return ""
    return str(cell).strip()


def _mapping(source: str, headers: list[str], kind: Kind | None, factors: dict[str, str],
             parsed: ParsedFiles) -> HeaderMapping | None:
    mapping = map_headers(kind, headers, factors) if kind else detect_kind(headers, factors)
    if mapping is not None and mapping.missing:
        # A name such as "catalogue.csv" may suggest a kind that the columns do not fit; they decide.
        mapping = detect_kind(headers, factors) or mapping
    if mapping is None:
        parsed.errors.append(Notice(source, _(
            "Cannot tell which kind of rows this table holds from its columns (%(headers)s). Name the "
            "columns as in the templates; the required columns are: %(required)s."
        ) % {"headers": ", ".join(f"“{h}”" for h in headers if h), "required": required_columns_sentence()}))
        return None
    problems = [_missing_message(column, mapping) for column in mapping.missing]
    problems += [
        _("Columns “%(first)s” and “%(second)s” both mean %(column)s; keep one of them.")
        % {"first": first, "second": second, "column": _column_header(mapping.kind, field_name)}
        for field_name, first, second in mapping.duplicates
    ]
    parsed.errors.extend(Notice(source, problem) for problem in problems)
    return None if problems else mapping


def _missing_message(column, mapping: HeaderMapping) -> str:
    message = _("The required column “%(column)s” is missing from the %(kind)s table.") % {
        "column": column.header, "kind": mapping.kind.label.lower()}
    close = difflib.get_close_matches(header_key(column.header), [header_key(h) for h in mapping.ignored],
                                      n=1, cutoff=0.6)
    if close:
        original = next(h for h in mapping.ignored if header_key(h) == close[0])
        message += " " + _("Is “%(header)s” meant to be “%(column)s”? Rename it.") % {
            "header": original, "column": column.header}
    return message


def _column_header(kind: Kind, field_name: str) -> str:
    column = SPECS[kind].column(field_name)
    return f"“{column.header}”" if column else f"“{field_name}”"


def _source_row(number: int, cells: list, mapping: HeaderMapping) -> SourceRow:
    row = SourceRow(number, {})
    for index, field_name in mapping.fields.items():
        cell = cells[index] if index < len(cells) else None
        if isinstance(cell, CellProblem):
            row.cell_errors[field_name] = cell.message
            cell = None
        row.values[field_name] = cell
    return row
