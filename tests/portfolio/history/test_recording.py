"""Every kind of write is recorded with its user, change set and before and after values."""

import pytest
from django.urls import reverse

from portfolio.bulk import bulk_apply, bulk_change
from portfolio.history.recording import change_scope
from portfolio.models import ChangeKind, ChangeSet, PatternAssignment, Responsibility, Service
from portfolio.services import service_update
from tests.portfolio.imports.builders import apply, csv_bytes


def test_service_update_records_before_and_after(portfolio, make_service):
    service = make_service(portfolio, key="claims", name="Claims")

    service_update(service=service, name="Claims handling")

    latest, previous = service.history.all()[:2]
    assert (previous.name, latest.name) == ("Claims", "Claims handling")
    assert latest.history_type == "~"
    assert latest.history_change_set_id is not None


def test_change_scope_groups_changes_with_reason(portfolio, make_service):
    with change_scope(kind=ChangeKind.WORKSHOP, reason="Agreed in the workshop"):
        first = make_service(portfolio)
        second = make_service(portfolio)

    rows = [first.history.get(), second.history.get()]
    change_set = ChangeSet.objects.get(pk=rows[0].history_change_set_id)
    assert rows[1].history_change_set_id == change_set.pk
    assert (change_set.kind, change_set.portfolio_id) == (ChangeKind.WORKSHOP, portfolio.pk)
    assert [row.history_change_reason for row in rows] == ["Agreed in the workshop"] * 2


def test_page_edit_records_user(client, portfolio, make_service, make_member):
    user = make_member(portfolio)
    service = make_service(portfolio, key="claims", name="Claims")
    client.force_login(user)

    response = client.post(reverse("service-rename", args=[portfolio.key, "claims"]), {
        "updated_at": service.updated_at.isoformat(), "name": "Claims desk", "key": "claims-desk"})

    assert response.status_code == 302
    latest = Service.history.filter(id=service.pk).first()
    assert (latest.key, latest.history_user_id) == ("claims-desk", user.pk)
    change_set = ChangeSet.objects.get(pk=latest.history_change_set_id)
    assert (change_set.kind, change_set.user_id) == (ChangeKind.EDIT, user.pk)


def test_bulk_status_is_one_change_set(portfolio, make_service):
    services = [make_service(portfolio, status="planned") for _ in range(3)]
    change = bulk_change(portfolio=portfolio, action="set_status", status="live")

    bulk_apply(portfolio=portfolio, service_ids=[service.pk for service in services], change=change)

    rows = list(Service.history.filter(history_type="~"))
    assert sorted(row.id for row in rows) == sorted(service.pk for service in services)
    assert {row.status for row in rows} == {"live"}
    assert len({row.history_change_set_id for row in rows}) == 1
    assert ChangeSet.objects.get(pk=rows[0].history_change_set_id).kind == ChangeKind.BULK


def test_bulk_pattern_records_created_assignments(portfolio, make_service):
    services = [make_service(portfolio) for _ in range(2)]
    change = bulk_change(portfolio=portfolio, action="assign_pattern", pattern_key="managed-service-provider")

    bulk_apply(portfolio=portfolio, service_ids=[service.pk for service in services], change=change)

    created = PatternAssignment.history.filter(history_type="+")
    assert sorted(row.service_id for row in created) == sorted(service.pk for service in services)


def test_bulk_accountable_records_update_and_delete(portfolio, make_service, make_team,
                                                      make_responsibility):
    old, extra, new = make_team(portfolio), make_team(portfolio), make_team(portfolio)
    service = make_service(portfolio)
    kept = make_responsibility(service, "operate", old)
    dropped = make_responsibility(service, "operate", extra)
    change = bulk_change(portfolio=portfolio, action="give_role", team_id=new.pk, activity_key="operate",
                         role="A")

    bulk_apply(portfolio=portfolio, service_ids=[service.pk], change=change)

    assert Responsibility.history.filter(id=kept.pk, history_type="~").get().team_id == new.pk
    assert Responsibility.history.filter(id=dropped.pk, history_type="-").get().team_id == extra.pk


def test_import_records_created_and_updated_rows(portfolio, make_service):
    service = make_service(portfolio, key="claims", name="Old name", description="Keep me")

    apply(portfolio, ("services.csv", csv_bytes([["Key", "Name"], ["claims", "New name"], ["web", "Web"]])))

    updated = Service.history.filter(id=service.pk, history_type="~").get()
    assert (updated.name, updated.description) == ("New name", "Keep me")
    created = Service.history.filter(key="web", history_type="+").get()
    assert created.history_change_set_id == updated.history_change_set_id
    assert ChangeSet.objects.get(pk=created.history_change_set_id).kind == ChangeKind.IMPORT


@pytest.mark.parametrize("path, kind", [
    ("/api/v1/services/", ChangeKind.API),
    ("/p/acme/workshops/3/board/", ChangeKind.WORKSHOP),
    ("/p/acme/services/claims/details/", ChangeKind.EDIT),
])
def test_request_change_kind(path, kind):
    from portfolio.history.middleware import request_change_kind

    assert request_change_kind(path) == kind
