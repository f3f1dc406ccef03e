"""The pattern library pages: access, the facts they show, errors and query counts."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from patterns.models import Expectation, KeyPractice, Pattern

pytestmark = pytest.mark.django_db

PATTERN_KEYS = [
    "internal-product-vendor",
    "internal-service-delivery",
    "service-integrator",
    "digital-product-vendor",
    "custom-software-developer",
    "managed-service-provider",
]
ACTIVITIES = ["discover", "design", "acquire", "build", "transition", "operate", "deliver", "support"]

# Two queries load the session and the user, and the rest are the page's own reads.
LIBRARY_QUERIES = 2 + 2
PATTERN_QUERIES = 2 + 5
COMPARE_QUERIES = 2 + 5


class _ElementText(HTMLParser):
    """Collect the text inside the element with a given id."""

    def __init__(self, element_id: str):
        super().__init__()
        self.element_id = element_id
        self.depth = 0
        self.found = False
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif dict(attrs).get("id") == self.element_id:
            self.depth = 1
            self.found = True

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def element_text(response, element_id: str) -> str | None:
    """Return the whitespace-normalised text of the element with `element_id`, or None if absent."""
    parser = _ElementText(element_id)
    parser.feed(response.content.decode())
    if not parser.found:
        return None
    return " ".join(" ".join(parser.parts).split())


class _CheckedBoxes(HTMLParser):
    """Collect the values of the ticked checkboxes named `p`."""

    def __init__(self):
        super().__init__()
        self.values: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("name") == "p" and "checked" in attributes:
            self.values.append(attributes["value"])


def checked_patterns(response) -> list[str]:
    parser = _CheckedBoxes()
    parser.feed(response.content.decode())
    return parser.values


def compare_url(*keys: str) -> str:
    return reverse("patterns:compare") + "?" + "&".join(f"p={key}" for key in keys)


@pytest.fixture
def user_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="reader"))
    return client


def add_organisation_patterns(count: int) -> None:
    """Add patterns beyond the shipped six, each with key practices and expectations."""
    for n in range(count):
        pattern = Pattern.objects.create(
            key=f"extra-{n}", name=f"Extra pattern {n}", category="internal_it",
            purpose="An extra pattern.", when_to_use="In tests.",
        )
        for position, practice in enumerate(["supplier-management", "service-desk"], start=1):
            KeyPractice.objects.create(pattern=pattern, practice_id=practice, position=position)
        for activity in ACTIVITIES:
            Expectation.objects.create(
                pattern=pattern, activity_id=activity, accountable_kinds=["technology"]
            )


# --- access ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        reverse("patterns:library"),
        reverse("patterns:pattern", args=["service-integrator"]),
        compare_url("service-integrator", "managed-service-provider"),
    ],
)
def test_anonymous_user_redirected_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_library_rejects_post(user_client):
    assert user_client.post(reverse("patterns:library")).status_code == 405


# --- library page ----------------------------------------------------------------------------------------


def test_library_lists_patterns_by_category(user_client):
    response = user_client.get(reverse("patterns:library"))

    assert response.status_code == 200
    internal = element_text(response, "category-internal_it")
    commercial = element_text(response, "category-commercial_provider")
    assert internal == "Internal IT"
    assert commercial == "Commercial provider"
    groups = {group.value: [p.key for p in group.patterns] for group in response.context["groups"]}
    assert groups == {"internal_it": PATTERN_KEYS[:3], "commercial_provider": PATTERN_KEYS[3:]}


@pytest.mark.parametrize("key", PATTERN_KEYS)
def test_library_card_shows_pattern_facts(user_client, key):
    pattern = Pattern.objects.get(key=key)

    response = user_client.get(reverse("patterns:library"))

    card = element_text(response, f"pattern-{key}")
    assert pattern.name in card
    assert pattern.purpose in card
    assert pattern.when_to_use in card
    for link in KeyPractice.objects.filter(pattern=pattern).select_related("practice"):
        assert link.practice.name in card
    assert f'href="{reverse("patterns:pattern", args=[key])}"' in response.content.decode()
    assert f'name="p" value="{key}"' in response.content.decode()


def test_library_shows_no_compare_error_by_default(user_client):
    response = user_client.get(reverse("patterns:library"))

    assert element_text(response, "compare-error") is None


# --- pattern page ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", PATTERN_KEYS)
def test_pattern_page_has_anchors(user_client, key):
    response = user_client.get(reverse("patterns:pattern", args=[key]))

    assert response.status_code == 200
    for activity in ACTIVITIES:
        assert element_text(response, f"activity-{activity}") is not None, activity
    assert element_text(response, "key-practices") is not None


def test_service_integrator_page_shows_governance_risk(user_client):
    pattern = Pattern.objects.get(key="service-integrator")

    response = user_client.get(reverse("patterns:pattern", args=["service-integrator"]))

    risk = element_text(response, "governance-risk")
    assert risk is not None
    assert pattern.governance_risk in risk
    assert 'class="panel panel-warning"' in response.content.decode()


def test_pattern_without_risk_has_no_warning_panel(user_client):
    response = user_client.get(reverse("patterns:pattern", args=["internal-product-vendor"]))

    assert element_text(response, "governance-risk") is None


@pytest.mark.parametrize("activity", ["acquire", "build", "transition"])
def test_msp_activity_out_of_scope(user_client, activity):
    response = user_client.get(reverse("patterns:pattern", args=["managed-service-provider"]))

    assert element_text(response, f"activity-{activity}") == f"{activity.title()} Out of scope"


def test_pattern_row_shows_kind_labels_and_note(user_client):
    expectation = Expectation.objects.get(pattern__key="service-integrator", activity_id="discover")

    response = user_client.get(reverse("patterns:pattern", args=["service-integrator"]))

    row = element_text(response, "activity-discover")
    assert row == f"Discover Business Technology Service provider {expectation.note}"


def test_pattern_page_key_practices(user_client):
    links = KeyPractice.objects.filter(pattern__key="custom-software-developer").select_related("practice")

    response = user_client.get(reverse("patterns:pattern", args=["custom-software-developer"]))

    section = element_text(response, "key-practices")
    for link in links:
        assert link.practice.name in section
        assert link.practice.description in section


@pytest.mark.parametrize(
    ("factor", "text"),
    [
        ("engineering_capability", "Engineering capability Minimal"),
        ("cost_structure", "Cost structure OpEx (managed)"),
    ],
)
def test_pattern_page_shows_decision_factors(user_client, factor, text):
    response = user_client.get(reverse("patterns:pattern", args=["service-integrator"]))

    assert element_text(response, f"factor-{factor}") == text


def test_unknown_pattern_is_404_with_message(user_client):
    response = user_client.get(reverse("patterns:pattern", args=["no-such-pattern"]))

    assert response.status_code == 404
    assert "no pattern with the key “no-such-pattern”" in element_text(response, "pattern-not-found")


# --- compare page ----------------------------------------------------------------------------------------


def test_compare_two_patterns_side_by_side(user_client):
    response = user_client.get(compare_url("internal-service-delivery", "managed-service-provider"))

    assert response.status_code == 200
    overview = element_text(response, "compare-overview")
    assert "Internal Service Delivery" in overview
    assert "Managed Service Provider" in overview
    assert "Internal IT" in overview
    assert "Commercial provider" in overview
    assert element_text(response, "activity-build") == "Build Accountable Vendor Out of scope"


def test_compare_three_patterns(user_client):
    keys = ["internal-product-vendor", "digital-product-vendor", "custom-software-developer"]

    response = user_client.get(compare_url(*keys))

    assert response.status_code == 200
    assert [pattern.key for pattern in response.context["comparison"].patterns] == keys


def test_compare_marks_practices_shared_by_all(user_client):
    response = user_client.get(compare_url("internal-service-delivery", "managed-service-provider"))

    shared = element_text(response, "practice-service-desk")
    only_one = element_text(response, "practice-supplier-management")
    assert shared == "Service Desk Shared by all Key practice Key practice"
    assert only_one == "Supplier Management Key practice —"


def test_compare_shows_decision_factors(user_client):
    response = user_client.get(compare_url("internal-product-vendor", "service-integrator"))

    factors = element_text(response, "compare-factors")
    assert "Engineering capability Strong Minimal" in factors
    assert "Vendor dependency Low High" in factors


@pytest.mark.parametrize(
    ("keys", "count"),
    [
        (["service-integrator"], 1),
        (["service-integrator", "service-integrator"], 1),
        (PATTERN_KEYS[:4], 4),
        ([], 0),
    ],
    ids=["one", "one-twice", "four", "none"],
)
def test_compare_wrong_count_shows_error(user_client, keys, count):
    response = user_client.get(compare_url(*keys))

    assert response.status_code == 400
    assert element_text(response, "compare-error") == (
        f"Choose two or three patterns to compare; you chose {count}."
    )
    assert response.context["selected"] == list(dict.fromkeys(keys))


def test_compare_error_keeps_choices_ticked(user_client):
    response = user_client.get(compare_url(*PATTERN_KEYS[2:]))

    assert checked_patterns(response) == PATTERN_KEYS[2:]


def test_library_ticks_nothing_by_default(user_client):
    response = user_client.get(reverse("patterns:library"))

    assert checked_patterns(response) == []


def test_compare_unknown_pattern_is_404_naming_key(user_client):
    response = user_client.get(compare_url("service-integrator", "no-such-pattern"))

    assert response.status_code == 404
    assert "no pattern with the key “no-such-pattern”" in element_text(response, "pattern-not-found")


# --- query counts ----------------------------------------------------------------------------------------


PAGES = [
    (reverse("patterns:library"), LIBRARY_QUERIES),
    (reverse("patterns:pattern", args=["service-integrator"]), PATTERN_QUERIES),
    (compare_url(*PATTERN_KEYS[::2]), COMPARE_QUERIES),
]


@pytest.mark.parametrize(("url", "queries"), PAGES, ids=["library", "pattern", "compare"])
def test_page_query_count(user_client, django_assert_max_num_queries, url, queries):
    with django_assert_max_num_queries(queries):
        response = user_client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize(("url", "queries"), PAGES, ids=["library", "pattern", "compare"])
def test_page_queries_with_more_patterns(user_client, django_assert_max_num_queries, url, queries):
    add_organisation_patterns(5)

    with django_assert_max_num_queries(queries):
        response = user_client.get(url)
    assert response.status_code == 200
