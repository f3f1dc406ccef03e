"""HTTP responses for the report's download formats: JSON, CSV and XLSX (one table or all), PDF."""

from datetime import date

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

from portfolio.models import Portfolio, PublishedReport
from portfolio.reports.csv_export import csv_bytes, csv_row_bytes, csv_zip
from portfolio.reports.direct import direct_reader
from portfolio.reports.model import Report
from portfolio.reports.pdf import report_pdf
from portfolio.reports.safety import attachment_header, download_name
from portfolio.reports.scope import ReportFilter
from portfolio.reports.serialise import report_to_json
from portfolio.reports.tables import TABLES
from portfolio.reports.xlsx_export import xlsx_file, xlsx_rows_file

FORMATS = ("html", "pdf", "xlsx", "csv", "json")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
    "json": "application/json; charset=utf-8",
}


def _name(report: Report, extension: str, suffix: str = "") -> str:
    return download_name(report.cover.portfolio_key, report.cover.as_of, extension, suffix)


def _attach(response, filename: str):
    response["Content-Disposition"] = attachment_header(filename)
    return response


def json_response(report: Report, publication: PublishedReport | None = None) -> HttpResponse:
    """Return the report's JSON; a published report's is its stored content, byte for byte."""
    content = publication.content if publication is not None else report_to_json(report)
    return _attach(HttpResponse(content, content_type=CONTENT_TYPES["json"]), _name(report, "json"))


def csv_response(report: Report, table: str | None):
    """Stream one table as CSV, or every table zipped when `table` is None."""
    if table is not None:
        response = StreamingHttpResponse(csv_bytes(TABLES[table], report), content_type=CONTENT_TYPES["csv"])
        return _attach(response, _name(report, "csv", table))
    stem = _name(report, "csv").removesuffix(".csv")
    return _attach(FileResponse(csv_zip(report, stem), content_type=CONTENT_TYPES["zip"]),
                   _name(report, "zip"))


def direct_csv_response(portfolio: Portfolio, table: str, report_filter: ReportFilter, *,
                        as_of: date) -> StreamingHttpResponse | None:
    """Stream one table of the live report without building the report, or return None if the table needs it.

    The rows and the file name are those `csv_response` gives for the built report of the same date.
    """
    reader = direct_reader(table)
    if reader is None:
        return None
    rows = reader(portfolio, report_filter)
    response = StreamingHttpResponse(csv_row_bytes(TABLES[table], rows), content_type=CONTENT_TYPES["csv"])
    return _attach(response, download_name(portfolio.key, as_of, "csv", table))


def xlsx_response(report: Report, table: str | None = None) -> FileResponse:
    """Write one table as a one-sheet workbook, or every table when `table` is None; return the download."""
    output = xlsx_file(report, None if table is None else [table])
    response = FileResponse(output, content_type=CONTENT_TYPES["xlsx"])
    return _attach(response, _name(report, "xlsx", table or ""))


def direct_xlsx_response(portfolio: Portfolio, table: str, report_filter: ReportFilter, *,
                         as_of: date, author: str) -> FileResponse | None:
    """Write one table of the live report as a one-sheet workbook, without building the report.

    Return the download, or None if the table needs the report. The sheet, its properties and the file
    name are those `xlsx_response` gives for the built report of the same date and author.
    """
    reader = direct_reader(table)
    if reader is None:
        return None
    output = xlsx_rows_file(TABLES[table], reader(portfolio, report_filter), as_of=as_of, author=author)
    return _attach(FileResponse(output, content_type=CONTENT_TYPES["xlsx"]),
                   download_name(portfolio.key, as_of, "xlsx", table))


def direct_download_response(portfolio: Portfolio, fmt: str, table: str, report_filter: ReportFilter, *,
                             as_of: date, author: str):
    """Return the one-table CSV or XLSX download read without building the report, or None.

    None means that the format has no such download or that the table needs the report.
    """
    if fmt == "csv":
        return direct_csv_response(portfolio, table, report_filter, as_of=as_of)
    if fmt == "xlsx":
        return direct_xlsx_response(portfolio, table, report_filter, as_of=as_of, author=author)
    return None


def pdf_response(report: Report, publication: PublishedReport | None = None) -> FileResponse:
    """Render the PDF in a child process (see portfolio.reports.pdf) and stream the file."""
    return _attach(FileResponse(report_pdf(report, publication), content_type=CONTENT_TYPES["pdf"]),
                   _name(report, "pdf"))


def download_response(report: Report, fmt: str, *, table: str | None = None,
                      publication: PublishedReport | None = None):
    """Return the download for `fmt` (not "html"); `table` picks one CSV table or XLSX sheet."""
    if fmt == "json":
        return json_response(report, publication)
    if fmt == "csv":
        return csv_response(report, table)
    if fmt == "xlsx":
        return xlsx_response(report, table)
    if fmt == "pdf":
        return pdf_response(report, publication)
    raise ValueError(f"Unknown report format {fmt!r}; use one of {', '.join(FORMATS)}.")
