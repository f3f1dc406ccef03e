import pytest
from django.urls import reverse

from portfolio.models import Role
from portfolio.workshops.live import poll_token
from portfolio.workshops.models import AgendaItem, Workshop
from portfolio.workshops.selectors import board_version


def board_url(workshop, position=1):
    return reverse("workshops:board-item", args=[workshop.portfolio.key, workshop.pk, position])


def poll_url(workshop, user, version, position=1):
    url = reverse("workshops:poll", args=[workshop.portfolio.key, workshop.pk, position])
    return f"{url}?t={poll_token(workshop, user)}&v={version}"


def test_board_shows_item_and_progress(client, workshop, viewer):
    client.force_login(viewer)
    response = client.get(board_url(workshop))
    assert response.status_code == 200
    assert "Claims portal" in response.text
    assert "1 of 1" in response.text
    assert "VCP-E001" in response.text


def test_board_has_previous_and_next_links(client, workshop, viewer, portfolio, make_service):
    from portfolio.workshops import services
    services.agenda_add(workshop=workshop, service=make_service(portfolio, name="HR system"))
    services.agenda_add(workshop=workshop, service=make_service(portfolio, name="ERP"))
    client.force_login(viewer)
    response = client.get(board_url(workshop, 2))
    assert "2 of 3" in response.text
    assert f'data-board-previous href="{board_url(workshop, 1)}"' in response.text
    assert f'data-board-next href="{board_url(workshop, 3)}"' in response.text


def test_board_hides_editing_from_viewer(client, workshop, viewer):
    client.force_login(viewer)
    response = client.get(board_url(workshop))
    assert 'id="whatif"' not in response.text


def test_board_shows_editing_to_editor(client, workshop, editor):
    client.force_login(editor)
    assert 'id="whatif"' in client.get(board_url(workshop)).text


def test_board_404_for_non_member(client, workshop, make_member):
    client.force_login(make_member(None, username="outsider"))
    assert client.get(board_url(workshop)).status_code == 404


def test_board_404_past_agenda_end(client, workshop, viewer):
    client.force_login(viewer)
    assert client.get(board_url(workshop, 2)).status_code == 404


@pytest.mark.parametrize("name", ["preview", "apply", "action-add"])
def test_viewer_cannot_post_changes(client, workshop, viewer, name):
    client.force_login(viewer)
    url = reverse(f"workshops:{name}", args=[workshop.portfolio.key, workshop.pk, 1])
    response = client.post(url, {"kind": "assign_pattern", "pattern": "internal-service-delivery",
                                 "rationale": "x"})
    assert response.status_code == 403
    assert not workshop.portfolio.services.get(key="claims").assignments.exists()


def test_viewer_cannot_edit_workshop(client, workshop, viewer):
    client.force_login(viewer)
    url = reverse("workshops:edit", args=[workshop.portfolio.key, workshop.pk])
    assert client.get(url).status_code == 403


def test_workshop_of_other_portfolio_is_404(client, workshop, make_portfolio, make_member):
    other = make_portfolio()
    user = make_member(other, Role.OWNER)
    client.force_login(user)
    assert client.get(reverse("workshops:edit", args=[other.key, workshop.pk])).status_code == 404


def test_unchanged_poll_is_204_in_one_query(client, workshop, viewer, django_assert_max_num_queries):
    workshop.refresh_from_db()
    url = poll_url(workshop, viewer, board_version(workshop))
    with django_assert_max_num_queries(1):
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response.content == b""


def test_unchanged_poll_needs_no_login(client, workshop, viewer):
    workshop.refresh_from_db()
    assert client.get(poll_url(workshop, viewer, board_version(workshop))).status_code == 204


def test_changed_poll_returns_board_fragment(client, workshop, viewer, editor):
    workshop.refresh_from_db()
    old_version = board_version(workshop)
    client.force_login(editor)
    client.post(reverse("workshops:apply", args=[workshop.portfolio.key, workshop.pk, 1]),
                {"kind": "assign_pattern", "pattern": "internal-service-delivery", "rationale": "SaaS"})
    client.force_login(viewer)
    response = client.get(poll_url(workshop, viewer, old_version), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="board-live"')
    assert "Internal Service Delivery" in response.text
    assert "<html" not in response.text


def test_poll_rejects_removed_member(client, workshop, viewer):
    workshop.refresh_from_db()
    url = poll_url(workshop, viewer, board_version(workshop))
    workshop.portfolio.memberships.filter(user=viewer).delete()
    assert client.get(url).status_code == 404


def test_poll_rejects_token_of_other_workshop(client, workshop, viewer, portfolio):
    other = Workshop.objects.create(portfolio=portfolio, title="Other", date=workshop.date)
    url = reverse("workshops:poll", args=[portfolio.key, workshop.pk, 1])
    assert client.get(f"{url}?t={poll_token(other, viewer)}&v=x").status_code == 404


def test_agenda_buttons_move_items(client, workshop, editor, portfolio, make_service):
    from portfolio.workshops import services
    services.agenda_add(workshop=workshop, service=make_service(portfolio, key="hr"))
    item = AgendaItem.objects.get(workshop=workshop, service__key="hr")
    client.force_login(editor)
    url = reverse("workshops:agenda-change", args=[portfolio.key, workshop.pk, item.pk])
    client.post(url, {"action": "up"})
    assert list(AgendaItem.objects.filter(workshop=workshop).values_list("service__key", flat=True)) == [
        "hr", "claims"]
