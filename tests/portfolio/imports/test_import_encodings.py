"""CSV files in the encodings Excel and other programs write are read with their accents intact."""

import codecs

import pytest

from portfolio.imports.columns import Kind
from tests.portfolio.imports.builders import FILES, counts, csv_bytes, preview

TEAMS = [
    ["Name", "Party kind", "Member count"],
    ["Sécurité & Conformité", "technology", "9"],
    ["Müller Cloud – Süd", "vendor", ""],
]
NAMES = ["Sécurité & Conformité", "Müller Cloud – Süd"]


def notes(plan) -> list[str]:
    return [note.message for note in plan.notes]


@pytest.mark.parametrize(("encoding", "prefix", "delimiter", "read_as"), [
    ("utf-8", b"", ",", "UTF-8"),
    ("utf-8", codecs.BOM_UTF8, ",", "UTF-8 with BOM"),
    ("utf-16", b"", ",", "UTF-16"),  # Python writes the byte order mark first
    ("utf-16-le", codecs.BOM_UTF16_LE, "\t", "UTF-16"),  # Excel's "Unicode text"
    ("utf-16-be", codecs.BOM_UTF16_BE, ",", "UTF-16"),
    ("cp1252", b"", ";", "Windows-1252"),
])
def test_encoding_keeps_accents(portfolio, encoding, prefix, delimiter, read_as):
    data = prefix + csv_bytes(TEAMS, encoding=encoding, delimiter=delimiter)

    plan = preview(portfolio, ("teams.csv", data))

    assert counts(plan, Kind.TEAMS) == {"create": 2, "update": 0, "unchanged": 0, "error": 0}
    assert [outcome.label for outcome in plan.outcomes] == NAMES
    assert any(note.startswith(f"Read as {read_as} text") for note in notes(plan))


def test_utf16_without_bom_is_recognised(portfolio):
    data = csv_bytes(TEAMS, encoding="utf-16-le", delimiter="\t")

    plan = preview(portfolio, ("teams.txt", data))

    assert [outcome.label for outcome in plan.outcomes] == NAMES
    assert not plan.has_errors


def test_byte_order_mark_does_not_reach_first_header(portfolio):
    data = codecs.BOM_UTF8 + csv_bytes([["Key", "Name"], ["claims", "Claims"]])

    plan = preview(portfolio, ("catalogue.csv", data))

    assert counts(plan, Kind.SERVICES)["create"] == 1


def test_invalid_utf8_after_bom_is_reported(portfolio):
    data = codecs.BOM_UTF8 + b"Key,Name\nclaims,Caf" + b"\xe9\n"

    plan = preview(portfolio, ("services.csv", data))

    assert plan.has_errors
    assert "not valid UTF-8 with BOM" in plan.file_errors[0].message


def test_excel_semicolon_file_in_windows_1252(portfolio):
    # Saved by Excel on Windows with a French locale: Windows-1252, semicolons, CRLF and a "sep=;" line.
    plan = preview(portfolio, ("excel_fr.csv", (FILES / "excel_fr_cp1252.csv").read_bytes()))

    assert counts(plan, Kind.SERVICES) == {"create": 2, "update": 0, "unchanged": 0, "error": 0}
    assert [outcome.label for outcome in plan.outcomes] == ["facturation", "référentiel"]
    assert any("semicolon" in note for note in notes(plan))
