"""Bulk actions on selected services: the plan, the writes, their queries and the confirmation pages."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patterns.models import Expectation
from portfolio.bulk import (
    MAX_SELECTION,
    BulkAction,
    bulk_apply,
    bulk_change,
    bulk_plan,
    result_message,
    skipped_message,
)
from portfolio.models import PatternAssignment, Portfolio, Responsibility, Role, Service

IPV = "internal-product-vendor"
MSP = "managed-service-provider"


@pytest.fixture
def services(portfolio, make_service):
    return [make_service(portfolio, key=f"svc-{number}", name=f"Service {number}") for number in range(3)]


def ids(services):
    return [service.pk for service in services]


def revision(portfolio) -> int:
    return Portfolio.objects.get(pk=portfolio.pk).revision


def change(portfolio, action, **arguments):
    return bulk_change(portfolio=portfolio, action=action, **arguments)


def give_role(portfolio, team, activity, role):
    return change(portfolio, "give_role", team_id=team.pk, activity_key=activity, role=role)


# --- assign a pattern ---------------------------------------------------------------------------


def test_assign_pattern_skips_services_having_it(portfolio, services, make_service):
    has_it = make_service(portfolio, key="svc-has", name="Already there", patterns=[IPV])
    before = revision(portfolio)

    plan = bulk_apply(portfolio=portfolio, service_ids=[*ids(services), has_it.pk],
                      change=change(portfolio, "assign_pattern", pattern_key=IPV))

    scope = list(Expectation.objects.filter(pattern__key=IPV).order_by("activity__position")
                 .values_list("activity_id", flat=True))
    assert [item.service for item in plan.changes] == services
    assert [(item.service, item.reason) for item in plan.skipped] == [(has_it, "already has the pattern")]
    for service in services:
        assert PatternAssignment.objects.get(service=service, pattern_id=IPV).activities == scope
    assert revision(portfolio) == before + 1


def test_apply_raises_revision_once(portfolio, services):
    before = revision(portfolio)

    bulk_apply(portfolio=portfolio, service_ids=ids(services), change=change(portfolio, "set_status",
                                                                             status="retired"))

    assert revision(portfolio) == before + 1


def test_plan_writes_nothing(portfolio, services):
    before = revision(portfolio)

    plan = bulk_plan(portfolio=portfolio, service_ids=ids(services),
                     change=change(portfolio, "assign_pattern", pattern_key=MSP))

    assert len(plan.changes) == 3
    assert not PatternAssignment.objects.exists()
    assert revision(portfolio) == before


# --- status and owning team ---------------------------------------------------------------------


def test_set_status_skips_same_and_touches_updated_at(portfolio, services):
    Service.objects.filter(pk=services[0].pk).update(status="planned")
    stamps = dict(Service.objects.values_list("pk", "updated_at"))

    plan = bulk_apply(portfolio=portfolio, service_ids=ids(services),
                      change=change(portfolio, "set_status", status="planned"))

    assert [item.service.pk for item in plan.skipped] == [services[0].pk]
    assert set(Service.objects.values_list("status", flat=True)) == {"planned"}
    assert Service.objects.get(pk=services[0].pk).updated_at == stamps[services[0].pk]
    assert Service.objects.get(pk=services[1].pk).updated_at > stamps[services[1].pk]


def test_set_owner_and_clear_owner(portfolio, services, make_team):
    team = make_team(portfolio, "Service Desk")

    bulk_apply(portfolio=portfolio, service_ids=ids(services[:2]),
               change=change(portfolio, "set_owner", owner_id=team.pk))
    cleared = bulk_apply(portfolio=portfolio, service_ids=ids(services),
                         change=change(portfolio, "set_owner", owner_id=None))

    assert len(cleared.changes) == 2
    assert [item.reason for item in cleared.skipped] == ["already without an owning team"]
    assert not Service.objects.filter(owner__isnull=False).exists()


def test_team_of_other_portfolio_is_rejected(portfolio, make_portfolio, make_team):
    foreign = make_team(make_portfolio())

    with pytest.raises(ValidationError) as raised:
        change(portfolio, "set_owner", owner_id=foreign.pk)

    assert raised.value.message_dict == {"owner": ["Choose a team of this portfolio."]}


# --- give a team a role -------------------------------------------------------------------------


def test_responsible_role_added_where_missing(portfolio, services, make_team, make_responsibility):
    desk, other = make_team(portfolio, "Service Desk"), make_team(portfolio)
    make_responsibility(services[0], "support", desk, "R")
    make_responsibility(services[1], "support", other, "R")

    plan = bulk_apply(portfolio=portfolio, service_ids=ids(services),
                      change=give_role(portfolio, desk, "support", "R"))

    assert [item.service for item in plan.changes] == services[1:]
    assert [item.reason for item in plan.skipped] == ["the team already has this role"]
    assert Responsibility.objects.filter(team=desk, activity_id="support", role="R").count() == 3
    assert Responsibility.objects.filter(team=other).count() == 1


def test_accountable_role_replaces_current_team(portfolio, services, make_team, make_responsibility):
    desk, old, older = make_team(portfolio, "Service Desk"), make_team(portfolio, "Old"), make_team(portfolio)
    make_responsibility(services[0], "support", old, "A")
    make_responsibility(services[1], "support", old, "A")
    make_responsibility(services[1], "support", older, "A")
    make_responsibility(services[2], "support", desk, "A")
    make_responsibility(services[2], "operate", old, "A")

    plan = bulk_apply(portfolio=portfolio, service_ids=ids(services),
                      change=give_role(portfolio, desk, "support", "A"))

    accountable = Responsibility.objects.filter(activity_id="support", role="A")
    assert sorted(accountable.values_list("service_id", "team_id")) == [(s.pk, desk.pk) for s in services]
    assert Responsibility.objects.filter(activity_id="operate", team=old).exists()
    assert [item.note for item in plan.changes] == ["replaces Old", f"replaces Old, {older.name}"]
    assert [item.service for item in plan.skipped] == [services[2]]


def test_accountable_role_drops_other_accountable_teams(portfolio, services, make_team, make_responsibility):
    desk, other = make_team(portfolio, "Service Desk"), make_team(portfolio)
    make_responsibility(services[0], "build", desk, "A")
    make_responsibility(services[0], "build", other, "A")
    before = revision(portfolio)

    plan = bulk_apply(portfolio=portfolio, service_ids=ids(services[:1]),
                      change=give_role(portfolio, desk, "build", "A"))

    assert len(plan.changes) == 1
    assert list(Responsibility.objects.values_list("team_id", flat=True)) == [desk.pk]
    assert revision(portfolio) == before + 1


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"activity_key": "support", "role": "R"}, "team"),
        ({"team": True, "activity_key": "sleep", "role": "R"}, "activity"),
        ({"team": True, "activity_key": "support", "role": "X"}, "role"),
    ],
)
def test_role_arguments_are_checked(portfolio, make_team, arguments, field):
    if arguments.pop("team", False):
        arguments["team_id"] = make_team(portfolio).pk

    with pytest.raises(ValidationError) as raised:
        change(portfolio, "give_role", **arguments)

    assert list(raised.value.message_dict) == [field]


# --- selection ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        ([], "Select at least one service."),
        (list(range(1, MAX_SELECTION + 2)), f"Select at most {MAX_SELECTION} services at once"),
    ],
)
def test_selection_size_is_checked(portfolio, selection, message):
    with pytest.raises(ValidationError) as raised:
        bulk_plan(portfolio=portfolio, service_ids=selection,
                  change=change(portfolio, "set_status", status="live"))

    assert message in raised.value.message_dict["services"][0]


def test_services_of_other_portfolio_count_as_missing(portfolio, services, make_portfolio, make_service):
    foreign = make_service(make_portfolio(), key="secret")

    plan = bulk_apply(portfolio=portfolio, service_ids=[services[0].pk, foreign.pk],
                      change=change(portfolio, "set_status", status="retired"))

    assert plan.missing == 1
    assert Service.objects.get(pk=foreign.pk).status == "live"
    assert skipped_message(plan) == "1 selected service no longer exists."


def test_collision_writes_nothing(portfolio, services, monkeypatch):
    def collide(portfolio_id):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr("portfolio.bulk.portfolio_bump_revision", collide)

    with pytest.raises(ValidationError) as raised:
        bulk_apply(portfolio=portfolio, service_ids=ids(services),
                   change=change(portfolio, "assign_pattern", pattern_key=IPV))

    assert raised.value.code == "conflict"
    assert not PatternAssignment.objects.exists()


# --- messages -----------------------------------------------------------------------------------


def test_messages_name_counts_and_skipped(portfolio, services, make_team, make_service):
    desk = make_team(portfolio, "Service Desk")
    extra = [make_service(portfolio, name=f"Extra {number:02d}", patterns=[IPV]) for number in range(12)]

    assigned = bulk_apply(portfolio=portfolio, service_ids=ids(services + extra),
                          change=change(portfolio, "assign_pattern", pattern_key=IPV))
    role = bulk_apply(portfolio=portfolio, service_ids=ids(services),
                      change=give_role(portfolio, desk, "support", "R"))

    assert result_message(assigned) == "Assigned “Internal Product Vendor” to 3 services."
    assert skipped_message(assigned).startswith(
        "Skipped 12 services: Extra 00 (already has the pattern), Extra 01 (already has the pattern),")
    assert skipped_message(assigned).endswith("Extra 09 (already has the pattern), and 2 more.")
    assert result_message(role) == "Made “Service Desk” Responsible for Support on 3 services."


# --- queries ------------------------------------------------------------------------------------


def apply_queries(portfolio, service_ids, action, **arguments) -> int:
    bulk = change(portfolio, action, **arguments)
    with CaptureQueriesContext(connection) as queries:
        bulk_apply(portfolio=portfolio, service_ids=service_ids, change=bulk)
    return len(queries)


@pytest.mark.parametrize("action", list(BulkAction))
def test_apply_queries_same_for_3_and_40(portfolio, make_service, make_team, make_responsibility, action):
    desk, old = make_team(portfolio, "Service Desk"), make_team(portfolio)
    counts = []
    for size in (3, 40):
        batch = [make_service(portfolio) for _ in range(size)]
        for service in batch:
            make_responsibility(service, "support", old, "A")
        arguments = {
            BulkAction.ASSIGN_PATTERN: {"pattern_key": IPV},
            BulkAction.SET_STATUS: {"status": "retired"},
            BulkAction.SET_OWNER: {"owner_id": desk.pk},
            BulkAction.GIVE_ROLE: {"team_id": desk.pk, "activity_key": "support", "role": "A"},
        }[action]
        counts.append(apply_queries(portfolio, ids(batch), action, **arguments))

    assert counts[0] == counts[1]


# --- views --------------------------------------------------------------------------------------


@pytest.fixture
def editor_client(client, portfolio, make_member):
    client.force_login(make_member(portfolio, Role.EDITOR))
    return client


def bulk_url(portfolio):
    return reverse("service-bulk", args=[portfolio.key])


def test_preview_counts_changes_and_skips(editor_client, portfolio, services, make_service):
    has_it = make_service(portfolio, name="Already there", patterns=[IPV])
    data = {"services": [*ids(services), has_it.pk], "action": "assign_pattern", "pattern": IPV,
            "list_state": "?status=live"}

    response = editor_client.post(bulk_url(portfolio), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Assign the pattern “Internal Product Vendor”:" in page
    assert "3 of the 4 selected services will change." in page
    assert "Already there (already has the pattern)" in page
    assert "Apply to 3 services" in page
    assert page.count('<input type="hidden" name="services"') == 4
    assert PatternAssignment.objects.count() == 1


def test_confirm_applies_and_returns_to_list(editor_client, portfolio, services):
    data = {"services": ids(services), "action": "set_status", "status": "retired",
            "list_state": "?status=live&sort=-key&evil=1", "confirm": "1"}

    response = editor_client.post(bulk_url(portfolio), data, follow=True)

    url = reverse("service-list", args=[portfolio.key])
    assert response.redirect_chain == [(url + "?status=live&sort=-key", 302)]
    assert "Set the status of 3 services to Retired." in response.content.decode()
    assert set(Service.objects.values_list("status", flat=True)) == {"retired"}


def test_confirm_with_nothing_to_change_says_so(editor_client, portfolio, services):
    data = {"services": ids(services), "action": "set_status", "status": "live", "confirm": "1"}

    response = editor_client.post(bulk_url(portfolio), data, follow=True)

    page = response.content.decode()
    assert "Nothing changed." in page
    assert "Skipped 3 services: Service 0 (already Live)" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "set_status", "status": "live"}, "Select at least one service."),
        ({"services": ["1"]}, "Choose an action."),
        ({"services": ["1"], "action": "assign_pattern"}, "Choose a pattern to assign."),
        ({"services": ["1"], "action": "give_role", "role": "R"}, "Choose the team that gets the role."),
        ({"services": ["x"], "action": "set_status", "status": "live"}, "The selection is invalid"),
    ],
)
def test_invalid_request_shows_message(editor_client, portfolio, data, message):
    response = editor_client.post(bulk_url(portfolio), data)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert "Back to the list" in response.content.decode()


def test_viewer_cannot_apply(client, portfolio, services, make_member):
    client.force_login(make_member(portfolio, Role.VIEWER))
    data = {"services": ids(services), "action": "set_status", "status": "retired", "confirm": "1"}

    response = client.post(bulk_url(portfolio), data)

    assert response.status_code == 403
    assert set(Service.objects.values_list("status", flat=True)) == {"live"}
