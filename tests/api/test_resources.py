"""Teams, pattern mix, RACI, practices, waivers, findings, the library and pagination over the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portfolio.analysis import analyse_portfolio
from portfolio.api.pagination import MAX_LIMIT
from portfolio.models import PatternAssignment, PracticeAdoption, Responsibility, Role, Team, Waiver

CRM = "/portfolios/acme/services/crm"


@pytest.fixture
def editor(api_as, world):
    return api_as(world.portfolio, Role.EDITOR)


@pytest.fixture
def owner(api_as, world):
    return api_as(world.portfolio, Role.OWNER)


def _cells(world, activity):
    return set(Responsibility.objects.filter(service=world.service, activity_id=activity)
               .values_list("team__name", "role"))


# --- pagination ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "loc"), [
    ({"limit": MAX_LIMIT + 1}, ["query", "limit"]),
    ({"limit": 0}, ["query", "limit"]),
    ({"offset": -1}, ["query", "offset"]),
])
def test_page_outside_bounds_is_422(editor, query, loc):
    response = editor.get("/portfolios/acme/teams", **query)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_pages_cover_all_items_once(editor, world, make_team):
    for n in range(5):
        make_team(world.portfolio, f"Extra {n}")
    first = editor.get("/portfolios/acme/teams", limit=3).json()
    second = editor.get("/portfolios/acme/teams", limit=3, offset=3).json()
    third = editor.get("/portfolios/acme/teams", limit=3, offset=6).json()
    names = [team["name"] for page in (first, second, third) for team in page["items"]]
    assert first["count"] == 8
    assert (first["limit"], second["offset"]) == (3, 3)
    assert len(names) == len(set(names)) == 8
    assert len(third["items"]) == 2


# --- teams ----------------------------------------------------------------------------------------


def test_team_create_and_duplicate_name(editor):
    created = editor.post("/portfolios/acme/teams", {"name": "Service desk", "party_kind": "technology"})
    assert created.status_code == 201
    assert created.json()["name"] == "Service desk"
    again = editor.post("/portfolios/acme/teams", {"name": "SERVICE DESK", "party_kind": "vendor"})
    assert again.status_code == 422
    assert again.json()["detail"][0]["loc"] == ["body", "name"]
    assert Team.objects.filter(name__iexact="service desk").count() == 1


def test_team_delete_needs_replacement_when_used(editor, world):
    path = f"/portfolios/acme/teams/{world.platform.pk}"
    refused = editor.delete(path)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["query", "replacement"]
    assert Team.objects.filter(pk=world.platform.pk).exists()

    assert editor.delete(f"{path}?replacement={world.spare.pk}").status_code == 204
    world.service.refresh_from_db()
    assert world.service.owner == world.spare
    assert ("Spare team", "A") in _cells(world, "operate")


def test_team_of_other_portfolio_is_404(editor, make_portfolio, make_team):
    elsewhere = make_team(make_portfolio(), "Elsewhere")
    assert editor.get(f"/portfolios/acme/teams/{elsewhere.pk}").status_code == 404
    assert editor.patch(f"/portfolios/acme/teams/{elsewhere.pk}", {"contact": "x"}).status_code == 404


# --- pattern mix ----------------------------------------------------------------------------------


def test_assign_pattern_then_narrow_its_activities(editor, world):
    path = f"{CRM}/patterns/service-integrator"
    created = editor.put(path, {"activities": None})
    assert created.status_code == 201
    assert "operate" in created.json()["activities"]
    narrowed = editor.put(path, {"activities": ["support", "deliver"]})
    assert narrowed.status_code == 200
    assert narrowed.json()["activities"] == ["deliver", "support"]


def test_assign_activity_outside_scope_is_422(editor, world):
    response = editor.put(f"{CRM}/patterns/managed-service-provider", {"activities": ["build"]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "activities"]
    assert not PatternAssignment.objects.filter(pattern_id="managed-service-provider").exists()


def test_pattern_paths_404_for_unknown_or_unassigned(editor):
    assert editor.put(f"{CRM}/patterns/no-such-pattern", {}).status_code == 404
    assert editor.delete(f"{CRM}/patterns/service-integrator").status_code == 404


# --- RACI -----------------------------------------------------------------------------------------


def test_accountable_replaces_previous_one(editor, world):
    response = editor.put(f"{CRM}/responsibilities/operate/{world.vendor.pk}/A")
    assert response.status_code == 200
    body = response.json()
    assert body["changed"] is True
    assert [(cell["team"]["name"], cell["role"]) for cell in body["cells"]] == [("Acme Cloud", "A")]
    assert _cells(world, "operate") == {("Acme Cloud", "A")}


def test_cell_writes_are_idempotent(editor, world):
    path = f"{CRM}/responsibilities/design/{world.vendor.pk}/R"
    assert editor.put(path).json()["changed"] is True
    assert editor.put(path).json()["changed"] is False
    assert editor.delete(path).status_code == 204
    assert editor.delete(path).status_code == 204
    assert _cells(world, "design") == set()


@pytest.mark.parametrize(("suffix", "status"), [
    ("no-such-activity/{team}/R", 404),
    ("operate/{team}/X", 422),
    ("operate/999999/R", 404),
])
def test_cell_path_errors(editor, world, suffix, status):
    path = f"{CRM}/responsibilities/" + suffix.format(team=world.vendor.pk)
    assert editor.put(path).status_code == status
    assert _cells(world, "operate") == {("Platform team", "A")}


@pytest.mark.parametrize(("query", "expected"), [
    ({}, [("crm", "operate", "A"), ("crm", "support", "C")]),
    ({"role": "C"}, [("crm", "support", "C")]),
    ({"activity": "operate"}, [("crm", "operate", "A")]),
    ({"service": "other"}, []),
])
def test_responsibilities_filter(editor, query, expected):
    items = editor.get("/portfolios/acme/responsibilities", **query).json()["items"]
    assert [(item["service"], item["activity"], item["role"]) for item in items] == expected


# --- practices ------------------------------------------------------------------------------------


def test_practices_list_every_practice(editor):
    body = editor.get("/portfolios/acme/practices", limit=MAX_LIMIT).json()
    by_key = {item["practice"]: item for item in body["items"]}
    assert body["count"] == len(by_key) > 30
    assert by_key["incident-management"]["recorded"] is True
    assert by_key["service-desk"]["recorded"] is False
    assert by_key["service-desk"]["status"] == "not_adopted"


def test_practice_put_records_adoption(editor, world):
    response = editor.put("/portfolios/acme/practices/service-desk",
                          {"status": "planned", "capability_level": 2, "owner": world.vendor.pk})
    assert response.status_code == 200
    assert response.json()["owner"] == {"id": world.vendor.pk, "name": "Acme Cloud"}
    adoption = PracticeAdoption.objects.get(portfolio=world.portfolio, practice_id="service-desk")
    assert (adoption.status, adoption.capability_level, adoption.owner) == ("planned", 2, world.vendor)


def test_practice_level_out_of_range_is_422(editor):
    response = editor.put("/portfolios/acme/practices/service-desk",
                          {"status": "adopted", "capability_level": 6})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "capability_level"]


def test_practices_filter_by_status(editor):
    adopted = editor.get("/portfolios/acme/practices", status="adopted").json()["items"]
    not_adopted = editor.get("/portfolios/acme/practices", status="not_adopted", limit=MAX_LIMIT).json()
    assert [item["practice"] for item in adopted] == ["incident-management"]
    assert "incident-management" not in {item["practice"] for item in not_adopted["items"]}


# --- waivers and findings ---------------------------------------------------------------------------


def test_accept_finding_moves_it_to_waived(owner, world):
    finding = owner.get("/portfolios/acme/findings", service="crm", level="error").json()["items"][0]
    body = {"code": finding["code"], "subject": finding["subject"], "justification": "Planned for Q3.",
            "approver": "CIO", "expires_on": (timezone.localdate() + timedelta(days=60)).isoformat()}
    created = owner.post("/portfolios/acme/waivers", body)
    assert created.status_code == 201, created.content
    assert created.json()["state"] == "in_force"

    open_findings = owner.get("/portfolios/acme/findings", rule=finding["code"], service="crm").json()
    assert finding["subject"] not in {item["subject"] for item in open_findings["items"]}
    waived = owner.get("/portfolios/acme/findings", rule=finding["code"], include_waived=True).json()["items"]
    waiver_id = created.json()["id"]
    assert (finding["subject"], waiver_id) in {(item["subject"], item["waiver"]) for item in waived}

    assert owner.delete(f"/portfolios/acme/waivers/{waiver_id}").status_code == 204
    assert not Waiver.objects.filter(pk=waiver_id).exists()


def test_accept_unknown_finding_is_422(owner):
    body = {"code": "VCP-E001", "subject": "service:nowhere", "justification": "x", "approver": "y",
            "expires_on": (timezone.localdate() + timedelta(days=10)).isoformat()}
    response = owner.post("/portfolios/acme/waivers", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]


def test_waiver_states(owner, world):
    Waiver.objects.filter(pk=world.waiver.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    items = owner.get("/portfolios/acme/waivers").json()["items"]
    assert [(item["code"], item["state"]) for item in items] == [("VCP-W999", "obsolete")]
    assert owner.get("/portfolios/acme/waivers", state="in_force").json()["items"] == []


@pytest.mark.parametrize("query", [{"level": "error"}, {"level": "warning"}, {"service": "crm"},
                                   {"rule": "VCP-E001"}])
def test_findings_filters_match_analysis(owner, world, query):
    result = analyse_portfolio(world.portfolio)
    expected = [
        (finding.code, finding.subject) for finding in result.findings
        if finding.level.label == query.get("level", finding.level.label)
        and finding.service == query.get("service", finding.service)
        and finding.code == query.get("rule", finding.code)
    ]
    items = owner.get("/portfolios/acme/findings", limit=MAX_LIMIT, **query).json()["items"]
    assert [(item["code"], item["subject"]) for item in items] == expected


def test_findings_level_must_be_known(owner):
    response = owner.get("/portfolios/acme/findings", level="fatal")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "level"]


# --- library --------------------------------------------------------------------------------------


def test_library_patterns_with_expectations(editor):
    patterns = editor.get("/library/patterns").json()
    assert patterns["count"] == 6
    delivery = editor.get("/library/patterns/internal-service-delivery").json()
    assert [row["activity"] for row in delivery["expectations"]][:2] == ["discover", "design"]
    assert delivery["key_practices"]
    assert editor.get("/library/patterns/unknown").status_code == 404


def test_library_activities_in_lifecycle_order(editor):
    items = editor.get("/library/activities").json()["items"]
    assert [item["key"] for item in items] == ["discover", "design", "acquire", "build", "transition",
                                               "operate", "deliver", "support"]
