"""Coverage rules: no pattern, unowned activity, several accountable, no owner, ungoverned activity.

Each table row is a small portfolio and the exact findings one rule reports on
it. A row whose expected list is empty is a near miss that keeps the rule quiet.
"""

import pytest

from portfolio.analysis.library import load_library
from portfolio.analysis.snapshot import load_snapshot
from tests.portfolio.analysis.builders import (
    SCOPE,
    PortfolioSpec,
    ServiceSpec,
    build,
    conforming_raci,
    expected,
    findings_of,
)

IPV = "internal-product-vendor"
ISD = "internal-service-delivery"
MSP = "managed-service-provider"
IPV_BUILD = {IPV: ("build",)}


def check(code, spec):
    return findings_of(code, load_snapshot(build(spec)))


def one_service(**fields):
    return PortfolioSpec(services=[ServiceSpec(**fields)])


def no_pattern(**subject):
    return expected("VCP-E001", "“CRM” is live but has no value chain pattern.",
                    "Assign the pattern that describes who does what for this service, or a mix of patterns.",
                    service="crm", **subject)


NO_PATTERN = [
    pytest.param(one_service(), [no_pattern()], id="live-without-pattern-fires"),
    pytest.param(one_service(status="planned"), [], id="planned-without-pattern-quiet"),
    pytest.param(one_service(status="retired"), [], id="retired-without-pattern-quiet"),
    pytest.param(one_service(patterns={MSP: ("operate",)}), [], id="live-with-narrow-pattern-quiet"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("spec", "findings"), NO_PATTERN)
def test_no_pattern(spec, findings):
    assert check("VCP-E001", spec) == findings


def unowned(activity_name, activity, expectation, pattern):
    return expected("VCP-E002", f"“CRM”: no team is accountable for {activity_name}.",
                    f"Make one team accountable; {expectation}.",
                    service="crm", activity=activity, pattern=pattern)


IPV_EXPECTS_TECHNOLOGY = "“Internal Product Vendor” expects a technology team"

UNOWNED_ACTIVITY = [
    pytest.param(
        one_service(patterns=IPV_BUILD),
        [unowned("Build", "build", IPV_EXPECTS_TECHNOLOGY, IPV)],
        id="governed-activity-without-cells-fires",
    ),
    pytest.param(
        one_service(patterns=IPV_BUILD, raci={"build": [("Platform", "R")]}),
        [unowned("Build", "build", IPV_EXPECTS_TECHNOLOGY, IPV)],
        id="responsible-only-fires",
    ),
    pytest.param(
        one_service(patterns={IPV: ("operate",), ISD: ("operate",)}),
        [unowned("Operate", "operate",
                 "“Internal Product Vendor” and “Internal Service Delivery” expect a technology team", IPV)],
        id="activity-governed-by-two-patterns-fires-once",
    ),
    pytest.param(
        one_service(patterns={IPV: ("build",), ISD: ("design",)}, raci={"build": [("Platform", "A")]}),
        [unowned("Design", "design", "“Internal Service Delivery” expects a vendor team", ISD)],
        id="mix-each-pattern-part-fires-for-unowned-part",
    ),
    pytest.param(
        one_service(patterns=IPV_BUILD, raci={"build": [("Platform", "A")]}),
        [],
        id="accountable-team-quiet",
    ),
    pytest.param(
        one_service(patterns=IPV_BUILD, raci={"build": [("Acme Cloud", "A")]}),
        [],
        id="accountable-team-of-wrong-kind-quiet",
    ),
    pytest.param(one_service(patterns=IPV_BUILD, status="retired"), [], id="retired-quiet"),
    pytest.param(one_service(), [], id="no-pattern-quiet"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("spec", "findings"), UNOWNED_ACTIVITY)
def test_unowned_activity(spec, findings):
    assert check("VCP-E002", spec) == findings


@pytest.mark.django_db
@pytest.mark.parametrize(("pattern", "activity"), SCOPE)
def test_unowned_activity_in_each_pattern_scope(pattern, activity):
    library = load_library()
    raci = conforming_raci(library, {pattern: None})
    del raci[activity]
    spec = one_service(patterns={pattern: None}, raci=raci)

    findings = check("VCP-E002", spec)

    assert [(finding.activity, finding.pattern) for finding in findings] == [(activity, pattern)]
    assert library.activity_names[activity] in findings[0].message
    assert library.patterns[pattern].name in findings[0].hint


def several(message, activity, pattern=None):
    return expected("VCP-E003", message,
                    "Keep exactly one accountable team; make the others responsible or consulted.",
                    service="crm", activity=activity, pattern=pattern)


SEVERAL_ACCOUNTABLE = [
    pytest.param(
        one_service(patterns=IPV_BUILD, raci={"build": [("Platform", "A"), ("Acme Cloud", "A")]}),
        [several("“CRM”: 2 teams are accountable for Build: “Acme Cloud” and “Platform”.", "build", IPV)],
        id="two-accountable-fires",
    ),
    pytest.param(
        one_service(patterns=IPV_BUILD,
                    raci={"design": [("Platform", "A"), ("Sales", "A"), ("Client Co", "A")]}),
        [several("“CRM”: 3 teams are accountable for Design: “Client Co”, “Platform” and “Sales”.",
                 "design")],
        id="three-accountable-on-ungoverned-activity-fires",
    ),
    pytest.param(
        one_service(patterns=IPV_BUILD, raci={"build": [("Platform", "A"), ("Acme Cloud", "R")]}),
        [],
        id="one-accountable-one-responsible-quiet",
    ),
    pytest.param(
        one_service(patterns=IPV_BUILD, raci={"build": [("Platform", "A")], "design": [("Platform", "A")]}),
        [],
        id="one-accountable-per-activity-quiet",
    ),
    pytest.param(
        one_service(patterns=IPV_BUILD, status="retired",
                    raci={"build": [("Platform", "A"), ("Sales", "A")]}),
        [],
        id="retired-quiet",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("spec", "findings"), SEVERAL_ACCOUNTABLE)
def test_several_accountable(spec, findings):
    assert check("VCP-E003", spec) == findings


def no_owner():
    return expected("VCP-W008", "“CRM” has no owning team.",
                    "Name the team that owns the service and confirms its mapping.", service="crm")


NO_OWNER = [
    pytest.param(one_service(owner=None), [no_owner()], id="live-without-owner-fires"),
    pytest.param(one_service(owner=None, status="planned"), [no_owner()], id="planned-without-owner-fires"),
    pytest.param(one_service(owner="Client Co"), [], id="external-owner-quiet"),
    pytest.param(one_service(owner=None, status="retired"), [], id="retired-quiet"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("spec", "findings"), NO_OWNER)
def test_no_owner(spec, findings):
    assert check("VCP-W008", spec) == findings


def ungoverned(message, activity_name, activity):
    return expected(
        "VCP-W003", message,
        f"Let one of the assigned patterns govern {activity_name}, or remove its responsibilities.",
        service="crm", activity=activity,
    )


UNGOVERNED_ACTIVITY = [
    pytest.param(
        one_service(patterns=IPV_BUILD, raci={"design": [("Platform", "A")]}),
        [ungoverned("“CRM”: Design has responsibilities, but “Internal Product Vendor” does not govern it.",
                    "Design", "design")],
        id="single-narrowed-pattern-fires",
    ),
    pytest.param(
        one_service(patterns={MSP: None}, raci={"acquire": [("Acme Cloud", "C")]}),
        [ungoverned("“CRM”: Acquire has responsibilities, but “Managed Service Provider” does not govern it.",
                    "Acquire", "acquire")],
        id="consulted-only-outside-scope-fires",
    ),
    pytest.param(
        one_service(patterns={IPV: ("build",), ISD: ("operate", "deliver", "support")},
                    raci={"build": [("Platform", "A")], "discover": [("Sales", "I")]}),
        [ungoverned("“CRM”: Discover has responsibilities, but no assigned pattern "
                    "(“Internal Product Vendor” and “Internal Service Delivery”) governs it.",
                    "Discover", "discover")],
        id="mix-leaves-activity-ungoverned-fires",
    ),
    pytest.param(
        one_service(patterns={IPV: ("build",), ISD: ("operate",)},
                    raci={"build": [("Platform", "A")], "operate": [("Platform", "A")]}),
        [],
        id="mix-each-pattern-governs-part-quiet",
    ),
    pytest.param(one_service(raci={"design": [("Platform", "A")]}), [], id="no-pattern-quiet"),
    pytest.param(one_service(patterns=IPV_BUILD, raci={"design": []}), [], id="activity-without-cells-quiet"),
    pytest.param(
        one_service(patterns=IPV_BUILD, status="retired", raci={"design": [("Platform", "A")]}),
        [],
        id="retired-quiet",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("spec", "findings"), UNGOVERNED_ACTIVITY)
def test_ungoverned_activity(spec, findings):
    assert check("VCP-W003", spec) == findings
