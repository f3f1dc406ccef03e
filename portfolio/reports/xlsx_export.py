"""XLSX export: one sheet per table, or a single table's sheet, in openpyxl's write-only mode.

Write-only mode streams rows to the file, so memory stays flat however many
rows a sheet has. Each sheet has a bold, frozen header row, an auto filter over
its rows and column widths from the table's columns.
"""

from collections.abc import Iterable
from datetime import date, datetime, time
from tempfile import TemporaryFile
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from portfolio.reports.model import Report
from portfolio.reports.safety import neutralise
from portfolio.reports.tables import TABLES, Table

# Excel limits a sheet title to 31 characters.
MAX_SHEET_TITLE = 31
DATE_FORMAT = "yyyy-mm-dd"


def write_sheet(workbook: Workbook, table: Table, report: Report) -> int:
    """Add `table` of `report` as a sheet; return the number of data rows."""
    return write_rows_sheet(workbook, table, table.rows(report))


def write_rows_sheet(workbook: Workbook, table: Table, rows: Iterable[list]) -> int:
    """Add `rows`, a table's rows however they were read, as the table's sheet; return the number of rows."""
    sheet = workbook.create_sheet(title=str(table.title)[:MAX_SHEET_TITLE])
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"

    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=str(column.label))
        cell.font, cell.alignment = bold, wrap
        header.append(cell)
    sheet.append(header)

    count = 0
    for row in rows:
        sheet.append([_value(sheet, value) for value in row])
        count += 1
    last_column = get_column_letter(len(table.columns))
    sheet.auto_filter.ref = f"A1:{last_column}{count + 1}"
    return count


def _value(sheet, value):
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return neutralise(value)


def _workbook(as_of: date, author: str) -> Workbook:
    workbook = Workbook(write_only=True)
    # The report's date, not the clock's, so that the same report gives the same properties.
    stamp = datetime.combine(as_of, time())
    workbook.properties.created = workbook.properties.modified = stamp
    workbook.properties.creator = author
    return workbook


def _saved(workbook: Workbook) -> BinaryIO:
    # On disk, not in memory, so that memory stays flat however large the file grows.
    spool = TemporaryFile()  # noqa: SIM115 (returned open to the caller)
    workbook.save(spool)
    spool.seek(0)
    return spool


def xlsx_file(report: Report, table_names=None) -> BinaryIO:
    """Write the report's tables (all, or those named) to an XLSX file; return it rewound."""
    workbook = _workbook(report.cover.as_of, report.cover.author)
    for name in table_names or TABLES:
        write_sheet(workbook, TABLES[name], report)
    return _saved(workbook)


def xlsx_rows_file(table: Table, rows: Iterable[list], *, as_of: date, author: str) -> BinaryIO:
    """Write `rows` as the one sheet of an XLSX file, as `xlsx_file` writes that table; return it rewound."""
    workbook = _workbook(as_of, author)
    write_rows_sheet(workbook, table, rows)
    return _saved(workbook)
