"""The service editor's writes: details, pattern mix, RACI cells, undo, rename and delete.

htmx requests get fragments with out-of-band updates; other requests are
redirected back (post/redirect/get) or get the page with the errors.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patterns.models import DecisionFactor
from portfolio.benchmark.raci import measure_raci_edit
from portfolio.models import PatternAssignment, Portfolio, RaciRole, Responsibility, Role, Service, Team
from portfolio.signals import portfolio_bump_revision

IPV = "internal-product-vendor"
MSP = "managed-service-provider"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def editor_client(client, portfolio, make_member):
    client.force_login(make_member(portfolio, Role.EDITOR))
    return client


def html(response) -> str:
    return response.content.decode()


def section(page: str, element_id: str) -> str:
    """Return the markup from the element with `element_id` to the end of the response."""
    return page[page.index(f'id="{element_id}"'):]


def assign_url(portfolio, service_key="claims"):
    return reverse("service-assign-pattern", args=[portfolio.key, service_key])


def remove_url(portfolio, pattern_key, service_key="claims"):
    return reverse("service-remove-pattern", args=[portfolio.key, service_key, pattern_key])


def activities_url(portfolio, pattern_key, service_key="claims"):
    return reverse("service-pattern-activities", args=[portfolio.key, service_key, pattern_key])


def accountable_url(portfolio, activity, service_key="claims"):
    return reverse("service-set-accountable", args=[portfolio.key, service_key, activity])


def cell_url(portfolio, activity, service_key="claims"):
    return reverse("service-raci-cell", args=[portfolio.key, service_key, activity])


def details_url(portfolio, service_key="claims"):
    return reverse("service-details", args=[portfolio.key, service_key])


def undo_url(portfolio, service_key="claims"):
    return reverse("service-undo", args=[portfolio.key, service_key])


def details_data(service, **changes) -> dict:
    """Return the details form as the browser sends it, with `changes` typed over the shown values."""
    service.refresh_from_db()
    shown = {"name": service.name, "status": service.status, "owner": service.owner_id or "",
             "description": service.description}
    for factor in DecisionFactor.objects.values_list("key", flat=True):
        shown[f"context__{factor}"] = service.context.get(factor, "")
    data = {"updated_at": service.updated_at.isoformat()}
    for name, value in shown.items():
        data[f"initial-{name}"] = value
        data[name] = changes.get(name, value)
    return data


def cells(service, activity) -> set[tuple[str, str]]:
    rows = Responsibility.objects.filter(service=service, activity_id=activity)
    return set(rows.values_list("team__name", "role"))


# --- page ---------------------------------------------------------------------------------------


def test_editor_page_shows_matrix_columns_and_expectations(
    editor_client, portfolio, make_service, make_team, make_responsibility
):
    service = make_service(portfolio, key="claims", patterns=[IPV])
    holder = make_team(portfolio, "Platform team")
    make_team(portfolio, "Idle team")
    make_responsibility(service, "build", holder, role="R")

    page = html(editor_client.get(reverse("service-detail", args=[portfolio.key, "claims"])))
    header = page[page.index('<table class="table raci-matrix"'):page.index("</thead>")]
    build = page[page.index('id="raci-build"'):page.index('id="raci-transition"')]

    assert "Platform team" in header
    assert "Idle team" not in header
    assert f'id="cell-build-{holder.pk}-R"' in build
    assert 'aria-pressed="true"' in build
    assert 'value="R-"' in build
    assert "Technology" in build
    assert 'value="A+"' in build


def test_editor_page_for_viewer_has_no_forms(client, portfolio, make_member, make_service, make_team,
                                             make_responsibility):
    service = make_service(portfolio, key="claims", patterns=[IPV])
    make_responsibility(service, "build", make_team(portfolio, "Platform team"), role="R")
    client.force_login(make_member(portfolio, Role.VIEWER))

    page = html(client.get(reverse("service-detail", args=[portfolio.key, "claims"])))

    assert 'class="raci-toggle' not in page
    assert "Edit details" not in page
    assert '<abbr class="raci-role"' in page


def test_raci_columns_adds_requested_team(editor_client, portfolio, make_service, make_team):
    make_service(portfolio, key="claims")
    team = make_team(portfolio, "Acme Cloud", party_kind="vendor")

    response = editor_client.get(reverse("service-raci", args=[portfolio.key, "claims"]),
                                 {"add": team.pk}, **HTMX)

    page = html(response)
    assert page.lstrip().startswith('<section id="raci"')
    assert f'id="cell-discover-{team.pk}-A"' in page
    assert f'name="columns" value="{team.pk}"' in page


def test_raci_columns_without_htmx_renders_page(editor_client, portfolio, make_service, make_team):
    make_service(portfolio, key="claims")
    team = make_team(portfolio)

    page = html(editor_client.get(reverse("service-raci", args=[portfolio.key, "claims"]), {"add": team.pk}))

    assert "<html" in page
    assert f'id="cell-discover-{team.pk}-R"' in page


@pytest.mark.parametrize(("section_name", "element_id"), [("details", "details"), ("raci", "raci"),
                                                          ("", "findings-panel")])
def test_htmx_get_returns_named_section(editor_client, portfolio, make_service, section_name, element_id):
    make_service(portfolio, key="claims")

    page = html(editor_client.get(reverse("service-detail", args=[portfolio.key, "claims"]),
                                  {"section": section_name}, **HTMX))

    assert page.lstrip().startswith(f'<section id="{element_id}"')


# --- details ------------------------------------------------------------------------------------


def test_details_get_htmx_returns_form(editor_client, portfolio, make_service):
    service = make_service(portfolio, key="claims", name="Claims")

    page = html(editor_client.get(details_url(portfolio), **HTMX))

    assert page.lstrip().startswith('<section id="details"')
    assert f'name="updated_at" value="{service.updated_at.isoformat()}"' in page
    assert 'name="initial-name" value="Claims"' in page
    assert 'name="context__engineering_capability"' in page


def test_details_get_without_htmx_renders_page_with_form(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims")

    page = html(editor_client.get(details_url(portfolio)))

    assert "<html" in page
    assert 'name="updated_at"' in page


def test_details_save_updates_title_findings_and_offers_undo(
    editor_client, portfolio, make_service, make_team
):
    service = make_service(portfolio, key="claims", name="Claims", patterns=[IPV])
    owner = make_team(portfolio, "Claims team")

    response = editor_client.post(details_url(portfolio), details_data(service, name="Claims portal",
                                                                       owner=owner.pk), **HTMX)

    page = html(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="details"')
    assert '<h1 id="service-title" dir="auto" hx-swap-oob="true">Claims portal</h1>' in page
    assert "VCP-W008" not in section(page, "findings-panel")
    assert 'id="undo-button"' in section(page, "editor-status")
    service.refresh_from_db()
    assert service.name == "Claims portal"
    assert service.owner == owner


def test_details_save_context_answer_raises_context_finding(editor_client, portfolio, make_service):
    service = make_service(portfolio, key="claims", patterns=[IPV])

    page = html(editor_client.post(
        details_url(portfolio), details_data(service, context__engineering_capability="minimal"), **HTMX))

    service.refresh_from_db()
    assert service.context == {"engineering_capability": "minimal"}
    assert "VCP-W007" in section(page, "findings-panel")
    assert "Engineering capability: Minimal" in section(page, "details")


def test_details_save_changes_only_fields_the_editor_changed(editor_client, portfolio, make_service):
    service = make_service(portfolio, key="claims", name="Claims", description="Old text")
    data = details_data(service, name="Claims portal")
    # Someone else's write that touched neither field, so the version stays equal only here.
    Service.objects.filter(pk=service.pk).update(description="Their text")

    editor_client.post(details_url(portfolio), data, **HTMX)

    service.refresh_from_db()
    assert service.name == "Claims portal"
    assert service.description == "Their text"


def test_details_save_without_changes_writes_nothing(editor_client, portfolio, make_service):
    service = make_service(portfolio, key="claims")
    before = service.updated_at

    page = html(editor_client.post(details_url(portfolio), details_data(service), **HTMX))

    service.refresh_from_db()
    assert service.updated_at == before
    assert "Nothing changed." in page
    assert 'id="undo-button"' not in page


def test_details_save_empty_name_shows_field_error(editor_client, portfolio, make_service):
    service = make_service(portfolio, key="claims", name="Claims")

    response = editor_client.post(details_url(portfolio), details_data(service, name=""), **HTMX)

    assert response.status_code == 422
    assert "This field is required." in html(response)
    service.refresh_from_db()
    assert service.name == "Claims"


def test_details_save_unknown_answer_is_rejected(editor_client, portfolio, make_service):
    service = make_service(portfolio, key="claims")

    response = editor_client.post(
        details_url(portfolio), details_data(service, context__engineering_capability="superb"), **HTMX)

    assert response.status_code == 422
    assert "Select a valid choice" in html(response)
    service.refresh_from_db()
    assert service.context == {}


def test_details_save_without_htmx_redirects(editor_client, portfolio, make_service):
    service = make_service(portfolio, key="claims")

    response = editor_client.post(details_url(portfolio), details_data(service, name="Renamed"))

    assert response.status_code == 302
    assert response["Location"] == reverse("service-detail", args=[portfolio.key, "claims"]) + "#details"


def test_details_damaged_version_is_rejected(editor_client, portfolio, make_service):
    service = make_service(portfolio, key="claims")
    data = details_data(service, name="Renamed")
    data["updated_at"] = "yesterday"

    response = editor_client.post(details_url(portfolio), data, **HTMX)

    assert response.status_code == 422
    assert "The form is damaged" in html(response)


# --- pattern mix --------------------------------------------------------------------------------


def test_assign_htmx_returns_mix_with_oob_sections(editor_client, portfolio, make_service):
    service = make_service(portfolio, key="claims")

    response = editor_client.post(assign_url(portfolio), {"pattern": IPV}, **HTMX)

    page = html(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="pattern-mix"')
    assert '<section id="raci" class="panel" aria-labelledby="raci-title" hx-swap-oob="true">' in page
    assert 'id="findings-panel"' in page
    assert 'id="editor-status"' in page
    # The raci, findings, status, counts and attestation sections.
    assert page.count('hx-swap-oob="true"') == 5
    assert "<html" not in page
    assert service.assignments.get().pattern_id == IPV


def test_assign_htmx_updates_findings(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims")

    page = html(editor_client.post(assign_url(portfolio), {"pattern": IPV}, **HTMX))
    findings = section(page, "findings-panel")

    assert "VCP-E001" not in findings
    assert "VCP-E002" in findings


def test_assign_without_htmx_redirects_to_mix(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims")

    response = editor_client.post(assign_url(portfolio), {"pattern": IPV})

    assert response.status_code == 302
    assert response["Location"] == reverse("service-detail", args=[portfolio.key, "claims"]) + "#pattern-mix"
    assert PatternAssignment.objects.count() == 1


def test_assign_unknown_pattern_htmx_shows_error(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims")

    response = editor_client.post(assign_url(portfolio), {"pattern": "x"}, **HTMX)

    assert response.status_code == 422
    assert "Unknown pattern “x”." in html(response)
    assert PatternAssignment.objects.count() == 0


def test_assign_twice_without_htmx_renders_page_with_error(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims", name="Claims", patterns=[IPV])

    response = editor_client.post(assign_url(portfolio), {"pattern": IPV})

    page = html(response)
    assert response.status_code == 422
    assert "<html" in page
    assert "is already assigned to “Claims”" in page
    assert PatternAssignment.objects.count() == 1


def test_assign_without_pattern_asks_for_one(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims")

    response = editor_client.post(assign_url(portfolio), {}, **HTMX)

    assert response.status_code == 422
    assert "Choose a pattern to assign." in html(response)


def test_assign_offers_only_unassigned_patterns(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims")

    page = html(editor_client.post(assign_url(portfolio), {"pattern": IPV}, **HTMX))
    start = page.index('<select id="assign-pattern"')
    select = page[start:page.index("</select>", start)]

    assert f'value="{IPV}"' not in select
    assert f'value="{MSP}"' in select


def test_assign_get_is_not_allowed(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims")

    response = editor_client.get(assign_url(portfolio))

    assert response.status_code == 405


def test_mix_offers_checkbox_per_activity_in_scope(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims", patterns=[MSP])

    page = html(editor_client.get(reverse("service-detail", args=[portfolio.key, "claims"])))
    mix = page[page.index('id="pattern-mix"'):page.index('id="raci"')]

    for activity in ("discover", "design", "operate", "deliver", "support"):
        assert f'id="mix-{MSP}-{activity}" checked' in mix
    for activity in ("acquire", "build", "transition"):
        assert f'id="mix-{MSP}-{activity}"' not in mix


def test_set_activities_narrows_assignment(editor_client, portfolio, make_service):
    service = make_service(portfolio, key="claims", patterns=[MSP])

    response = editor_client.post(activities_url(portfolio, MSP), {"activities": ["operate", "support"]},
                                  **HTMX)

    assert response.status_code == 200
    assert service.assignments.get().activities == ["operate", "support"]
    assert 'id="undo-button"' in section(html(response), "editor-status")


def test_set_activities_outside_scope_is_rejected(editor_client, portfolio, make_service):
    service = make_service(portfolio, key="claims", patterns=[MSP])

    response = editor_client.post(activities_url(portfolio, MSP), {"activities": ["operate", "build"]},
                                  **HTMX)

    assert response.status_code == 422
    assert "does not cover build" in html(response)
    assert len(service.assignments.get().activities) == 5


def test_set_activities_none_is_rejected(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims", patterns=[MSP])

    response = editor_client.post(activities_url(portfolio, MSP), {}, **HTMX)

    assert response.status_code == 422
    assert "Choose at least one activity" in html(response)


def test_remove_htmx_returns_mix_and_findings(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims", patterns=[IPV])

    response = editor_client.post(remove_url(portfolio, IPV), **HTMX)

    page = html(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="pattern-mix"')
    assert "VCP-E001" in section(page, "findings-panel")
    assert PatternAssignment.objects.count() == 0


def test_remove_without_htmx_redirects(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims", patterns=[IPV])

    response = editor_client.post(remove_url(portfolio, IPV))

    assert response.status_code == 302
    assert PatternAssignment.objects.count() == 0


def test_remove_unassigned_pattern_shows_error(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims", name="Claims", patterns=[MSP])

    response = editor_client.post(remove_url(portfolio, IPV), **HTMX)

    assert response.status_code == 422
    assert "is not assigned to “Claims”" in html(response)
    assert PatternAssignment.objects.count() == 1


# --- RACI cells ---------------------------------------------------------------------------------


def test_cell_gives_role_and_keeps_button_id(editor_client, portfolio, make_service, make_team):
    service = make_service(portfolio, key="claims", patterns=[IPV])
    team = make_team(portfolio, "Platform team")

    response = editor_client.post(cell_url(portfolio, "build"), {"team": team.pk, "set": "R+"}, **HTMX)

    page = html(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="raci"')
    assert f'value="R-" id="cell-build-{team.pk}-R"' in page
    assert page.count('hx-swap-oob="true"') == 4
    assert cells(service, "build") == {("Platform team", "R")}


def matrix_request() -> dict:
    """Return the headers of a request that a button or list in the RACI matrix sends."""
    return {**HTMX, "HTTP_HX_TARGET": "editor-status"}


def shown_state(client, portfolio, service_key="claims") -> str:
    """Return the row digests that the service page's matrix sends with each change."""
    page = html(client.get(reverse("service-detail", args=[portfolio.key, service_key])))
    return re.search(r'id="raci-state" name="state" value="([^"]*)"', page).group(1)


def test_cell_from_matrix_returns_status_and_row(editor_client, portfolio, make_service, make_team,
                                                 make_responsibility):
    service = make_service(portfolio, key="claims", patterns=[IPV])
    team = make_team(portfolio, "Platform team")
    make_responsibility(service, "design", team, role="C")

    state = shown_state(editor_client, portfolio)

    response = editor_client.post(cell_url(portfolio, "build"),
                                  {"team": team.pk, "set": "R+", "columns": str(team.pk), "state": state},
                                  **matrix_request())

    page = html(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="editor-status"')
    assert '<template>' in page
    assert re.search(r'<tr id="raci-build"[^>]*hx-swap-oob="true"', page)
    assert 'id="raci-design"' not in page
    assert 'id="raci"' not in page
    assert f'value="R-" id="cell-build-{team.pk}-R"' in page
    # The row, the row digests, the findings panel, the counts and the attestation panel.
    assert page.count('hx-swap-oob="true"') == 5
    assert cells(service, "build") == {("Platform team", "R")}


def test_accountable_from_matrix_with_new_column_returns_matrix(editor_client, portfolio, make_service,
                                                                make_team, make_responsibility):
    service = make_service(portfolio, key="claims", patterns=[IPV])
    shown = make_team(portfolio, "Shown team")
    new = make_team(portfolio, "New team")
    make_responsibility(service, "design", shown, role="C")

    state = shown_state(editor_client, portfolio)

    response = editor_client.post(accountable_url(portfolio, "build"),
                                  {"team": new.pk, "seen": "", "columns": str(shown.pk), "state": state},
                                  **matrix_request())

    page = html(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="editor-status"')
    assert re.search(r'<section id="raci"[^>]*hx-swap-oob="true"', page)
    assert "<template>" not in page
    assert f'id="cell-design-{new.pk}-C"' in page
    assert cells(service, "build") == {("New team", "A")}


def test_accountable_from_matrix_among_columns_returns_row(editor_client, portfolio, make_service,
                                                           make_team, make_responsibility):
    service = make_service(portfolio, key="claims", patterns=[IPV])
    team = make_team(portfolio, "Shown team")
    make_responsibility(service, "design", team, role="C")

    state = shown_state(editor_client, portfolio)

    response = editor_client.post(accountable_url(portfolio, "build"),
                                  {"team": team.pk, "seen": "", "columns": str(team.pk), "state": state},
                                  **matrix_request())

    page = html(response)
    assert re.search(r'<tr id="raci-build"[^>]*hx-swap-oob="true"', page)
    assert 'id="raci"' not in page
    assert cells(service, "build") == {("Shown team", "A")}


def test_first_row_from_matrix_keeps_empty_notice(editor_client, portfolio, make_service, make_team):
    # Without columns the first row contains the notice cell that spans every row. Its
    # out-of-band copy must contain it too, or the notice disappears from the page.
    make_service(portfolio, key="claims", patterns=[IPV])
    make_team(portfolio, "Platform team")

    state = shown_state(editor_client, portfolio)

    response = editor_client.post(accountable_url(portfolio, "discover"),
                                  {"team": "", "seen": "", "columns": "", "state": state}, **matrix_request())

    page = html(response)
    assert re.search(r'<tr id="raci-discover"[^>]*hx-swap-oob="true"', page)
    assert 'class="raci-matrix__empty muted"' in page


def test_other_row_changed_since_page_returns_matrix(editor_client, portfolio, make_service, make_team,
                                                    make_responsibility):
    service = make_service(portfolio, key="claims", patterns=[IPV])
    team = make_team(portfolio, "Platform team")
    make_responsibility(service, "design", team, role="C")
    make_responsibility(service, "operate", team, role="A")
    state = shown_state(editor_client, portfolio)
    # Someone else takes the accountable role of another row after the page was shown.
    Responsibility.objects.filter(service=service, activity_id="operate", role="A").delete()

    response = editor_client.post(cell_url(portfolio, "build"),
                                  {"team": team.pk, "set": "R+", "columns": str(team.pk), "state": state},
                                  **matrix_request())

    page = html(response)
    assert re.search(r'<section id="raci"[^>]*hx-swap-oob="true"', page)
    assert f'id="cell-operate-{team.pk}-A" class="raci-toggle raci-toggle--A" aria-pressed="false"' in page


def test_row_response_sends_new_row_digests(editor_client, portfolio, make_service, make_team,
                                            make_responsibility):
    service = make_service(portfolio, key="claims", patterns=[IPV])
    team = make_team(portfolio, "Platform team")
    make_responsibility(service, "design", team, role="C")
    state = shown_state(editor_client, portfolio)

    page = html(editor_client.post(cell_url(portfolio, "build"),
                                   {"team": team.pk, "set": "R+", "columns": str(team.pk), "state": state},
                                   **matrix_request()))

    sent = re.search(r'id="raci-state" name="state" value="([^"]*)" hx-swap-oob="true"', page).group(1)
    assert sent == shown_state(editor_client, portfolio)
    assert sent != state


def test_cell_takes_role_away(editor_client, portfolio, make_service, make_team, make_responsibility):
    service = make_service(portfolio, key="claims", patterns=[IPV])
    team = make_team(portfolio)
    make_responsibility(service, "build", team, role="C")

    editor_client.post(cell_url(portfolio, "build"), {"team": team.pk, "set": "C-"}, **HTMX)

    assert cells(service, "build") == set()


def test_cell_accountable_replaces_other_team(editor_client, portfolio, make_service, make_team,
                                             make_responsibility):
    service = make_service(portfolio, key="claims", patterns=[IPV])
    old = make_team(portfolio, "Old team")
    new = make_team(portfolio, "New team")
    make_responsibility(service, "build", old, role="A")
    make_responsibility(service, "build", old, role="R")

    response = editor_client.post(cell_url(portfolio, "build"),
                                  {"team": new.pk, "set": "A+", "seen": str(old.pk)}, **HTMX)

    assert response.status_code == 200
    assert cells(service, "build") == {("New team", "A"), ("Old team", "R")}


def test_cell_accountable_removes_unowned_finding(editor_client, portfolio, make_service, make_team):
    make_service(portfolio, key="claims", patterns=[IPV])
    team = make_team(portfolio)

    page = html(editor_client.post(cell_url(portfolio, "build"), {"team": team.pk, "set": "A+", "seen": ""},
                                   **HTMX))
    findings = section(page, "findings-panel")

    assert "#activity-build" not in findings
    assert "#activity-design" in findings


def test_cell_already_in_requested_state_reports_it(editor_client, portfolio, make_service, make_team,
                                                    make_responsibility):
    service = make_service(portfolio, key="claims", patterns=[IPV])
    team = make_team(portfolio, "Platform team")
    make_responsibility(service, "build", team, role="R")

    response = editor_client.post(cell_url(portfolio, "build"), {"team": team.pk, "set": "R+"}, **HTMX)

    status = section(html(response), "editor-status")
    assert response.status_code == 200
    assert "“Platform team” is already responsible for Build: someone else changed it" in status
    assert "editor-status--warning" in status
    assert 'id="undo-button"' not in status
    assert cells(service, "build") == {("Platform team", "R")}


def test_cell_without_htmx_redirects_with_columns(editor_client, portfolio, make_service, make_team):
    make_service(portfolio, key="claims")
    team = make_team(portfolio)
    idle = make_team(portfolio)

    response = editor_client.post(cell_url(portfolio, "build"),
                                  {"team": team.pk, "set": "I+", "columns": f"{team.pk},{idle.pk}"})

    assert response.status_code == 302
    assert response["Location"].endswith(f"?columns={team.pk}%2C{idle.pk}#raci")


@pytest.mark.parametrize("value", ["X+", "R", "", "R+-"])
def test_cell_invalid_request_is_rejected(editor_client, portfolio, make_service, make_team, value):
    service = make_service(portfolio, key="claims")
    team = make_team(portfolio)

    response = editor_client.post(cell_url(portfolio, "build"), {"team": team.pk, "set": value}, **HTMX)

    assert response.status_code == 422
    assert cells(service, "build") == set()


def test_cell_team_of_other_portfolio_is_rejected(editor_client, portfolio, make_portfolio, make_service,
                                                  make_team):
    service = make_service(portfolio, key="claims")
    stranger = make_team(make_portfolio(), "Hidden team")

    response = editor_client.post(cell_url(portfolio, "build"), {"team": stranger.pk, "set": "R+"}, **HTMX)

    assert response.status_code == 422
    assert "Hidden team" not in html(response)
    assert cells(service, "build") == set()


def test_cell_unknown_activity_is_404(editor_client, portfolio, make_service, make_team):
    make_service(portfolio, key="claims")
    team = make_team(portfolio)

    response = editor_client.post(cell_url(portfolio, "dream"), {"team": team.pk, "set": "R+"})

    assert response.status_code == 404


def test_cell_by_viewer_is_forbidden(client, portfolio, make_member, make_service, make_team):
    service = make_service(portfolio, key="claims")
    team = make_team(portfolio)
    client.force_login(make_member(portfolio, Role.VIEWER))

    response = client.post(cell_url(portfolio, "build"), {"team": team.pk, "set": "R+"}, **HTMX)

    assert response.status_code == 403
    assert cells(service, "build") == set()


def test_cell_write_needs_csrf_token_from_page(portfolio, make_member, make_service, make_team):
    make_service(portfolio, key="claims")
    team = make_team(portfolio)
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_member(portfolio, Role.EDITOR))
    page = html(client.get(reverse("service-detail", args=[portfolio.key, "claims"])))
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    data = {"team": team.pk, "set": "R+"}

    refused = client.post(cell_url(portfolio, "build"), data, **HTMX)
    accepted = client.post(cell_url(portfolio, "build"), data, HTTP_X_CSRFTOKEN=token, **HTMX)

    assert refused.status_code == 403
    assert accepted.status_code == 200


# --- accountable list ---------------------------------------------------------------------------


def test_set_accountable_htmx_returns_raci_and_oob(editor_client, portfolio, make_service, make_team):
    service = make_service(portfolio, key="claims", patterns=[IPV])
    team = make_team(portfolio, "Platform team")

    response = editor_client.post(accountable_url(portfolio, "build"), {"team": team.pk}, **HTMX)

    page = html(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="raci"')
    assert '<section id="findings-panel" class="panel findings-panel"' in page
    assert page.count('hx-swap-oob="true"') == 4
    assert f'<option value="{team.pk}" selected>' in page
    assert Responsibility.objects.get(service=service, role=RaciRole.ACCOUNTABLE).activity_id == "build"


def test_set_accountable_empty_clears(editor_client, portfolio, make_service, make_team, make_responsibility):
    service = make_service(portfolio, key="claims", patterns=[IPV])
    make_responsibility(service, "build", make_team(portfolio))

    response = editor_client.post(accountable_url(portfolio, "build"), {"team": ""})

    assert response.status_code == 302
    assert Responsibility.objects.count() == 0


def test_set_accountable_rejects_team_of_other_portfolio(
    editor_client, portfolio, make_portfolio, make_service, make_team
):
    make_service(portfolio, key="claims", patterns=[IPV])
    stranger = make_team(make_portfolio(), "Hidden team")

    response = editor_client.post(accountable_url(portfolio, "build"), {"team": stranger.pk}, **HTMX)

    page = html(response)
    assert response.status_code == 422
    assert "Select a valid choice" in page
    assert "Hidden team" not in page
    assert Responsibility.objects.count() == 0


def test_set_accountable_unknown_activity_is_404(editor_client, portfolio, make_service, make_team):
    make_service(portfolio, key="claims")
    team = make_team(portfolio)

    response = editor_client.post(accountable_url(portfolio, "dream"), {"team": team.pk}, **HTMX)

    assert response.status_code == 404
    assert Responsibility.objects.count() == 0


# --- undo ---------------------------------------------------------------------------------------


def test_undo_restores_cells_of_last_change(editor_client, portfolio, make_service, make_team,
                                           make_responsibility):
    service = make_service(portfolio, key="claims", patterns=[IPV])
    old = make_team(portfolio, "Old team")
    new = make_team(portfolio, "New team")
    make_responsibility(service, "build", old, role="A")
    editor_client.post(cell_url(portfolio, "build"), {"team": new.pk, "set": "A+", "seen": str(old.pk)},
                       **HTMX)

    response = editor_client.post(undo_url(portfolio), **HTMX)

    page = html(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="editor-status"')
    assert "Undone: Made “New team” accountable for Build." in page
    assert '<section id="raci" class="panel" aria-labelledby="raci-title" hx-swap-oob="true">' in page
    assert cells(service, "build") == {("Old team", "A")}


def test_undo_restores_details(editor_client, portfolio, make_service):
    service = make_service(portfolio, key="claims", name="Claims", status="live")
    editor_client.post(details_url(portfolio), details_data(service, name="Claims portal", status="retired"),
                       **HTMX)

    editor_client.post(undo_url(portfolio), **HTMX)

    service.refresh_from_db()
    assert service.name == "Claims"
    assert service.status == "live"


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (lambda client, portfolio: client.post(assign_url(portfolio), {"pattern": MSP}, **HTMX),
         {IPV: 8}),
        (lambda client, portfolio: client.post(remove_url(portfolio, IPV), **HTMX),
         {IPV: 8}),
        (lambda client, portfolio: client.post(activities_url(portfolio, IPV), {"activities": ["build"]},
                                               **HTMX),
         {IPV: 8}),
    ],
    ids=["assign", "remove", "activities"],
)
def test_undo_restores_pattern_mix(editor_client, portfolio, make_service, action, expected):
    service = make_service(portfolio, key="claims", patterns=[IPV])
    action(editor_client, portfolio)

    editor_client.post(undo_url(portfolio), **HTMX)

    mix = {assignment.pattern_id: len(assignment.activities) for assignment in service.assignments.all()}
    assert mix == expected


def test_undo_twice_has_nothing_to_undo(editor_client, portfolio, make_service, make_team):
    service = make_service(portfolio, key="claims", name="Claims")
    team = make_team(portfolio)
    editor_client.post(cell_url(portfolio, "build"), {"team": team.pk, "set": "R+"}, **HTMX)
    editor_client.post(undo_url(portfolio), **HTMX)

    response = editor_client.post(undo_url(portfolio), **HTMX)

    assert response.status_code == 422
    assert "There is no change to undo on “Claims”." in html(response)
    assert cells(service, "build") == set()


def test_undo_after_someone_else_changed_cells_is_refused(editor_client, portfolio, make_service, make_team,
                                                         make_responsibility):
    service = make_service(portfolio, key="claims")
    mine = make_team(portfolio, "My team")
    editor_client.post(cell_url(portfolio, "build"), {"team": mine.pk, "set": "R+"}, **HTMX)
    make_responsibility(service, "build", make_team(portfolio, "Their team"), role="C")

    response = editor_client.post(undo_url(portfolio), **HTMX)

    assert response.status_code == 409
    assert "Someone else changed the RACI of" in html(response)
    assert cells(service, "build") == {("My team", "R"), ("Their team", "C")}


def test_undo_is_kept_per_service(editor_client, portfolio, make_service, make_team):
    first = make_service(portfolio, key="claims")
    make_service(portfolio, key="billing")
    team = make_team(portfolio)
    editor_client.post(cell_url(portfolio, "build"), {"team": team.pk, "set": "R+"}, **HTMX)

    other = editor_client.post(undo_url(portfolio, "billing"), **HTMX)
    own = editor_client.post(undo_url(portfolio), **HTMX)

    assert other.status_code == 422
    assert own.status_code == 200
    assert cells(first, "build") == set()


def test_undo_without_htmx_redirects(editor_client, portfolio, make_service, make_team):
    service = make_service(portfolio, key="claims")
    team = make_team(portfolio)
    editor_client.post(cell_url(portfolio, "build"), {"team": team.pk, "set": "R+"})

    response = editor_client.post(undo_url(portfolio))

    assert response.status_code == 302
    assert cells(service, "build") == set()


# --- rename and delete --------------------------------------------------------------------------


def rename_data(service, **changes) -> dict:
    service.refresh_from_db()
    return {"updated_at": service.updated_at.isoformat(), "name": service.name, "key": service.key, **changes}


def test_rename_page_explains_new_key(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims", name="Claims")

    page = html(editor_client.get(reverse("service-rename", args=[portfolio.key, "claims"])))

    assert 'value="Claims"' in page
    assert "bookmarks and links with the old key stop working" in page


def test_rename_moves_service_to_new_key(editor_client, portfolio, make_service):
    service = make_service(portfolio, key="claims", name="Claims")

    response = editor_client.post(reverse("service-rename", args=[portfolio.key, "claims"]),
                                  rename_data(service, name="Claims portal", key="claims-portal"))

    assert response.status_code == 302
    assert response["Location"] == reverse("service-detail", args=[portfolio.key, "claims-portal"])
    service.refresh_from_db()
    assert (service.key, service.name) == ("claims-portal", "Claims portal")


def test_rename_to_taken_key_shows_error(editor_client, portfolio, make_service):
    service = make_service(portfolio, key="claims")
    make_service(portfolio, key="billing")

    response = editor_client.post(reverse("service-rename", args=[portfolio.key, "claims"]),
                                  rename_data(service, key="billing"))

    assert response.status_code == 422
    assert "A service with the key “billing” already exists" in html(response)


def test_rename_stale_form_shows_stored_name(editor_client, portfolio, make_service):
    service = make_service(portfolio, key="claims", name="Claims")
    data = rename_data(service, name="Mine")
    Service.objects.get(pk=service.pk).save()
    Service.objects.filter(pk=service.pk).update(name="Theirs")

    response = editor_client.post(reverse("service-rename", args=[portfolio.key, "claims"]), data)

    page = html(response)
    assert response.status_code == 409
    assert "It is now named “Theirs”" in page
    service.refresh_from_db()
    assert service.name == "Theirs"
    assert f'value="{service.updated_at.isoformat()}"' in page


def test_delete_page_counts_what_goes(editor_client, portfolio, make_service, make_team, make_responsibility):
    service = make_service(portfolio, key="claims", patterns=[IPV, MSP])
    make_responsibility(service, "build", make_team(portfolio))

    page = html(editor_client.get(reverse("service-delete", args=[portfolio.key, "claims"])))

    assert "Its 2 pattern assignments are deleted with it," in page
    assert "and so is its 1 RACI cell." in page
    assert "onclick" not in page


def test_delete_removes_service_and_redirects(editor_client, portfolio, make_service, make_team,
                                              make_responsibility):
    service = make_service(portfolio, key="claims", name="Claims", patterns=[IPV])
    make_responsibility(service, "build", make_team(portfolio))

    response = editor_client.post(reverse("service-delete", args=[portfolio.key, "claims"]))

    assert response.status_code == 302
    assert response["Location"] == reverse("service-list", args=[portfolio.key])
    assert not Service.objects.filter(pk=service.pk).exists()
    assert Responsibility.objects.count() == 0


def test_delete_by_viewer_is_forbidden(client, portfolio, make_member, make_service):
    make_service(portfolio, key="claims")
    client.force_login(make_member(portfolio, Role.VIEWER))

    response = client.post(reverse("service-delete", args=[portfolio.key, "claims"]))

    assert response.status_code == 403
    assert Service.objects.count() == 1


# --- new service --------------------------------------------------------------------------------


def test_create_service_redirects_to_it(editor_client, portfolio, make_team):
    team = make_team(portfolio)

    response = editor_client.post(
        reverse("service-list", args=[portfolio.key]),
        {"key": "claims", "name": "Claims portal", "status": "live", "owner": team.pk},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("service-detail", args=[portfolio.key, "claims"])
    assert portfolio.services.get().owner == team


def test_create_service_duplicate_key_shows_clear_error(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims")

    response = editor_client.post(
        reverse("service-list", args=[portfolio.key]), {"key": "claims", "name": "Other", "status": "live"}
    )

    page = html(response)
    assert response.status_code == 422
    assert "A service with the key “claims” already exists in “Acme Insurance”; choose another key." in page
    assert portfolio.services.count() == 1


def test_create_service_invalid_key_shows_field_error(editor_client, portfolio):
    response = editor_client.post(
        reverse("service-list", args=[portfolio.key]), {"key": "a/b", "name": "Claims", "status": "live"}
    )

    assert response.status_code == 422
    assert "contains “/”" in html(response)
    assert portfolio.services.count() == 0


# --- query counts -------------------------------------------------------------------------------


def fill_portfolio(portfolio, services: int) -> Service:
    """Write `services` services with a pattern and two RACI cells each; return one of them."""
    kinds = ("technology", "vendor", "business", "service_provider")
    teams = [Team.objects.create(portfolio=portfolio, name=f"Team {number}", party_kind=kind)
             for number, kind in enumerate(kinds)]
    rows = Service.objects.bulk_create(
        Service(portfolio=portfolio, key=f"svc-{number:05d}", name=f"Service {number}",
                owner=teams[number % len(teams)])
        for number in range(services)
    )
    PatternAssignment.objects.bulk_create(
        PatternAssignment(service=service, pattern_id=IPV, activities=["build", "operate"])
        for service in rows
    )
    cells = []
    for index, service in enumerate(rows):
        accountable, responsible = teams[index % 4], teams[(index + 1) % 4]
        cells.append(Responsibility(service=service, activity_id="operate", team=accountable, role="A"))
        cells.append(Responsibility(service=service, activity_id="build", team=responsible, role="R"))
    Responsibility.objects.bulk_create(cells)
    portfolio_bump_revision(portfolio.pk)
    return rows[len(rows) // 2]


def editor_requests(client, portfolio, service) -> dict:
    """Return the editor's requests by name, in an order where each leaves what the next needs.

    The page comes first, right after a write, so it pays for a full analysis. The cell write
    pays for one too, and the undo reverts the cell write.
    """
    detail = reverse("service-detail", args=[portfolio.key, service.key])
    details = reverse("service-details", args=[portfolio.key, service.key])
    cell = reverse("service-raci-cell", args=[portfolio.key, service.key, "build"])
    team = Team.objects.filter(portfolio=portfolio).order_by("pk").last()
    return {
        "page": lambda: client.get(detail),
        "details form": lambda: client.get(details, **HTMX),
        "findings panel": lambda: client.get(detail, **HTMX),
        "cell write": lambda: client.post(cell, {"team": team.pk, "set": "I+"}, **HTMX),
        "undo": lambda: client.post(reverse("service-undo", args=[portfolio.key, service.key]), **HTMX),
    }


def count_queries(requests: dict) -> dict[str, int]:
    counts = {}
    for name, send in requests.items():
        with CaptureQueriesContext(connection) as queries:
            response = send()
        assert response.status_code == 200, name
        counts[name] = len(queries)
    return counts


def test_editor_queries_same_at_10_and_1000(client, make_portfolio, make_member, monkeypatch):
    # Every 16th edit record also deletes old ones (one more query), whichever portfolio it is in.
    monkeypatch.setattr("portfolio.analysis.live.PRUNE_EVERY", 10**9)
    small, large = make_portfolio(), make_portfolio()
    small_service = fill_portfolio(small, 10)
    large_service = fill_portfolio(large, 1000)
    user = make_member(small, Role.EDITOR)
    large.memberships.create(user=user, role=Role.EDITOR)
    client.force_login(user)

    small_counts = count_queries(editor_requests(client, small, small_service))
    large_counts = count_queries(editor_requests(client, large, large_service))

    assert small_counts == large_counts


# The page comes right after a bulk write, so it includes a full analysis of the portfolio (13
# queries) on top of its own reads. The test's transaction never commits, so the cell write and the
# undo bring the page's analysis forward from the edit they record in the shared cache, as another
# worker would. That takes eight queries to record the edit and twelve to read it back and
# re-analyse the one service. A write also records its change in the history (two queries), locks the
# portfolio and reads its revision token again (two queries), and marks the service for review if
# its mapping was attested (one UPDATE). The response reads the attestation again for its panel
# (one query).
EDITOR_QUERY_LIMITS = {"page": 24, "details form": 14, "findings panel": 4, "cell write": 56, "undo": 50}


def test_editor_query_counts_within_limits(client, portfolio, make_member, django_assert_max_num_queries):
    service = fill_portfolio(portfolio, 10)
    client.force_login(make_member(portfolio, Role.EDITOR))

    for name, send in editor_requests(client, portfolio, service).items():
        with django_assert_max_num_queries(EDITOR_QUERY_LIMITS[name]):
            response = send()
        assert response.status_code == 200, name


# --- benchmark ----------------------------------------------------------------------------------


def test_raci_benchmark_times_edits_and_cleans_up(db):
    measurement = measure_raci_edit(40, edits=3, seed=2, progress=lambda message: None)

    assert len(measurement.edit) == 4
    assert measurement.queries > 0
    assert "| 40 |" in measurement.markdown()
    assert not Portfolio.objects.exists()
    assert not get_user_model().objects.exists()
