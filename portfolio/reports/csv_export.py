"""CSV export: one table per file, several tables zipped.

Files are UTF-8 with a byte order mark, so that spreadsheet programs detect the
encoding of names in any script. Cells a spreadsheet would evaluate are neutralised.
"""

import csv
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date
from tempfile import TemporaryFile
from typing import BinaryIO

from portfolio.reports.model import Report
from portfolio.reports.safety import neutralise
from portfolio.reports.tables import TABLES, Table

BOM = "\ufeff"
# Rows written per chunk of a streamed response: fewer, larger writes to the socket.
ROWS_PER_CHUNK = 500


class _Line:
    """A file-like object whose write returns the line, so csv.writer can format one row at a time."""

    def write(self, value: str) -> str:
        return value


def cell(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


def csv_chunks(table: Table, report: Report) -> Iterator[str]:
    """Yield the table of `report` as CSV text in chunks of ROWS_PER_CHUNK rows, the header first."""
    return csv_row_chunks(table, table.rows(report))


def csv_row_chunks(table: Table, rows: Iterable[list]) -> Iterator[str]:
    """Yield `rows`, a table's rows however they were read, as CSV text: header first, then chunks."""
    writer = csv.writer(_Line())
    chunk = [BOM, writer.writerow([column.key for column in table.columns])]
    for row in rows:
        chunk.append(writer.writerow([cell(value) for value in row]))
        if len(chunk) >= ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def csv_bytes(table: Table, report: Report) -> Iterator[bytes]:
    return csv_row_bytes(table, table.rows(report))


def csv_row_bytes(table: Table, rows: Iterable[list]) -> Iterator[bytes]:
    for chunk in csv_row_chunks(table, rows):
        yield chunk.encode("utf-8")


def csv_zip(report: Report, stem: str) -> BinaryIO:
    """Write every table into a zip of `<stem>-<table>.csv` files; return it rewound.

    Entries carry the report's date rather than the clock's, so the same report zips to the same bytes.
    """
    # On disk, not in memory, so that memory stays flat however large the file grows.
    spool = TemporaryFile()  # noqa: SIM115 (returned open to the caller)
    stamp = (*report.cover.as_of.timetuple()[:3], 0, 0, 0)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES.values():
            entry = zipfile.ZipInfo(f"{stem}-{table.name}.csv", date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(entry, "w") as member:
                for chunk in csv_bytes(table, report):
                    member.write(chunk)
    spool.seek(0)
    return spool
