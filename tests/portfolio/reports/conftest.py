"""A small portfolio with names in several scripts, and a filler for query-count tests."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from portfolio.analysis.engine import result_cache
from portfolio.models import Portfolio, Role, Service, Team, Waiver

# Names a report must carry through every format unchanged.
ACCENTED = "Règlement des réclamations – Québec"
JAPANESE = "代理店ポータル"
ARABIC = "فريق البيانات"
EMOJI = "Rocket launch 🚀 desk"


@pytest.fixture(autouse=True)
def empty_result_cache():
    """Rolled-back tests reuse portfolio ids and revisions, so a result cached by one must not leak."""
    result_cache.clear()


@dataclass
class Sample:
    portfolio: Portfolio
    owner: object
    teams: dict[str, Team]
    services: dict[str, Service]


def today() -> date:
    return timezone.localdate()


@pytest.fixture
def sample(portfolio, make_member, make_team, make_service, make_responsibility, make_adoption):
    """Four services: a mix with a full RACI, a vendor pattern, one without a pattern, one retired."""
    owner = make_member(portfolio, Role.OWNER, username="olivia")
    teams = {
        "platform": make_team(portfolio, "Équipe Plateforme", "technology"),
        "data": make_team(portfolio, ARABIC, "business"),
        "vendor": make_team(portfolio, "Nimbus Cloud", "vendor"),
        "emoji": make_team(portfolio, EMOJI, "technology"),
    }

    services = {
        "claims": make_service(portfolio, "claims", name=ACCENTED, owner=teams["platform"],
                               patterns=["internal-service-delivery", "internal-product-vendor"]),
        "portal": make_service(portfolio, "portal", name=JAPANESE, owner=teams["data"],
                               patterns=["digital-product-vendor"]),
        "launch": make_service(portfolio, "launch", name=EMOJI, owner=None),
        "old": make_service(portfolio, "old", name="archive (retired)", status="retired",
                            owner=teams["platform"], patterns=["internal-product-vendor"]),
    }

    make_responsibility(services["claims"], "operate", teams["platform"], "A")
    make_responsibility(services["claims"], "support", teams["platform"], "A")
    make_responsibility(services["claims"], "support", teams["vendor"], "C")
    make_responsibility(services["claims"], "build", teams["vendor"], "A")
    make_responsibility(services["claims"], "deliver", teams["data"], "I")
    make_responsibility(services["portal"], "operate", teams["emoji"], "A")
    make_responsibility(services["portal"], "operate", teams["data"], "R")

    make_adoption(portfolio, "architecture-management", "adopted", 3, owner=teams["platform"])
    make_adoption(portfolio, "release-management", "adopted", 1)
    make_adoption(portfolio, "deployment-management", "planned", None)
    make_adoption(portfolio, "workforce-and-talent-management", "adopted", 4)

    Waiver.objects.create(
        portfolio=portfolio, code="VCP-E001", subject="service:launch",
        justification="Pattern decided at the next board.", approver="Chief Information Officer",
        expires_on=today() + timedelta(days=30), accepted_by=owner,
    )
    return Sample(Portfolio.objects.get(pk=portfolio.pk), owner, teams, services)


def fill(portfolio, count, user, make_service, make_team, make_responsibility):
    """Add `count` services with patterns, RACI cells and a waiver accepted by `user` to `portfolio`."""
    teams = [make_team(portfolio, party_kind=kind) for kind in ("technology", "vendor", "business")]
    mixes = [["internal-product-vendor"], ["internal-service-delivery", "service-integrator"], []]
    for number in range(count):
        service = make_service(portfolio, key=f"svc-{number:03d}", owner=teams[number % 3],
                               patterns=mixes[number % 3])
        make_responsibility(service, "operate", teams[number % 3])
        make_responsibility(service, "support", teams[(number + 1) % 3], role="C")
    Waiver.objects.create(portfolio=portfolio, code="VCP-E001", subject="service:svc-002",
                          justification="Decided next quarter.", approver="CIO",
                          expires_on=today() + timedelta(days=5), accepted_by=user)
    return Portfolio.objects.get(pk=portfolio.pk)


@pytest.fixture
def sized(make_portfolio, make_member, make_service, make_team, make_responsibility):
    """Portfolios of 5 and 40 services with one owner in both."""
    owner = make_member(None, username="owner")
    portfolios = {}
    for size in (5, 40):
        portfolio = make_portfolio(key=f"size-{size}")
        portfolio.memberships.create(user=owner, role=Role.OWNER)
        portfolios[size] = fill(portfolio, size, owner, make_service, make_team, make_responsibility)
    return owner, portfolios
