"""The write services: valid changes, and bad input that is rejected with nothing written."""

import pytest
from django.core.exceptions import ValidationError

from portfolio.models import PatternAssignment, Portfolio, RaciRole, Responsibility, Service
from portfolio.services import (
    responsibility_set_accountable,
    responsibility_toggle,
    service_assign_pattern,
    service_create,
    service_remove_pattern,
    service_update,
)

pytestmark = pytest.mark.django_db

IPV = "internal-product-vendor"
MSP = "managed-service-provider"


def row_counts() -> dict[str, int]:
    return {
        "services": Service.objects.count(),
        "assignments": PatternAssignment.objects.count(),
        "responsibilities": Responsibility.objects.count(),
    }


def messages_of(error: ValidationError, field: str) -> str:
    return " ".join(error.value.message_dict[field])


def revision(portfolio: Portfolio) -> int:
    return Portfolio.objects.values_list("revision", flat=True).get(pk=portfolio.pk)


# --- service_create / service_update ------------------------------------------------------------


def test_service_create_saves_normalised_service(portfolio, make_team):
    owner = make_team(portfolio, "Claims team")

    service = service_create(portfolio=portfolio, key=" claims ", name="Claims   portal", owner=owner)

    service.refresh_from_db()
    assert service.key == "claims"
    assert service.name == "Claims portal"
    assert service.owner == owner
    assert service.status == "live"


def test_service_create_raises_revision(portfolio):
    before = revision(portfolio)

    service_create(portfolio=portfolio, key="claims", name="Claims")

    assert revision(portfolio) > before


def test_service_create_rejects_duplicate_key(portfolio, make_service):
    make_service(portfolio, key="claims", name="Claims")
    before = row_counts()

    with pytest.raises(ValidationError) as error:
        service_create(portfolio=portfolio, key="claims", name="Claims again")

    assert "A service with the key “claims” already exists in “Acme Insurance”" in messages_of(error, "key")
    assert row_counts() == before


def test_service_create_allows_same_key_in_other_portfolio(portfolio, make_portfolio, make_service):
    make_service(make_portfolio(), key="claims")

    service = service_create(portfolio=portfolio, key="claims", name="Claims")

    assert service.pk is not None


def test_service_create_rejects_team_of_other_portfolio(portfolio, make_portfolio, make_team):
    stranger = make_team(make_portfolio(), "Elsewhere team")
    before = row_counts()

    with pytest.raises(ValidationError) as error:
        service_create(portfolio=portfolio, key="claims", name="Claims", owner=stranger)

    assert "Team “Elsewhere team” belongs to another portfolio" in messages_of(error, "owner")
    assert row_counts() == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"key": "with space", "name": "Claims"}, "key"),
        ({"key": "", "name": "Claims"}, "key"),
        ({"key": "claims", "name": ""}, "name"),
        ({"key": "claims", "name": "Claims", "status": "sleeping"}, "status"),
    ],
)
def test_service_create_rejects_invalid_field(portfolio, fields, field):
    before = row_counts()

    with pytest.raises(ValidationError) as error:
        service_create(portfolio=portfolio, **fields)

    assert field in error.value.message_dict
    assert row_counts() == before


def test_service_update_changes_fields(portfolio, make_service, make_team):
    service = make_service(portfolio, key="claims")
    owner = make_team(portfolio)

    service_update(service=service, name="Claims portal", status="retired", owner=owner)

    service.refresh_from_db()
    assert service.name == "Claims portal"
    assert service.status == "retired"
    assert service.owner == owner


def test_service_update_rejects_duplicate_key_and_keeps_values(portfolio, make_service):
    make_service(portfolio, key="taken")
    service = make_service(portfolio, key="claims")

    with pytest.raises(ValidationError) as error:
        service_update(service=service, key="taken")

    assert "already exists" in messages_of(error, "key")
    assert service.key == "claims"
    service.refresh_from_db()
    assert service.key == "claims"


def test_service_update_rejects_stale_edit(portfolio, make_service):
    service = make_service(portfolio, key="claims", name="Claims")
    seen_at = service.updated_at
    other_copy = Service.objects.get(pk=service.pk)
    service_update(service=other_copy, name="Claims (by someone else)")

    with pytest.raises(ValidationError) as error:
        service_update(service=service, expected_updated_at=seen_at, name="Claims (mine)")

    assert "Someone else changed “Claims”" in " ".join(error.value.messages)
    service.refresh_from_db()
    assert service.name == "Claims (by someone else)"


def test_service_update_rejects_unknown_field(portfolio, make_service):
    service = make_service(portfolio)

    with pytest.raises(TypeError):
        service_update(service=service, portfolio=portfolio)


# --- patterns -----------------------------------------------------------------------------------


def test_assign_pattern_defaults_to_pattern_scope(portfolio, make_service):
    service = make_service(portfolio)

    assignment = service_assign_pattern(service=service, pattern_key=MSP)

    assert assignment.activities == ["discover", "design", "operate", "deliver", "support"]


def test_assign_pattern_keeps_chosen_activities_in_lifecycle_order(portfolio, make_service):
    service = make_service(portfolio)

    assignment = service_assign_pattern(service=service, pattern_key=IPV, activities=["support", "build"])

    assert assignment.activities == ["build", "support"]


def test_assign_pattern_rejects_unknown_pattern(portfolio, make_service):
    service = make_service(portfolio)
    before = row_counts()

    with pytest.raises(ValidationError) as error:
        service_assign_pattern(service=service, pattern_key="x")

    assert messages_of(error, "pattern") == "Unknown pattern “x”."
    assert row_counts() == before


def test_assign_pattern_rejects_activity_out_of_scope(portfolio, make_service):
    service = make_service(portfolio)
    before = row_counts()

    with pytest.raises(ValidationError) as error:
        service_assign_pattern(service=service, pattern_key=MSP, activities=["operate", "build"])

    message = messages_of(error, "activities")
    assert "“Managed Service Provider” does not cover build" in message
    assert row_counts() == before


def test_assign_pattern_rejects_empty_activities(portfolio, make_service):
    service = make_service(portfolio)

    with pytest.raises(ValidationError) as error:
        service_assign_pattern(service=service, pattern_key=MSP, activities=[])

    assert "Choose at least one activity" in messages_of(error, "activities")


def test_assign_pattern_twice_is_rejected(portfolio, make_service):
    service = make_service(portfolio, name="Claims", patterns=[IPV])
    before = row_counts()

    with pytest.raises(ValidationError) as error:
        service_assign_pattern(service=service, pattern_key=IPV)

    assert messages_of(error, "pattern") == (
        "The pattern “Internal Product Vendor” is already assigned to “Claims”."
    )
    assert row_counts() == before


def test_assign_second_pattern_makes_mix(portfolio, make_service):
    service = make_service(portfolio, patterns=[IPV])

    service_assign_pattern(service=service, pattern_key=MSP)

    assert set(service.assignments.values_list("pattern_id", flat=True)) == {IPV, MSP}


def test_remove_pattern_deletes_assignment(portfolio, make_service):
    service = make_service(portfolio, patterns=[IPV, MSP])
    before = revision(portfolio)

    service_remove_pattern(service=service, pattern_key=IPV)

    assert list(service.assignments.values_list("pattern_id", flat=True)) == [MSP]
    assert revision(portfolio) > before


def test_remove_pattern_not_assigned_is_rejected(portfolio, make_service):
    service = make_service(portfolio, name="Claims", patterns=[MSP])

    with pytest.raises(ValidationError) as error:
        service_remove_pattern(service=service, pattern_key=IPV)

    assert "is not assigned to “Claims”" in messages_of(error, "pattern")
    assert service.assignments.count() == 1


# --- responsibilities ---------------------------------------------------------------------------


def accountable_teams(service, activity: str) -> list[str]:
    return list(
        Responsibility.objects.filter(service=service, activity_id=activity, role=RaciRole.ACCOUNTABLE)
        .order_by("team__name")
        .values_list("team__name", flat=True)
    )


def test_set_accountable_creates_cell(portfolio, make_service, make_team):
    service = make_service(portfolio, patterns=[IPV])
    team = make_team(portfolio, "Platform team")

    responsibility_set_accountable(service=service, activity_key="build", team=team)

    assert accountable_teams(service, "build") == ["Platform team"]


def test_set_accountable_replaces_previous_team(portfolio, make_service, make_team, make_responsibility):
    service = make_service(portfolio, patterns=[IPV])
    make_responsibility(service, "build", make_team(portfolio, "Old team"))
    new = make_team(portfolio, "New team")

    responsibility_set_accountable(service=service, activity_key="build", team=new)

    assert accountable_teams(service, "build") == ["New team"]


def test_set_accountable_leaves_one_of_several(portfolio, make_service, make_team, make_responsibility):
    service = make_service(portfolio, patterns=[IPV])
    keep = make_team(portfolio, "Keep team")
    make_responsibility(service, "build", keep)
    make_responsibility(service, "build", make_team(portfolio, "Drop team"))

    responsibility_set_accountable(service=service, activity_key="build", team=keep)

    assert accountable_teams(service, "build") == ["Keep team"]


def test_set_accountable_none_clears(portfolio, make_service, make_team, make_responsibility):
    service = make_service(portfolio, patterns=[IPV])
    make_responsibility(service, "build", make_team(portfolio))

    result = responsibility_set_accountable(service=service, activity_key="build", team=None)

    assert result is None
    assert accountable_teams(service, "build") == []


def test_set_accountable_keeps_other_roles_and_activities(
    portfolio, make_service, make_team, make_responsibility
):
    service = make_service(portfolio, patterns=[IPV])
    team = make_team(portfolio)
    make_responsibility(service, "build", team, role="R")
    make_responsibility(service, "design", team, role="A")

    responsibility_set_accountable(service=service, activity_key="build", team=None)

    assert Responsibility.objects.filter(service=service).count() == 2


def test_set_accountable_rejects_team_of_other_portfolio(
    portfolio, make_portfolio, make_service, make_team, make_responsibility
):
    service = make_service(portfolio, patterns=[IPV])
    make_responsibility(service, "build", make_team(portfolio, "Our team"))
    stranger = make_team(make_portfolio(), "Their team")
    before = row_counts()

    with pytest.raises(ValidationError) as error:
        responsibility_set_accountable(service=service, activity_key="build", team=stranger)

    assert "Team “Their team” belongs to another portfolio" in messages_of(error, "team")
    assert row_counts() == before
    assert accountable_teams(service, "build") == ["Our team"]


def test_set_accountable_rejects_unknown_activity(portfolio, make_service, make_team):
    service = make_service(portfolio)
    before = row_counts()

    with pytest.raises(ValidationError) as error:
        responsibility_set_accountable(service=service, activity_key="dream", team=make_team(portfolio))

    assert messages_of(error, "activity") == "Unknown lifecycle activity “dream”."
    assert row_counts() == before


def test_toggle_adds_then_removes_cell(portfolio, make_service, make_team):
    service = make_service(portfolio)
    team = make_team(portfolio)

    added = responsibility_toggle(service=service, activity_key="support", team=team, role="C")
    removed = responsibility_toggle(service=service, activity_key="support", team=team, role="C")

    assert added is True
    assert removed is False
    assert Responsibility.objects.filter(service=service).count() == 0


def test_toggle_rejects_accountable_role(portfolio, make_service, make_team):
    service = make_service(portfolio)

    with pytest.raises(ValidationError) as error:
        responsibility_toggle(service=service, activity_key="support", team=make_team(portfolio), role="A")

    assert "role" in error.value.message_dict
    assert Responsibility.objects.count() == 0
