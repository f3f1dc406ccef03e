"""JSON imports: the catalogue shape, the demo data file, and the governance report export."""

import json
from datetime import date

import pytest

from portfolio.demo.loader import DATA_FILE, demo_load
from portfolio.imports.columns import Kind
from portfolio.reports.build import build_report
from portfolio.reports.serialise import report_to_json
from tests.portfolio.imports.builders import apply, counts, messages, portfolio_content, preview

AS_OF = date(2026, 1, 15)


def exported_report(portfolio) -> dict:
    """Export the portfolio's report as JSON and drop what names the portfolio itself."""
    data = json.loads(report_to_json(build_report(portfolio, as_of=AS_OF, author="Auditor", compare=False)))
    for field in ("portfolio_key", "portfolio_name", "revision"):
        data["cover"].pop(field)
    return data


def test_catalogue_json_with_one_list_per_kind(portfolio):
    document = {
        "teams": [{"name": "Cloud Operations", "party_kind": "technology", "member_count": 24}],
        "services": [{"key": "claims", "name": "Claims", "owner": "Cloud Operations",
                      "context": {"engineering_capability": "strong"}}],
        "pattern_assignments": [{"service": "claims", "pattern": "internal-service-delivery",
                                 "activities": ["operate", "support"]}],
        "responsibilities": [{"service": "claims", "activity": "operate", "team": "Cloud Operations",
                              "role": "A"}],
        "practices": [{"practice": "incident-management", "status": "adopted", "capability_level": 2}],
    }

    apply(portfolio, ("catalogue.json", json.dumps(document).encode()))

    assert portfolio_content(portfolio) == {
        "teams": [("Cloud Operations", "technology", "", 24)],
        "services": [("claims", "Claims", "", "live", "Cloud Operations",
                      '{"engineering_capability": "strong"}')],
        "assignments": [("claims", "internal-service-delivery", ("operate", "support"))],
        "responsibilities": [("claims", "operate", "Cloud Operations", "A")],
        "adoptions": [("incident-management", "adopted", 2, "")],
    }


def test_json_entry_without_a_field_keeps_its_value(portfolio, make_team, make_service):
    team = make_team(portfolio, "Cloud Operations")
    make_service(portfolio, key="claims", name="Claims", owner=team, description="Kept")
    document = {"services": [{"key": "claims", "name": "Claims"}, {"key": "billing", "name": "Billing",
                                                                   "owner": None}]}

    plan = preview(portfolio, ("catalogue.json", json.dumps(document).encode()))

    assert counts(plan, Kind.SERVICES) == {"create": 1, "update": 0, "unchanged": 1, "error": 0}


def test_demo_data_file_imports_like_load_demo(portfolio):
    demo = demo_load(reset=True)

    apply(portfolio, ("demo_portfolio.json", DATA_FILE.read_bytes()))

    assert portfolio_content(portfolio) == portfolio_content(demo)
    again = preview(portfolio, ("demo_portfolio.json", DATA_FILE.read_bytes()))
    assert again.totals()["unchanged"] == len(again.outcomes)


def test_report_export_round_trip(portfolio):
    source = demo_load(reset=True)
    exported = report_to_json(build_report(source, as_of=AS_OF, author="Auditor", compare=False))

    plan = preview(portfolio, ("report.json", exported.encode()))
    apply(portfolio, ("report.json", exported.encode()))

    assert not plan.has_errors
    assert exported_report(portfolio) == exported_report(source)
    assert portfolio_content(portfolio) == portfolio_content(source)
    again = preview(portfolio, ("report.json", exported.encode()))
    assert again.totals()["unchanged"] == len(again.outcomes)


def as_schema_version_1(document: dict) -> dict:
    """Return the report `document` without the records that schema version 2 added."""
    document["schema_version"] = 1
    del document["teams"]
    del document["practices"]["recorded"]
    for service in document["services"]:
        del service["description"]
        del service["context"]
    return document


def test_report_of_schema_version_1_imports(portfolio):
    source = demo_load(reset=True)
    exported = json.loads(report_to_json(build_report(source, as_of=AS_OF, author="Auditor", compare=False)))
    document = json.dumps(as_schema_version_1(exported)).encode()

    plan = apply(portfolio, ("report.json", document))

    assert not plan.has_errors
    content, expected = portfolio_content(portfolio), portfolio_content(source)
    assert content["assignments"] == expected["assignments"]
    assert content["responsibilities"] == expected["responsibilities"]
    assert [service[0] for service in content["services"]] == [service[0] for service in expected["services"]]
    assert {service[2] for service in content["services"]} == {""}
    assert {team[2] for team in content["teams"]} == {""}


def test_report_of_another_schema_version(portfolio):
    document = {"schema_version": 99, "cover": {}, "services": []}

    plan = preview(portfolio, ("report.json", json.dumps(document).encode()))

    assert messages(plan) == [
        "The report's schema version 99 is not supported; this import reads versions 1, 2."]


@pytest.mark.parametrize(("text", "message"), [
    ('{"services": [', "The file is not valid JSON: Expecting value at line 1, column 15."),
    ("[1, 2]", "The file must hold one JSON object; see docs/import-format.md."),
    ('{"about": "x"}', "The JSON object has none of the lists teams, services, pattern_assignments, "
                       "responsibilities, practices, and it is not a report export; see "
                       "docs/import-format.md."),
    ('{"services": {"key": "x"}}', "“services” must be a list of objects."),
    ('{"teams": ["Cloud"]}', "teams[0] must be an object."),
])
def test_invalid_json(portfolio, text, message):
    plan = preview(portfolio, ("catalogue.json", text.encode()))

    assert messages(plan) == [message]


def test_json_row_errors_name_the_entry(portfolio):
    document = {"services": [{"key": "claims", "name": "Claims", "owner": "Nobody",
                              "context": {"engineering_capability": "huge"}}]}

    plan = preview(portfolio, ("catalogue.json", json.dumps(document).encode()))

    assert [(plan.outcomes[0].where, issue.column, issue.value) for issue in plan.outcomes[0].errors] == [
        ("services[0]", "owner", "Nobody"), ("services[0]", "context", "huge")]


REPORT = {"schema_version": 2, "cover": {},
          "services": [{"key": "claims", "name": "Claims", "status": "live"}]}


@pytest.mark.parametrize(("changes", "message"), [
    ({"cover": "acme"}, "“cover” must be an object."),
    ({"cover": {"scope": "team"}}, "“cover.scope” must be an object."),
    ({"services": [{"key": "claims", "patterns": "internal-service-delivery"}]},
     "“services[0].patterns” must be a list of objects."),
    ({"services": [{"key": "claims", "patterns": ["internal-service-delivery"]}]},
     "services[0].patterns[0] must be an object."),
    ({"services": [{"key": "claims", "raci": {"operate": {}}}]},
     "“services[0].raci” must be a list of objects."),
    ({"services": [{"key": "claims", "raci": ["operate"]}]}, "services[0].raci[0] must be an object."),
    ({"services": [{"key": "claims", "raci": [{"activity": "operate", "accountable": "Cloud"}]}]},
     "“services[0].raci[0].accountable” must be a list of teams."),
    ({"practices": ["incident-management"]}, "“practices” must be an object."),
    ({"practices": {"recorded": ["incident-management"]}}, "practices.recorded[0] must be an object."),
    ({"waivers": 3}, "“waivers” must be a list of objects."),
    ({"schema_version": True},
     "The report's schema version True is not supported; this import reads versions 1, 2."),
])
def test_hand_edited_report_names_wrong_shape(portfolio, changes, message):
    plan = preview(portfolio, ("report.json", json.dumps(REPORT | changes).encode()))

    assert messages(plan) == [message]


def test_hand_edited_version_1_raci_shape(portfolio):
    document = REPORT | {"schema_version": 1, "services": [{"key": "claims", "raci": ["operate"]}]}

    plan = preview(portfolio, ("report.json", json.dumps(document).encode()))

    assert messages(plan) == ["services[0].raci[0] must be an object."]


def test_report_owner_as_plain_name(portfolio, make_team):
    make_team(portfolio, "Cloud Operations")
    document = REPORT | {"services": [{"key": "claims", "name": "Claims", "owner": "Cloud Operations"}]}

    apply(portfolio, ("report.json", json.dumps(document).encode()))

    assert portfolio.services.get(key="claims").owner.name == "Cloud Operations"
