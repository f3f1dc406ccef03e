import datetime

import pytest
from django.core.exceptions import ValidationError

from portfolio.workshops import services
from portfolio.workshops.changes import Change
from portfolio.workshops.models import AgendaItem, ChangeKind, WorkshopStatus


def agenda_keys(workshop):
    return list(AgendaItem.objects.filter(workshop=workshop).order_by("position")
                .values_list("service__key", flat=True))


def test_agenda_add_appends_in_order(workshop, portfolio, make_service):
    services.agenda_add(workshop=workshop, service=make_service(portfolio, key="hr"))
    services.agenda_add(workshop=workshop, service=make_service(portfolio, key="erp"))
    assert agenda_keys(workshop) == ["claims", "hr", "erp"]


def test_agenda_add_rejects_duplicate(workshop, claims):
    with pytest.raises(ValidationError, match="already on the agenda"):
        services.agenda_add(workshop=workshop, service=claims)


def test_agenda_add_rejects_other_portfolio(workshop, make_portfolio, make_service):
    other = make_service(make_portfolio())
    with pytest.raises(ValidationError, match="another portfolio"):
        services.agenda_add(workshop=workshop, service=other)


@pytest.mark.parametrize(("key", "offset", "expected"), [
    ("hr", -1, ["hr", "claims", "erp"]),
    ("hr", 1, ["claims", "erp", "hr"]),
    ("claims", -1, ["claims", "hr", "erp"]),
    ("erp", 1, ["claims", "hr", "erp"]),
])
def test_agenda_move(workshop, portfolio, make_service, key, offset, expected):
    services.agenda_add(workshop=workshop, service=make_service(portfolio, key="hr"))
    services.agenda_add(workshop=workshop, service=make_service(portfolio, key="erp"))
    item = AgendaItem.objects.get(workshop=workshop, service__key=key)
    services.agenda_move(item=item, offset=offset)
    assert agenda_keys(workshop) == expected


def test_agenda_remove_renumbers(workshop, portfolio, make_service):
    services.agenda_add(workshop=workshop, service=make_service(portfolio, key="hr"))
    services.agenda_remove(item=AgendaItem.objects.get(workshop=workshop, service__key="claims"))
    assert list(AgendaItem.objects.filter(workshop=workshop).values_list("position", flat=True)) == [1]


def test_every_write_raises_version(workshop, portfolio, make_service):
    before = workshop.version
    services.agenda_add(workshop=workshop, service=make_service(portfolio))
    assert workshop.version == before + 1


def test_start_and_close_record_findings(workshop):
    services.workshop_start(workshop=workshop)
    assert workshop.status == WorkshopStatus.RUNNING
    assert [f["code"] for f in workshop.findings_before] == ["VCP-E001", "VCP-W008"]
    services.workshop_close(workshop=workshop)
    workshop.refresh_from_db()
    assert workshop.status == WorkshopStatus.CLOSED
    assert workshop.findings_after == workshop.findings_before


def test_close_needs_running(workshop):
    with pytest.raises(ValidationError, match="needs it Running"):
        services.workshop_close(workshop=workshop)


def test_decision_records_change_and_delta(workshop, claims, editor):
    change = Change(kind=ChangeKind.ASSIGN_PATTERN, service=claims, pattern_key="internal-service-delivery")
    applied = services.decision_apply(workshop=workshop, change=change, rationale="SaaS product", user=editor)
    decision = applied.decision
    assert decision.rationale == "SaaS product"
    assert decision.decided_by == editor
    assert decision.change["service_id"] == claims.pk
    assert decision.change["pattern_key"] == "internal-service-delivery"
    assert {f["code"] for f in decision.findings_removed} == {"VCP-E001"}
    assert "VCP-E002" in {f["code"] for f in decision.findings_added}


def test_decision_needs_rationale(workshop, claims, editor):
    change = Change(kind=ChangeKind.ASSIGN_PATTERN, service=claims, pattern_key="internal-service-delivery")
    with pytest.raises(ValidationError, match="rationale"):
        services.decision_apply(workshop=workshop, change=change, rationale="  ", user=editor)
    assert not claims.assignments.exists()


def test_action_rejects_team_of_other_portfolio(workshop, make_portfolio, make_team):
    team = make_team(make_portfolio())
    with pytest.raises(ValidationError, match="another portfolio"):
        services.action_add(workshop=workshop, description="Call vendor", owner=team,
                            due_on=datetime.date(2025, 4, 1))
