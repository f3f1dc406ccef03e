"""The engine end to end on a small portfolio: loading, caching and freshness."""

from portfolio.analysis import analyse_portfolio
from portfolio.analysis.snapshot import load_snapshot
from portfolio.models import Portfolio


def codes(result, service_key):
    return sorted(finding.code for finding in result.for_service(service_key))


def test_snapshot_query_count_constant(portfolio, make_team, make_service, make_responsibility,
                                       django_assert_num_queries):
    team = make_team(portfolio)
    for _ in range(3):
        service = make_service(portfolio, patterns=["internal-product-vendor"], owner=team)
        make_responsibility(service, "build", team)
    with django_assert_num_queries(12):
        small = load_snapshot(portfolio)
    for _ in range(20):
        service = make_service(portfolio, patterns=["internal-service-delivery", "service-integrator"])
        make_responsibility(service, "support", team)
    with django_assert_num_queries(12):
        large = load_snapshot(portfolio)
    assert len(small.services) == 3
    assert len(large.services) == 23


def test_findings_follow_each_write(portfolio, make_team, make_service, make_responsibility):
    team = make_team(portfolio, name="Platform", party_kind="technology")
    service = make_service(portfolio, key="crm", owner=team)

    assert "VCP-E001" in codes(analyse_portfolio(Portfolio.objects.get(pk=portfolio.pk)), "crm")

    service.assignments.create(pattern_id="managed-service-provider",
                               activities=["discover", "design", "operate", "deliver", "support"])
    result = analyse_portfolio(Portfolio.objects.get(pk=portfolio.pk))
    assert "VCP-E001" not in codes(result, "crm")
    assert codes(result, "crm").count("VCP-E002") == 5

    make_responsibility(service, "operate", team)
    result = analyse_portfolio(Portfolio.objects.get(pk=portfolio.pk))
    assert codes(result, "crm").count("VCP-E002") == 4


def test_settings_change_refreshes_findings(portfolio, make_team, make_service):
    make_service(portfolio, key="crm", owner=make_team(portfolio))
    assert "VCP-E001" in codes(analyse_portfolio(Portfolio.objects.get(pk=portfolio.pk)), "crm")

    settings_copy = Portfolio.objects.get(pk=portfolio.pk)
    settings_copy.disabled_rules = ["VCP-E001"]
    settings_copy.save()

    assert "VCP-E001" not in codes(analyse_portfolio(Portfolio.objects.get(pk=portfolio.pk)), "crm")


def test_stale_portfolio_save_keeps_newer_revision(portfolio, make_service):
    stale = Portfolio.objects.get(pk=portfolio.pk)
    make_service(portfolio, key="crm")
    newer = Portfolio.objects.get(pk=portfolio.pk)

    stale.name = "Renamed"
    stale.save()
    after = Portfolio.objects.get(pk=portfolio.pk)

    assert after.name == "Renamed"
    assert after.revision > newer.revision
    assert after.revision_token not in {stale.revision_token, newer.revision_token}


def test_findings_listed_in_lifecycle_order(portfolio, make_team, make_service):
    make_service(portfolio, key="crm", owner=make_team(portfolio), patterns=["internal-product-vendor"])
    result = analyse_portfolio(Portfolio.objects.get(pk=portfolio.pk))
    unowned = [finding.activity for finding in result.for_service("crm") if finding.code == "VCP-E002"]
    lifecycle = ["discover", "design", "acquire", "build", "transition", "operate", "deliver", "support"]
    assert unowned == lifecycle
