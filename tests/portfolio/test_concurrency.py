"""Two people editing the same service: the second write reports the first, and nothing is lost."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from patterns.models import DecisionFactor
from portfolio.models import RaciRole, Responsibility, Role, Service
from portfolio.services import EditConflict, responsibility_set_role, service_update, team_delete

IPV = "internal-product-vendor"
HTMX = {"HTTP_HX_REQUEST": "true"}


def html(response) -> str:
    return response.content.decode()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editors(portfolio, make_member):
    return logged_in(make_member(portfolio, Role.EDITOR)), logged_in(make_member(portfolio, Role.EDITOR))


def details_form(service) -> dict:
    """Return the details form as an editor opening the page now receives it."""
    service = Service.objects.get(pk=service.pk)
    shown = {"name": service.name, "status": service.status, "owner": service.owner_id or "",
             "description": service.description}
    for factor in DecisionFactor.objects.values_list("key", flat=True):
        shown[f"context__{factor}"] = service.context.get(factor, "")
    form = {"updated_at": service.updated_at.isoformat()}
    for name, value in shown.items():
        form[f"initial-{name}"] = value
        form[name] = value
    return form


def details_url(portfolio):
    return reverse("service-details", args=[portfolio.key, "claims"])


def cell_url(portfolio, activity="build"):
    return reverse("service-raci-cell", args=[portfolio.key, "claims", activity])


def accountable(service, activity="build") -> set[str]:
    rows = Responsibility.objects.filter(service=service, activity_id=activity, role=RaciRole.ACCOUNTABLE)
    return set(rows.values_list("team__name", flat=True))


# --- details ------------------------------------------------------------------------------------


def test_second_stale_save_gets_conflict_with_both_values(editors, portfolio, make_service):
    first, second = editors
    service = make_service(portfolio, key="claims", name="Claims", status="live")
    seen_by_first, seen_by_second = details_form(service), details_form(service)

    saved = first.post(details_url(portfolio), {**seen_by_first, "name": "Claims portal"}, **HTMX)
    stale = second.post(details_url(portfolio), {**seen_by_second, "status": "retired"}, **HTMX)

    page = html(stale)
    assert saved.status_code == 200
    assert stale.status_code == 409
    assert "Someone else changed “Claims portal” after you opened it" in page
    table = page[page.index('class="table conflict__table"'):page.index("</table>")]
    assert "Claims portal" in table
    assert "Retired" in table
    assert "your change" in table
    service.refresh_from_db()
    assert (service.name, service.status) == ("Claims portal", "live")


def test_conflict_form_keeps_other_change_and_reapplies_own(editors, portfolio, make_service):
    first, second = editors
    service = make_service(portfolio, key="claims", name="Claims", status="live")
    seen_by_first, seen_by_second = details_form(service), details_form(service)
    first.post(details_url(portfolio), {**seen_by_first, "name": "Claims portal"}, **HTMX)
    page = html(second.post(details_url(portfolio), {**seen_by_second, "status": "retired"}, **HTMX))
    service.refresh_from_db()

    assert f'name="updated_at" value="{service.updated_at.isoformat()}"' in page
    assert 'name="name" value="Claims portal"' in page
    assert '<option value="retired" selected>' in page

    again = {**details_form(service), "status": "retired", "initial-status": "live"}
    response = second.post(details_url(portfolio), again, **HTMX)

    assert response.status_code == 200
    service.refresh_from_db()
    assert (service.name, service.status) == ("Claims portal", "retired")


def test_both_stale_saves_of_same_form_conflict_once(editors, portfolio, make_service):
    first, second = editors
    service = make_service(portfolio, key="claims", name="Claims")
    seen = details_form(service)

    responses = [client.post(details_url(portfolio), {**seen, "description": text}, **HTMX)
                 for client, text in ((first, "First text"), (second, "Second text"))]

    assert [response.status_code for response in responses] == [200, 409]
    service.refresh_from_db()
    assert service.description == "First text"


def test_service_update_conflict_carries_stored_service(portfolio, make_service):
    service = make_service(portfolio, key="claims", name="Claims")
    seen_at = service.updated_at
    service_update(service=Service.objects.get(pk=service.pk), name="Theirs")

    with pytest.raises(EditConflict) as conflict:
        service_update(service=service, expected_updated_at=seen_at, name="Mine")

    assert conflict.value.current.name == "Theirs"
    assert service.name == "Claims"


def test_service_update_of_deleted_service_is_rejected(portfolio, make_service):
    service = make_service(portfolio, key="claims", name="Claims")
    seen_at = service.updated_at
    Service.objects.filter(pk=service.pk).delete()

    with pytest.raises(ValidationError) as error:
        service_update(service=service, expected_updated_at=seen_at, name="Mine")

    assert error.value.messages == ["“Claims” has been deleted by someone else."]


def test_team_handover_makes_open_form_stale(editors, portfolio, make_service, make_team):
    first, _second = editors
    old = make_team(portfolio, "Old team")
    new = make_team(portfolio, "New team")
    service = make_service(portfolio, key="claims", owner=old)
    seen = details_form(service)
    team_delete(team=old, replacement=new)

    response = first.post(details_url(portfolio), {**seen, "description": "Mine"}, **HTMX)

    assert response.status_code == 409
    assert "Someone else changed" in html(response)
    service.refresh_from_db()
    assert service.owner == new
    assert service.description == ""


# --- RACI ---------------------------------------------------------------------------------------


def test_second_stale_accountable_choice_is_refused(editors, portfolio, make_service, make_team):
    first, second = editors
    service = make_service(portfolio, key="claims", patterns=[IPV])
    platform = make_team(portfolio, "Platform team")
    vendor = make_team(portfolio, "Acme Cloud", party_kind="vendor")

    first.post(cell_url(portfolio), {"team": platform.pk, "set": "A+", "seen": ""}, **HTMX)
    stale = second.post(cell_url(portfolio), {"team": vendor.pk, "set": "A+", "seen": ""}, **HTMX)

    assert stale.status_code == 409
    assert ("Someone else changed the accountable team for Build of “" in html(stale))
    assert "to “Platform team” after you opened the page; nothing was changed." in html(stale)
    assert accountable(service) == {"Platform team"}


def test_same_cell_toggled_twice_reports_instead_of_undoing(editors, portfolio, make_service, make_team):
    first, second = editors
    service = make_service(portfolio, key="claims")
    team = make_team(portfolio, "Platform team")

    first.post(cell_url(portfolio), {"team": team.pk, "set": "C+"}, **HTMX)
    repeat = second.post(cell_url(portfolio), {"team": team.pk, "set": "C+"}, **HTMX)

    assert "is already consulted for Build: someone else changed it" in html(repeat)
    assert Responsibility.objects.filter(service=service, role="C").count() == 1


def test_stale_accountable_list_choice_is_refused(editors, portfolio, make_service, make_team):
    first, second = editors
    service = make_service(portfolio, key="claims", patterns=[IPV])
    platform = make_team(portfolio, "Platform team")
    vendor = make_team(portfolio, "Acme Cloud", party_kind="vendor")
    url = reverse("service-set-accountable", args=[portfolio.key, "claims", "build"])

    first.post(url, {"team": platform.pk, "seen": ""}, **HTMX)
    stale = second.post(url, {"team": vendor.pk, "seen": ""}, **HTMX)

    assert stale.status_code == 409
    assert accountable(service) == {"Platform team"}


def test_accountable_choice_matching_current_state_is_no_conflict(portfolio, make_service, make_team,
                                                                  make_responsibility):
    service = make_service(portfolio, key="claims")
    team = make_team(portfolio, "Platform team")
    make_responsibility(service, "build", team, role="A")

    change = responsibility_set_role(service=service, activity_key="build", team=team, role="A", held=True,
                                     expected_accountable=[])

    assert not change.changed
    assert accountable(service) == {"Platform team"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks; SQLite serialises writers")
def test_simultaneous_accountable_writes_leave_one_team(transactional_db, portfolio, make_service, make_team):
    service = make_service(portfolio, key="claims")
    teams = [make_team(portfolio, f"Team {number}") for number in range(2)]
    barrier = threading.Barrier(len(teams))
    outcomes = []

    def write(team):
        barrier.wait()
        try:
            responsibility_set_role(service=service, activity_key="build", team=team, role="A", held=True,
                                    expected_accountable=[])
            outcomes.append("written")
        except EditConflict:
            outcomes.append("conflict")
        except Exception as error:  # Recorded so that the assert below shows it.
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(team,)) for team in teams]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["conflict", "written"]
    assert len(accountable(service)) == 1
