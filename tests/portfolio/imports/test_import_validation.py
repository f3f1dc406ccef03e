"""Row validation: each bad cell gets an error naming row, column, value and the fix."""

import pytest

from portfolio.imports.columns import Kind
from portfolio.imports.plan import Action
from tests.portfolio.imports.builders import counts, csv_bytes, messages, preview


@pytest.fixture
def catalogue(portfolio, make_team, make_service, make_adoption):
    cloud = make_team(portfolio, "Acme Cloud", party_kind="vendor")
    platform = make_team(portfolio, "Platform Team", party_kind="technology")
    make_service(portfolio, key="claims", name="Claims portal", owner=platform)
    make_adoption(portfolio, "incident-management", status="planned", capability_level=None, owner=cloud)
    return portfolio


def only_error(plan):
    (outcome,) = [outcome for outcome in plan.outcomes if outcome.errors]
    (issue,) = outcome.errors
    return outcome, issue


def test_unknown_team_suggests_close_name(catalogue):
    data = csv_bytes([["Key", "Name", "Owner"], ["billing", "Billing", "Acme Cloud Ltd"]])

    plan = preview(catalogue, ("services.csv", data))

    outcome, issue = only_error(plan)
    assert (outcome.source, outcome.row) == ("services.csv", 2)
    assert (issue.column, issue.value) == ("Owner", "Acme Cloud Ltd")
    assert issue.message == "Unknown team “Acme Cloud Ltd” — did you mean “Acme Cloud”?"


def test_unknown_team_without_close_name(catalogue):
    data = csv_bytes([["Key", "Name", "Owner"], ["billing", "Billing", "Zebra"]])

    _outcome, issue = only_error(preview(catalogue, ("services.csv", data)))

    assert issue.message == "Unknown team “Zebra”; add it to the teams table or correct the name"


def test_team_defined_in_another_file_of_the_upload(catalogue):
    teams = csv_bytes([["Name", "Party kind"], ["Nimbus Cloud", "vendor"]])
    services = csv_bytes([["Key", "Name", "Owner"], ["billing", "Billing", "nimbus cloud"]])

    plan = preview(catalogue, ("services.csv", services), ("teams.csv", teams))

    assert not plan.has_errors
    assert counts(plan, Kind.SERVICES)["create"] == 1


@pytest.mark.parametrize(("file_name", "rows", "column", "message"), [
    ("teams.csv", [["Name", "Party kind"], ["Nimbus", "suplier"]], "Party kind",
     "Unknown party kind “suplier” — did you mean “vendor”?"),
    ("teams.csv", [["Name", "Party kind"], ["Nimbus", "galaxy"]], "Party kind",
     "Unknown party kind “galaxy”; use one of business, technology, vendor, service_provider, customer"),
    ("teams.csv", [["Name", "Party kind"], ["Nimbus", ""]], "Party kind",
     "A new team needs a party kind; enter one of business, technology, vendor, service_provider, customer."),
    ("teams.csv", [["Name", "Party kind", "Members"], ["Nimbus", "vendor", "twelve"]], "Members",
     "“twelve” is not a whole number of 0 or more; enter one such as 12, or leave the cell blank."),
    ("teams.csv", [["Name", "Party kind", "Members"], ["Nimbus", "vendor", "-3"]], "Members",
     "“-3” is not a whole number of 0 or more; enter one such as 12, or leave the cell blank."),
    ("services.csv", [["Key", "Name", "Status"], ["billing", "Billing", "alive"]], "Status",
     "Unknown service status “alive” — did you mean “live”?"),
    ("services.csv", [["Key", "Name"], ["bill ing", "Billing"]], "Key",
     "The key “bill ing” contains “ ”; use letters, digits, '-', '_' or '.' only."),
    ("services.csv", [["Key", "Name"], ["", "Billing"]], "Key",
     "The service's key is missing; enter a short unique key such as “claims-portal”."),
    ("services.csv", [["Key", "Name", "Engineering capability"], ["billing", "Billing", "huge"]],
     "Engineering capability",
     "Unknown answer to “Engineering capability” “huge”; use one of strong, limited, minimal"),
    ("pattern_assignments.csv", [["Service", "Pattern"], ["claims", "Internal Service Deliverie"]], "Pattern",
     "Unknown pattern “Internal Service Deliverie” — did you mean “internal-service-delivery”?"),
    ("pattern_assignments.csv", [["Service", "Pattern"], ["Claims portal", "internal-service-delivery"]],
     "Service", "“Claims portal” is the name of a service; use its key “claims”."),
    ("pattern_assignments.csv", [["Service", "Pattern"], ["clams", "internal-service-delivery"]],
     "Service", "Unknown service key “clams” — did you mean “claims”?"),
    ("pattern_assignments.csv", [["Service", "Pattern", "Activities"], ["claims", "managed-service-provider",
                                                                        "build"]], "Activities",
     "“build” is outside the scope of Managed Service Provider (discover, design, operate, deliver, "
     "support); remove it or choose another pattern."),
    ("pattern_assignments.csv", [["Service", "Pattern", "Activities"], ["claims", "managed-service-provider",
                                                                        "operat"]], "Activities",
     "Unknown lifecycle activity “operat” — did you mean “operate”?"),
    ("responsibilities.csv", [["Service", "Activity", "Team", "Role"],
                              ["claims", "operate", "Acme Cloud", "X"]],
     "Role", "Unknown RACI role “X”; use one of R, A, C, I"),
    ("responsibilities.csv", [["Service", "Activity", "Team", "Role"], ["claims", "", "Acme Cloud", "A"]],
     "Activity", "The lifecycle activity is missing; enter it."),
    ("practices.csv", [["Practice", "Status"], ["incident managment", "adopted"]], "Practice",
     "Unknown practice “incident managment” — did you mean “incident-management”?"),
    ("practices.csv", [["Practice", "Status", "Level"], ["incident-management", "adopted", "6"]], "Level",
     "“6” is not a whole number from 1 to 5; enter one, or leave the cell blank."),
    ("practices.csv", [["Practice", "Status"], ["incident-management", "maybe"]], "Status",
     "Unknown adoption status “maybe”; use one of not_adopted, planned, adopted"),
])
def test_cell_errors(catalogue, file_name, rows, column, message):
    plan = preview(catalogue, (file_name, csv_bytes(rows)))

    outcome, issue = only_error(plan)
    assert outcome.row == 2
    assert outcome.action == Action.ERROR
    assert (issue.column, issue.message) == (column, message)


def test_value_too_long_for_the_model(catalogue):
    plan = preview(catalogue, ("services.csv", csv_bytes([["Key", "Name"], ["billing", "B" * 201]])))

    _outcome, issue = only_error(plan)
    assert issue.column == "Name"
    assert issue.message == "Ensure this value has at most 200 characters (it has 201)."


def test_duplicate_keys_name_both_rows(catalogue):
    rows = [["Key", "Name"], ["billing", "Billing"], ["claims", "Claims portal"],
            ["billing", "Billing again"]]

    plan = preview(catalogue, ("services.csv", csv_bytes(rows)))

    assert counts(plan, Kind.SERVICES) == {"create": 0, "update": 0, "unchanged": 1, "error": 2}
    assert messages(plan) == [
        "Duplicate row: “billing” is also in row 4; keep one row for it.",
        "Duplicate row: “billing” is also in row 2; keep one row for it.",
    ]


def test_duplicate_team_names_ignore_case(catalogue):
    rows = [["Name", "Party kind"], ["Nimbus  Cloud", "vendor"], ["nimbus cloud", "vendor"]]

    plan = preview(catalogue, ("teams.csv", csv_bytes(rows)))

    assert counts(plan, Kind.TEAMS)["error"] == 2


def test_duplicates_across_files_name_the_other_file(catalogue):
    first = csv_bytes([["Key", "Name"], ["billing", "Billing"]])

    plan = preview(catalogue, ("a.csv", first), ("b.csv", first))

    assert messages(plan) == [
        "Duplicate row: “billing” is also in b.csv, row 2; keep one row for it.",
        "Duplicate row: “billing” is also in a.csv, row 2; keep one row for it.",
    ]


def test_update_lists_changes(catalogue):
    rows = [["Key", "Name", "Status", "Owner"], ["claims", "Claims portal", "retired", "Acme Cloud"]]

    plan = preview(catalogue, ("services.csv", csv_bytes(rows)))

    (outcome,) = plan.outcomes
    assert outcome.action == Action.UPDATE
    assert [(change.column, change.old, change.new) for change in outcome.changes] == [
        ("Status", "live", "retired"), ("Owner", "Platform Team", "Acme Cloud")]


def test_absent_columns_keep_values(catalogue):
    plan = preview(catalogue, ("services.csv", csv_bytes([["Key", "Name"], ["claims", "Claims portal"]])))

    assert plan.outcomes[0].action == Action.UNCHANGED


def test_blank_owner_clears_it(catalogue):
    rows = [["Key", "Name", "Owner"], ["claims", "Claims portal", ""]]

    plan = preview(catalogue, ("services.csv", csv_bytes(rows)))

    assert plan.outcomes[0].write.values["owner"] is None
    assert plan.outcomes[0].action == Action.UPDATE


def test_key_matches_in_nfc(catalogue, make_service):
    make_service(catalogue, key="café", name="Café")
    decomposed = "cafe\u0301"

    plan = preview(catalogue, ("services.csv", csv_bytes([["Key", "Name"], [decomposed, "Cafe\u0301"]])))

    assert plan.outcomes[0].action == Action.UNCHANGED


def test_team_name_case_change_is_an_update(catalogue):
    plan = preview(catalogue, ("teams.csv", csv_bytes([["Name", "Party kind"], ["ACME CLOUD", "vendor"]])))

    assert [(c.old, c.new) for c in plan.outcomes[0].changes] == [("Acme Cloud", "ACME CLOUD")]


def test_practice_not_adopted_is_recorded(catalogue):
    rows = [["Practice", "Status"], ["architecture-management", "not adopted"]]

    plan = preview(catalogue, ("practices.csv", csv_bytes(rows)))

    assert plan.outcomes[0].write.values == {"practice": "architecture-management", "status": "not_adopted"}


def test_practice_update(catalogue):
    rows = [["Practice", "Status", "Level"], ["Incident Management", "Adopted", "2"]]

    plan = preview(catalogue, ("practices.csv", csv_bytes(rows)))

    assert [(c.column, c.old, c.new) for c in plan.outcomes[0].changes] == [
        ("Status", "planned", "adopted"), ("Level", "", "2")]


def test_assignment_without_activities_column_governs_whole_scope(catalogue):
    rows = [["Service", "Pattern"], ["claims", "Managed Service Provider"]]

    plan = preview(catalogue, ("pattern_assignments.csv", csv_bytes(rows)))

    activities = plan.outcomes[0].write.values["activities"]
    assert activities == ["discover", "design", "operate", "deliver", "support"]


def test_assignment_activities_by_name_in_lifecycle_order(catalogue):
    rows = [["Service", "Pattern", "Activities"],
            ["claims", "managed-service-provider", "Support, Discover|operate"]]

    plan = preview(catalogue, ("pattern_assignments.csv", csv_bytes(rows)))

    assert plan.outcomes[0].write.values["activities"] == ["discover", "operate", "support"]


@pytest.mark.parametrize("role", ["A", "a", "Accountable", "ACCOUNTABLE"])
def test_role_spellings(catalogue, role):
    rows = [["Service", "Activity", "Team", "Role"], ["claims", "Operate", "acme cloud", role]]

    plan = preview(catalogue, ("responsibilities.csv", csv_bytes(rows)))

    assert plan.outcomes[0].write.values == {"service": "claims", "activity": "operate", "team": "acme cloud",
                                             "role": "A"}


def test_second_accountable_team_is_a_warning(catalogue, make_responsibility):
    claims = catalogue.services.get(key="claims")
    make_responsibility(claims, "operate", catalogue.teams.get(name="Platform Team"), "A")
    rows = [["Service", "Activity", "Team", "Role"], ["claims", "operate", "Acme Cloud", "A"]]

    plan = preview(catalogue, ("responsibilities.csv", csv_bytes(rows)))

    assert not plan.has_errors
    assert plan.outcomes[0].warnings == [
        "claims · operate will have 2 accountable teams (Acme Cloud, Platform Team); the analysis reports "
        "that as an error, so keep one on the service page."]


def test_several_errors_in_one_row_are_all_reported(catalogue):
    rows = [["Service", "Activity", "Team", "Role"], ["nope", "nowhere", "nobody", "Z"]]

    plan = preview(catalogue, ("responsibilities.csv", csv_bytes(rows)))

    assert [issue.column for issue in plan.outcomes[0].errors] == ["Service", "Activity", "Team", "Role"]


def test_validation_queries_do_not_grow_with_rows(catalogue, django_assert_max_num_queries):
    def rows(count):
        return [["Key", "Name", "Owner"]] + [[f"svc-{n}", f"Service {n}", "Acme Cloud"] for n in range(count)]

    with django_assert_max_num_queries(10):
        preview(catalogue, ("services.csv", csv_bytes(rows(10))))
    with django_assert_max_num_queries(10):
        preview(catalogue, ("services.csv", csv_bytes(rows(2000))))
