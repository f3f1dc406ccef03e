"""Attestation: the owning team confirms a service's mapping, and edits by others or age undo that."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portfolio.attestation import AttestationState, attestation_state, service_attest, state_filter
from portfolio.history.feed import change_sets, feed_entries
from portfolio.history.recording import change_scope
from portfolio.imports.apply import import_apply
from portfolio.imports.parse import UploadedFile
from portfolio.models import ChangeKind, Membership, Role, Service
from portfolio.services import (
    responsibility_set_accountable,
    responsibility_set_role,
    service_assign_pattern,
    service_update,
    team_delete,
)
from tests.portfolio.imports.builders import csv_bytes

IPV = "internal-product-vendor"
MSP = "managed-service-provider"


@pytest.fixture
def setup(portfolio, make_service, make_team, make_member):
    """A service owned by the platform team, one editor in that team and one editor in another team."""
    owners, others = make_team(portfolio, "Platform team"), make_team(portfolio, "Sales team")
    service = make_service(portfolio, key="claims", name="Claims", owner=owners, patterns=[IPV])
    insider, outsider = make_member(portfolio, Role.EDITOR), make_member(portfolio, Role.EDITOR)
    Membership.objects.filter(user=insider).update(team=owners)
    Membership.objects.filter(user=outsider).update(team=others)
    return {"service": service, "owners": owners, "others": others, "insider": insider, "outsider": outsider}


def state(service) -> AttestationState:
    service = Service.objects.select_related("portfolio").get(pk=service.pk)
    return attestation_state(service, service.portfolio)


def as_user(user):
    return change_scope(kind=ChangeKind.EDIT, user_id=user.pk)


def test_attest_records_user_and_time(setup):
    before = timezone.now()

    service_attest(service=setup["service"], user=setup["insider"])

    stored = Service.objects.get(pk=setup["service"].pk)
    assert stored.attested_by_id == setup["insider"].pk
    assert stored.attested_at >= before
    assert state(stored) == AttestationState.ATTESTED


def test_new_service_is_not_attested(setup):
    assert state(setup["service"]) == AttestationState.NOT_ATTESTED


def test_attest_is_recorded_in_history(portfolio, setup):
    service_attest(service=setup["service"], user=setup["insider"])

    latest = Service.history.filter(id=setup["service"].pk).first()
    assert latest.attested_by_id == setup["insider"].pk
    assert latest.history_user_id == setup["insider"].pk
    (entry,) = feed_entries(list(change_sets(portfolio)[:1]))
    assert entry.change_set.reason == "Attested the mapping"
    fields = {field.field: field for field in entry.changes[0].fields}
    assert fields["attested_by"].after == setup["insider"].get_username()
    assert fields["attested_by"].before == ""


def test_attest_keeps_updated_at(setup):
    service = setup["service"]
    updated_at = Service.objects.get(pk=service.pk).updated_at

    service_attest(service=service, user=setup["insider"])

    assert Service.objects.get(pk=service.pk).updated_at == updated_at


def test_other_team_cannot_attest(setup):
    with pytest.raises(ValidationError, match="Only members of “Platform team”"):
        service_attest(service=setup["service"], user=setup["outsider"])

    assert Service.objects.get(pk=setup["service"].pk).attested_at is None


def test_viewer_of_owning_team_cannot_attest(portfolio, setup, make_member):
    viewer = make_member(portfolio, Role.VIEWER)
    Membership.objects.filter(user=viewer).update(team=setup["owners"])

    with pytest.raises(ValidationError, match="editor or owner"):
        service_attest(service=setup["service"], user=viewer)


def test_service_without_owner_cannot_be_attested(portfolio, setup, make_service):
    orphan = make_service(portfolio, key="orphan")

    with pytest.raises(ValidationError, match="no owning team"):
        service_attest(service=orphan, user=setup["insider"])


def test_edit_by_other_user_needs_review(setup):
    service = setup["service"]
    service_attest(service=service, user=setup["insider"])

    with as_user(setup["outsider"]):
        service_assign_pattern(service=service, pattern_key=MSP)

    assert state(service) == AttestationState.REVIEW_NEEDED


def test_edit_by_owning_team_stays_attested(setup):
    service = setup["service"]
    service_attest(service=service, user=setup["insider"])

    with as_user(setup["insider"]):
        service_assign_pattern(service=service, pattern_key=MSP)
        responsibility_set_accountable(service=service, activity_key="build", team=setup["owners"])

    assert state(service) == AttestationState.ATTESTED


def test_page_raci_edit_needs_review(client, setup):
    service = setup["service"]
    service_attest(service=service, user=setup["insider"])
    client.force_login(setup["outsider"])

    url = reverse("service-set-accountable", args=[service.portfolio.key, "claims", "build"])

    response = client.post(url, {"team": setup["others"].pk})

    assert response.status_code == 302
    assert state(service) == AttestationState.REVIEW_NEEDED


def test_raci_edit_after_late_attestation_needs_review(setup):
    # The editor's copy of the service was read before the owning team attested it.
    stale_copy = Service.objects.get(pk=setup["service"].pk)
    service_attest(service=setup["service"], user=setup["insider"])

    with as_user(setup["outsider"]):
        responsibility_set_role(service=stale_copy, activity_key="build", team=setup["others"], role="R",
                                held=True)

    assert state(stale_copy) == AttestationState.REVIEW_NEEDED


def test_raci_edit_of_unattested_service_skips_flag(setup):
    service = setup["service"]

    with as_user(setup["outsider"]), CaptureQueriesContext(connection) as queries:
        responsibility_set_role(service=service, activity_key="build", team=setup["others"], role="R",
                                held=True)

    assert not [query for query in queries if "mapping_review_needed" in query["sql"]]
    assert state(service) == AttestationState.NOT_ATTESTED


def test_second_write_in_request_sees_late_attestation(setup):
    service = setup["service"]
    with as_user(setup["outsider"]):
        responsibility_set_role(service=service, activity_key="build", team=setup["others"], role="R",
                                held=True)
    # Attested after the first write committed, while the same object is used for the next write.
    service_attest(service=Service.objects.get(pk=service.pk), user=setup["insider"])

    with as_user(setup["outsider"]):
        service_assign_pattern(service=service, pattern_key=MSP)

    assert state(service) == AttestationState.REVIEW_NEEDED


def test_htmx_raci_edit_shows_review_needed(client, setup):
    service = setup["service"]
    service_attest(service=service, user=setup["insider"])
    client.force_login(setup["outsider"])
    url = reverse("service-set-accountable", args=[service.portfolio.key, "claims", "build"])

    response = client.post(url, {"team": setup["others"].pk}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "Review needed" in response.content.decode()


def attest_form_fields(page: str) -> dict[str, str]:
    """Return the hidden fields of the attestation panel's form, as the browser would post them."""
    form = re.search(r'<form[^>]*/attest/.*?</form>', page, re.S | re.I)
    assert form, "the page shows no attest form"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))


def test_attest_from_stale_page_keeps_review(setup):
    from django.test import Client

    service = setup["service"]
    service_attest(service=service, user=setup["insider"])
    insider_browser, outsider_browser = Client(), Client()
    insider_browser.force_login(setup["insider"])
    outsider_browser.force_login(setup["outsider"])
    page = insider_browser.get(reverse("service-detail", args=[service.portfolio.key, "claims"]))
    fields = attest_form_fields(page.content.decode())

    outsider_browser.post(reverse("service-set-accountable", args=[service.portfolio.key, "claims", "build"]),
                          {"team": setup["others"].pk})
    insider_browser.post(reverse("service-attest", args=[service.portfolio.key, "claims"]), fields)

    assert state(service) == AttestationState.REVIEW_NEEDED


def test_edit_without_user_needs_review(setup):
    service = setup["service"]
    service_attest(service=service, user=setup["insider"])

    responsibility_set_accountable(service=service, activity_key="build", team=setup["owners"])

    assert state(service) == AttestationState.REVIEW_NEEDED


def test_details_edit_keeps_attestation(setup):
    service = setup["service"]
    service_attest(service=service, user=setup["insider"])

    with as_user(setup["outsider"]):
        service_update(service=service, description="Handles claims.")

    assert state(service) == AttestationState.ATTESTED


def _change_owner_by_update(setup, client):
    with as_user(setup["outsider"]):
        service_update(service=setup["service"], owner=setup["others"])


def _change_owner_by_bulk_action(setup, client):
    bulk_post(client, setup["outsider"], setup["service"], action="set_owner", owner=setup["others"].pk)


def _change_owner_by_hand_over(setup, client):
    with as_user(setup["outsider"]):
        team_delete(team=setup["owners"], replacement=setup["others"])


@pytest.mark.parametrize("change_owner", [
    _change_owner_by_update, _change_owner_by_bulk_action, _change_owner_by_hand_over,
])
def test_owner_change_needs_review(client, setup, change_owner):
    """An attestation is made for the owning team, so a new owning team has to review the mapping."""
    service = setup["service"]
    service_attest(service=service, user=setup["insider"])

    change_owner(setup, client)

    assert Service.objects.get(pk=service.pk).owner_id == setup["others"].pk
    assert state(service) == AttestationState.REVIEW_NEEDED


def test_same_owner_keeps_attestation(setup):
    service = setup["service"]
    service_attest(service=service, user=setup["insider"])

    with as_user(setup["outsider"]):
        service_update(service=service, owner=setup["owners"], name="Claims portal")

    assert state(service) == AttestationState.ATTESTED


def test_attest_again_clears_review(setup):
    service = setup["service"]
    service_attest(service=service, user=setup["insider"])
    with as_user(setup["outsider"]):
        service_assign_pattern(service=service, pattern_key=MSP)

    service_attest(service=service, user=setup["insider"])

    assert state(service) == AttestationState.ATTESTED


def bulk_post(client, user, service, **data):
    client.force_login(user)
    response = client.post(reverse("service-bulk", args=[service.portfolio.key]),
                           {"services": [service.pk], "confirm": "1", "list_state": "", **data})
    assert response.status_code == 302


def test_bulk_role_by_other_user_needs_review(client, portfolio, setup, make_service):
    service = setup["service"]
    untouched = make_service(portfolio, key="untouched", owner=setup["owners"])
    for attested in (service, untouched):
        service_attest(service=attested, user=setup["insider"])

    bulk_post(client, setup["outsider"], service, action="give_role", team=setup["others"].pk,
              activity="operate", role="C")

    assert service.responsibilities.filter(team=setup["others"], role="C").exists()
    assert state(service) == AttestationState.REVIEW_NEEDED
    assert state(untouched) == AttestationState.ATTESTED


def test_bulk_pattern_by_owning_team_stays_attested(client, setup):
    service = setup["service"]
    service_attest(service=service, user=setup["insider"])

    bulk_post(client, setup["insider"], service, action="assign_pattern", pattern=MSP)

    assert service.assignments.count() == 2
    assert state(service) == AttestationState.ATTESTED


def test_import_by_other_user_needs_review(portfolio, setup):
    service = setup["service"]
    service_attest(service=service, user=setup["insider"])
    upload = csv_bytes([["Service", "Pattern", "Activities"], ["claims", MSP, "operate"]])

    import_apply([UploadedFile("pattern_assignments.csv", upload)], portfolio, user_id=setup["outsider"].pk)

    assert service.assignments.filter(pattern_id=MSP).exists()
    assert state(service) == AttestationState.REVIEW_NEEDED


def test_attestation_expires_after_review_period(portfolio, setup):
    service = setup["service"]
    service_attest(service=service, user=setup["insider"])
    portfolio.review_period_days = 30
    portfolio.save()
    now = timezone.now()

    stored = Service.objects.get(pk=service.pk)
    assert attestation_state(stored, portfolio, now + timedelta(days=29)) == AttestationState.ATTESTED
    assert attestation_state(stored, portfolio, now + timedelta(days=31)) == AttestationState.STALE


def test_old_attestation_is_stale(portfolio, setup):
    service = setup["service"]
    service_attest(service=service, user=setup["insider"])
    Service.objects.filter(pk=service.pk).update(attested_at=timezone.now() - timedelta(days=181))

    assert state(service) == AttestationState.STALE


def test_review_needed_wins_over_stale(portfolio, setup):
    service = setup["service"]
    service_attest(service=service, user=setup["insider"])
    Service.objects.filter(pk=service.pk).update(attested_at=timezone.now() - timedelta(days=400),
                                                 mapping_review_needed=True)

    assert state(service) == AttestationState.REVIEW_NEEDED


@pytest.mark.parametrize("wanted", list(AttestationState))
def test_state_filter_matches_state(portfolio, setup, make_service, wanted):
    fresh, stale, review = (make_service(portfolio, owner=setup["owners"]) for _ in range(3))
    for attested in (fresh, stale, review):
        service_attest(service=attested, user=setup["insider"])
    Service.objects.filter(pk=stale.pk).update(attested_at=timezone.now() - timedelta(days=200))
    Service.objects.filter(pk=review.pk).update(mapping_review_needed=True)
    expected = {AttestationState.NOT_ATTESTED: setup["service"], AttestationState.ATTESTED: fresh,
                AttestationState.STALE: stale, AttestationState.REVIEW_NEEDED: review}[wanted]

    found = list(Service.objects.filter(state_filter(wanted, portfolio)).values_list("pk", flat=True))

    assert found == [expected.pk]


def test_attest_after_own_change_succeeds(setup):
    from django.test import Client

    service = setup["service"]
    browser = Client()
    browser.force_login(setup["insider"])
    page = browser.get(reverse("service-detail", args=[service.portfolio.key, "claims"]))
    fields = attest_form_fields(page.content.decode())

    browser.post(reverse("service-set-accountable", args=[service.portfolio.key, "claims", "build"]),
                 {"team": setup["owners"].pk})
    browser.post(reverse("service-attest", args=[service.portfolio.key, "claims"]), fields)

    assert state(service) == AttestationState.ATTESTED
