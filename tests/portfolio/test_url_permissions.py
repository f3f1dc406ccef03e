"""Every portfolio and library URL gives each kind of user exactly what its role allows.

The URLs come from walking the URL conf: every named pattern whose view lives
in the `portfolio` or `patterns` package and whose route takes a `key`. Each
one is built for a real portfolio with real objects and requested as an
anonymous user (plain and htmx), a signed-in non-member, and a viewer, editor
and owner of the portfolio. EXPECTED states the minimum role per URL name and
method. A URL name missing from it fails the suite, so a new view gets its
check written down before it ships.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse

from patterns.models import Practice
from portfolio.imports.jobs import job_create
from portfolio.imports.parse import UploadedFile
from portfolio.models import Membership, Portfolio, Role, Waiver
from portfolio.reports.publishing import report_publish

IPV = "internal-product-vendor"
# Pseudo-role: any signed-in user, member of the portfolio or not (the pattern library).
SIGNED_IN = "signed-in"
ROLE_ORDER = {SIGNED_IN: 0, Role.VIEWER: 1, Role.EDITOR: 2, Role.OWNER: 3}
ACTORS = ["anonymous", "anonymous-htmx", "non-member", Role.VIEWER, Role.EDITOR, Role.OWNER]
APPS = ("portfolio.", "patterns.")


@dataclass(frozen=True)
class Expected:
    """The minimum role for GET and for POST (None: the method is not allowed, 405).

    `get_status` is what a GET at or above the minimum returns. `anonymous_status` is
    None when anonymous requests go to the login page (or get HX-Redirect from htmx),
    else the status they get instead. `non_member_get_status` is what a signed-in
    user who is not a member gets for a GET.
    """

    get: str | None
    post: str | None
    get_status: int = 200
    anonymous_status: int | None = None
    non_member_get_status: int = 404


PAGE = Expected(Role.VIEWER, None)
READ_AND_WRITE = Expected(Role.VIEWER, Role.EDITOR)
EDITOR_FORM = Expected(Role.EDITOR, Role.EDITOR)
EDITOR_POST = Expected(None, Role.EDITOR)
OWNER_POST = Expected(None, Role.OWNER)

EXPECTED = {
    "dashboard": Expected(Role.VIEWER, Role.VIEWER),  # a POST is read as a GET; nothing is written
    "service-list": READ_AND_WRITE,
    "service-bulk": EDITOR_POST,
    "service-detail": PAGE,
    "service-raci": PAGE,
    "service-assign-pattern": EDITOR_POST,
    "service-remove-pattern": EDITOR_POST,
    "service-set-accountable": EDITOR_POST,
    "service-raci-cell": EDITOR_POST,
    "service-pattern-activities": EDITOR_POST,
    "service-details": EDITOR_FORM,
    "service-undo": EDITOR_POST,
    "service-attest": EDITOR_POST,
    "service-rename": EDITOR_FORM,
    "service-delete": EDITOR_FORM,
    "team-list": READ_AND_WRITE,
    "team-edit": EDITOR_FORM,
    "team-delete": EDITOR_FORM,
    "practice-list": PAGE,
    "practice-edit": EDITOR_FORM,
    "findings": PAGE,
    "waiver-accept": OWNER_POST,
    "waiver-revoke": OWNER_POST,
    "report": PAGE,
    "report-publish": OWNER_POST,
    "report-published-list": PAGE,
    "report-diff": PAGE,
    "report-published": PAGE,
    "history": PAGE,
    "history-export": PAGE,
    "history-change-set": PAGE,
    "service-history": PAGE,
    "service-as-of": PAGE,
    "service-restore": EDITOR_FORM,
    "members": Expected(Role.VIEWER, Role.OWNER),
    "member-role": OWNER_POST,
    "member-team": OWNER_POST,
    "member-remove": OWNER_POST,
    "portfolio-settings": Expected(Role.VIEWER, Role.OWNER),
    "import-upload": EDITOR_FORM,
    "import-template": Expected(Role.EDITOR, None),
    "import-job": Expected(Role.EDITOR, None),
    "import-status": Expected(Role.EDITOR, None),
    "import-apply": EDITOR_POST,
    # A viewer's POST renders the list and ignores the form; only editors create workshops.
    "workshops:list": Expected(Role.VIEWER, Role.VIEWER),
    "workshops:edit": EDITOR_FORM,
    "workshops:agenda-add": EDITOR_POST,
    "workshops:agenda-change": EDITOR_POST,
    "workshops:status": EDITOR_POST,
    "workshops:minutes": Expected(Role.VIEWER, Role.VIEWER),
    "workshops:action-done": EDITOR_POST,
    # Redirects to the first agenda item without reading the portfolio; that page checks access.
    "workshops:board": Expected(Role.VIEWER, None, get_status=302, non_member_get_status=302),
    "workshops:board-item": PAGE,
    # Polled every second: a signed token in `t` names the user instead of the session.
    "workshops:poll": Expected(Role.VIEWER, None, anonymous_status=404),
    "workshops:chooser": PAGE,
    "workshops:preview": EDITOR_POST,
    "workshops:apply": EDITOR_POST,
    "workshops:action-add": EDITOR_POST,
    "patterns:pattern": Expected(SIGNED_IN, None),
}


def route_params(pattern) -> set[str]:
    """Return the keyword arguments that one route or regex contributes."""
    converters = getattr(pattern.pattern, "converters", None)
    if converters is not None:
        return set(converters)
    return set(pattern.pattern.regex.groupindex)


def walk(patterns, namespace="", params=frozenset()):
    """Yield (qualified name, pattern, kwargs of the whole route) for every named pattern, recursively."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, inner, params | route_params(pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern, params | route_params(pattern)


def app_urls(packages=APPS) -> dict[str, set[str]]:
    """Return the kwargs of every named URL whose view is in `packages` and whose route takes a `key`."""
    return {
        name: params
        for name, pattern, params in walk(get_resolver().url_patterns)
        if pattern.lookup_str.startswith(packages) and "key" in params
    }


URL_PARAMS = app_urls()
URL_NAMES = sorted(URL_PARAMS)


def test_every_url_has_expected_roles():
    missing = sorted(set(URL_NAMES) - set(EXPECTED))
    stale = sorted(set(EXPECTED) - set(URL_NAMES))

    assert missing == [], f"add these URL names to EXPECTED with their minimum roles: {missing}"
    assert stale == [], f"remove these names from EXPECTED, no URL has them any more: {stale}"


# --- the portfolio and its objects --------------------------------------------------------------


@pytest.fixture(autouse=True)
def quick_settings(settings, tmp_path):
    settings.IMPORT_WORK_DIR = tmp_path / "imports"
    # Hundreds of tests create users; the default hasher would spend most of their time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(portfolio, make_service, make_team, make_member, make_portfolio):
    """The portfolio with one of each object a URL names, and a user of each kind."""
    service = make_service(portfolio, key="claims", name="Claims portal", patterns=[IPV])
    team = make_team(portfolio, "Platform team")
    users = {role: make_member(portfolio, role) for role in (Role.VIEWER, Role.EDITOR, Role.OWNER)}
    users["non-member"] = make_member(make_portfolio(), Role.OWNER)
    bystander = make_member(portfolio, Role.VIEWER)
    return {"portfolio": portfolio, "service": service, "team": team, "users": users,
            "membership": Membership.objects.get(user=bystander, portfolio=portfolio)}


def workshop_objects(world):
    from portfolio.workshops.models import AgendaItem, Workshop

    workshop = Workshop.objects.create(portfolio=world["portfolio"], title="Catalogue review",
                                       date=date.today() + timedelta(days=1))
    item = AgendaItem.objects.create(workshop=workshop, service=world["service"], position=1)
    return workshop, item


def kwargs_for(name: str, world, user) -> tuple[dict, dict]:
    """Return the URL kwargs and the query parameters that name real objects for `name`."""
    params = URL_PARAMS[name]
    portfolio = world["portfolio"]
    kwargs, query = {}, {}
    values = {
        "key": IPV if name.startswith("patterns:") else portfolio.key,
        "service_key": "claims",
        "pattern_key": IPV,
        "activity_key": "build",
        "team_id": world["team"].pk,
        "membership_id": world["membership"].pk,
        "name": "services.csv",
        "position": 1,
    }
    for param in params:
        if param in values:
            kwargs[param] = values[param]
    if "practice_key" in params:
        kwargs["practice_key"] = Practice.objects.order_by("key").values_list("key", flat=True).first()
    if "waiver_id" in params:
        kwargs["waiver_id"] = Waiver.objects.create(
            portfolio=portfolio, code="VCP-E002", subject="claims/build", justification="Accepted for now.",
            approver="CIO", expires_on=date.today() + timedelta(days=30),
            accepted_by=world["users"][Role.OWNER],
        ).pk
    if "change_set_id" in params:
        from portfolio.models import ChangeSet

        change_sets = ChangeSet.objects.filter(portfolio=portfolio)
        kwargs["change_set_id"] = change_sets.values_list("pk", flat=True)[0]
    if "report_id" in params or name == "report-diff":
        report = report_publish(portfolio=portfolio, user=world["users"][Role.OWNER])
        kwargs.pop("report_id", None)
        if "report_id" in params:
            kwargs["report_id"] = report.pk
        else:
            query = {"old": report.pk, "new": report.pk}
    if "token" in params:
        owner_id = user.pk if user is not None else world["users"][Role.OWNER].pk
        upload = UploadedFile("services.csv", b"Key,Name\nnew-one,New one\n")
        kwargs["token"] = job_create(portfolio_id=portfolio.pk, user_id=owner_id, language="en",
                                     files=[upload]).token
    if "workshop_id" in params:
        workshop, item = workshop_objects(world)
        kwargs["workshop_id"] = workshop.pk
        if "item_id" in params:
            kwargs["item_id"] = item.pk
        if "action_id" in params:
            from portfolio.workshops.models import ActionItem

            kwargs["action_id"] = ActionItem.objects.create(
                workshop=workshop, description="Agree terms", owner=world["team"],
                due_on=date.today() + timedelta(days=7)).pk
        if name == "workshops:poll" and user is not None:
            from portfolio.workshops.live import poll_token

            query = {"t": poll_token(workshop, user)}
    unknown = params - set(kwargs)
    assert not unknown, f"no sample value for {sorted(unknown)} of URL {name!r}; add one to kwargs_for()"
    return kwargs, query


# --- the checks ---------------------------------------------------------------------------------


def revision(portfolio) -> str:
    return Portfolio.objects.get(pk=portfolio.pk).revision_token


def allowed(role: str, minimum: str) -> bool:
    return ROLE_ORDER[role] >= ROLE_ORDER[minimum]


def assert_sent_to_login(response, name):
    assert response.status_code == 302, f"{name}: anonymous request got {response.status_code}"
    assert response["Location"].startswith(reverse("login") + "?next="), name


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", URL_NAMES)
def test_url_gives_role_its_due(client, world, name, actor):
    assert name in EXPECTED, f"{name} has no entry in EXPECTED"
    expected = EXPECTED[name]
    user = world["users"].get(actor)
    kwargs, query = kwargs_for(name, world, user)
    url = reverse(name, kwargs=kwargs)
    if user is not None:
        client.force_login(user)

    if actor.startswith("anonymous"):
        check_anonymous(client, url, query, expected, name, htmx=actor == "anonymous-htmx")
    elif actor == "non-member":
        check_non_member(client, url, query, expected, name)
    else:
        check_member(client, world["portfolio"], url, query, expected, name, actor)


def check_anonymous(client, url, query, expected, name, *, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    for method in ("get", "post"):
        response = getattr(client, method)(url, query if method == "get" else {}, **headers)
        if expected.anonymous_status is not None:
            # Without login_required in front, a method the view does not take is refused first.
            allowed_method = expected.get if method == "get" else expected.post
            status = expected.anonymous_status if allowed_method is not None else 405
            assert response.status_code == status, f"{name} {method}"
        elif htmx:
            assert response.status_code == 204, f"{name} {method}: htmx got {response.status_code}"
            assert response["HX-Redirect"].startswith(reverse("login")), name
        else:
            assert_sent_to_login(response, f"{name} {method}")


def check_non_member(client, url, query, expected, name):
    response = client.get(url, query)
    if expected.get is None:
        assert response.status_code == 405, f"{name} GET"
    elif expected.get == SIGNED_IN:
        assert response.status_code == expected.get_status, f"{name} GET"
    else:
        status = expected.non_member_get_status
        assert response.status_code == status, f"{name} GET by a non-member got {response.status_code}"

    response = client.post(url, {})
    status = 405 if expected.post is None else 404
    assert response.status_code == status, f"{name} POST by a non-member got {response.status_code}"


def check_member(client, portfolio, url, query, expected, name, role):
    response = client.get(url, query)
    if expected.get is None:
        assert response.status_code == 405, f"{name} GET"
    elif allowed(role, expected.get):
        assert response.status_code == expected.get_status, f"{name} GET by {role} got {response.status_code}"
    else:
        assert response.status_code == 403, f"{name} GET by {role} got {response.status_code}"

    before = revision(portfolio)
    response = client.post(url, {})
    if expected.post is None:
        assert response.status_code == 405, f"{name} POST"
    elif allowed(role, expected.post):
        denied = (403, 404, 405)
        assert response.status_code not in denied, f"{name} POST by {role} got {response.status_code}"
    else:
        assert response.status_code == 403, f"{name} POST by {role} got {response.status_code}"
        assert revision(portfolio) == before, f"{name} POST by {role} changed the portfolio"


# --- the checks catch a view that checks nothing ------------------------------------------------


def unchecked_view(request, key):
    return HttpResponse(f"Everything about {key}")


# The URL conf of the next test: the project's URLs plus one view without any check.
urlpatterns = [
    *get_resolver().url_patterns,
    path("p/<str:key>/secrets/", unchecked_view, name="secrets"),
]


@pytest.mark.urls(__name__)
def test_unchecked_view_is_caught(client, world):
    found = app_urls(packages=(*APPS, __name__))
    url = reverse("secrets", args=[world["portfolio"].key])

    assert "secrets" in found
    assert "secrets" not in EXPECTED
    with pytest.raises(AssertionError):
        check_anonymous(client, url, {}, PAGE, "secrets", htmx=False)
    client.force_login(world["users"]["non-member"])
    with pytest.raises(AssertionError):
        check_non_member(client, url, {}, PAGE, "secrets")
