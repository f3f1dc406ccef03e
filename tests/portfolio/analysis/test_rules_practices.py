"""Practice rules: missing key practice, immature key practice, unneeded practice.

These rules judge the portfolio as a whole: a pattern is in use when a live or
planned service has it, and a retired service's patterns no longer count.
"""

import pytest

from portfolio.analysis.snapshot import load_snapshot
from tests.portfolio.analysis.builders import (
    PortfolioSpec,
    ServiceSpec,
    adopt_key_practices,
    build,
    expected,
    findings_of,
)

IPV = "internal-product-vendor"
ISD = "internal-service-delivery"
SI = "service-integrator"
IPV_BUILD = {IPV: ("build",)}


def check(code, spec):
    return findings_of(code, load_snapshot(build(spec)))


def portfolio(*services, adoptions=None, **fields):
    return PortfolioSpec(services=list(services), adoptions=adoptions or {}, **fields)


def service(key="crm", **fields):
    return ServiceSpec(key=key, name=key.upper(), **fields)


def missing(message, practice, pattern):
    return expected("VCP-E004", message,
                    "Adopt the practice and name the team that runs it, or stop using the pattern.",
                    practice=practice, pattern=pattern)


MISSING_KEY_PRACTICE = [
    pytest.param(
        portfolio(service(patterns=IPV_BUILD),
                  adoptions=adopt_key_practices([IPV], skip={"release-management"})),
        [missing("Release Management is not adopted, but it is a key practice of “Internal Product Vendor”.",
                 "release-management", IPV)],
        id="one-key-practice-not-recorded-fires",
    ),
    pytest.param(
        portfolio(service(patterns=IPV_BUILD),
                  adoptions={**adopt_key_practices([IPV]), "release-management": ("planned", None)}),
        [missing("Release Management is not adopted, but it is a key practice of “Internal Product Vendor”.",
                 "release-management", IPV)],
        id="planned-adoption-fires",
    ),
    pytest.param(
        portfolio(service(patterns={ISD: ("operate",)}), service("erp", patterns={SI: ("design",)}),
                  adoptions=adopt_key_practices([ISD, SI], skip={"supplier-management"})),
        [missing("Supplier Management is not adopted, but it is a key practice of "
                 "“Internal Service Delivery” and “Service Integrator”.", "supplier-management", ISD)],
        id="practice-shared-by-two-patterns-fires-once",
    ),
    pytest.param(
        portfolio(service(patterns=IPV_BUILD, status="planned"),
                  adoptions=adopt_key_practices([IPV], skip={"release-management"})),
        [missing("Release Management is not adopted, but it is a key practice of “Internal Product Vendor”.",
                 "release-management", IPV)],
        id="planned-service-counts-fires",
    ),
    pytest.param(portfolio(service(patterns=IPV_BUILD), adoptions=adopt_key_practices([IPV])), [],
                 id="all-adopted-quiet"),
    pytest.param(portfolio(service(patterns=IPV_BUILD, status="retired")), [], id="retired-service-quiet"),
    pytest.param(portfolio(service()), [], id="no-pattern-in-use-quiet"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("spec", "findings"), MISSING_KEY_PRACTICE)
def test_missing_key_practice(spec, findings):
    assert check("VCP-E004", spec) == findings


def immature(message, practice="release-management", pattern=IPV):
    return expected("VCP-W001", message,
                    "Raise the practice's capability, or record its assessed level on the practices page.",
                    practice=practice, pattern=pattern)


def ipv_with_release_level(level, **fields):
    adoptions = {**adopt_key_practices([IPV], level=5), "release-management": ("adopted", level)}
    return portfolio(service(patterns=IPV_BUILD), adoptions=adoptions, **fields)


IMMATURE_KEY_PRACTICE = [
    pytest.param(
        ipv_with_release_level(1),
        [immature("Release Management is adopted at capability level 1, below the minimum of 2.")],
        id="below-default-minimum-fires",
    ),
    pytest.param(
        ipv_with_release_level(None),
        [immature("Release Management is adopted, but its capability level is not assessed; "
                  "the minimum is 2.")],
        id="level-not-assessed-fires",
    ),
    pytest.param(
        ipv_with_release_level(3, min_capability_level=4),
        [immature("Release Management is adopted at capability level 3, below the minimum of 4.")],
        id="raised-portfolio-minimum-fires",
    ),
    pytest.param(ipv_with_release_level(2), [], id="at-default-minimum-quiet"),
    pytest.param(ipv_with_release_level(1, min_capability_level=1), [], id="lowered-portfolio-minimum-quiet"),
    pytest.param(
        portfolio(service(patterns=IPV_BUILD),
                  adoptions={**adopt_key_practices([IPV]), "release-management": ("not_adopted", 1)}),
        [],
        id="not-adopted-left-to-e004-quiet",
    ),
    pytest.param(
        portfolio(service(patterns=IPV_BUILD, status="retired"),
                  adoptions=adopt_key_practices([IPV], level=1)),
        [],
        id="pattern-only-on-retired-service-quiet",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("spec", "findings"), IMMATURE_KEY_PRACTICE)
def test_immature_key_practice(spec, findings):
    assert check("VCP-W001", spec) == findings


def unneeded(message, practice):
    return expected("VCP-I001", message,
                    "Check that the investment pays off; put effort into the key practices first.",
                    practice=practice)


UNNEEDED_PRACTICE = [
    pytest.param(
        portfolio(service(patterns=IPV_BUILD),
                  adoptions={**adopt_key_practices([IPV]), "continual-improvement": ("adopted", 3)}),
        [unneeded("Continual Improvement is adopted, but no pattern in use needs it as a key practice.",
                  "continual-improvement")],
        id="practice-key-to-no-pattern-fires",
    ),
    pytest.param(
        portfolio(service(patterns=IPV_BUILD, status="retired"),
                  adoptions={"release-management": ("adopted", 3)}),
        [unneeded("Release Management is adopted, but no pattern in use needs it as a key practice.",
                  "release-management")],
        id="key-practice-of-retired-service-only-fires",
    ),
    pytest.param(portfolio(service(patterns=IPV_BUILD), adoptions=adopt_key_practices([IPV])), [],
                 id="key-practices-in-use-quiet"),
    pytest.param(portfolio(service(), adoptions={"continual-improvement": ("planned", None)}), [],
                 id="planned-practice-quiet"),
    pytest.param(portfolio(service(), adoptions={"continual-improvement": ("not_adopted", None)}), [],
                 id="not-adopted-practice-quiet"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("spec", "findings"), UNNEEDED_PRACTICE)
def test_unneeded_practice(spec, findings):
    assert check("VCP-I001", spec) == findings
