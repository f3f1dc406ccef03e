"""Deleting a team with a replacement is one change set, with each moved row's before and after."""

from django.urls import reverse

from portfolio.history.feed import change_sets, feed_entries
from portfolio.models import (
    ChangeKind,
    ChangeSet,
    Membership,
    PracticeAdoption,
    Responsibility,
    Role,
    Service,
    Team,
)
from portfolio.services import team_delete


def hand_over_world(portfolio, make_service, make_team, make_responsibility, make_adoption):
    old, new = make_team(portfolio, "Old team"), make_team(portfolio, "New team")
    service = make_service(portfolio, key="claims", name="Claims", owner=old)
    moved = make_responsibility(service, "operate", old, role="A")
    duplicate = make_responsibility(service, "support", old, role="C")
    make_responsibility(service, "support", new, role="C")
    adoption = make_adoption(portfolio, "incident-management", owner=old)
    return {"old": old, "new": new, "service": service, "moved": moved, "duplicate": duplicate,
            "adoption": adoption}


def hand_over_rows(change_set_id):
    return {
        "cells": list(Responsibility.history.filter(history_change_set_id=change_set_id)),
        "services": list(Service.history.filter(history_change_set_id=change_set_id)),
        "adoptions": list(PracticeAdoption.history.filter(history_change_set_id=change_set_id)),
        "teams": list(Team.history.filter(history_change_set_id=change_set_id)),
    }


def test_hand_over_is_one_change_set(portfolio, make_service, make_team, make_responsibility, make_adoption):
    world = hand_over_world(portfolio, make_service, make_team, make_responsibility, make_adoption)
    old_id = world["old"].pk
    before = ChangeSet.objects.count()

    team_delete(team=world["old"], replacement=world["new"])

    assert ChangeSet.objects.count() == before + 1
    change_set = ChangeSet.objects.filter(portfolio=portfolio).first()
    assert change_set.kind == ChangeKind.EDIT
    assert change_set.reason == "Deleted the team “Old team”; “New team” took over its work"
    rows = hand_over_rows(change_set.pk)
    assert sorted((row.id, row.history_type, row.team_id) for row in rows["cells"]) == sorted([
        (world["moved"].pk, "~", world["new"].pk),
        (world["duplicate"].pk, "-", old_id),
    ])
    assert [(row.id, row.owner_id) for row in rows["services"]] == [(world["service"].pk, world["new"].pk)]
    assert [(row.id, row.owner_id) for row in rows["adoptions"]] == [(world["adoption"].pk, world["new"].pk)]
    assert [(row.id, row.history_type) for row in rows["teams"]] == [(old_id, "-")]


def test_hand_over_feed_shows_before_and_after(portfolio, make_service, make_team, make_responsibility,
                                               make_adoption):
    world = hand_over_world(portfolio, make_service, make_team, make_responsibility, make_adoption)

    team_delete(team=world["old"], replacement=world["new"])

    (entry,) = feed_entries(list(change_sets(portfolio)[:1]), limit=None)
    changed = {(change.object_type, change.object_id): change for change in entry.changes}
    owner = changed[("service", world["service"].pk)].fields
    assert [(field.field, field.before, field.after) for field in owner] == [
        ("owner", "Old team", "New team")]
    cell = changed[("responsibility", world["moved"].pk)].fields
    assert [(field.field, field.before, field.after) for field in cell] == [("team", "Old team", "New team")]
    adoption = changed[("practice", world["adoption"].pk)].fields
    assert [(field.field, field.before, field.after) for field in adoption] == [
        ("owner", "Old team", "New team")]
    assert changed[("responsibility", world["duplicate"].pk)].action == "deleted"


def test_hand_over_on_page_records_user(client, portfolio, make_service, make_team, make_responsibility,
                                        make_adoption, make_member):
    world = hand_over_world(portfolio, make_service, make_team, make_responsibility, make_adoption)
    user = make_member(portfolio, Role.EDITOR)
    client.force_login(user)

    response = client.post(reverse("team-delete", args=[portfolio.key, world["old"].pk]),
                           {"replacement": world["new"].pk})

    assert response.status_code == 302
    change_set = ChangeSet.objects.filter(portfolio=portfolio).first()
    assert change_set.user_id == user.pk
    rows = hand_over_rows(change_set.pk)
    assert {row.history_user_id for rows_of_kind in rows.values() for row in rows_of_kind} == {user.pk}


def test_deleted_team_releases_members(portfolio, make_team, make_member):
    team = make_team(portfolio, "Old team")
    team_id = team.pk
    user = make_member(portfolio, Role.EDITOR)
    membership = Membership.objects.get(user=user)
    membership.team = team
    membership.save()

    team_delete(team=team)

    membership.refresh_from_db()
    assert membership.team_id is None
    latest = Membership.history.filter(id=membership.pk).first()
    assert (latest.history_type, latest.team_id) == ("~", None)
    assert latest.history_change_set_id == Team.history.filter(id=team_id).first().history_change_set_id
