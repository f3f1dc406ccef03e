"""Rules on who is accountable: mismatch, conflicting mix, integrator accountability, expert support.

Each table row is a small portfolio and the exact findings one rule reports on
it. A row whose expected list is empty is a near miss that keeps the rule quiet.
"""

import pytest

from portfolio.analysis import analyse
from portfolio.analysis.library import load_library
from portfolio.analysis.snapshot import load_snapshot
from tests.portfolio.analysis.builders import (
    SCOPE,
    TEAM_OF_KIND,
    PortfolioSpec,
    ServiceSpec,
    build,
    conforming_raci,
    expected,
    findings_of,
)

IPV = "internal-product-vendor"
ISD = "internal-service-delivery"
SI = "service-integrator"
DPV = "digital-product-vendor"
CSD = "custom-software-developer"
KIND_ORDER = ("customer", "vendor", "service_provider", "business", "technology")


def check(code, spec):
    return findings_of(code, load_snapshot(build(spec)))


def one_service(**fields):
    return PortfolioSpec(services=[ServiceSpec(**fields)])


IPV_EXPECTS = "“Internal Product Vendor” expects"


def mismatch(team, activity_name, activity, patterns, kinds, pattern):
    return expected(
        "VCP-W002",
        f"“CRM”: {team} is accountable for {activity_name}, but {patterns} a {kinds} team.",
        f"Make a {kinds} team accountable, or check that the pattern fits this activity.",
        service="crm", activity=activity, pattern=pattern,
    )


RESPONSIBILITY_MISMATCH = [
    pytest.param(
        one_service(patterns={IPV: ("build",)}, raci={"build": [("Acme Cloud", "A")]}),
        [mismatch("“Acme Cloud” (vendor)", "Build", "build", IPV_EXPECTS, "technology", IPV)],
        id="vendor-accountable-for-ipv-build-fires",
    ),
    pytest.param(
        one_service(patterns={IPV: ("acquire",), ISD: ("acquire",)}, raci={"acquire": [("Client Co", "A")]}),
        [mismatch("“Client Co” (customer)", "Acquire", "acquire",
                  "“Internal Product Vendor” and “Internal Service Delivery” expect", "technology or vendor",
                  IPV)],
        id="mix-names-every-governing-pattern-fires",
    ),
    pytest.param(
        one_service(patterns={IPV: ("build",)}, raci={"build": [("Acme Cloud", "A"), ("Client Co", "A")]}),
        [mismatch("“Acme Cloud” (vendor)", "Build", "build", IPV_EXPECTS, "technology", IPV),
         mismatch("“Client Co” (customer)", "Build", "build", IPV_EXPECTS, "technology", IPV)],
        id="each-wrong-accountable-team-fires",
    ),
    pytest.param(
        PortfolioSpec(services=[ServiceSpec(patterns={SI: ("deliver",)},
                                            raci={"deliver": [("Globex Services", "A")]})],
                      disabled_rules=("VCP-W005",)),
        [mismatch("“Globex Services” (service provider)", "Deliver", "deliver",
                  "“Service Integrator” expects", "business or technology", SI)],
        id="integrator-case-fires-when-w005-is-off",
    ),
    pytest.param(
        one_service(patterns={SI: ("deliver",)}, raci={"deliver": [("Globex Services", "A")]}),
        [],
        id="integrator-case-left-to-w005-quiet",
    ),
    pytest.param(one_service(patterns={IPV: ("build",)}, raci={"build": [("Platform", "A")]}), [],
                 id="expected-kind-quiet"),
    pytest.param(one_service(patterns={ISD: ("build",)}, raci={"build": [("Acme Cloud", "A")]}), [],
                 id="vendor-accountable-for-isd-build-quiet"),
    pytest.param(
        one_service(patterns={IPV: ("acquire",), ISD: ("acquire",)}, raci={"acquire": [("Acme Cloud", "A")]}),
        [],
        id="kind-expected-by-one-pattern-of-mix-quiet",
    ),
    pytest.param(
        one_service(patterns={IPV: ("build",)}, raci={"build": [("Platform", "A"), ("Client Co", "R")]}),
        [],
        id="wrong-kind-only-responsible-quiet",
    ),
    pytest.param(one_service(patterns={IPV: ("build",)}, raci={"design": [("Client Co", "A")]}), [],
                 id="ungoverned-activity-quiet"),
    pytest.param(
        one_service(patterns={IPV: ("build",)}, status="retired", raci={"build": [("Client Co", "A")]}),
        [],
        id="retired-quiet",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("spec", "findings"), RESPONSIBILITY_MISMATCH)
def test_responsibility_mismatch(spec, findings):
    assert check("VCP-W002", spec) == findings


@pytest.mark.django_db
@pytest.mark.parametrize(("pattern", "activity"), SCOPE)
def test_wrong_accountable_kind_in_each_pattern_scope(pattern, activity):
    library = load_library()
    raci = conforming_raci(library, {pattern: None})
    expectation = library.patterns[pattern].expectations[activity]
    wrong_kind = next(kind for kind in KIND_ORDER if kind not in expectation.accountable)
    others = [cell for cell in raci[activity] if cell[1] != "A"]
    raci[activity] = [(TEAM_OF_KIND[wrong_kind], "A"), *others]
    spec = PortfolioSpec(services=[ServiceSpec(patterns={pattern: None}, raci=raci)])
    snapshot = load_snapshot(build(spec))

    findings = analyse(snapshot).for_service("crm")

    integrator_case = pattern == SI and activity in ("deliver", "support")
    assert [finding.code for finding in findings] == ["VCP-W005" if integrator_case else "VCP-W002"]
    assert (findings[0].activity, findings[0].pattern) == (activity, pattern)
    assert library.activity_names[activity] in findings[0].message


def conflict(first, second, activity_name, activity, kinds, pattern):
    return expected(
        "VCP-W004",
        f"“CRM”: “{first}” and “{second}” both govern {activity_name}, "
        f"but expect different accountable teams ({kinds}).",
        f"Let only one of the two patterns govern {activity_name}.",
        service="crm", activity=activity, pattern=pattern,
    )


CONFLICTING_MIX = [
    pytest.param(
        one_service(patterns={IPV: ("build",), ISD: ("build",)}),
        [conflict("Internal Product Vendor", "Internal Service Delivery", "Build", "build",
                  "technology against vendor", IPV)],
        id="two-patterns-disjoint-kinds-fires",
    ),
    pytest.param(
        one_service(patterns={IPV: ("build",), ISD: ("build",), DPV: ("build",)}),
        [conflict("Internal Product Vendor", "Internal Service Delivery", "Build", "build",
                  "technology against vendor", IPV)],
        id="three-patterns-fire-once-per-activity",
    ),
    pytest.param(
        one_service(patterns={ISD: ("operate",), SI: ("operate",), CSD: ("operate",)}),
        [conflict("Internal Service Delivery", "Service Integrator", "Operate", "operate",
                  "technology against service provider or vendor", ISD)],
        id="three-patterns-all-disjoint-fires-once",
    ),
    pytest.param(
        one_service(patterns={IPV: ("design", "build"), ISD: ("design", "build")}),
        [conflict("Internal Product Vendor", "Internal Service Delivery", "Design", "design",
                  "technology against vendor", IPV),
         conflict("Internal Product Vendor", "Internal Service Delivery", "Build", "build",
                  "technology against vendor", IPV)],
        id="one-finding-per-shared-activity-fires",
    ),
    pytest.param(one_service(patterns={IPV: ("operate",), ISD: ("operate",)}), [],
                 id="same-accountable-kind-quiet"),
    pytest.param(one_service(patterns={ISD: ("acquire",), SI: ("acquire",)}), [],
                 id="overlapping-accountable-kinds-quiet"),
    pytest.param(one_service(patterns={IPV: ("build",), ISD: ("design", "operate")}), [],
                 id="mix-each-pattern-governs-part-quiet"),
    pytest.param(one_service(patterns={IPV: None}), [], id="single-pattern-quiet"),
    pytest.param(one_service(patterns={IPV: ("build",), ISD: ("build",)}, status="retired"), [],
                 id="retired-quiet"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("spec", "findings"), CONFLICTING_MIX)
def test_conflicting_mix(spec, findings):
    assert check("VCP-W004", spec) == findings


def integrator_gap(activity_name, activity):
    return expected(
        "VCP-W005",
        f"“CRM” is run as a service integrator, but no internal team is accountable for {activity_name}.",
        f"Keep accountability for {activity_name} with a business or technology team of your own; "
        "suppliers may do the work.",
        service="crm", activity=activity, pattern=SI,
    )


INTEGRATOR_WITHOUT_INTERNAL_ACCOUNTABILITY = [
    pytest.param(
        one_service(patterns={SI: ("deliver",)}, raci={"deliver": [("Globex Services", "A")]}),
        [integrator_gap("Deliver", "deliver")],
        id="provider-accountable-for-deliver-fires",
    ),
    pytest.param(
        one_service(patterns={SI: ("deliver", "support")},
                    raci={"deliver": [("Sales", "A")], "support": [("Acme Cloud", "A")]}),
        [integrator_gap("Support", "support")],
        id="vendor-accountable-for-support-fires",
    ),
    pytest.param(
        one_service(patterns={SI: ("deliver",), CSD: ("deliver",)}, raci={"deliver": [("Client Co", "A")]}),
        [integrator_gap("Deliver", "deliver")],
        id="mix-where-other-pattern-expects-customer-fires",
    ),
    pytest.param(one_service(patterns={SI: ("deliver",)}, raci={"deliver": [("Sales", "A")]}), [],
                 id="business-accountable-quiet"),
    pytest.param(one_service(patterns={SI: ("deliver",)}), [], id="no-accountable-team-left-to-e002-quiet"),
    pytest.param(
        one_service(patterns={SI: ("deliver",)},
                    raci={"deliver": [("Globex Services", "A"), ("Platform", "A")]}),
        [],
        id="one-internal-among-accountable-quiet",
    ),
    pytest.param(
        one_service(patterns={SI: ("design", "build"), ISD: ("deliver", "support")},
                    raci={"deliver": [("Globex Services", "A")]}),
        [],
        id="integrator-not-governing-deliver-quiet",
    ),
    pytest.param(
        one_service(patterns={SI: ("deliver",)}, status="retired", raci={"deliver": [("Acme Cloud", "A")]}),
        [],
        id="retired-quiet",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("spec", "findings"), INTEGRATOR_WITHOUT_INTERNAL_ACCOUNTABILITY)
def test_integrator_without_internal_accountability(spec, findings):
    assert check("VCP-W005", spec) == findings


NO_EXPERT_SUPPORT_FINDING = expected(
    "VCP-W006", "“CRM”: no vendor takes part in Support, so there is no expert (third-line) support.",
    "Record the product vendor as responsible or consulted for support.",
    service="crm", activity="support", pattern=ISD,
)

NO_EXPERT_SUPPORT = [
    pytest.param(one_service(patterns={ISD: ("support",)}, raci={"support": [("Platform", "A")]}),
                 [NO_EXPERT_SUPPORT_FINDING], id="no-vendor-fires"),
    pytest.param(one_service(patterns={ISD: ("support",)}), [NO_EXPERT_SUPPORT_FINDING], id="no-cells-fires"),
    pytest.param(
        one_service(patterns={ISD: ("support",)}, raci={"support": [("Platform", "A"), ("Acme Cloud", "I")]}),
        [NO_EXPERT_SUPPORT_FINDING],
        id="vendor-only-informed-fires",
    ),
    pytest.param(
        one_service(patterns={ISD: ("support",)}, raci={"support": [("Platform", "A"), ("Acme Cloud", "C")]}),
        [],
        id="vendor-consulted-quiet",
    ),
    pytest.param(
        one_service(patterns={ISD: ("support",)}, raci={"support": [("Platform", "A"), ("Acme Cloud", "R")]}),
        [],
        id="vendor-responsible-quiet",
    ),
    pytest.param(
        one_service(patterns={ISD: ("operate",), IPV: ("support",)}, raci={"support": [("Platform", "A")]}),
        [],
        id="isd-not-governing-support-quiet",
    ),
    pytest.param(one_service(patterns={ISD: ("support",)}, status="retired"), [], id="retired-quiet"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("spec", "findings"), NO_EXPERT_SUPPORT)
def test_no_expert_support(spec, findings):
    assert check("VCP-W006", spec) == findings
