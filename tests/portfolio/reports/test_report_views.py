"""Report pages: who may read, download and publish; published reports, their diff and immutability."""

import hashlib
import json

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from portfolio.models import PublishedReport, Role
from tests.portfolio.reports.conftest import ARABIC, JAPANESE

FORMATS = ["html", "json", "csv", "xlsx"]


def report_url(key="acme"):
    return reverse("report", args=[key])


def publish(client, key="acme"):
    return client.post(reverse("report-publish", args=[key]))


@pytest.mark.parametrize("fmt", FORMATS)
def test_non_member_gets_404(client, sample, make_member, fmt):
    client.force_login(make_member(None))

    assert client.get(report_url(), {"format": fmt}).status_code == 404


def test_anonymous_user_is_sent_to_login(client, sample):
    response = client.get(report_url())

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_viewer_reads_and_exports(client, sample, make_member, fmt):
    client.force_login(make_member(sample.portfolio, Role.VIEWER))

    assert client.get(report_url(), {"format": fmt}).status_code == 200


def test_report_page_shows_charts_and_names(client, sample, make_member):
    client.force_login(make_member(sample.portfolio, Role.VIEWER))
    content = client.get(report_url()).content.decode()

    assert content.count("<svg") == 3
    assert JAPANESE in content
    assert reverse("report-publish", args=["acme"]) not in content


def test_report_page_shows_raci_and_findings(client, sample, make_member):
    client.force_login(make_member(sample.portfolio, Role.VIEWER))
    content = client.get(report_url()).content.decode()
    start = content.index('id="service-claims"')
    claims = content[start:content.index("</section>", start)]

    # FSI ... PDI (U+2068, U+2069) isolate each team name for the bidirectional algorithm.
    support = "<strong>Support</strong> A: &#x2068;Équipe Plateforme&#x2069;; C: &#x2068;Nimbus Cloud&#x2069;"
    assert support in claims
    assert f"<strong>Deliver</strong> I: &#x2068;{ARABIC}&#x2069;" in claims
    assert "<strong>Discover</strong> —" in claims
    assert '<p class="report-finding"><span class="level level--' in content


def test_unknown_format_or_table_is_a_bad_request(client, sample):
    client.force_login(sample.owner)

    assert client.get(report_url(), {"format": "docx"}).status_code == 400
    assert client.get(report_url(), {"format": "csv", "table": "secrets"}).status_code == 400


@pytest.mark.parametrize(("role", "status"), [(Role.VIEWER, 403), (Role.EDITOR, 403), (Role.OWNER, 302)])
def test_only_owner_publishes(client, sample, make_member, role, status):
    client.force_login(make_member(sample.portfolio, role))

    assert publish(client).status_code == status
    assert PublishedReport.objects.count() == (1 if status == 302 else 0)


def test_publish_requires_post(client, sample):
    client.force_login(sample.owner)

    assert client.get(reverse("report-publish", args=["acme"])).status_code == 405


def test_published_report_stores_versions_and_hash(client, sample):
    client.force_login(sample.owner)
    response = publish(client)
    published = PublishedReport.objects.get()
    data = json.loads(published.content)

    assert response["Location"] == reverse("report-published", args=["acme", published.pk])
    assert published.revision == sample.portfolio.revision == data["cover"]["revision"]
    assert published.library_version == data["cover"]["library_version"] != ""
    assert published.catalogue_version == data["cover"]["catalogue_version"]
    assert published.author == sample.owner
    assert published.content_hash == hashlib.sha256(published.content.encode()).hexdigest()


def test_published_page_shows_hash_and_stored_json(client, sample):
    client.force_login(sample.owner)
    publish(client)
    published = PublishedReport.objects.get()
    url = reverse("report-published", args=["acme", published.pk])

    assert published.content_hash in client.get(url).content.decode()
    assert client.get(url, {"format": "json"}).content == published.content.encode()


def test_second_publication_reports_change_since_first(client, sample, make_service):
    client.force_login(sample.owner)
    publish(client)
    make_service(sample.portfolio, "new", name="New service")
    publish(client)
    first, second = PublishedReport.objects.order_by("pk")
    change = json.loads(second.content)["summary"]["change"]

    assert change["previous_id"] == first.pk
    assert change["previous_hash"] == first.content_hash
    assert change["services_added"] == 1


def test_diff_page_compares_two_published_reports(client, sample, make_service):
    client.force_login(sample.owner)
    publish(client)
    make_service(sample.portfolio, "new", name="Brand-new service")
    publish(client)
    first, second = PublishedReport.objects.order_by("pk")

    explicit = client.get(reverse("report-diff", args=["acme"]), {"old": first.pk, "new": second.pk})
    default = client.get(reverse("report-diff", args=["acme"]), {"new": second.pk})

    assert explicit.status_code == 200
    assert "Brand-new service" in explicit.content.decode()
    # The pages differ only in their CSRF tokens, which come before the heading.
    assert default.content.split(b"<h1>")[1] == explicit.content.split(b"<h1>")[1]


def test_published_list_shows_reports(client, sample, make_member):
    client.force_login(sample.owner)
    publish(client)
    client.force_login(make_member(sample.portfolio, Role.VIEWER))
    published = PublishedReport.objects.get()

    content = client.get(reverse("report-published-list", args=["acme"])).content.decode()

    assert reverse("report-published", args=["acme", published.pk]) in content
    assert published.content_hash[:16] in content


def test_published_report_of_another_portfolio_is_404(client, sample, make_portfolio, make_member):
    other = make_portfolio()
    client.force_login(sample.owner)
    publish(client)
    published = PublishedReport.objects.get()
    client.force_login(make_member(other, Role.OWNER))

    assert client.get(reverse("report-published", args=[other.key, published.pk])).status_code == 404
    assert client.get(reverse("report-diff", args=[other.key]), {"new": published.pk}).status_code == 404


def test_published_report_cannot_be_changed(client, sample):
    client.force_login(sample.owner)
    publish(client)
    published = PublishedReport.objects.get()
    published.content = "{}"

    with pytest.raises(ValidationError):
        published.save()
    assert PublishedReport.objects.get().content != "{}"


def test_admin_shows_published_reports_read_only(sample, admin_user):
    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = site._registry[PublishedReport]

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)
