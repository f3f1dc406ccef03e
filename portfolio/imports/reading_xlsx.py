"""Read XLSX workbooks: one sheet per kind, named by kind ("Teams", "Services", ...) or told by its headers.

Cells are read as the values Excel shows (openpyxl with data_only=True): a
formula gives the result Excel saved with the file. A formula saved without a
result (a file written by a program that does not calculate) would read as an
empty cell, so such cells are found in a second pass over the formulas and
reported. Whole numbers read as "3", not "3.0", and dates as ISO 8601.
"""

import datetime
import io
import re
import zipfile

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from portfolio.imports.columns import kind_for_sheet
from portfolio.imports.grid import CellProblem, table_from_grid
from portfolio.imports.limits import MAX_COLUMNS
from portfolio.imports.tables import Notice, ParsedFiles, RowBudget

EXCEL_ERRORS = frozenset({"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!",
                          "#CALC!", "#GETTING_DATA"})
# A formula element in a worksheet part, with or without a namespace prefix.
FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
WORKSHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
SCAN_CHUNK = 1024 * 1024


def read_xlsx(name: str, data: bytes, *, factors: dict[str, str], budget: RowBudget,
              parsed: ParsedFiles) -> None:
    """Read every sheet of one workbook into `parsed`, one table per sheet that has rows."""
    try:
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = (load_workbook(io.BytesIO(data), read_only=True, data_only=False)
                    if _has_formulas(data) else None)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        parsed.errors.append(Notice(name, _("The file is not a valid XLSX workbook (%(error)s); save it "
                                            "again from Excel as “Excel Workbook (.xlsx)” or as CSV.")
                                    % {"error": error}))
        return
    try:
        for sheet in values.worksheets:
            formula_sheet = formulas[sheet.title] if formulas is not None else None
            _read_sheet(name, sheet, formula_sheet, factors=factors, budget=budget, parsed=parsed)
    finally:
        values.close()
        if formulas is not None:
            formulas.close()


def _read_sheet(name, sheet, formula_sheet, *, factors, budget, parsed) -> None:
    source = _("%(file)s, sheet “%(sheet)s”") % {"file": name, "sheet": sheet.title}
    kind = kind_for_sheet(sheet.title)
    errors_before = len(parsed.errors)
    table = table_from_grid(source, _sheet_rows(sheet, formula_sheet), kind=kind, factors=factors,
                            budget=budget, parsed=parsed)
    if table is not None:
        parsed.tables.append(table)
    elif kind is None and sheet.sheet_state != "visible" and len(parsed.errors) > errors_before:
        # A hidden sheet often holds lists for data validation; it is not imported.
        unrecognised = parsed.errors.pop()
        parsed.notes.append(Notice(unrecognised.source, _("Hidden sheet with other columns; skipped.")))


def _sheet_rows(sheet, formula_sheet):
    """Yield (row number, cells) with each cell converted to text, None or a CellProblem."""
    # A wrong <dimension> element (some programs write "A1") would otherwise cut the sheet short.
    sheet.reset_dimensions()
    value_rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    if formula_sheet is None:
        for number, row in enumerate(value_rows, start=1):
            yield number, [_cell_value(value) for value in row]
        return
    formula_sheet.reset_dimensions()
    formula_rows = formula_sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    for number, (row, formula_row) in enumerate(zip(value_rows, formula_rows, strict=False), start=1):
        cells = []
        for column, (value, formula) in enumerate(zip(row, formula_row, strict=False), start=1):
            if value is None and _is_formula(formula):
                cells.append(CellProblem(_(
                    "Cell %(cell)s holds the formula %(formula)s without a saved result; open the file in "
                    "Excel and save it again, or paste the values in place of the formula."
                ) % {"cell": f"{get_column_letter(column)}{number}", "formula": _formula_text(formula)}))
            else:
                cells.append(_cell_value(value))
        yield number, cells


def _cell_value(value):
    """Return the cell as the text a person sees, None when empty, or a CellProblem."""
    if value is None:
        return None
    if isinstance(value, str):
        if value.strip() in EXCEL_ERRORS:
            return CellProblem(_("The cell shows the Excel error %(error)s; correct the formula or type "
                                 "the value.") % {"error": value.strip()})
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _is_formula(value) -> bool:
    if isinstance(value, str):
        return value.startswith("=")
    return isinstance(value, ArrayFormula | DataTableFormula)


def _formula_text(value) -> str:
    return value if isinstance(value, str) else str(getattr(value, "text", value))


def _has_formulas(data: bytes) -> bool:
    """Tell whether any worksheet part of the XLSX holds a formula, reading it in chunks."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in archive.namelist():
            if not WORKSHEET_PART.fullmatch(part):
                continue
            with archive.open(part) as stream:
                tail = b""
                while chunk := stream.read(SCAN_CHUNK):
                    if FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-16:]
    return False
