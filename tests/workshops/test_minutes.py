import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from portfolio.workshops import services
from portfolio.workshops.changes import Change
from portfolio.workshops.minutes import workshop_minutes
from portfolio.workshops.models import ActionItem, ChangeKind, Workshop


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


def test_minutes_pdf_text(client, workshop, claims, editor, viewer, make_team):
    run_workshop(workshop, claims, editor, make_team)
    team = claims.portfolio.teams.get()
    services.action_add(workshop=workshop, description="翻訳を確認する 🚀", owner=team,
                        due_on=datetime.date(2025, 6, 1))
    client.force_login(viewer)
    response = client.get(reverse("workshops:minutes", args=[workshop.portfolio.key, workshop.pk]),
                          {"format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="workshop-{workshop.pk}-minutes.pdf"'
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in ("Pattern review", "Bought as SaaS", "The desk owns support", "VCP-E001",
                     "Agree L3 terms", "翻訳を確認する"):
        assert expected in text


@pytest.mark.parametrize(("done", "open_after", "done_after"), [
    ("1", [], ["Agree L3 terms"]),
    ("0", ["Agree L3 terms"], []),
])
def test_action_done_toggle_after_close(client, workshop, claims, editor, make_team,
                                                             done, open_after, done_after):
    run_workshop(workshop, claims, editor, make_team)
    action = ActionItem.objects.get(workshop=workshop)
    if done == "0":
        services.action_set_done(item=action, done=True)
    version = Workshop.objects.get(pk=workshop.pk).version
    client.force_login(editor)
    url = reverse("workshops:action-done", args=[workshop.portfolio.key, workshop.pk, action.pk])
    response = client.post(url, {"done": done}, follow=True)
    minutes = response.context["minutes"]
    assert [a.description for a in minutes.open_actions] == open_after
    assert [a.description for a in minutes.done_actions] == done_after
    assert Workshop.objects.get(pk=workshop.pk).version != version


def test_action_done_viewer_forbidden(client, workshop, claims, editor, viewer, make_team):
    run_workshop(workshop, claims, editor, make_team)
    action = ActionItem.objects.get(workshop=workshop)
    client.force_login(viewer)
    url = reverse("workshops:action-done", args=[workshop.portfolio.key, workshop.pk, action.pk])
    assert client.post(url, {"done": "1"}).status_code == 403
    assert not ActionItem.objects.get(pk=action.pk).done


def test_action_done_other_workshop_not_found(client, workshop, claims, editor, make_team):
    run_workshop(workshop, claims, editor, make_team)
    other = services.workshop_create(portfolio=workshop.portfolio, title="Another",
                                     date=datetime.date(2025, 3, 5), facilitator=editor)
    action = ActionItem.objects.get(workshop=workshop)
    client.force_login(editor)
    url = reverse("workshops:action-done", args=[workshop.portfolio.key, other.pk, action.pk])
    assert client.post(url, {"done": "1"}).status_code == 404
    assert not ActionItem.objects.get(pk=action.pk).done


@pytest.mark.parametrize("data", [{}, {"done": ""}, {"done": "yes"}, {"done": "true"}])
def test_action_done_rejects_missing_value(client, workshop, claims, editor, make_team, data):
    run_workshop(workshop, claims, editor, make_team)
    action = ActionItem.objects.get(workshop=workshop)
    services.action_set_done(item=action, done=True)
    client.force_login(editor)
    url = reverse("workshops:action-done", args=[workshop.portfolio.key, workshop.pk, action.pk])

    response = client.post(url, data)

    assert response.status_code == 400
    assert ActionItem.objects.get(pk=action.pk).done
