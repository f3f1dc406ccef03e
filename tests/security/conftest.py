"""A portfolio full of hostile text, and a visit of every page, partial and export of the site.

`hostile_site` builds a portfolio with one object of each kind, then writes an
HTML, script and SVG payload into every free-text field of every row of the
portfolio, workshop and user models (`fill_text_fields`). It logs the owner in
and visits every URL of the root URLconf except the admin's:

- each GET route as a page, as an htmx partial, with hostile query parameters
  and in each export format (`?format=`);
- each route that rejects GET with a POST of payloads in every common form
  field, plain and htmx, rolled back afterwards;
- each API route with POST, PUT and PATCH of a JSON body of payloads, rolled back.

The walk runs once per module; the tests read its visits.
"""

import datetime
import json
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, reverse

from patterns.models import Expectation, Practice
from portfolio.models import (
    ApiToken,
    ChangeSet,
    Membership,
    PatternAssignment,
    Portfolio,
    PracticeAdoption,
    Responsibility,
    Role,
    Service,
    Team,
    Waiver,
)
from portfolio.reports.publishing import report_publish
from portfolio.signals import portfolio_bump_revision
from portfolio.workshops.models import ActionItem, AgendaItem, ChangeKind, Decision, Workshop

FULL_PAYLOAD = '"><script>alert({n})</script><img src=x onerror=alert({n})><svg onload=alert({n})>'
SHORT_PAYLOAD = "<svg onload={n}>"
# Identifiers, digests and generated JSON, which the app reads back as data rather than shows as text.
UNTOUCHED_FIELDS = {"key", "prefix", "digest", "revision_token", "content", "content_hash", "library_version",
                    "catalogue_version", "password"}
TEXT_APPS = ("portfolio", "workshops", "auth")
SKIPPED_NAMESPACES = {"admin"}
EXPORT_FORMATS = ("csv", "json", "xlsx", "md")
# Query parameters that some list, filter or report view reads; each gets a payload.
QUERY_PARAMETERS = ("q", "page", "sort", "order", "status", "team", "pattern", "level", "code", "group",
                    "view", "section", "columns", "add", "new", "old", "next", "table", "owner", "kind")
# Form fields that some write view reads; each gets a payload.
FORM_FIELDS = ("name", "title", "description", "contact", "justification", "approver", "subject", "code",
               "summary", "rationale", "username", "role", "status", "team", "pattern", "activity",
               "activities", "party_kind", "owner", "member_count", "capability_level", "expires_on",
               "due_on", "date", "key", "filters", "list_state", "updated_at", "action", "services", "scope",
               "q", "timer_minutes", "position", "confirm", "cells", "expected", "version")
# Routes that show their data only with query parameters; the values name objects the walk creates.
EXTRA_QUERIES = {
    "report-diff": "old={report_id}&new={second_report_id}",
    "patterns:compare": "p=internal-service-delivery&p=managed-service-provider",
}
API_NAMESPACE = "api-v1"
API_WRITE_METHODS = ("POST", "PUT", "PATCH")
OWNER_PASSWORD = "pw-for-security-tests"


class PayloadRegistry:
    """Numbered payloads and where each was put, so a failure names the field."""

    def __init__(self):
        self.places: dict[str, str] = {}

    def new(self, place: str, max_length: int | None = None) -> str | None:
        """Return a new payload that fits `max_length`, or None when no payload fits."""
        number = len(self.places) + 1
        for template in (FULL_PAYLOAD, SHORT_PAYLOAD):
            payload = template.format(n=number)
            if max_length is None or len(payload) <= max_length:
                self.places[payload] = place
                return payload
        return None


@dataclass
class Visit:
    label: str
    status: int
    content_type: str
    headers: dict
    body: str = field(repr=False)

    @property
    def is_html(self) -> bool:
        return self.content_type.startswith("text/html")


@dataclass
class HostileSite:
    registry: PayloadRegistry
    visits: list[Visit]
    unvisited_routes: list[str]


def fill_text_fields(registry: PayloadRegistry) -> None:
    """Write a payload into every free-text field of every row of the portfolio, workshop and user models."""
    user_model = get_user_model()
    for model in apps.get_models():
        if model._meta.app_label not in TEXT_APPS:
            continue
        # Group and Permission names come from Django and the apps, not from users.
        if model._meta.app_label == "auth" and model is not user_model:
            continue
        text_fields = [
            model_field for model_field in model._meta.concrete_fields
            if isinstance(model_field, models.CharField | models.TextField) and not model_field.choices
            and not model_field.primary_key and model_field.name not in UNTOUCHED_FIELDS
        ]
        for pk in model.objects.values_list("pk", flat=True):
            values = {}
            for model_field in text_fields:
                payload = registry.new(f"{model.__name__}.{model_field.name} #{pk}", model_field.max_length)
                if payload is not None:
                    values[model_field.name] = payload
            model.objects.filter(pk=pk).update(**values)


def build_portfolio() -> dict:
    """Create one object of each kind; return the values the URL patterns need."""
    user_model = get_user_model()
    owner = user_model.objects.create_user(username="owner", password=OWNER_PASSWORD)
    viewer = user_model.objects.create_user(username="viewer", password=OWNER_PASSWORD)
    portfolio = Portfolio.objects.create(key="hostile", name="Hostile", description="Text")
    Membership.objects.create(portfolio=portfolio, user=owner, role=Role.OWNER)
    viewer_membership = Membership.objects.create(portfolio=portfolio, user=viewer, role=Role.VIEWER)

    teams = [Team.objects.create(portfolio=portfolio, name=f"Team {kind}", party_kind=kind, contact="Desk")
             for kind in ("technology", "vendor", "business", "service_provider", "customer")]
    pattern_key = "internal-service-delivery"
    scope = list(Expectation.objects.filter(pattern__key=pattern_key).order_by("activity__position")
                 .values_list("activity_id", flat=True))
    services = []
    for key in ("dienst-ü", "svc-2", "svc-3"):
        service = Service.objects.create(portfolio=portfolio, key=key, name=key, description="Text",
                                         owner=teams[0])
        PatternAssignment.objects.create(service=service, pattern_id=pattern_key, activities=scope)
        services.append(service)
    Service.objects.create(portfolio=portfolio, key="unassigned", name="Unassigned", owner=None)
    Responsibility.objects.create(service=services[0], activity_id="operate", team=teams[0], role="A")
    Responsibility.objects.create(service=services[0], activity_id="support", team=teams[1], role="R")
    Responsibility.objects.create(service=services[1], activity_id="design", team=teams[2], role="A")
    practice = Practice.objects.order_by("pk").first()
    PracticeAdoption.objects.create(portfolio=portfolio, practice=practice, status="adopted",
                                    capability_level=1, owner=teams[1])
    today = datetime.date.today()
    waiver = Waiver.objects.create(portfolio=portfolio, code="VCP-E001", subject=services[2].key,
                                   justification="Text", approver="Someone",
                                   expires_on=today + datetime.timedelta(days=30), accepted_by=owner)
    token = ApiToken.objects.create(user=owner, name="Pipeline", prefix="sectest1", digest="0" * 64)

    workshop = Workshop.objects.create(portfolio=portfolio, title="Workshop", date=today, facilitator=owner)
    item = AgendaItem.objects.create(workshop=workshop, service=services[0], position=1)
    decision = Decision.objects.create(
        workshop=workshop, service=services[0], kind=ChangeKind.SET_ACCOUNTABLE, summary="Change", change={},
        rationale="Text", decided_by=owner, decided_by_name="Owner",
    )
    action = ActionItem.objects.create(workshop=workshop, decision=decision, description="Action",
                                       owner=teams[0], due_on=today)
    return {
        "owner": owner, "portfolio": portfolio,
        "values": {
            "key": portfolio.key, "service_key": services[0].key, "pattern_key": pattern_key,
            "activity_key": "operate", "activity": "operate", "role": "A", "team_id": teams[0].pk,
            "practice_key": practice.key, "waiver_id": waiver.pk, "membership_id": viewer_membership.pk,
            "name": "services.csv", "token_id": token.pk, "workshop_id": workshop.pk, "item_id": item.pk,
            "position": item.position, "action_id": action.pk,
        },
    }


def upload_import(client: Client, registry: PayloadRegistry, portfolio_key: str) -> str:
    """Upload a services CSV that renames an existing service and adds one; return the import job's token.

    The preview lists a new row by its key but shows the old and new value of each change,
    cut to 80 characters, so the rename carries a short payload.
    """
    rows = [("svc-2", registry.new("import row 1 name", 20), registry.new("import row 1 description", 80)),
            ("imp-2", registry.new("import row 2 name", 200), registry.new("import row 2 description"))]
    lines = ["Key,Name,Description"]
    for key, name, description in rows:
        quoted = ['"' + value.replace('"', '""') + '"' for value in (name, description)]
        lines.append(",".join([key, *quoted]))
    upload = SimpleUploadedFile("services.csv", "\r\n".join(lines).encode(), "text/csv")
    response = client.post(reverse("import-upload", args=[portfolio_key]), {"files": [upload]})
    assert response.status_code == 302, response.content[:500]
    return response["Location"].rstrip("/").split("/")[-1]


def routes() -> list[tuple[str, tuple[str, ...]]]:
    """Return every named route of the root URLconf outside SKIPPED_NAMESPACES, with its URL arguments."""

    def walk(patterns, namespaces, arguments):
        for pattern in patterns:
            names = tuple(getattr(pattern.pattern, "converters", {}))
            if isinstance(pattern, URLResolver):
                if pattern.namespace in SKIPPED_NAMESPACES:
                    continue
                inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
                yield from walk(pattern.url_patterns, inner, arguments + names)
            elif pattern.name:
                yield ":".join((*namespaces, pattern.name)), arguments + names

    return list(dict.fromkeys(walk(get_resolver().url_patterns, (), ())))


def route_arguments(name: str, arguments: tuple[str, ...], values: dict) -> dict | None:
    if name.startswith("patterns:"):
        values = {**values, "key": values["pattern_key"]}
    if not set(arguments) <= set(values):
        return None
    return {argument: values[argument] for argument in arguments}


class SiteWalker:
    def __init__(self, client: Client, owner, registry: PayloadRegistry):
        self.client = client
        self.owner = owner
        self.registry = registry
        self.visits: list[Visit] = []

    def record(self, label: str, response) -> Visit:
        content_type = response.get("Content-Type", "")
        body = ""
        if content_type.startswith(("text/", "application/json")):
            body = b"".join(response.streaming_content).decode(errors="replace") if response.streaming \
                else response.content.decode(errors="replace")
        visit = Visit(label, response.status_code, content_type, dict(response.headers), body)
        self.visits.append(visit)
        return visit

    def get(self, url: str, label: str, **headers) -> Visit:
        return self.record(label, self.client.get(url, headers=headers))

    def payload_form(self, url: str) -> dict:
        return {name: self.registry.new(f"form field {name} to {url}", 200) for name in FORM_FIELDS}

    def post_rolled_back(self, url: str, label: str, **headers) -> None:
        with transaction.atomic():
            response = self.client.post(url, self.payload_form(url), headers=headers, follow=not headers)
            self.record(label, response)
            transaction.set_rollback(True)
        # A write may have ended the session (logout, removing oneself); start a new one.
        self.client.force_login(self.owner)

    def send_json_rolled_back(self, url: str) -> None:
        """Send every API write method with a JSON body of payloads; If-Match: * passes the ETag check."""
        for method in API_WRITE_METHODS:
            with transaction.atomic():
                response = self.client.generic(method, url, json.dumps(self.payload_form(url)),
                                               content_type="application/json", headers={"If-Match": "*"})
                self.record(f"{method} {url} (JSON)", response)
                transaction.set_rollback(True)

    def visit_route(self, url: str, *, api: bool = False, extra_query: str = "") -> None:
        if extra_query:
            self.get(f"{url}?{extra_query}", f"GET {url}?{extra_query}")
        if api:
            self.send_json_rolled_back(url)
        page = self.get(url, f"GET {url}")
        if page.status == 405:
            self.post_rolled_back(url, f"POST {url}")
            self.post_rolled_back(url, f"POST {url} (htmx)", HX_Request="true")
            return
        self.get(url, f"GET {url} (htmx)", HX_Request="true")
        query = "&".join(f"{name}={self.registry.new(f'query {name} on {url}', 200)}"
                         for name in QUERY_PARAMETERS)
        self.get(f"{url}?{query}", f"GET {url} with hostile query")
        self.get(f"{url}?{query}", f"GET {url} with hostile query (htmx)", HX_Request="true")
        for export in EXPORT_FORMATS:
            self.get(f"{url}?format={export}", f"GET {url} as {export}")
        self.get(f"{url}?format=csv&table=services", f"GET {url} as csv, services table")


class InlineCodeFinder(HTMLParser):
    """Collects what a Content Security Policy without 'unsafe-inline' blocks: inline code and styles."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _value in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("<script> without src")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler attribute")
            if name == "style":
                self.problems.append(f"<{tag} style=...> attribute")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:...> URL")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


@pytest.fixture
def find_inline_code():
    return inline_code


@pytest.fixture(scope="module")
def hostile_site(django_db_setup, django_db_blocker, tmp_path_factory) -> HostileSite:
    registry = PayloadRegistry()
    visits: list[Visit] = []
    unvisited = []
    imports = tmp_path_factory.mktemp("imports")
    with django_db_blocker.unblock(), override_settings(IMPORT_WORK_DIR=imports), transaction.atomic():
        world = build_portfolio()
        fill_text_fields(registry)
        portfolio = world["portfolio"]
        portfolio_bump_revision(portfolio.pk)
        portfolio.refresh_from_db()
        owner = get_user_model().objects.get(pk=world["owner"].pk)
        client = Client()
        client.force_login(owner)
        values = dict(world["values"])
        values["token"] = upload_import(client, registry, portfolio.key)
        values["report_id"] = report_publish(portfolio=portfolio, user=owner).pk
        values["second_report_id"] = report_publish(portfolio=portfolio, user=owner).pk
        values["change_set_id"] = ChangeSet.objects.filter(portfolio=portfolio).latest("pk").pk

        walker = SiteWalker(client, owner, registry)
        visited_urls = set()
        for name, arguments in routes():
            kwargs = route_arguments(name, arguments, values)
            if kwargs is None:
                unvisited.append(f"{name} needs {', '.join(sorted(set(arguments) - set(values)))}")
                continue
            url = reverse(name, kwargs=kwargs)
            if url in visited_urls:
                continue
            visited_urls.add(url)
            walker.visit_route(url, api=name.startswith(f"{API_NAMESPACE}:"),
                               extra_query=EXTRA_QUERIES.get(name, "").format(**values))
        visits = walker.visits
        transaction.set_rollback(True)
    return HostileSite(registry, visits, unvisited)
