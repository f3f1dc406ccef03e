"""Hostile text in every field is shown as text on every page, partial and export, and breaks nothing."""

import pytest
from django.utils.html import escape

# The walk runs in a module fixture; the marker makes pytest-django set up the test database for it.
pytestmark = pytest.mark.django_db

# Fields whose payload must show (escaped) somewhere, so that the walk is known to reach the data.
SHOWN_FIELDS = ("Portfolio.name", "Portfolio.description", "Team.name", "Team.contact", "Service.name",
                "Service.description", "Waiver.subject", "Waiver.justification", "Waiver.approver",
                "Workshop.title", "Decision.summary", "Decision.rationale", "ActionItem.description",
                "ApiToken.name", "User.first_name", "import row 1 name", "query q on")


def test_every_route_is_visited(hostile_site):
    assert hostile_site.unvisited_routes == []


def test_walk_visits_pages_partials_writes_and_exports(hostile_site):
    labels = [visit.label for visit in hostile_site.visits]

    assert any(label.endswith("(htmx)") and label.startswith("GET") for label in labels)
    assert any(label.startswith("POST") for label in labels)
    assert any(visit.content_type.startswith("text/csv") for visit in hostile_site.visits)
    assert any(visit.content_type.startswith("application/json") for visit in hostile_site.visits)


def test_no_response_contains_a_payload_unescaped(hostile_site):
    found = [
        f"{visit.label}: payload of {place}"
        for visit in hostile_site.visits if visit.is_html
        for payload, place in hostile_site.registry.places.items() if payload in visit.body
    ]

    assert found == []


def test_no_html_response_contains_injected_code(hostile_site, find_inline_code):
    found = [f"{visit.label}: {problem}" for visit in hostile_site.visits if visit.is_html
             for problem in find_inline_code(visit.body)]

    assert found == []


def test_payloads_are_shown_escaped(hostile_site):
    bodies = "\n".join(visit.body for visit in hostile_site.visits if visit.is_html)
    shown = {place for payload, place in hostile_site.registry.places.items() if escape(payload) in bodies}

    missing = [prefix for prefix in SHOWN_FIELDS if not any(place.startswith(prefix) for place in shown)]
    assert missing == []


def test_hostile_text_causes_no_server_error(hostile_site):
    failed = [f"{visit.label}: {visit.status}" for visit in hostile_site.visits if visit.status >= 500]

    assert failed == []


def test_every_response_forbids_content_sniffing(hostile_site):
    sniffable = [visit.label for visit in hostile_site.visits
                 if visit.headers.get("X-Content-Type-Options") != "nosniff"]

    assert sniffable == []


def test_exports_are_not_served_as_html(hostile_site):
    exports = [visit for visit in hostile_site.visits if " as " in visit.label and visit.status == 200]
    served_as_html = [visit.label for visit in exports
                      if visit.is_html and "Content-Disposition" in visit.headers]

    assert served_as_html == []
