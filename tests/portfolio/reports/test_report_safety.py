"""Formula neutralisation in CSV and XLSX, and safe download names."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portfolio.models import Role
from portfolio.reports.safety import FORMULA_PREFIXES, attachment_header, download_name, neutralise

DANGEROUS = {
    "=": '=HYPERLINK("http://example.invalid","x")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3",
    "@": "@SUM(A1:A2)",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_neutralise_quotes_every_dangerous_prefix(prefix):
    value = prefix + "1+1"

    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Claims", "1+1", "a=b", "", "’quoted", 42, None])
def test_neutralise_keeps_safe_values(value):
    assert neutralise(value) == value


@pytest.fixture
def injected(portfolio, make_member, make_service, make_team):
    """A service per dangerous prefix, owned by a team whose name starts with it too."""
    for number, (prefix, name) in enumerate(DANGEROUS.items()):
        team = make_team(portfolio, f"{prefix}team {number}")
        # Names are saved as given: the model normalises only through full_clean().
        make_service(portfolio, f"k{number}", name=name, owner=team)
    return make_member(portfolio, Role.VIEWER)


def test_csv_neutralises_every_prefix(client, injected):
    client.force_login(injected)
    response = client.get(reverse("report", args=["acme"]), {"format": "csv", "table": "services"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    names = {row["name"] for row in rows}
    owners = {row["owner"] for row in rows}
    assert names == {"'" + name for name in DANGEROUS.values()}
    assert all(owner.startswith("'") for owner in owners)


def test_xlsx_neutralises_every_prefix(client, injected):
    client.force_login(injected)
    response = client.get(reverse("report", args=["acme"]), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Services"]
    cells = [row for row in sheet.iter_rows(min_row=2)]

    # Without lxml, openpyxl writes a carriage return that XML readers turn into a line feed; with
    # lxml it survives. Either way the quote in front is what matters.
    expected = {"'" + name.replace("\r", "\n") for name in DANGEROUS.values()}
    assert {row[1].value.replace("\r", "\n") for row in cells} == expected
    assert all(row[1].data_type == "s" for row in cells)
    assert all(row[3].value.startswith("'") and row[3].data_type == "s" for row in cells)


@pytest.mark.parametrize(("key", "extension", "suffix", "expected"), [
    ("acme", "pdf", "", "acme-2026-03-01.pdf"),
    ("Acme.Prod", "csv", "services", "acmeprod-2026-03-01-services.csv"),
    ("代理店", "xlsx", "", "代理店-2026-03-01.xlsx"),
    ("...", "json", "", "portfolio-2026-03-01.json"),
])
def test_download_name_is_a_slug_with_date(key, extension, suffix, expected):
    assert download_name(key, date(2026, 3, 1), extension, suffix) == expected


def test_attachment_header_of_ascii_name():
    assert attachment_header("acme-2026-03-01.pdf") == 'attachment; filename="acme-2026-03-01.pdf"'


def test_attachment_header_non_ascii_has_filename_star():
    header = attachment_header("代理店-2026-03-01.pdf")

    assert header == ('attachment; filename="2026-03-01.pdf"; '
                      "filename*=UTF-8''%E4%BB%A3%E7%90%86%E5%BA%97-2026-03-01.pdf")
