"""Header matching with case, spacing and aliases, and how a table's kind is found."""

import pytest

from portfolio.imports.columns import Kind, detect_kind, header_key, kind_for_sheet
from tests.portfolio.imports.builders import counts, csv_bytes, messages, preview


@pytest.mark.parametrize(("header", "expected"), [
    ("Service Name", "service name"),
    ("service_name", "service name"),
    ("  SERVICE-NAME  ", "service name"),
    ("Service\u00a0Name", "service name"),
    ("\ufeffKey", "key"),
    ("Owning team *", "owning team"),
    ("Capability level (1–5)", "capability level 1 5"),
])
def test_header_key_normalises(header, expected):
    assert header_key(header) == expected


@pytest.mark.parametrize("name_header",
                         ["Name", "name", "Service Name", "service_name", "SERVICE NAME", "Service"])
@pytest.mark.parametrize("owner_header", ["Owner", "Owning team", "owning_team", "Owner Team", "Owned by"])
def test_service_header_aliases(portfolio, make_team, name_header, owner_header):
    make_team(portfolio, "Cloud Operations")
    data = csv_bytes([["Key", name_header, owner_header], ["claims", "Claims", "Cloud Operations"]])

    plan = preview(portfolio, ("upload.csv", data))

    assert counts(plan, Kind.SERVICES)["create"] == 1
    assert plan.outcomes[0].write.values["name"] == "Claims"
    assert plan.outcomes[0].write.values["owner"] == "cloud operations"


@pytest.mark.parametrize(("headers", "kind"), [
    (["Name", "Party kind"], Kind.TEAMS),
    (["Team", "Type", "Headcount"], Kind.TEAMS),
    (["Key", "Name", "Status", "Owner"], Kind.SERVICES),
    (["Service key", "Service name", "Type"], Kind.SERVICES),
    (["Service", "Pattern", "Activities"], Kind.ASSIGNMENTS),
    (["Service", "Activity", "Team", "Role"], Kind.RESPONSIBILITIES),
    (["Practice", "Status", "Level", "Owner"], Kind.PRACTICES),
])
def test_kind_detected_from_headers(headers, kind):
    assert detect_kind(headers, {}).kind == kind


def test_unknown_headers_give_no_kind():
    assert detect_kind(["Foo", "Bar"], {}) is None


@pytest.mark.parametrize(("sheet", "kind"), [
    ("Teams", Kind.TEAMS), ("services", Kind.SERVICES), ("Service catalogue", Kind.SERVICES),
    ("Pattern assignments", Kind.ASSIGNMENTS), ("pattern_assignments", Kind.ASSIGNMENTS),
    ("RACI", Kind.RESPONSIBILITIES), ("Practice adoption", Kind.PRACTICES), ("Sheet1", None),
])
def test_kind_for_sheet_name(sheet, kind):
    assert kind_for_sheet(sheet) == kind


def test_unrecognised_table_lists_required_columns(portfolio):
    plan = preview(portfolio, ("upload.csv", csv_bytes([["Foo", "Bar"], ["1", "2"]])))

    (message,) = messages(plan)
    assert "Cannot tell which kind of rows" in message
    assert "services (Key, Name)" in message


def test_missing_required_column_with_close_header(portfolio):
    plan = preview(portfolio, ("services.csv", csv_bytes([["Kye", "Name"], ["claims", "Claims"]])))

    (message,) = messages(plan)
    assert message == ("The required column “Key” is missing from the services table. "
                       "Is “Kye” meant to be “Key”? Rename it.")


def test_two_headers_for_one_column(portfolio):
    plan = preview(portfolio, ("services.csv", csv_bytes([["Key", "Name", "Service name"], ["c", "C", "C"]])))

    assert messages(plan) == ["Columns “Name” and “Service name” both mean “Name”; keep one of them."]


def test_unknown_column_is_ignored_with_note(portfolio):
    plan = preview(portfolio, ("services.csv", csv_bytes([["Key", "Name", "Cost centre"], ["c", "C", "42"]])))

    assert not plan.has_errors
    assert any("“Cost centre” is not one of the services columns" in note.message for note in plan.notes)


def test_decision_factor_columns_fill_context(portfolio):
    data = csv_bytes([["Key", "Name", "Engineering capability", "vendor_dependency"],
                      ["claims", "Claims", "Strong", "low"]])

    plan = preview(portfolio, ("services.csv", data))

    assert plan.outcomes[0].write.values["context"] == {"engineering_capability": "strong",
                                                        "vendor_dependency": "low"}


def test_file_name_chooses_kind(portfolio):
    # "Name" alone would also fit the practices table; the file name says teams.
    data = csv_bytes([["Name", "Party kind"], ["Cloud Operations", "technology"]])

    plan = preview(portfolio, ("Teams.csv", data))

    assert counts(plan, Kind.TEAMS)["create"] == 1


def test_columns_overrule_misleading_file_name(portfolio):
    data = csv_bytes([["Name", "Party kind"], ["Cloud Operations", "technology"]])

    plan = preview(portfolio, ("catalogue.csv", data))

    assert counts(plan, Kind.TEAMS)["create"] == 1
