"""Every download format read back and checked against the portfolio."""

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from portfolio.models import Role, Service
from portfolio.reports.build import build_report
from portfolio.reports.html import render_documents
from portfolio.reports.pdf import render_pdf_file
from portfolio.reports.tables import TABLES
from tests.portfolio.reports.conftest import ACCENTED, ARABIC, EMOJI, JAPANESE, today

NAMES = (ACCENTED, JAPANESE, EMOJI)


@pytest.fixture
def viewer_client(client, sample, make_member):
    client.force_login(make_member(sample.portfolio, Role.VIEWER))
    return client


def download(client, fmt, **params):
    response = client.get(reverse("report", args=["acme"]), {"format": fmt, **params})
    assert response.status_code == 200, response.content[:300]
    return response


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_json_download_matches_the_portfolio(viewer_client, sample):
    response = download(viewer_client, "json")
    data = json.loads(response.content)

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert data["schema_version"] == 2
    assert data["cover"]["revision"] == sample.portfolio.revision
    assert {service["name"] for service in data["services"]} == set(
        Service.objects.filter(portfolio=sample.portfolio).values_list("name", flat=True))


def test_csv_services_table_streams_every_service(viewer_client, sample):
    response = download(viewer_client, "csv", table="services")
    rows = read_csv(body(response))

    assert response.streaming
    expected_name = f"acme-{today().isoformat()}-services.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{expected_name}"'
    # By name, ignoring case: "archive (retired)", "Rocket launch 🚀 desk", "Règlement…", "代理店ポータル".
    assert [row["key"] for row in rows] == ["old", "launch", "claims", "portal"]
    by_key = {row["key"]: row for row in rows}
    for name in NAMES:
        assert name in {row["name"] for row in rows}
    assert by_key["portal"]["owner"] == ARABIC
    assert by_key["claims"]["patterns"] == "Internal Product Vendor + Internal Service Delivery"
    assert by_key["launch"]["waivers"] == "1"


def test_csv_raci_table_has_one_row_per_cell(viewer_client, sample):
    rows = read_csv(body(download(viewer_client, "csv", table="raci")))

    cells = {(row["service_key"], row["activity"], row["role"], row["team"]) for row in rows}
    assert len(rows) == 7
    assert ("claims", "deliver", "I", ARABIC) in cells
    assert ("portal", "operate", "A", EMOJI) in cells


def test_csv_without_table_zips_every_table(viewer_client, sample):
    response = download(viewer_client, "csv")
    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    stem = f"acme-{today().isoformat()}"

    assert response["Content-Type"] == "application/zip"
    assert sorted(archive.namelist()) == sorted(f"{stem}-{name}.csv" for name in TABLES)
    services = read_csv(archive.read(f"{stem}-services.csv"))
    assert JAPANESE in {row["name"] for row in services}


def test_same_revision_exports_identical_csv_and_json(viewer_client, sample):
    for fmt, params in (("json", {}), ("csv", {}), ("csv", {"table": "findings"})):
        first = body(download(viewer_client, fmt, **params))
        second = body(download(viewer_client, fmt, **params))
        assert first == second, (fmt, params)


def test_xlsx_has_a_sheet_per_table_with_values(viewer_client, sample):
    workbook = load_workbook(io.BytesIO(body(download(viewer_client, "xlsx"))))

    assert len(workbook.sheetnames) == len(TABLES)
    services = workbook["Services"]
    rows = list(services.iter_rows(values_only=True))
    assert rows[0][:3] == ("Key", "Name", "Status")
    assert {row[1] for row in rows[1:]} >= set(NAMES)
    assert services.freeze_panes == "A2"
    assert services.auto_filter.ref == f"A1:J{len(rows)}"
    assert services.column_dimensions["B"].width == 40
    raci = {row[5] for row in workbook["RACI"].iter_rows(min_row=2, values_only=True)}
    assert ARABIC in raci


def test_pdf_contains_names_in_every_script(viewer_client, sample):
    response = download(viewer_client, "pdf")
    reader = PdfReader(io.BytesIO(body(response)))
    text = "\n".join(page.extract_text() for page in reader.pages)

    assert response["Content-Type"] == "application/pdf"
    assert JAPANESE in text
    assert "🚀" in text
    assert "Règlement des réclamations" in text
    assert "البيانات" in text
    assert "Acme Insurance" in text
    assert "A: Équipe Plateforme; C: Nimbus Cloud" in text


def test_pdf_parts_merged_with_page_numbers(sample):
    report = build_report(sample.portfolio, as_of=today(), author="Olivia")
    with render_pdf_file(render_documents(report, parts=2)) as pdf:
        reader = PdfReader(pdf)
        pages = [page.extract_text() for page in reader.pages]

    total = len(pages)
    assert all(f"{number} / {total}" in text for number, text in enumerate(pages, start=1))
    assert JAPANESE in "\n".join(pages)
    assert "Appendix: rule catalogue" in pages[-1]


def test_pdf_renderer_rejects_single_string():
    with pytest.raises(ValueError, match="list of 1 to"):
        render_pdf_file("<p>one document</p>")
