"""One-table XLSX downloads: one sheet with the rows of the CSV of the same table."""

import csv
import io
from datetime import date, datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portfolio.reports.benchmark import xlsx_export
from portfolio.reports.build import build_report
from portfolio.reports.downloads import xlsx_response
from portfolio.reports.publishing import report_publish
from portfolio.reports.scope import ReportFilter
from portfolio.reports.tables import TABLES
from tests.portfolio.reports.conftest import ACCENTED, ARABIC, EMOJI, JAPANESE, today

FORMULA = "=HYPERLINK(\"http://example.invalid\")"
NAMES = (ACCENTED, JAPANESE, EMOJI)


@pytest.fixture
def formula_sample(sample, make_team, make_responsibility):
    """The sample portfolio plus a team whose name a spreadsheet would read as a formula."""
    team = make_team(sample.portfolio, FORMULA, "vendor")
    make_responsibility(sample.services["claims"], "operate", team, "R")
    return sample


@pytest.fixture
def owner_client(client, formula_sample):
    client.force_login(formula_sample.owner)
    return client


def download(client, key, fmt, **params):
    response = client.get(reverse("report", args=[key]), {"format": fmt, **params})
    assert response.status_code == 200, response.content[:300] if not response.streaming else ""
    return b"".join(response.streaming_content) if response.streaming else response.content, response


def read_sheet(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    assert len(workbook.sheetnames) == 1, workbook.sheetnames
    return workbook, workbook.worksheets[0]


def as_csv_text(value) -> str:
    """Return an XLSX cell's value as the CSV export writes it: dates in ISO form, empty cells as ""."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@pytest.mark.parametrize("table", list(TABLES))
def test_sheet_rows_equal_csv_rows(owner_client, formula_sample, table):
    data, response = download(owner_client, "acme", "xlsx", table=table)
    csv_data, _ = download(owner_client, "acme", "csv", table=table)
    csv_rows = list(csv.reader(io.StringIO(csv_data.decode("utf-8-sig"))))
    _, sheet = read_sheet(data)
    sheet_rows = [[as_csv_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]

    assert sheet_rows[0] == [str(column.label) for column in TABLES[table].columns]
    assert csv_rows[0] == [column.key for column in TABLES[table].columns]
    assert sheet_rows[1:] == csv_rows[1:]
    filename = f"acme-{today().isoformat()}-{table}.xlsx"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'


def test_raci_sheet_carries_every_script(owner_client, formula_sample):
    data, _ = download(owner_client, "acme", "xlsx", table="raci")
    _, sheet = read_sheet(data)
    rows = list(sheet.iter_rows(min_row=2, values_only=True))

    assert {row[1] for row in rows} >= {ACCENTED, JAPANESE}
    assert ARABIC in {row[5] for row in rows}
    assert EMOJI in {row[5] for row in rows}


def test_services_sheet_carries_every_script(owner_client, formula_sample):
    data, _ = download(owner_client, "acme", "xlsx", table="services")
    _, sheet = read_sheet(data)

    assert {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)} >= set(NAMES)


@pytest.mark.parametrize("table", ["raci", "services"])
def test_sheet_layout_matches_workbook(owner_client, formula_sample, table):
    data, _ = download(owner_client, "acme", "xlsx", table=table)
    workbook, sheet = read_sheet(data)
    rows = list(sheet.iter_rows(values_only=True))
    last_column = chr(ord("A") + len(TABLES[table].columns) - 1)

    assert sheet.title == str(TABLES[table].title)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{last_column}{len(rows)}"
    assert sheet.column_dimensions["B"].width == TABLES[table].columns[1].width
    assert all(cell.font.bold for cell in sheet[1])
    assert workbook.properties.creator == "olivia"
    assert workbook.properties.created == datetime.combine(today(), datetime.min.time())


def test_sheet_neutralises_formulas(owner_client, formula_sample):
    data, _ = download(owner_client, "acme", "xlsx", table="raci")
    _, sheet = read_sheet(data)
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    teams = {row[5] for row in sheet.iter_rows(min_row=2, values_only=True)}

    assert "'" + FORMULA in teams
    assert FORMULA not in teams
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []


@pytest.mark.parametrize("table", ["raci", "rules"])
def test_direct_sheet_equals_built_report_sheet(owner_client, formula_sample, table):
    data, _ = download(owner_client, "acme", "xlsx", table=table, status="live")
    report = build_report(formula_sample.portfolio, as_of=today(), author="olivia",
                          report_filter=ReportFilter(status="live"))
    built = b"".join(xlsx_response(report, table).streaming_content)
    _, direct_sheet = read_sheet(data)
    _, built_sheet = read_sheet(built)

    assert list(direct_sheet.iter_rows(values_only=True)) == list(built_sheet.iter_rows(values_only=True))
    assert direct_sheet.auto_filter.ref == built_sheet.auto_filter.ref


def test_raci_sheet_skips_the_report(owner_client, formula_sample, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the direct path built the report")

    monkeypatch.setattr("portfolio.views.reports.build_report", fail)

    data, _ = download(owner_client, "acme", "xlsx", table="raci")

    _, sheet = read_sheet(data)
    assert sheet.max_row > 1


def test_xlsx_without_table_keeps_every_sheet(owner_client, formula_sample):
    data, response = download(owner_client, "acme", "xlsx")

    assert len(load_workbook(io.BytesIO(data)).sheetnames) == len(TABLES)
    assert response["Content-Disposition"] == f'attachment; filename="acme-{today().isoformat()}.xlsx"'


def test_published_report_gives_one_sheet(owner_client, formula_sample):
    publication = report_publish(portfolio=formula_sample.portfolio, user=formula_sample.owner)
    url = reverse("report-published", args=["acme", publication.pk])
    response = owner_client.get(url, {"format": "xlsx", "table": "raci"})
    _, sheet = read_sheet(b"".join(response.streaming_content))

    assert sheet.title == "RACI"
    assert ACCENTED in {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_report_page_links_every_sheet(owner_client, formula_sample):
    url = reverse("report", args=["acme"])
    page = owner_client.get(url, {"status": "live"}).content.decode()

    for table in TABLES:
        assert f'href="{url}?status=live&amp;format=xlsx&amp;table={table}"' in page, table


@pytest.mark.parametrize("size", [5, 40])
def test_raci_sheet_queries_are_constant(client, sized, size, django_assert_max_num_queries):
    owner, portfolios = sized
    client.force_login(owner)
    # Session, user, membership, team and pattern choices, and the six that read the RACI table.
    with django_assert_max_num_queries(11):
        data, _ = download(client, portfolios[size].key, "xlsx", table="raci")

    _, sheet = read_sheet(data)
    assert sheet.max_row == 2 * size + 1


@pytest.mark.parametrize("size", [5, 40])
def test_services_sheet_queries_are_constant(client, sized, size, django_assert_max_num_queries):
    owner, portfolios = sized
    client.force_login(owner)
    # Session, user, membership, team and pattern choices, and building the report (see test_report_queries).
    with django_assert_max_num_queries(24):
        data, _ = download(client, portfolios[size].key, "xlsx", table="services")

    _, sheet = read_sheet(data)
    assert sheet.max_row == size + 1


def test_benchmark_times_the_view_export(owner_client, formula_sample):
    data, _ = download(owner_client, "acme", "xlsx", table="raci")

    # The author is written into the workbook's properties, so it must match the view's.
    assert xlsx_export(formula_sample.portfolio, author="olivia") == len(data)
