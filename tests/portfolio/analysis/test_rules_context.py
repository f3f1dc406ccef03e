"""Context rule: a service's recorded context against its patterns' decision factors."""

import pytest

from portfolio.analysis.snapshot import load_snapshot
from tests.portfolio.analysis.builders import PortfolioSpec, ServiceSpec, build, expected, findings_of

IPV = "internal-product-vendor"
ISD = "internal-service-delivery"
SI = "service-integrator"
DPV = "digital-product-vendor"
HINT = "Check the service's context, or choose a pattern that fits it."


def check(spec):
    return findings_of("VCP-W007", load_snapshot(build(spec)))


def one_service(**fields):
    return PortfolioSpec(services=[ServiceSpec(**fields)])


def misfit(message, factor, pattern):
    return expected("VCP-W007", message, HINT, service="crm", pattern=pattern, factor=factor)


CONTEXT_MISFIT = [
    pytest.param(
        one_service(patterns={IPV: None}, context={"engineering_capability": "minimal"}),
        [misfit("“CRM”: engineering capability is “Minimal”, which does not suit “Internal Product Vendor” "
                "(expected: “Strong”).", "engineering_capability", IPV)],
        id="ipv-with-minimal-engineering-fires",
    ),
    pytest.param(
        one_service(patterns={ISD: ("operate",), SI: ("deliver",)}, context={"audience": "external"}),
        [misfit("“CRM”: audience is “External customers”, which does not suit “Internal Service Delivery” "
                "and “Service Integrator” (expected: “Our own organisation”).", "audience", ISD)],
        id="answer-contradicting-two-patterns-fires-once",
    ),
    pytest.param(
        one_service(patterns={IPV: None},
                    context={"engineering_capability": "minimal", "audience": "external"}),
        [misfit("“CRM”: audience is “External customers”, which does not suit “Internal Product Vendor” "
                "(expected: “Our own organisation”).", "audience", IPV),
         misfit("“CRM”: engineering capability is “Minimal”, which does not suit “Internal Product Vendor” "
                "(expected: “Strong”).", "engineering_capability", IPV)],
        id="two-factors-fire-twice",
    ),
    pytest.param(
        one_service(patterns={IPV: None, SI: ("deliver",)}, context={"vendor_dependency": "high"}),
        [misfit("“CRM”: vendor dependency is “High”, which does not suit “Internal Product Vendor” "
                "(expected: “Low”).", "vendor_dependency", IPV)],
        id="mix-only-one-pattern-contradicted-fires",
    ),
    pytest.param(one_service(patterns={IPV: None}, context={"engineering_capability": "strong"}), [],
                 id="matching-answer-quiet"),
    pytest.param(one_service(patterns={IPV: None}, context={"engineering_capability": "limited"}), [],
                 id="different-but-not-contradicting-quiet"),
    pytest.param(one_service(patterns={IPV: None}, context={"governance_complexity": "high"}), [],
                 id="factor-without-contradictions-quiet"),
    pytest.param(one_service(patterns={DPV: None}, context={"audience": "external"}), [],
                 id="external-audience-for-dpv-quiet"),
    pytest.param(
        one_service(patterns={IPV: None}, context={"engineering_capability": ["minimal"], "audience": 1}),
        [],
        id="answers-that-are-not-option-keys-quiet",
    ),
    pytest.param(one_service(context={"engineering_capability": "minimal"}), [], id="no-pattern-quiet"),
    pytest.param(
        one_service(patterns={IPV: None}, status="retired", context={"engineering_capability": "minimal"}),
        [],
        id="retired-quiet",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("spec", "findings"), CONTEXT_MISFIT)
def test_context_misfit(spec, findings):
    assert check(spec) == findings
