"""Delimiters, line ends, quoted line breaks, blank rows and row numbers of CSV files."""

import pytest

from portfolio.imports.columns import Kind
from portfolio.imports.reading_csv import sniff_delimiter
from portfolio.models import Service
from tests.portfolio.imports.builders import apply, counts, csv_bytes, messages, preview

SERVICES = [
    ["Key", "Name", "Description"],
    ["claims", "Claims portal", "Files claims, with a comma"],
    ["billing", "Billing; invoices", "Sends invoices"],
]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_detected(portfolio, delimiter):
    plan = preview(portfolio, ("services.csv", csv_bytes(SERVICES, delimiter=delimiter)))

    assert counts(plan, Kind.SERVICES) == {"create": 2, "update": 0, "unchanged": 0, "error": 0}
    names = [outcome.write.values["name"] for outcome in plan.outcomes]
    assert names == ["Claims portal", "Billing; invoices"]


@pytest.mark.parametrize("line_end", ["\r\n", "\n", "\r"])
def test_line_ends(portfolio, line_end):
    plan = preview(portfolio, ("services.csv", csv_bytes(SERVICES, line_end=line_end)))

    assert counts(plan, Kind.SERVICES)["create"] == 2


@pytest.mark.parametrize(("text", "expected"), [
    ("a;b;c\n1;2;3\n", ";"),
    ("a\tb\n1\t2\n", "\t"),
    ("only-one-column\nvalue\n", ","),
    # The Sniffer finds no consistent delimiter in these rows; the header line decides.
    ('a;b;c\n"x;y"\n1;2;3;4;5\n', ";"),
])
def test_sniff_delimiter_falls_back_to_header_count(text, expected):
    assert sniff_delimiter(text) == expected


def test_quoted_line_breaks_stay_in_the_cell(portfolio):
    rows = [["Key", "Name", "Description"], ["claims", "Claims", "First line\r\nsecond line"],
            ["billing", "Billing", ""], ["broken", "", ""]]

    plan = preview(portfolio, ("services.csv", csv_bytes(rows)))

    assert plan.outcomes[0].write.values["description"] == "First line\r\nsecond line"
    # Rows count as a spreadsheet shows them: the cell with a line break is one row.
    assert [outcome.row for outcome in plan.outcomes] == [2, 3, 4]
    assert plan.outcomes[2].errors[0].column == "Name"


def test_blank_rows_are_ignored(portfolio):
    data = csv_bytes([["Key", "Name"], ["claims", "Claims"], ["", ""], ["billing", "Billing"]]) \
        + b",\r\n,\r\n\r\n   ,  \r\n"

    plan = preview(portfolio, ("services.csv", data))

    assert counts(plan, Kind.SERVICES) == {"create": 2, "update": 0, "unchanged": 0, "error": 0}
    assert [outcome.row for outcome in plan.outcomes] == [2, 4]


def test_leading_blank_rows_before_header(portfolio):
    data = b"\r\n,,\r\n" + csv_bytes([["Key", "Name"], ["claims", "Claims"]])

    plan = preview(portfolio, ("services.csv", data))

    assert [outcome.row for outcome in plan.outcomes] == [4]


def test_excel_separator_line(portfolio):
    data = b"sep=|\r\n" + csv_bytes([["Key", "Name"], ["claims", "Claims, the portal"]], delimiter="|")

    plan = preview(portfolio, ("services.csv", data))

    assert plan.outcomes[0].write.values["name"] == "Claims, the portal"
    assert plan.outcomes[0].row == 2


def test_header_only_file_is_a_note(portfolio):
    plan = preview(portfolio, ("services.csv", csv_bytes([["Key", "Name"]])))

    assert not plan.has_errors
    assert plan.outcomes == []
    assert "Only a header row" in plan.notes[-1].message


def test_empty_file_is_an_error(portfolio):
    plan = preview(portfolio, ("services.csv", b"  \r\n"))

    assert messages(plan) == ["The file is empty."]


def test_nul_character_is_reported_in_its_cell(portfolio):
    plan = preview(portfolio, ("services.csv", b"Key,Name\r\nclaims,Cla\x00ims\r\n"))

    error = plan.outcomes[0].errors[0]
    assert (error.column, error.message) == ("Name", "The cell contains a NUL character (code 0); delete it.")
    assert len(plan.outcomes[0].errors) == 1


def test_long_description_is_read_whole(portfolio):
    description = "x" * 200_000
    plan = preview(portfolio, ("services.csv", csv_bytes([["Key", "Name", "Description"],
                                                          ["claims", "Claims", description]])))

    # The description limit is far below 200,000, so the count in the message shows the whole cell was read.
    (error,) = plan.outcomes[0].errors
    assert error.column == "Description"
    assert "(it has 200000)" in error.message


def test_windows_1252_file_round_trips_into_the_database(portfolio):
    data = csv_bytes([["Key", "Name"], ["café", "Café – crème"]], encoding="cp1252", delimiter=";")

    apply(portfolio, ("services.csv", data))

    assert Service.objects.get(portfolio=portfolio, key="café").name == "Café – crème"
