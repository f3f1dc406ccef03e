"""Service operations: ETag and If-Match, validation errors, atomic writes, filters."""

import threading

import pytest
from django.db import connection

from portfolio.api.etag import service_etag
from portfolio.models import ChangeKind, ChangeSet, Portfolio, Role, Service

CRM = "/portfolios/acme/services/crm"


@pytest.fixture
def editor(api_as, world):
    return api_as(world.portfolio, Role.EDITOR)


def _stored(key="crm") -> Service:
    return Service.objects.get(portfolio__key="acme", key=key)


def test_read_sends_etag_of_body(editor):
    response = editor.get(CRM)
    assert response.status_code == 200
    assert response["ETag"] == response.json()["etag"] == service_etag(_stored())


def test_read_lists_mix_raci_and_findings(editor, world):
    body = editor.get(CRM).json()
    assert body["owner"] == {"id": world.platform.pk, "name": "Platform team"}
    assert [row["pattern"] for row in body["patterns"]] == ["internal-service-delivery"]
    assert {(cell["activity"], cell["team"]["name"], cell["role"]) for cell in body["raci"]} == {
        ("operate", "Platform team", "A"), ("support", "Acme Cloud", "C")}
    assert body["findings"]["error"] > 0


def test_concurrent_updates_second_gets_412(api_as, world):
    first, second = api_as(world.portfolio, Role.EDITOR), api_as(world.portfolio, Role.OWNER)
    etag = first.get(CRM)["ETag"]
    assert second.get(CRM)["ETag"] == etag

    won = first.patch(CRM, {"name": "CRM by first"}, headers={"If-Match": etag})
    lost = second.patch(CRM, {"name": "CRM by second"}, headers={"If-Match": etag})

    assert won.status_code == 200
    assert lost.status_code == 412
    assert lost["ETag"] == won["ETag"] != etag
    assert _stored().name == "CRM by first"


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_without_if_match_is_428(editor, method):
    before = _stored()
    response = getattr(editor, method)(CRM, {"key": "crm", "name": "No precondition"})
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    assert _stored().name == before.name
    assert _stored().updated_at == before.updated_at


@pytest.mark.parametrize("if_match", ['"1"', 'W/"{etag}"', '"1", "2"', ""])
def test_update_with_other_etag_is_412(editor, if_match):
    before = _stored()
    header = if_match.format(etag=service_etag(before).strip('"'))
    response = editor.patch(CRM, {"name": "Stale"}, headers={"If-Match": header})
    assert response.status_code == 412
    assert response["ETag"] == service_etag(before)
    assert _stored().name == "CRM"


@pytest.mark.parametrize("if_match", ["*", '"1", {etag}'])
def test_update_with_star_or_listed_etag_applies(editor, if_match):
    header = if_match.format(etag=service_etag(_stored()))
    response = editor.patch(CRM, {"description": "Customer data."}, headers={"If-Match": header})
    assert response.status_code == 200
    assert _stored().description == "Customer data."
    assert response["ETag"] == service_etag(_stored())


def test_put_resets_fields_left_out(editor, world):
    Service.objects.filter(pk=world.service.pk).update(description="Old text",
                                                       context={"vendor_dependency": "low"})
    etag = editor.get(CRM)["ETag"]
    response = editor.put(CRM, {"key": "crm", "name": "CRM"}, headers={"If-Match": etag})
    assert response.status_code == 200
    stored = _stored()
    assert (stored.description, stored.owner, stored.context) == ("", None, {})


def test_patch_changes_only_fields_sent(editor, world):
    etag = editor.get(CRM)["ETag"]
    response = editor.patch(CRM, {"status": "retired"}, headers={"If-Match": etag})
    assert response.status_code == 200
    stored = _stored()
    assert stored.status == "retired"
    assert stored.name == "CRM"
    assert stored.owner == world.platform


def test_patch_renames_key(editor):
    etag = editor.get(CRM)["ETag"]
    response = editor.patch(CRM, {"key": "crm-2"}, headers={"If-Match": etag})
    assert response.status_code == 200
    assert response.json()["key"] == "crm-2"
    assert editor.get("/portfolios/acme/services/crm-2").status_code == 200
    assert editor.get(CRM).status_code == 404


def test_write_raises_portfolio_revision(editor, world):
    before = Portfolio.objects.get(pk=world.portfolio.pk).revision
    etag = editor.get(CRM)["ETag"]
    editor.patch(CRM, {"name": "CRM 2"}, headers={"If-Match": etag})
    assert Portfolio.objects.get(pk=world.portfolio.pk).revision > before


@pytest.mark.parametrize(("body", "loc", "words"), [
    ({"name": ""}, ["body", "name"], "at least 1"),
    ({"name": None}, ["body", "name"], "string"),
    ({"status": "archived"}, ["body", "status"], "planned"),
    ({"owner": 0}, ["body", "owner"], "greater than"),
    ({"name": "Bad\x07name"}, ["body", "name"], "control character"),
    ({"description": "NUL \x00 inside"}, ["body", "description"], "cannot be stored"),
    ({"key": "has space"}, ["body", "key"], "contains"),
    ({"key": "erp"}, ["body", "key"], "already exists"),
    ({"context": {"no-such-factor": "x"}}, ["body", "context"], "Unknown decision factor"),
])
def test_invalid_patch_is_422_naming_field(editor, make_service, world, body, loc, words):
    make_service(world.portfolio, key="erp")
    before = _stored()
    response = editor.patch(CRM, body, headers={"If-Match": service_etag(before)})
    assert response.status_code == 422, response.content
    errors = response.json()["detail"]
    assert [error["loc"] for error in errors] == [loc]
    assert words in errors[0]["msg"]
    assert _stored().updated_at == before.updated_at


def test_owner_from_other_portfolio_is_422(editor, make_portfolio, make_team):
    elsewhere = make_team(make_portfolio(), "Elsewhere")
    response = editor.patch(CRM, {"owner": elsewhere.pk}, headers={"If-Match": service_etag(_stored())})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "owner"]


def test_create_returns_201_with_location_and_etag(editor, world):
    response = editor.post("/portfolios/acme/services", {
        "key": "billing", "name": "Billing", "status": "planned", "owner": world.vendor.pk,
        "context": {"vendor_dependency": "high"},
    })
    assert response.status_code == 201, response.content
    assert response["Location"].endswith("/api/v1/portfolios/acme/services/billing")
    created = _stored("billing")
    assert response["ETag"] == service_etag(created)
    assert (created.status, created.owner) == ("planned", world.vendor)
    assert created.context == {"vendor_dependency": "high"}


def test_create_is_atomic(editor):
    response = editor.post("/portfolios/acme/services", {
        "key": "billing", "name": "Billing", "context": {"vendor_dependency": "not-an-option"}})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "context"]
    assert not Service.objects.filter(key="billing").exists()


def test_delete_with_stale_if_match_keeps_service(editor):
    response = editor.delete(CRM, headers={"If-Match": '"1"'})
    assert response.status_code == 412
    assert Service.objects.filter(key="crm").exists()


def test_delete_without_if_match_deletes(editor):
    assert editor.delete(CRM).status_code == 204
    assert not Service.objects.filter(key="crm").exists()


@pytest.mark.parametrize(("query", "keys"), [
    ({}, ["crm", "erp", "hr"]),
    ({"status": "planned"}, ["hr"]),
    ({"pattern": "internal-service-delivery"}, ["crm"]),
    ({"q": "ENTERPRISE"}, ["erp"]),
    ({"findings": "error"}, ["crm", "erp"]),
])
def test_list_filters(editor, world, make_service, query, keys):
    make_service(world.portfolio, key="erp", name="Enterprise resources")
    make_service(world.portfolio, key="hr", name="HR", status="planned")
    response = editor.get("/portfolios/acme/services", **query)
    assert response.status_code == 200
    assert [item["key"] for item in response.json()["items"]] == keys


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers on one file lock")
def test_simultaneous_updates_one_wins(transactional_db, api_as, world):
    clients = [api_as(world.portfolio, Role.EDITOR) for _ in range(2)]
    etag = clients[0].get(CRM)["ETag"]
    barrier = threading.Barrier(2)
    statuses = {}

    def update(number: int) -> None:
        try:
            barrier.wait(timeout=10)
            response = clients[number].patch(CRM, {"name": f"CRM by {number}"}, headers={"If-Match": etag})
            statuses[number] = response.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=update, args=(number,)) for number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses.values()) == [200, 412]
    winner = next(number for number, status in statuses.items() if status == 200)
    assert _stored().name == f"CRM by {winner}"


def test_write_recorded_in_history_as_api(api_as, world):
    client = api_as(world.portfolio, Role.EDITOR)
    etag = client.get(CRM)["ETag"]
    response = client.patch(CRM, {"name": "CRM renamed"}, headers={"If-Match": etag,
                                                                   "X-Change-Reason": "CMDB sync"})
    assert response.status_code == 200
    change = ChangeSet.objects.filter(portfolio=world.portfolio).order_by("-pk").first()
    assert change is not None
    assert change.kind == ChangeKind.API
    assert change.reason == "CMDB sync"
    assert change.user.api_tokens.exists()
