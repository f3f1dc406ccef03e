"""Apply: everything in one transaction or nothing, idempotent, bulk writes, the revision raised once."""

import pytest
from django.db import IntegrityError, connection

from portfolio.imports import apply as apply_module
from portfolio.imports.apply import ImportConflict, ImportRejected
from portfolio.imports.columns import Kind
from portfolio.imports.limits import MAX_ROWS
from portfolio.models import PatternAssignment, Portfolio, PracticeAdoption, Responsibility, Service, Team
from tests.portfolio.imports.builders import (
    apply,
    counts,
    csv_bytes,
    dump_portfolio_data,
    messages,
    preview,
    xlsx_bytes,
)

CATALOGUE = {
    "Teams": [["Name", "Party kind", "Contact", "Member count"],
              ["Cloud Operations", "technology", "ops@example.com", 24],
              ["Nimbus Cloud", "vendor", "", None]],
    "Services": [["Key", "Name", "Status", "Owner", "Description", "Engineering capability"],
                 ["claims", "Claims portal", "live", "Cloud Operations", "Files claims", "strong"],
                 ["billing", "Billing", "planned", "", "", ""]],
    "Pattern assignments": [["Service", "Pattern", "Activities"], ["claims", "internal-service-delivery", ""],
                            ["billing", "managed-service-provider", "operate;support"]],
    "Responsibilities": [["Service", "Activity", "Team", "Role"],
                         ["claims", "operate", "Cloud Operations", "A"],
                         ["claims", "support", "Nimbus Cloud", "C"],
                         ["billing", "operate", "Nimbus Cloud", "R"]],
    "Practices": [["Practice", "Status", "Capability level", "Owner"],
                  ["incident-management", "adopted", 3, "Cloud Operations"]],
}


def catalogue_file():
    return ("catalogue.xlsx", xlsx_bytes(CATALOGUE))


def test_apply_writes_every_kind(portfolio):
    apply(portfolio, catalogue_file())

    claims = Service.objects.get(portfolio=portfolio, key="claims")
    assert (claims.name, claims.status, claims.owner.name, claims.description) == (
        "Claims portal", "live", "Cloud Operations", "Files claims")
    assert claims.context == {"engineering_capability": "strong"}
    assert Service.objects.get(portfolio=portfolio, key="billing").owner is None
    assert Team.objects.get(portfolio=portfolio, name="Cloud Operations").contact == "ops@example.com"
    assert sorted(PatternAssignment.objects.filter(service__portfolio=portfolio)
                  .values_list("service__key", "pattern_id", "activities")) == [
        ("billing", "managed-service-provider", ["operate", "support"]),
        ("claims", "internal-service-delivery",
         ["discover", "design", "acquire", "build", "transition", "operate", "deliver", "support"]),
    ]
    assert Responsibility.objects.filter(service__portfolio=portfolio).count() == 3
    adoption = PracticeAdoption.objects.get(portfolio=portfolio)
    assert (adoption.status, adoption.capability_level) == ("adopted", 3)
    assert adoption.owner.name == "Cloud Operations"


def test_second_import_of_same_file_changes_nothing(portfolio):
    apply(portfolio, catalogue_file())
    before = dump_portfolio_data()

    plan = preview(portfolio, catalogue_file())
    apply(portfolio, catalogue_file())

    assert plan.totals()["unchanged"] == len(plan.outcomes) == 10
    assert plan.totals()["create"] == plan.totals()["update"] == 0
    # The revision does not move when nothing was written.
    assert dump_portfolio_data() == before


def test_apply_raises_revision_once(portfolio):
    revision = Portfolio.objects.get(pk=portfolio.pk).revision

    apply(portfolio, catalogue_file())

    assert Portfolio.objects.get(pk=portfolio.pk).revision == revision + 1


def test_apply_updates_only_given_fields(portfolio, make_team, make_service):
    team = make_team(portfolio, "Cloud Operations", contact="ops@example.com", member_count=5)
    make_service(portfolio, key="claims", name="Old name", description="Keep me", owner=team)

    apply(portfolio, ("services.csv", csv_bytes([["Key", "Name"], ["claims", "New name"]])),
          ("teams.csv", csv_bytes([["Name", "Party kind", "Member count"], ["Cloud Operations", "", "7"]])))

    claims = Service.objects.get(portfolio=portfolio, key="claims")
    assert (claims.name, claims.description, claims.owner_id) == ("New name", "Keep me", team.pk)
    team.refresh_from_db()
    assert (team.contact, team.member_count, team.party_kind) == ("ops@example.com", 7, "technology")


def test_update_moves_updated_at(portfolio, make_service):
    service = make_service(portfolio, key="claims", name="Old name")

    apply(portfolio, ("services.csv", csv_bytes([["Key", "Name"], ["claims", "New name"]])))

    assert Service.objects.get(pk=service.pk).updated_at > service.updated_at


def test_file_with_errors_writes_nothing(portfolio, make_team):
    make_team(portfolio, "Cloud Operations")
    before = dump_portfolio_data()
    rows = [["Key", "Name", "Owner"], ["claims", "Claims", "Cloud Operations"],
            ["billing", "Billing", "Nobody"]]

    with pytest.raises(ImportRejected) as rejected:
        apply(portfolio, ("services.csv", csv_bytes(rows)))

    assert rejected.value.plan.error_count == 1
    assert dump_portfolio_data() == before


def test_failure_while_writing_rolls_everything_back(portfolio, make_team, monkeypatch):
    make_team(portfolio, "Platform Team")
    before = dump_portfolio_data()

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    # Teams, services, assignments and RACI cells are written before the practices fail.
    monkeypatch.setattr(apply_module, "_write_adoptions", fail)
    with pytest.raises(RuntimeError):
        apply(portfolio, catalogue_file())

    assert dump_portfolio_data() == before


def test_database_rejection_becomes_conflict(portfolio, monkeypatch):
    before = dump_portfolio_data()

    def reject(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(apply_module, "_write_assignments", reject)
    with pytest.raises(ImportConflict):
        apply(portfolio, catalogue_file())

    assert dump_portfolio_data() == before


def test_apply_validates_against_current_data(portfolio, make_team):
    team = make_team(portfolio, "Cloud Operations")
    data = ("services.csv", csv_bytes([["Key", "Name", "Owner"], ["claims", "Claims", "Cloud Operations"]]))
    assert not preview(portfolio, data).has_errors
    team.delete()

    with pytest.raises(ImportRejected) as rejected:
        apply(portfolio, data)

    assert messages(rejected.value.plan) == [
        "Unknown team “Cloud Operations”; add it to the teams table or correct the name"]


def test_row_limit(portfolio):
    rows = [["Key", "Name"]] + [[f"svc-{n}", f"Service {n}"] for n in range(MAX_ROWS + 1)]

    plan = preview(portfolio, ("services.csv", csv_bytes(rows)))

    assert plan.outcomes == []
    assert messages(plan) == ["The upload has more than 20,000 data rows; split it into files of at most "
                              "20,000 rows and import them one after the other."]


def test_row_limit_counts_every_file(portfolio):
    half = [["Key", "Name"]] + [[f"svc-{n}", f"Service {n}"] for n in range(MAX_ROWS // 2 + 1)]

    plan = preview(portfolio, ("a.csv", csv_bytes(half)), ("b.csv", csv_bytes(half)))

    assert plan.file_errors[0].source == "b.csv"


def _inserts(model, rows: int) -> int:
    """Return how many INSERTs `bulk_create` needs for `rows` rows of `model` on this database.

    A batch has BATCH_SIZE rows, or fewer where the database caps the parameters of one
    statement (999 on SQLite), which the number of columns decides.
    """
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    batch = connection.ops.bulk_batch_size(fields, [None] * rows)
    return -(-rows // min(batch, apply_module.BATCH_SIZE))


# Twenty queries whatever the size: ten look-ups, a lock, two reloads of ids, the change set, the
# UPDATE that marks attested services for review, the revision bump, a savepoint and its release.
# The INSERTs of the services and of their history come on top.
@pytest.mark.parametrize("services", [20, 1200])
def test_apply_queries_grow_with_batches_not_rows(portfolio, make_team, django_assert_max_num_queries,
                                                  services):
    make_team(portfolio, "Cloud Operations")
    rows = [["Key", "Name", "Owner"]]
    rows += [[f"svc-{n}", f"Service {n}", "Cloud Operations"] for n in range(services)]
    max_queries = 20 + _inserts(Service, services) + _inserts(Service.history.model, services)

    with django_assert_max_num_queries(max_queries):
        apply(portfolio, ("services.csv", csv_bytes(rows)))

    plan = preview(portfolio, ("services.csv", csv_bytes(rows)))
    assert counts(plan, Kind.SERVICES)["unchanged"] == services


def test_json_fields_update_in_bulk(portfolio, make_service):
    service = make_service(portfolio, key="claims", name="Claims", patterns=["managed-service-provider"],
                           context={"engineering_capability": "strong", "audience": "internal"})

    services = [["Key", "Name", "Engineering capability"], ["claims", "Claims", "minimal"]]
    assignments = [["Service", "Pattern", "Activities"], ["claims", "managed-service-provider", "operate"]]

    apply(portfolio, ("services.csv", csv_bytes(services)),
          ("pattern_assignments.csv", csv_bytes(assignments)))

    service.refresh_from_db()
    assert service.context == {"engineering_capability": "minimal", "audience": "internal"}
    assert list(service.assignments.values_list("activities", flat=True)) == [["operate"]]
