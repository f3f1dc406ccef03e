"""Template files to fill in: one CSV per kind, or one XLSX with a sheet per kind.

Each has the header row and one example row. The example rows refer to each
other (the team owns the service, and so on), so the templates import cleanly
into any portfolio as they are.
"""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from portfolio.imports.columns import KIND_ORDER, SPECS, Kind
from portfolio.imports.lookups import Library

# Excel reads a UTF-8 CSV as Windows-1252 unless it starts with a byte order mark.
UTF8_BOM = "\ufeff"
COLUMN_WIDTH = 22


def template_rows(kind: Kind, library: Library) -> tuple[list[str], list[str]]:
    """Return the header and the example row of `kind`; services add a column per decision factor."""
    columns = SPECS[kind].columns
    header = [column.header for column in columns]
    example = [column.example for column in columns]
    if kind == Kind.SERVICES:
        for key, name in library.factors.items():
            header.append(name)
            example.append(next(iter(library.factor_options[key]), ""))
    return header, example


def template_csv(kind: Kind, library: Library) -> bytes:
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(template_rows(kind, library))
    return buffer.getvalue().encode("utf-8")


def template_xlsx(library: Library) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for kind in KIND_ORDER:
        sheet = workbook.create_sheet(kind.label)
        header, example = template_rows(kind, library)
        sheet.append(header)
        # Numbers go in as numbers, as a person typing them into Excel would enter them.
        sheet.append([int(value) if value.isdigit() else value for value in example])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            sheet.column_dimensions[cell.column_letter].width = COLUMN_WIDTH
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
