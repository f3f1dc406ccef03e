"""The library in the database, as the data migration loaded it, states the reference facts.

The facts are written out here, independently of the data file. They are the party
kinds expected per pattern and lifecycle activity (read from the organisation's side),
the key practices as ITIL v5 names them, and the decision factor values of the three
internal IT patterns. The categories and the service integrator's governance risk
complete them.
"""

import pytest

from patterns.models import Expectation, FactorValue, KeyPractice, LifecycleActivity, Pattern

pytestmark = pytest.mark.django_db

B, T, V, SP, C = "business", "technology", "vendor", "service_provider", "customer"
OUT = None  # the pattern lists no responsibility for the activity: out of scope

IPV = "internal-product-vendor"
ISD = "internal-service-delivery"
SI = "service-integrator"
DPV = "digital-product-vendor"
CSD = "custom-software-developer"
MSP = "managed-service-provider"

ACTIVITIES = ["discover", "design", "acquire", "build", "transition", "operate", "deliver", "support"]

PATTERNS = [
    # key, name, category
    (IPV, "Internal Product Vendor", "internal_it"),
    (ISD, "Internal Service Delivery", "internal_it"),
    (SI, "Service Integrator", "internal_it"),
    (DPV, "Digital Product Vendor", "commercial_provider"),
    (CSD, "Custom Software Developer", "commercial_provider"),
    (MSP, "Managed Service Provider", "commercial_provider"),
]

# pattern, activity, accountable kinds, participating kinds. Both are OUT when the activity is out of scope.
EXPECTATIONS = [
    (IPV, "discover", {B, T}, {B, T}),
    (IPV, "design", {T}, {B}),
    (IPV, "acquire", {T}, set()),
    (IPV, "build", {T}, {B}),
    (IPV, "transition", {T}, set()),
    (IPV, "operate", {T}, {V}),
    (IPV, "deliver", {T}, {B}),
    (IPV, "support", {T}, set()),
    (ISD, "discover", {B}, {T}),
    (ISD, "design", {V}, {T}),
    (ISD, "acquire", {V, T}, {V, T}),
    (ISD, "build", {V}, set()),
    (ISD, "transition", {T}, set()),
    (ISD, "operate", {T}, set()),
    (ISD, "deliver", {T}, set()),
    (ISD, "support", {T}, {V}),
    (SI, "discover", {B}, {T, SP}),
    (SI, "design", {V, SP}, set()),
    (SI, "acquire", {V, SP}, set()),
    (SI, "build", {V, SP}, set()),
    (SI, "transition", {V, SP}, set()),
    (SI, "operate", {V, SP}, set()),
    (SI, "deliver", {B, T}, {SP, V}),
    (SI, "support", {B, T}, {SP, V}),
    (DPV, "discover", {T}, {C}),
    (DPV, "design", {T}, {C}),
    (DPV, "acquire", OUT, OUT),
    (DPV, "build", {T}, {SP}),
    (DPV, "transition", {T}, set()),
    (DPV, "operate", {T}, {V}),
    (DPV, "deliver", {T}, set()),
    (DPV, "support", {T}, {C}),
    (CSD, "discover", {C}, {T}),
    (CSD, "design", {T}, {C}),
    (CSD, "acquire", OUT, OUT),
    (CSD, "build", {T}, {C}),
    (CSD, "transition", {T, C}, {T, C}),
    (CSD, "operate", {C, SP}, set()),
    (CSD, "deliver", {C}, set()),
    (CSD, "support", {C}, {T}),
    (MSP, "discover", {C}, set()),
    (MSP, "design", {C}, set()),
    (MSP, "acquire", OUT, OUT),
    (MSP, "build", OUT, OUT),
    (MSP, "transition", OUT, OUT),
    (MSP, "operate", {T}, set()),
    (MSP, "deliver", {T}, set()),
    (MSP, "support", {T}, set()),
]

KEY_PRACTICES = {
    IPV: [
        "Software and Development Management",
        "Architecture Management",
        "Deployment Management",
        "Release Management",
        "Service Configuration Management",
    ],
    ISD: [
        "Supplier Management",
        "Service Level Management",
        "Incident Management",
        "Problem Management",
        "Service Desk",
    ],
    SI: [
        "Supplier Management",
        "Relationship Management",
        "Service Level Management",
        "Portfolio Management",
        "Financial Management",
    ],
    DPV: [
        "Software and Development Management",
        "Monitoring and Event Management",
        "Deployment Management",
        "Service Design",
    ],
    CSD: [
        "Project Management",
        "Relationship Management",
        "Service Validation and Testing",
        "Knowledge Management",
    ],
    MSP: [
        "Service Level Management",
        "Incident Management",
        "Monitoring and Event Management",
        "Service Desk",
        "Availability Management",
    ],
}

# factor name, then the value for the internal product vendor, internal service delivery, service integrator.
DECISION_FACTORS = [
    ("Engineering capability", "Strong", "Limited", "Minimal"),
    ("Vendor dependency", "Low", "Medium", "High"),
    ("Governance complexity", "Medium", "Medium", "High"),
    ("Innovation speed", "Fast", "Depends on vendor", "Depends on vendor"),
    ("Cost structure", "CapEx + OpEx", "OpEx (subscription)", "OpEx (managed)"),
    ("Risk profile", "Build risk (delays, quality)", "Vendor risk (lock-in, outage)",
     "Integration risk (coordination)"),
]
FACTOR_VALUES = [
    (pattern, factor, value)
    for factor, *values in DECISION_FACTORS
    for pattern, value in zip((IPV, ISD, SI), values, strict=True)
]


def test_table_covers_every_activity():
    covered = [(pattern, activity) for pattern, activity, _, _ in EXPECTATIONS]
    expected = [(key, activity) for key, _, _ in PATTERNS for activity in ACTIVITIES]
    assert covered == expected


def test_lifecycle_activities_in_order():
    assert list(LifecycleActivity.objects.values_list("key", flat=True)) == ACTIVITIES


def test_library_holds_exactly_the_six_patterns():
    shipped = set(Pattern.objects.filter(shipped=True).values_list("key", flat=True))
    assert shipped == {key for key, _, _ in PATTERNS}


@pytest.mark.parametrize(("key", "name", "category"), PATTERNS, ids=[row[0] for row in PATTERNS])
def test_pattern_name_and_category(key, name, category):
    pattern = Pattern.objects.get(key=key)
    assert pattern.name == name
    assert pattern.category == category


@pytest.mark.parametrize(
    ("pattern", "activity", "accountable", "participating"),
    EXPECTATIONS,
    ids=[f"{pattern}-{activity}" for pattern, activity, _, _ in EXPECTATIONS],
)
def test_expectation(pattern, activity, accountable, participating):
    expectation = Expectation.objects.filter(pattern__key=pattern, activity_id=activity).first()
    if accountable is OUT:
        assert expectation is None, f"{activity} should be out of scope of {pattern}"
        return
    assert expectation is not None, f"{activity} should be in scope of {pattern}"
    assert set(expectation.accountable_kinds) == accountable
    assert len(expectation.accountable_kinds) == len(accountable), "duplicate accountable kind"
    assert set(expectation.participating_kinds) == participating
    assert len(expectation.participating_kinds) == len(participating), "duplicate participating kind"


@pytest.mark.parametrize(("pattern", "names"), KEY_PRACTICES.items(), ids=list(KEY_PRACTICES))
def test_key_practices(pattern, names):
    links = KeyPractice.objects.filter(pattern__key=pattern).order_by("position")
    assert [link.practice.name for link in links] == names


@pytest.mark.parametrize(
    ("pattern", "factor", "label"),
    FACTOR_VALUES,
    ids=[f"{pattern}-{factor}" for pattern, factor, _ in FACTOR_VALUES],
)
def test_decision_factor_value(pattern, factor, label):
    value = FactorValue.objects.filter(pattern__key=pattern, factor__name=factor).first()
    assert value is not None, f"{pattern} has no value for {factor}"
    assert value.label == label
    assert value.factor.option_label(value.option) == label, "option key does not match the label"


# The skills the service integrator's governance risk names, and the guiding principle it calls on.
GOVERNANCE_RISK_TERMS = ["contract management", "vendor governance", "service integration", "holistically"]


@pytest.mark.parametrize("key", [key for key, _, _ in PATTERNS])
def test_governance_risk_only_integrator(key):
    risk = Pattern.objects.get(key=key).governance_risk
    if key == SI:
        assert risk.strip()
    else:
        assert risk == ""


@pytest.mark.parametrize("term", GOVERNANCE_RISK_TERMS)
def test_integrator_risk_names_term(term):
    assert term in Pattern.objects.get(key=SI).governance_risk.lower()
