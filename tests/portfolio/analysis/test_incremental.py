"""Re-analysis after one edit: it must equal a full analysis, in a fixed number of queries."""

import random

import pytest

from patterns.models import PartyKind
from portfolio.analysis.engine import analyse
from portfolio.analysis.incremental import reanalyse_service
from portfolio.analysis.snapshot import load_snapshot
from portfolio.benchmark.generate import generate_portfolio
from portfolio.models import (
    AdoptionStatus,
    PatternAssignment,
    Portfolio,
    PracticeAdoption,
    RaciRole,
    Responsibility,
    Service,
    ServiceStatus,
    Team,
)

SERVICES = 40
ACTIVITIES = ["discover", "design", "acquire", "build", "transition", "operate", "deliver", "support"]


@pytest.fixture
def generated(db):
    return generate_portfolio(services=SERVICES, seed=7, teams=25)


def full_analysis(portfolio_id):
    snapshot = load_snapshot(Portfolio.objects.get(pk=portfolio_id))
    return snapshot, analyse(snapshot)


def comparable(snapshot):
    """The snapshot's content with each service's RACI cells sorted: the database returns them unordered."""
    services = [
        (service.id, service.key, service.name, service.status, service.owner_id, service.context,
         service.patterns, service.governed,
         {activity: sorted(cells) for activity, cells in service.roles.items()})
        for service in snapshot.services
    ]
    return (snapshot.revision, snapshot.min_capability_level, snapshot.disabled_rules, snapshot.teams,
            snapshot.adoptions, services)


def service_with_cells(portfolio, rng):
    candidates = list(Service.objects.filter(portfolio=portfolio, responsibilities__isnull=False)
                      .distinct().order_by("key"))
    return rng.choice(candidates)


# Each edit changes the portfolio through the ORM, as the views do, and returns
# the service key to pass to reanalyse_service.

def change_cell_team(portfolio, rng):
    service = service_with_cells(portfolio, rng)
    cell = rng.choice(list(service.responsibilities.order_by("pk")))
    same_cells = service.responsibilities.filter(activity=cell.activity, role=cell.role)
    teams = Team.objects.filter(portfolio=portfolio).exclude(pk__in=same_cells.values("team"))
    cell.team = rng.choice(list(teams.order_by("pk")))
    cell.save()
    return service.key


def delete_cell(portfolio, rng):
    service = service_with_cells(portfolio, rng)
    rng.choice(list(service.responsibilities.order_by("pk"))).delete()
    return service.key


def add_accountable_cell(portfolio, rng):
    service = rng.choice(list(Service.objects.filter(portfolio=portfolio).order_by("key")))
    activity = rng.choice(ACTIVITIES)
    accountable = service.responsibilities.filter(activity=activity, role=RaciRole.ACCOUNTABLE)
    teams = Team.objects.filter(portfolio=portfolio).exclude(pk__in=accountable.values("team"))
    team = rng.choice(list(teams.order_by("pk")))
    Responsibility.objects.create(service=service, activity_id=activity, team=team, role=RaciRole.ACCOUNTABLE)
    return service.key


def any_assignment(portfolio, rng):
    return rng.choice(list(PatternAssignment.objects.filter(service__portfolio=portfolio).order_by("pk")))


def narrow_assignment(portfolio, rng):
    assignment = any_assignment(portfolio, rng)
    if len(assignment.activities) > 1:
        assignment.activities = assignment.activities[1:]
        assignment.save()
    return assignment.service.key


def delete_assignment(portfolio, rng):
    assignment = any_assignment(portfolio, rng)
    assignment.delete()
    return assignment.service.key


def add_assignment(portfolio, rng):
    service = rng.choice(list(Service.objects.filter(portfolio=portfolio).order_by("key")))
    used = set(service.assignments.values_list("pattern_id", flat=True))
    free = [key for key in ("internal-service-delivery", "service-integrator", "managed-service-provider")
            if key not in used]
    if free:
        service.assignments.create(pattern_id=rng.choice(free), activities=["deliver", "support"])
    return service.key


def retire_or_revive(portfolio, rng):
    service = rng.choice(list(Service.objects.filter(portfolio=portfolio).order_by("key")))
    service.status = ServiceStatus.LIVE if service.status == ServiceStatus.RETIRED else ServiceStatus.RETIRED
    service.save()
    return service.key


def drop_owner(portfolio, rng):
    service = rng.choice(list(Service.objects.filter(portfolio=portfolio).order_by("key")))
    service.owner = None
    service.save()
    return service.key


def contradict_context(portfolio, rng):
    service = rng.choice(list(Service.objects.filter(portfolio=portfolio).order_by("key")))
    service.context = {"audience": rng.choice(["internal", "external"]), "engineering_capability": "minimal"}
    service.save()
    return service.key


def rename_key_pass_new(portfolio, rng):
    service = rng.choice(list(Service.objects.filter(portfolio=portfolio).order_by("key")))
    service.key = f"renamed-{rng.randrange(10**6)}"
    service.save()
    return service.key


def rename_key_pass_old(portfolio, rng):
    service = rng.choice(list(Service.objects.filter(portfolio=portfolio).order_by("key")))
    old_key = service.key
    service.key = f"a-renamed-{rng.randrange(10**6)}"
    service.save()
    return old_key


def delete_service(portfolio, rng):
    service = rng.choice(list(Service.objects.filter(portfolio=portfolio).order_by("key")))
    key = service.key
    service.delete()
    return key


def create_service(portfolio, rng):
    key = f"new-{rng.randrange(10**6)}"
    service = Service.objects.create(portfolio=portfolio, key=key, name=f"New service {key}")
    service.assignments.create(pattern_id="managed-service-provider", activities=["operate", "deliver"])
    return key


def change_team_kind(portfolio, rng):
    team = rng.choice(list(Team.objects.filter(portfolio=portfolio).order_by("pk")))
    team.party_kind = PartyKind.CUSTOMER if team.party_kind != PartyKind.CUSTOMER else PartyKind.VENDOR
    team.save()
    return rng.choice(list(Service.objects.filter(portfolio=portfolio).values_list("key", flat=True)))


def change_adoption(portfolio, rng):
    adoption = rng.choice(list(PracticeAdoption.objects.filter(portfolio=portfolio).order_by("pk")))
    adopted = adoption.status == AdoptionStatus.ADOPTED
    adoption.status = AdoptionStatus.PLANNED if adopted else AdoptionStatus.ADOPTED
    adoption.capability_level = 1
    adoption.save()
    return rng.choice(list(Service.objects.filter(portfolio=portfolio).values_list("key", flat=True)))


def switch_off_rule(portfolio, rng):
    portfolio.disabled_rules = ["VCP-E002"]
    portfolio.revision += 1
    portfolio.save(update_fields=["disabled_rules", "revision"])
    return rng.choice(list(Service.objects.filter(portfolio=portfolio).values_list("key", flat=True)))


SERVICE_EDITS = [
    change_cell_team, delete_cell, add_accountable_cell, narrow_assignment, delete_assignment, add_assignment,
    retire_or_revive, drop_owner, contradict_context, rename_key_pass_new, rename_key_pass_old,
    delete_service, create_service,
]
PORTFOLIO_EDITS = [change_team_kind, change_adoption, switch_off_rule]


@pytest.mark.parametrize("edit", SERVICE_EDITS + PORTFOLIO_EDITS, ids=lambda edit: edit.__name__)
def test_reanalysis_equals_full_analysis(generated, edit):
    snapshot, result = full_analysis(generated.pk)
    portfolio = Portfolio.objects.get(pk=generated.pk)
    service_key = edit(portfolio, random.Random(edit.__name__))

    new_snapshot, new_result = reanalyse_service(snapshot, result, service_key)

    expected_snapshot, expected = full_analysis(generated.pk)
    assert new_result.revision == expected.revision
    assert new_result.revision > result.revision
    assert new_result.findings == expected.findings
    assert comparable(new_snapshot) == comparable(expected_snapshot)
    assert new_snapshot.patterns_in_use() == expected_snapshot.patterns_in_use()


def test_reanalysis_after_random_edits(generated):
    rng = random.Random(2024)
    snapshot, result = full_analysis(generated.pk)
    for step in range(40):
        edit = rng.choice(SERVICE_EDITS)
        service_key = edit(Portfolio.objects.get(pk=generated.pk), rng)

        snapshot, result = reanalyse_service(snapshot, result, service_key)

        expected = full_analysis(generated.pk)[1]
        assert result.findings == expected.findings, f"step {step}: {edit.__name__} on {service_key}"


def test_reanalysis_after_last_use_of_pattern(generated):
    snapshot, result = full_analysis(generated.pk)
    service = Service.objects.create(portfolio=generated, key="zz-only-custom", name="Only custom")
    service.assignments.create(pattern_id="custom-software-developer", activities=["build"])
    custom = PatternAssignment.objects.filter(pattern="custom-software-developer")
    custom.filter(service__portfolio=generated).exclude(service=service).delete()
    snapshot, result = full_analysis(generated.pk)
    service.delete()

    new_snapshot, new_result = reanalyse_service(snapshot, result, "zz-only-custom")

    expected_snapshot, expected = full_analysis(generated.pk)
    assert "custom-software-developer" not in new_snapshot.patterns_in_use()
    assert new_snapshot.patterns_in_use() == expected_snapshot.patterns_in_use()
    assert new_result.findings == expected.findings


def test_snapshot_services_in_key_order(generated):
    Service.objects.create(portfolio=generated, key="Zeta", name="Upper case sorts first in code point order")
    Service.objects.create(portfolio=generated, key="a.b", name="Punctuation")

    keys = [service.key for service in full_analysis(generated.pk)[0].services]

    assert keys == sorted(keys)
    assert keys[0] == "Zeta"


def test_reanalysis_leaves_inputs_unchanged(generated):
    snapshot, result = full_analysis(generated.pk)
    services_before = list(snapshot.services)
    findings_before = result.findings
    portfolio = Portfolio.objects.get(pk=generated.pk)

    reanalyse_service(snapshot, result, delete_cell(portfolio, random.Random(1)))

    assert snapshot.services == services_before
    assert result.findings == findings_before
    assert snapshot.revision == portfolio.revision


@pytest.mark.parametrize("edit", PORTFOLIO_EDITS, ids=lambda edit: edit.__name__)
def test_reanalysis_without_service_key(generated, edit, django_assert_max_num_queries):
    snapshot, result = full_analysis(generated.pk)
    edit(Portfolio.objects.get(pk=generated.pk), random.Random(4))

    with django_assert_max_num_queries(3):
        new_snapshot, new_result = reanalyse_service(snapshot, result, None)

    expected_snapshot, expected = full_analysis(generated.pk)
    assert new_result.findings == expected.findings
    assert comparable(new_snapshot) == comparable(expected_snapshot)


@pytest.mark.parametrize("edit", [change_cell_team, delete_service, create_service],
                         ids=lambda edit: edit.__name__)
def test_reanalysis_query_count_constant(generated, edit, django_assert_max_num_queries):
    snapshot, result = full_analysis(generated.pk)
    service_key = edit(Portfolio.objects.get(pk=generated.pk), random.Random(3))

    with django_assert_max_num_queries(6):
        reanalyse_service(snapshot, result, service_key)


def test_reanalysis_query_count_same_for_larger_portfolio(db, django_assert_num_queries):
    counts = []
    for size in (10, 120):
        portfolio = generate_portfolio(services=size, seed=size, teams=12)
        snapshot, result = full_analysis(portfolio.pk)
        service_key = change_cell_team(portfolio, random.Random(size))
        with django_assert_num_queries(6):
            reanalyse_service(snapshot, result, service_key)
        counts.append(len(snapshot.services))
    assert counts == [10, 120]
