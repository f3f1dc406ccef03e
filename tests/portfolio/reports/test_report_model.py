"""The report model: values built from the portfolio, filters, sorting, JSON round trip."""

import json
from dataclasses import replace

import pytest

from portfolio.reports.build import build_report
from portfolio.reports.catalogue import catalogue_version
from portfolio.reports.model import SCHEMA_VERSION, TeamLine
from portfolio.reports.scope import ReportFilter
from portfolio.reports.serialise import SchemaError, report_from_json, report_to_json
from portfolio.reports.sorting import name_key
from tests.portfolio.reports.conftest import ACCENTED, ARABIC, EMOJI, JAPANESE, today


def report_of(sample, **filters):
    return build_report(sample.portfolio, as_of=today(), author="Olivia",
                        report_filter=ReportFilter(**filters))


def test_cover_names_portfolio_revision_and_versions(sample):
    cover = report_of(sample).cover

    assert cover.portfolio_key == "acme"
    assert cover.portfolio_name == "Acme Insurance"
    assert cover.revision == sample.portfolio.revision
    assert cover.as_of == today()
    assert cover.author == "Olivia"
    assert cover.library_version
    assert cover.catalogue_version == catalogue_version()
    assert cover.scope.is_whole


def test_services_sorted_by_name_ignoring_case(sample, make_service):
    make_service(sample.portfolio, "lower", name="alpha")
    make_service(sample.portfolio, "upper", name="Beta")
    report = report_of(sample)

    names = [service.name for service in report.services]

    assert names == sorted(names, key=name_key)
    assert names.index("alpha") < names.index("Beta") < names.index(EMOJI)


def test_summary_counts_match_the_portfolio(sample):
    summary = report_of(sample).summary

    assert summary.services == 4
    assert {count.key: count.count for count in summary.services_by_status} == {
        "planned": 0, "live": 3, "retired": 1}
    # The retired service is not governed, so its pattern does not count.
    assert {count.key: count.count for count in summary.services_by_pattern} == {
        "internal-service-delivery": 1, "internal-product-vendor": 1, "digital-product-vendor": 1}
    mixes = {count.key: count.label for count in summary.services_by_mix}
    assert mixes["internal-product-vendor+internal-service-delivery"] == (
        "Internal Product Vendor + Internal Service Delivery")
    assert mixes[""] == "No pattern"
    waivers = {count.key: count.count for count in summary.waivers}
    assert waivers == {"in_force": 1, "expired": 0, "obsolete": 0}


def test_findings_by_level_count_unwaived_findings(sample):
    report = report_of(sample)
    findings = report.all_findings()

    by_level = {count.key: count.count for count in report.summary.findings_by_level}

    assert sum(by_level.values()) == len(findings)
    assert "service:launch" not in {finding.subject for finding in findings if finding.code == "VCP-E001"}
    assert sum(rule.count for rule in report.charts.findings_by_rule) == len(findings)


def test_service_section_has_mix_raci_findings_and_waivers(sample):
    sections = {service.key: service for service in report_of(sample).services}
    claims = sections["claims"]
    raci = {line.activity: line for line in claims.raci}

    assert claims.name == ACCENTED
    assert claims.owner.name == "Équipe Plateforme"
    assert [line.pattern_name for line in claims.patterns] == [
        "Internal Product Vendor", "Internal Service Delivery"]
    assert [line.activity for line in claims.raci] == [
        "discover", "design", "acquire", "build", "transition", "operate", "deliver", "support"]
    assert [ref.name for ref in raci["support"].accountable] == ["Équipe Plateforme"]
    assert [ref.name for ref in raci["support"].consulted] == ["Nimbus Cloud"]
    assert [ref.name for ref in raci["deliver"].informed] == [ARABIC]
    assert sections["portal"].name == JAPANESE
    assert [waiver.subject for waiver in sections["launch"].waivers] == ["service:launch"]
    assert sections["launch"].waivers[0].status == "in_force"


def test_raci_line_roles_in_raci_order(sample):
    claims = next(service for service in report_of(sample).services if service.key == "claims")
    raci = {line.activity: line for line in claims.raci}

    support = [(letter, [ref.name for ref in teams]) for letter, teams in raci["support"].roles]
    assert support == [("A", ["Équipe Plateforme"]), ("C", ["Nimbus Cloud"])]
    deliver = [(letter, [ref.name for ref in teams]) for letter, teams in raci["deliver"].roles]
    assert deliver == [("I", [ARABIC])]
    assert raci["discover"].roles == []


def test_ownership_heatmap_counts_accountable_cells(sample):
    heatmap = report_of(sample).charts.ownership
    cells = {(activity.key, kind): value
             for activity, row in zip(heatmap.activities, heatmap.values, strict=True)
             for kind, value in zip(heatmap.party_kinds, row, strict=True)}

    assert cells["operate", "technology"] == 2
    assert cells["support", "technology"] == 1
    assert cells["build", "vendor"] == 1
    assert cells["support", "vendor"] == 0
    assert sum(map(sum, heatmap.values)) == 4


def test_practice_investment_assesses_key_practices(sample):
    practices = report_of(sample).practices
    needed = {line.key: line for line in practices.needed}

    assert needed["architecture-management"].assessment == "adopted"
    assert needed["architecture-management"].owner == "Équipe Plateforme"
    assert needed["release-management"].assessment == "immature"
    assert needed["deployment-management"].assessment == "planned"
    assert needed["service-desk"].assessment == "missing"
    assert needed["deployment-management"].needed_by == ["Digital Product Vendor", "Internal Product Vendor"]
    assert [line.key for line in practices.unneeded] == ["workforce-and-talent-management"]


def test_risk_profile_lists_exposed_services(sample):
    risks = {line.pattern_key: line for line in report_of(sample).risks}

    assert risks["internal-service-delivery"].risk == "vendor"
    assert [ref.key for ref in risks["internal-service-delivery"].services] == ["claims"]
    assert risks["digital-product-vendor"].risk == ""
    assert [ref.name for ref in risks["digital-product-vendor"].services] == [JAPANESE]
    assert "service-integrator" not in risks


def test_rules_appendix_lists_the_catalogue(sample):
    from portfolio.analysis.registry import all_rules

    assert [rule.code for rule in report_of(sample).rules] == [rule.code for rule in all_rules()]


def test_filter_by_team_keeps_owned_and_raci_services(sample):
    report = report_of(sample, team_id=sample.teams["vendor"].pk)

    assert [service.key for service in report.services] == ["claims"]
    assert report.cover.scope.team == "Nimbus Cloud"
    assert report.portfolio_findings == []


def test_filter_by_pattern_and_status(sample):
    by_pattern = report_of(sample, pattern="internal-product-vendor")
    live_only = report_of(sample, pattern="internal-product-vendor", status="live")

    assert sorted(service.key for service in by_pattern.services) == ["claims", "old"]
    assert [service.key for service in live_only.services] == ["claims"]


def test_json_round_trip_gives_the_same_report(sample):
    report = report_of(sample)
    text = report_to_json(report)

    assert report_from_json(text) == report
    assert json.loads(text)["schema_version"] == SCHEMA_VERSION


def test_json_of_schema_version_1_still_reads(sample):
    data = json.loads(report_to_json(report_of(sample)))
    data["schema_version"] = 1
    del data["teams"]
    del data["practices"]["recorded"]
    for service in data["services"]:
        del service["description"]
        del service["context"]

    report = report_from_json(json.dumps(data))

    assert report.schema_version == 1
    assert report.teams == []
    assert report.practices.recorded == []
    assert {service.description for service in report.services} == {""}
    assert report.services == [replace(service, description="", context={})
                               for service in report_of(sample).services]


def test_json_of_another_schema_version_is_rejected(sample):
    data = json.loads(report_to_json(report_of(sample)))
    data["schema_version"] = 99

    with pytest.raises(SchemaError, match="99"):
        report_from_json(json.dumps(data))


def test_same_revision_gives_identical_json(sample):
    assert report_to_json(report_of(sample)) == report_to_json(report_of(sample))


def test_records_list_every_team_with_details(sample, make_team):
    make_team(sample.portfolio, "Idle team", "customer", contact="idle@example.com", member_count=2)

    teams = report_of(sample).teams

    names = ["Équipe Plateforme", ARABIC, "Nimbus Cloud", EMOJI, "Idle team"]
    assert [team.name for team in teams] == sorted(names, key=name_key)
    assert TeamLine("Idle team", "customer", "idle@example.com", 2) in teams
    assert TeamLine("Nimbus Cloud", "vendor", "", None) in teams


def test_filtered_report_lists_the_teams_it_names(sample):
    teams = report_of(sample, team_id=sample.teams["vendor"].pk).teams

    # The vendor's service names the platform, data and vendor teams; the platform team owns a practice.
    named = ["Équipe Plateforme", ARABIC, "Nimbus Cloud"]
    assert [team.name for team in teams] == sorted(named, key=name_key)


def test_services_carry_description_and_context(sample):
    service = sample.services["claims"]
    service.description = "Line one\nLine two 🚀"
    service.context = {"risk_profile": "build", "audience": "internal"}
    service.save()

    section = next(section for section in report_of(sample).services if section.key == "claims")

    assert section.description == "Line one\nLine two 🚀"
    assert section.context == {"audience": "internal", "risk_profile": "build"}


def test_practices_record_every_adoption(sample):
    recorded = report_of(sample).practices.recorded

    assert [(line.key, line.status, line.capability_level, line.owner) for line in recorded] == [
        ("architecture-management", "adopted", 3, "Équipe Plateforme"),
        ("deployment-management", "planned", None, ""),
        ("release-management", "adopted", 1, ""),
        ("workforce-and-talent-management", "adopted", 4, ""),
    ]
