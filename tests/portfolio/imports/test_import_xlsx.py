"""XLSX workbooks: a sheet per kind, cells read as the values Excel shows, formulas and errors reported."""

import datetime
import io

from openpyxl import Workbook

from portfolio.imports.columns import Kind
from portfolio.models import PracticeAdoption, Service, Team
from tests.portfolio.imports.builders import (
    apply,
    counts,
    messages,
    preview,
    with_cached_values,
    xlsx_bytes,
)

WORKBOOK = {
    "Teams": [["Name", "Party kind", "Member count"], ["Cloud Operations", "technology", 24.0],
              ["Nimbus Cloud", "vendor", None]],
    "Services": [["Key", "Name", "Owner"], ["claims", "Claims portal", "Cloud Operations"]],
    "Pattern assignments": [["Service", "Pattern", "Activities"],
                            ["claims", "Internal Service Delivery", "operate; support"]],
    "RACI": [["Service", "Activity", "Team", "Role"], ["claims", "Operate", "Cloud Operations", "A"]],
    "Practices": [["Practice", "Status", "Capability level", "Owner"],
                  ["incident-management", "adopted", 3, "Cloud Operations"]],
}


def test_workbook_with_a_sheet_per_kind(portfolio):
    plan = preview(portfolio, ("catalogue.xlsx", xlsx_bytes(WORKBOOK)))

    assert not plan.has_errors
    assert {kind: counter["create"] for kind, counter in plan.counts().items()} == {
        Kind.TEAMS: 2, Kind.SERVICES: 1, Kind.ASSIGNMENTS: 1, Kind.RESPONSIBILITIES: 1, Kind.PRACTICES: 1}
    assert plan.outcomes[0].source == "catalogue.xlsx, sheet “Teams”"


def test_numbers_read_as_typed(portfolio):
    apply(portfolio, ("catalogue.xlsx", xlsx_bytes(WORKBOOK)))

    assert Team.objects.get(name="Cloud Operations").member_count == 24
    assert PracticeAdoption.objects.get(practice_id="incident-management").capability_level == 3


def test_dates_and_numbers_become_text_keys(portfolio):
    sheets = {"Services": [["Key", "Name"], [datetime.datetime(2024, 3, 1), 2024.0], [7, "Seven"],
                           [2.5, "x"]]}

    plan = preview(portfolio, ("catalogue.xlsx", xlsx_bytes(sheets)))

    assert [outcome.label for outcome in plan.outcomes] == ["2024-03-01", "7", "2.5"]
    assert plan.outcomes[0].write.values["name"] == "2024"


def test_formula_results_are_read(portfolio):
    data = xlsx_bytes({"Services": [["Key", "Name"], ["claims", '=UPPER("claims portal")']]})
    data = with_cached_values(data, {"B2": "CLAIMS PORTAL"})

    plan = preview(portfolio, ("catalogue.xlsx", data))

    assert not plan.has_errors
    assert plan.outcomes[0].write.values["name"] == "CLAIMS PORTAL"


def test_formula_without_saved_result_is_reported(portfolio):
    data = xlsx_bytes({"Services": [["Key", "Name"], ["claims", '=UPPER("claims portal")'],
                                    ["billing", "Billing"]]})

    plan = preview(portfolio, ("catalogue.xlsx", data))

    assert counts(plan, Kind.SERVICES) == {"create": 1, "update": 0, "unchanged": 0, "error": 1}
    (issue,) = plan.outcomes[0].errors
    assert issue.column == "Name"
    assert issue.message.startswith(
        'Cell B2 holds the formula =UPPER("claims portal") without a saved result')


def test_excel_error_value_is_reported(portfolio):
    data = xlsx_bytes({"Services": [["Key", "Name", "Owner"], ["claims", "Claims", "#N/A"]]})

    plan = preview(portfolio, ("catalogue.xlsx", data))

    (issue,) = plan.outcomes[0].errors
    assert (issue.column, issue.message) == (
        "Owner", "The cell shows the Excel error #N/A; correct the formula or type the value.")


def test_sheet_named_otherwise_is_detected_by_headers(portfolio):
    data = xlsx_bytes({"Sheet1": [["Service key", "Service name"], ["c", "C"]]})

    plan = preview(portfolio, ("book.xlsx", data))

    assert counts(plan, Kind.SERVICES)["create"] == 1


def test_hidden_helper_sheet_is_skipped(portfolio):
    workbook = Workbook()
    workbook.active.title = "Services"
    workbook.active.append(["Key", "Name", "Status"])
    workbook.active.append(["claims", "Claims", "live"])
    lists = workbook.create_sheet("Lists")
    lists.append(["planned", "live", "retired"])
    lists.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)

    plan = preview(portfolio, ("book.xlsx", buffer.getvalue()))

    assert not plan.has_errors
    assert any(note.message == "Hidden sheet with other columns; skipped." for note in plan.notes)


def test_empty_sheet_is_a_note(portfolio):
    data = xlsx_bytes({"Services": [["Key", "Name"], ["c", "C"]], "Notes": []})

    plan = preview(portfolio, ("book.xlsx", data))

    assert not plan.has_errors
    assert any(note.message == "No rows; skipped." for note in plan.notes)


def test_invalid_workbook(portfolio):
    plan = preview(portfolio, ("book.xlsx", b"PK\x03\x04 not really a zip"))

    assert "is not a valid XLSX workbook" in messages(plan)[0]


def test_old_xls_format_is_rejected(portfolio):
    plan = preview(portfolio, ("book.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100))

    assert messages(plan) == ["Excel 97-2003 workbooks (.xls) cannot be read; save the file as “Excel "
                              "Workbook (.xlsx)” or as CSV."]


def test_blank_trailing_rows_and_columns_are_ignored(portfolio):
    rows = [["Key", "Name", None, None], ["claims", "Claims", None, None], [None, None, None, None],
            [" ", None, None, None]]

    plan = preview(portfolio, ("book.xlsx", xlsx_bytes({"Services": rows})))

    assert counts(plan, Kind.SERVICES) == {"create": 1, "update": 0, "unchanged": 0, "error": 0}


def test_xlsx_import_writes_services(portfolio):
    apply(portfolio, ("catalogue.xlsx", xlsx_bytes(WORKBOOK)))

    service = Service.objects.get(portfolio=portfolio, key="claims")
    assert service.owner.name == "Cloud Operations"
    assert list(service.assignments.values_list("activities", flat=True)) == [["operate", "support"]]
