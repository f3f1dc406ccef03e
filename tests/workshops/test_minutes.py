import datetime

from django.urls import reverse

from portfolio.workshops import services
from portfolio.workshops.changes import Change
from portfolio.workshops.minutes import workshop_minutes
from portfolio.workshops.models import ChangeKind


def run_workshop(workshop, claims, editor, make_team):
    services.workshop_start(workshop=workshop)
    team = make_team(workshop.portfolio, "Service desk", party_kind="technology")
    first = services.decision_apply(workshop=workshop, user=editor, rationale="Bought as SaaS", change=Change(
        kind=ChangeKind.ASSIGN_PATTERN, service=claims, pattern_key="internal-service-delivery"))
    services.decision_apply(workshop=workshop, user=editor, rationale="The desk owns support", change=Change(
        kind=ChangeKind.SET_ACCOUNTABLE, service=claims, activity_key="support", team=team))
    services.action_add(workshop=workshop, description="Agree L3 terms", owner=team,
                        due_on=datetime.date(2025, 5, 1), decision=first.decision)
    services.workshop_close(workshop=workshop)


def test_minutes_list_every_decision_and_delta(workshop, claims, editor, make_team):
    run_workshop(workshop, claims, editor, make_team)
    minutes = workshop_minutes(workshop)
    assert [m.decision.rationale for m in minutes.decisions] == ["Bought as SaaS", "The desk owns support"]
    assert {f.code for f in minutes.decisions[0].removed} == {"VCP-E001"}
    assert {f.code for f in minutes.delta.removed} == {"VCP-E001"}
    added_by_decisions = set(minutes.decisions[0].added) | set(minutes.decisions[1].added)
    removed_by_decisions = set(minutes.decisions[0].removed) | set(minutes.decisions[1].removed)
    assert set(minutes.delta.added) == added_by_decisions - removed_by_decisions
    assert [a.description for a in minutes.open_actions] == ["Agree L3 terms"]


def test_minutes_page_and_markdown(client, workshop, claims, editor, viewer, make_team):
    run_workshop(workshop, claims, editor, make_team)
    client.force_login(viewer)
    url = reverse("workshops:minutes", args=[workshop.portfolio.key, workshop.pk])
    page = client.get(url).text
    markdown = client.get(url, {"format": "md"})
    assert markdown["Content-Type"].startswith("text/markdown")
    text = markdown.content.decode()
    for body in (page, text):
        assert "Bought as SaaS" in body
        assert "The desk owns support" in body
        assert "VCP-E001" in body
        assert "Agree L3 terms" in body
    assert text.startswith("# Minutes: Pattern review")
