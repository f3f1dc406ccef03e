"""Read uploaded files into tables: pick the reader by extension, or by content when that says nothing."""

from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath

from django.utils.translation import gettext as _

from portfolio.imports.columns import kind_for_sheet
from portfolio.imports.lookups import Library
from portfolio.imports.reading_csv import read_csv
from portfolio.imports.reading_json import read_json
from portfolio.imports.reading_xlsx import read_xlsx
from portfolio.imports.tables import Notice, ParsedFiles, RowBudget, TooManyRows

XLSX_SIGNATURE = b"PK\x03\x04"
# Excel 97-2003 (.xls) files are OLE compound documents.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


EXTENSIONS = {
    ".csv": FileFormat.CSV, ".txt": FileFormat.CSV, ".tsv": FileFormat.CSV, ".tab": FileFormat.CSV,
    ".xlsx": FileFormat.XLSX, ".xlsm": FileFormat.XLSX,
    ".json": FileFormat.JSON,
}


@dataclass(frozen=True)
class UploadedFile:
    name: str
    data: bytes


class UnsupportedFile(ValueError):
    """The file is in a format the import does not read; the message names a format it does read."""


def detect_format(name: str, data: bytes) -> FileFormat:
    if data.startswith(OLE_SIGNATURE) or PurePath(name).suffix.lower() == ".xls":
        raise UnsupportedFile(_("Excel 97-2003 workbooks (.xls) cannot be read; save the file as “Excel "
                                "Workbook (.xlsx)” or as CSV."))
    by_extension = EXTENSIONS.get(PurePath(name).suffix.lower())
    if by_extension is not None:
        return by_extension
    if data.startswith(XLSX_SIGNATURE):
        return FileFormat.XLSX
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return FileFormat.JSON
    return FileFormat.CSV


def parse_files(files: list[UploadedFile], library: Library) -> ParsedFiles:
    """Read every file into tables; problems that stop a file or the upload go into `errors`.

    Past the row limit the tables are dropped, so that the preview shows only
    that error instead of validating a file that cannot be imported.
    """
    parsed = ParsedFiles()
    budget = RowBudget()
    factors = library.factor_headers()
    for upload in files:
        try:
            _parse_one(upload, factors, budget, parsed)
        except UnsupportedFile as error:
            parsed.errors.append(Notice(upload.name, str(error)))
        except TooManyRows as error:
            parsed.errors.append(Notice(upload.name, str(error)))
            parsed.tables.clear()
            break
    return parsed


def _parse_one(upload: UploadedFile, factors: dict[str, str], budget: RowBudget, parsed: ParsedFiles) -> None:
    if not upload.data.strip():
        parsed.errors.append(Notice(upload.name, _("The file is empty.")))
        return
    file_format = detect_format(upload.name, upload.data)
    if file_format == FileFormat.XLSX:
        read_xlsx(upload.name, upload.data, factors=factors, budget=budget, parsed=parsed)
    elif file_format == FileFormat.JSON:
        read_json(upload.name, upload.data, budget=budget, parsed=parsed)
    else:
        # A file named like a kind ("teams.csv") is read as that kind; otherwise its headers tell.
        read_csv(upload.name, upload.data, factors=factors, budget=budget, parsed=parsed,
                 kind=kind_for_sheet(PurePath(upload.name).stem))
