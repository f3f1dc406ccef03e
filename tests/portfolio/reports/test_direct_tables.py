"""Tables read without building the report give the built report's rows, for every filter."""

import csv
import io
from dataclasses import dataclass

import pytest
from django.urls import reverse

from portfolio.models import Portfolio, Role, Team
from portfolio.reports import direct
from portfolio.reports.benchmark import csv_export
from portfolio.reports.build import build_report
from portfolio.reports.csv_export import csv_bytes
from portfolio.reports.scope import ReportFilter
from portfolio.reports.tables import TABLES
from tests.conftest import assign_pattern
from tests.portfolio.reports.conftest import ACCENTED, ARABIC, EMOJI, JAPANESE, today

FORMULA = "=HYPERLINK(\"http://example.invalid\")"


@dataclass
class Rich:
    portfolio: Portfolio
    teams: dict[str, Team]


@pytest.fixture
def rich(portfolio, make_member, make_team, make_service, make_responsibility):
    """Services in four scripts with mixes of one to three patterns, every RACI role and every status."""
    make_member(portfolio, Role.OWNER, username="olivia")
    teams = {
        "platform": make_team(portfolio, "Équipe Plateforme", "technology"),
        "data": make_team(portfolio, ARABIC, "business"),
        "vendor": make_team(portfolio, "nimbus Cloud", "vendor"),
        "emoji": make_team(portfolio, EMOJI, "technology"),
        "japan": make_team(portfolio, "東京サポート", "service_provider"),
        "customer": make_team(portfolio, "Acme customers", "customer"),
        # Decomposed "E" + combining acute: sorts with the composed "É" of "Équipe".
        "decomposed": make_team(portfolio, "E\u0301quipe Data", "technology"),
        "formula": make_team(portfolio, FORMULA, "vendor"),
        "idle": make_team(portfolio, "Idle team", "business"),
    }
    claims = make_service(portfolio, "claims", name=ACCENTED, owner=teams["platform"],
                          patterns=["internal-service-delivery", "internal-product-vendor"])
    portal = make_service(portfolio, "portal", name=JAPANESE, owner=teams["data"],
                          patterns=["digital-product-vendor"])
    hub = make_service(portfolio, "hub", name="integration hub", owner=teams["japan"], status="planned")
    assign_pattern(hub, "service-integrator")
    assign_pattern(hub, "managed-service-provider", ["operate", "support"])
    assign_pattern(hub, "custom-software-developer", ["build", "design"])
    launch = make_service(portfolio, "launch", name=EMOJI, owner=None)
    old = make_service(portfolio, "old", name="archive (retired)", status="retired", owner=teams["platform"],
                       patterns=["internal-product-vendor"])
    make_service(portfolio, "quiet", name="-quiet desk", owner=teams["formula"],
                 patterns=["managed-service-provider"])
    make_service(portfolio, "alpha", name="Alpha", owner=teams["vendor"])
    make_service(portfolio, "alpha-2", name="alpha", owner=teams["vendor"])

    cells = [
        (claims, "operate", "platform", "A"), (claims, "operate", "vendor", "R"),
        (claims, "operate", "decomposed", "R"), (claims, "operate", "emoji", "R"),
        (claims, "support", "platform", "A"), (claims, "support", "vendor", "C"),
        (claims, "support", "formula", "C"), (claims, "build", "vendor", "A"),
        (claims, "deliver", "data", "I"), (claims, "deliver", "japan", "I"),
        (claims, "discover", "data", "A"), (claims, "discover", "platform", "A"),
        (portal, "operate", "emoji", "A"), (portal, "operate", "data", "R"),
        (portal, "operate", "data", "C"), (portal, "acquire", "vendor", "A"),
        (hub, "operate", "japan", "A"), (hub, "design", "customer", "A"),
        (hub, "design", "vendor", "R"), (hub, "deliver", "data", "A"),
        (hub, "transition", "japan", "I"), (launch, "support", "emoji", "R"),
        (old, "operate", "platform", "A"), (old, "support", "vendor", "I"),
    ]
    for service, activity, team, role in cells:
        make_responsibility(service, activity, teams[team], role)
    return Rich(Portfolio.objects.get(pk=portfolio.pk), teams)


def built_rows(portfolio, table, report_filter):
    report = build_report(portfolio, as_of=today(), author="x", report_filter=report_filter)
    return list(TABLES[table].rows(report))


def filters(teams: dict[str, Team]) -> list[ReportFilter]:
    cases = [ReportFilter()]
    cases += [ReportFilter(team_id=team.pk) for team in teams.values()]
    cases += [ReportFilter(pattern=key) for key in ("internal-product-vendor", "internal-service-delivery",
                                                     "service-integrator", "digital-product-vendor",
                                                     "custom-software-developer", "managed-service-provider")]
    cases += [ReportFilter(status=status) for status in ("planned", "live", "retired")]
    cases += [ReportFilter(team_id=teams["platform"].pk, pattern="internal-product-vendor", status="retired"),
              ReportFilter(team_id=teams["vendor"].pk, status="live")]
    return cases


def test_raci_rows_match_built_report(rich):
    for report_filter in filters(rich.teams):
        expected = built_rows(rich.portfolio, "raci", report_filter)
        assert list(direct.read_raci(rich.portfolio, report_filter)) == expected, report_filter


def test_raci_rows_cover_the_rich_portfolio(rich):
    rows = list(direct.read_raci(rich.portfolio, ReportFilter()))

    assert len(rows) == 24
    assert {row[4] for row in rows} == {"A", "R", "C", "I"}
    assert {row[1] for row in rows} >= {ACCENTED, JAPANESE, EMOJI, "archive (retired)"}
    hub_governed = {row[3] for row in rows if row[0] == "hub" and row[2] == "operate"}
    assert hub_governed == {"Managed Service Provider; Service Integrator"}


def test_rules_rows_match_built_report(rich):
    for report_filter in (ReportFilter(), ReportFilter(status="retired")):
        expected = built_rows(rich.portfolio, "rules", report_filter)
        assert list(direct.read_rules(rich.portfolio, report_filter)) == expected


def test_every_direct_table_has_a_reader():
    direct_tables = {name for name, table in TABLES.items() if not table.needs_analysis}

    assert direct_tables == set(direct.READERS)
    assert direct.direct_reader("services") is None
    assert direct.direct_reader("raci") is direct.read_raci


def csv_download(client, portfolio, **params):
    response = client.get(reverse("report", args=[portfolio.key]), {"format": "csv", **params})
    assert response.status_code == 200
    assert response.streaming
    return response, b"".join(response.streaming_content)


@pytest.fixture
def owner_client(client, rich):
    client.force_login(rich.portfolio.memberships.get().user)
    return client


@pytest.mark.parametrize("table", ["raci", "rules"])
def test_download_bytes_match_built_report(owner_client, rich, table):
    for report_filter in filters(rich.teams):
        params = {name: value for name, value in (("team", report_filter.team_id),
                                                  ("pattern", report_filter.pattern),
                                                  ("status", report_filter.status)) if value}
        response, data = csv_download(owner_client, rich.portfolio, table=table, **params)
        report = build_report(rich.portfolio, as_of=today(), author="x", report_filter=report_filter)

        assert data == b"".join(csv_bytes(TABLES[table], report)), report_filter
        filename = f"acme-{today().isoformat()}-{table}.csv"
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'


def test_download_neutralises_formulas(owner_client, rich):
    _, data = csv_download(owner_client, rich.portfolio, table="raci")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))

    teams = {row["team"] for row in rows}
    assert "'" + FORMULA in teams
    assert FORMULA not in teams


def test_same_revision_downloads_identical_raci(owner_client, rich):
    _, first = csv_download(owner_client, rich.portfolio, table="raci")
    _, second = csv_download(owner_client, rich.portfolio, table="raci")

    assert first == second


def test_download_skips_the_report(owner_client, rich, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the direct path built the report")

    monkeypatch.setattr("portfolio.views.reports.build_report", fail)

    _, data = csv_download(owner_client, rich.portfolio, table="raci")

    assert ACCENTED.encode() in data


@pytest.mark.parametrize("size", [5, 40])
def test_read_raci_queries_are_constant(sized, size, django_assert_max_num_queries):
    _, portfolios = sized
    # Lifecycle activities, patterns, teams, services, pattern assignments, RACI cells.
    with django_assert_max_num_queries(6):
        rows = list(direct.read_raci(portfolios[size], ReportFilter()))

    assert len(rows) == 2 * size


@pytest.mark.parametrize("size", [5, 40])
def test_raci_download_queries_are_constant(client, sized, size, django_assert_max_num_queries):
    owner, portfolios = sized
    client.force_login(owner)
    # Session, user, membership, team and pattern choices, and the six of `read_raci`.
    with django_assert_max_num_queries(11):
        _, data = csv_download(client, portfolios[size], table="raci")

    assert data.count(b"\r\n") == 2 * size + 1


def test_benchmark_times_the_view_export(owner_client, rich):
    _, data = csv_download(owner_client, rich.portfolio, table="raci")

    assert csv_export(rich.portfolio) == len(data)
