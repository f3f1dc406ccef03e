"""Waivers: accepting a finding, expiry, obsolescence, who may do it and what input is rejected."""

import logging
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from portfolio.analysis import Finding, Level, analyse_portfolio
from portfolio.analysis.engine import result_cache
from portfolio.analysis.waivers import WaiverInfo, apply_waivers
from portfolio.models import Portfolio, Role, Waiver
from portfolio.waivers import latest_expiry, waiver_accept, waiver_revoke
from tests.conftest import assign_pattern

NO_PATTERN = "VCP-E001"


def fresh(portfolio):
    """Read the portfolio again so that its revision, and so the analysis, is current."""
    return Portfolio.objects.get(pk=portfolio.pk)


def in_days(days):
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture(autouse=True)
def empty_result_cache():
    """Rolled-back tests reuse portfolio ids and revisions, so a result cached by one must not leak."""
    result_cache.clear()


@pytest.fixture
def owner(portfolio, make_member):
    return make_member(portfolio, Role.OWNER)


@pytest.fixture
def crm(portfolio, make_team, make_service):
    """A live service with an owner and no pattern: its only finding is VCP-E001."""
    return make_service(portfolio, key="crm", owner=make_team(portfolio))


def accept(portfolio, user, **fields):
    values = {
        "code": NO_PATTERN,
        "subject": "service:crm",
        "justification": "Being replaced by the new CRM in spring.",
        "approver": "Dana Whitfield, CIO",
        "expires_on": in_days(90),
    }
    values.update(fields)
    return waiver_accept(portfolio=portfolio, user=user, **values)


# --- the life cycle ---------------------------------------------------------------------------------------


def test_accepted_finding_moves_to_waived(portfolio, owner, crm):
    before = analyse_portfolio(fresh(portfolio))
    assert before.counts["error"] == 1

    waiver = accept(portfolio, owner)

    result = analyse_portfolio(fresh(portfolio))
    assert result.counts == {"error": 0, "warning": 0, "info": 0}
    assert result.findings == ()
    assert result.for_service("crm") == ()
    assert [waived.finding.code for waived in result.waived] == [NO_PATTERN]
    info = result.waived[0].waiver
    assert info.id == waiver.pk
    assert info.justification == "Being replaced by the new CRM in spring."
    assert info.approver == "Dana Whitfield, CIO"
    assert info.expires_on == in_days(90)
    assert info.accepted_by == owner.username
    assert result.expired_waivers == ()
    assert result.obsolete_waivers == ()


def test_waiver_applies_on_its_expiry_date(portfolio, owner, crm):
    waiver = accept(portfolio, owner)
    waiver.expires_on = timezone.localdate()
    waiver.save()

    result = analyse_portfolio(fresh(portfolio))
    assert result.counts["error"] == 0
    assert len(result.waived) == 1


def test_expired_waiver_lets_finding_count_again(portfolio, owner, crm):
    waiver = accept(portfolio, owner)
    waiver.expires_on = in_days(-1)
    waiver.save()

    result = analyse_portfolio(fresh(portfolio))
    assert result.counts["error"] == 1
    assert [finding.code for finding in result.for_service("crm")] == [NO_PATTERN]
    assert result.waived == ()
    assert [info.id for info in result.expired_waivers] == [waiver.pk]
    assert result.expired_waiver(result.findings[0]).id == waiver.pk
    assert result.obsolete_waivers == ()


def test_waiver_expires_as_days_pass_without_writes(portfolio, owner, crm, monkeypatch):
    accept(portfolio, owner, expires_on=in_days(3))
    current = fresh(portfolio)
    assert analyse_portfolio(current).counts["error"] == 0

    later = in_days(4)
    monkeypatch.setattr(timezone, "localdate", lambda *args: later)

    result = analyse_portfolio(current)
    assert result.counts["error"] == 1
    assert len(result.expired_waivers) == 1


def test_fixed_finding_leaves_waiver_obsolete(portfolio, owner, crm):
    waiver = accept(portfolio, owner)
    assign_pattern(crm, "managed-service-provider")

    result = analyse_portfolio(fresh(portfolio))
    assert NO_PATTERN not in {finding.code for finding in result.findings}
    assert result.waived == ()
    assert [info.id for info in result.obsolete_waivers] == [waiver.pk]
    assert result.expired_waivers == ()


def test_expired_waiver_of_fixed_finding_is_obsolete_only(portfolio, owner, crm):
    waiver = accept(portfolio, owner)
    waiver.expires_on = in_days(-10)
    waiver.save()
    assign_pattern(crm, "managed-service-provider")

    result = analyse_portfolio(fresh(portfolio))
    assert [info.id for info in result.obsolete_waivers] == [waiver.pk]
    assert result.expired_waivers == ()


def test_revoked_waiver_lets_finding_count_again(portfolio, owner, crm):
    waiver = accept(portfolio, owner)

    waiver_revoke(portfolio=portfolio, user=owner, waiver=waiver)

    assert not Waiver.objects.filter(pk=waiver.pk).exists()
    result = analyse_portfolio(fresh(portfolio))
    assert result.counts["error"] == 1
    assert result.waived == ()


def test_expired_waiver_is_renewed_in_place(portfolio, owner, crm):
    waiver = accept(portfolio, owner)
    waiver.expires_on = in_days(-1)
    waiver.save()

    renewed = accept(portfolio, owner, justification="Extended until the migration ends.",
                     expires_on=in_days(30))

    assert renewed.pk == waiver.pk
    assert Waiver.objects.get().justification == "Extended until the migration ends."
    assert analyse_portfolio(fresh(portfolio)).counts["error"] == 0


def test_waiver_covers_only_its_subject(portfolio, owner, crm, make_service, make_team):
    make_service(portfolio, key="erp", owner=make_team(portfolio))
    accept(portfolio, owner)

    result = analyse_portfolio(fresh(portfolio))
    assert [finding.service for finding in result.findings] == ["erp"]
    assert [waived.finding.service for waived in result.waived] == ["crm"]


def test_waivers_cost_one_query_on_a_miss(portfolio, owner, crm, django_assert_num_queries):
    accept(portfolio, owner)
    current = fresh(portfolio)
    # Five snapshot queries, seven for the library and one for the waivers. accept() analysed the
    # portfolio before it added the waiver, so one more query looks for a record of that write from
    # which to bring the analysis forward, and finds none: waivers are written untracked.
    with django_assert_num_queries(14):
        analyse_portfolio(current)
    with django_assert_num_queries(0):
        analyse_portfolio(current)


def test_apply_waivers_keeps_finding_order():
    findings = [_finding("VCP-E001", "a"), _finding("VCP-E001", "b"), _finding("VCP-E001", "c")]
    today = date(2030, 6, 1)
    waivers = [_waiver("VCP-E001", "service:b", today), _waiver("VCP-E009", "service:z", today)]

    outcome = apply_waivers(findings, waivers, today)

    assert [finding.service for finding in outcome.findings] == ["a", "c"]
    assert [waived.finding.service for waived in outcome.waived] == ["b"]
    assert [waiver.subject for waiver in outcome.obsolete] == ["service:z"]
    assert outcome.expired == ()


def _finding(code, service):
    return Finding(code=code, level=Level.ERROR, message="m", hint="h", service=service)


def _waiver(code, subject, expires_on):
    return WaiverInfo(id=1, code=code, subject=subject, justification="j", approver="a",
                      expires_on=expires_on, accepted_by="u", created_at=timezone.now())


# --- who may accept and revoke ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_accept_needs_owner_role(portfolio, crm, make_member, role):
    user = make_member(portfolio, role)
    with pytest.raises(PermissionDenied):
        accept(portfolio, user)
    assert not Waiver.objects.exists()


def test_accept_rejects_member_of_other_portfolio(portfolio, crm, make_portfolio, make_member):
    stranger = make_member(make_portfolio(), Role.OWNER)
    with pytest.raises(PermissionDenied):
        accept(portfolio, stranger)


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_revoke_needs_owner_role(portfolio, owner, crm, make_member, role):
    waiver = accept(portfolio, owner)
    with pytest.raises(PermissionDenied):
        waiver_revoke(portfolio=portfolio, user=make_member(portfolio, role), waiver=waiver)
    assert Waiver.objects.filter(pk=waiver.pk).exists()


def test_revoke_rejects_waiver_of_other_portfolio(portfolio, owner, crm, make_portfolio):
    waiver = accept(portfolio, owner)
    with pytest.raises(ValidationError):
        waiver_revoke(portfolio=make_portfolio(), user=owner, waiver=waiver)
    assert Waiver.objects.filter(pk=waiver.pk).exists()


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_accept_view_forbids_non_owners(client, portfolio, crm, make_member, role):
    client.force_login(make_member(portfolio, role))
    response = client.post(reverse("waiver-accept", args=[portfolio.key]), {
        "code": NO_PATTERN, "subject": "service:crm", "justification": "j", "approver": "a",
        "expires_on": in_days(30).isoformat(),
    })
    assert response.status_code == 403
    assert not Waiver.objects.exists()


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_revoke_view_forbids_non_owners(client, portfolio, owner, crm, make_member, role):
    waiver = accept(portfolio, owner)
    client.force_login(make_member(portfolio, role))
    response = client.post(reverse("waiver-revoke", args=[portfolio.key, waiver.pk]))
    assert response.status_code == 403
    assert Waiver.objects.filter(pk=waiver.pk).exists()


def test_accept_view_creates_waiver_for_owner(client, portfolio, owner, crm):
    client.force_login(owner)
    response = client.post(reverse("waiver-accept", args=[portfolio.key]), {
        "code": NO_PATTERN, "subject": "service:crm", "justification": "Replaced in spring.",
        "approver": "Dana Whitfield", "expires_on": in_days(30).isoformat(), "filters": "group=rule",
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("findings", args=[portfolio.key]) + "?group=rule"
    assert Waiver.objects.get().accepted_by == owner


def test_revoke_view_deletes_waiver_for_owner(client, portfolio, owner, crm):
    waiver = accept(portfolio, owner)
    client.force_login(owner)
    response = client.post(reverse("waiver-revoke", args=[portfolio.key, waiver.pk]))
    assert response.status_code == 302
    assert not Waiver.objects.exists()


def test_revoke_view_hides_other_portfolio_waiver(client, portfolio, owner, crm, make_portfolio, make_member):
    waiver = accept(portfolio, owner)
    other = make_portfolio()
    client.force_login(make_member(other, Role.OWNER))
    response = client.post(reverse("waiver-revoke", args=[other.key, waiver.pk]))
    assert response.status_code == 404
    assert Waiver.objects.filter(pk=waiver.pk).exists()


# --- bad input --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"justification": "  "}, "justification", "Enter a justification"),
        ({"approver": ""}, "approver", "Enter the approver"),
        ({"expires_on": None}, "expires_on", "Enter the expiry date"),
        ({"expires_on": in_days(0)}, "expires_on", "must be after today"),
        ({"expires_on": in_days(-5)}, "expires_on", "must be after today"),
        ({"expires_on": in_days(800)}, "expires_on", "at most 2 years ahead"),
    ],
)
def test_accept_rejects_bad_input(portfolio, owner, crm, fields, field, words):
    with pytest.raises(ValidationError) as raised:
        accept(portfolio, owner, **fields)
    messages = raised.value.message_dict[field]
    assert any(words in message for message in messages)
    assert not Waiver.objects.exists()


def test_accept_allows_expiry_exactly_two_years_ahead(portfolio, owner, crm):
    waiver = accept(portfolio, owner, expires_on=latest_expiry(timezone.localdate()))
    assert waiver.pk is not None


def test_accept_rejects_finding_that_does_not_occur(portfolio, owner, crm):
    with pytest.raises(ValidationError) as raised:
        accept(portfolio, owner, subject="service:erp")
    assert "no finding VCP-E001 on “service:erp”" in raised.value.messages[0]
    assert not Waiver.objects.exists()


def test_accept_rejects_second_waiver_in_force(portfolio, owner, crm):
    accept(portfolio, owner)
    with pytest.raises(ValidationError) as raised:
        accept(portfolio, owner, justification="Another reason.")
    assert "already accepted until" in raised.value.messages[0]
    assert Waiver.objects.count() == 1


def test_accept_race_raises_validation_error(portfolio, owner, crm, make_member, monkeypatch):
    other_owner = make_member(portfolio, Role.OWNER)

    def accept_by_other_owner_first(waiver, *args, **kwargs):
        Waiver.objects.create(portfolio=portfolio, code=waiver.code, subject=waiver.subject,
                              justification="First.", approver="A", expires_on=in_days(5),
                              accepted_by=other_owner)

    monkeypatch.setattr(Waiver, "full_clean", accept_by_other_owner_first)

    with pytest.raises(ValidationError) as raised:
        accept(portfolio, owner)
    assert raised.value.messages == ["This finding already has a waiver."]


@pytest.mark.parametrize(
    ("today", "latest"),
    [(date(2030, 3, 15), date(2032, 3, 15)), (date(2028, 2, 29), date(2030, 2, 28))],
)
def test_latest_expiry_is_two_years_on(today, latest):
    assert latest_expiry(today) == latest


def test_accept_and_revoke_are_logged_with_ids(portfolio, owner, crm, caplog):
    with caplog.at_level(logging.INFO, logger="portfolio.waivers"):
        waiver = accept(portfolio, owner)
        waiver_id = waiver.pk
        waiver_revoke(portfolio=portfolio, user=owner, waiver=waiver)
    accepted, revoked = [record.getMessage() for record in caplog.records if record.levelno == logging.INFO]
    assert accepted.startswith(
        f"Accepted waiver {waiver_id} (VCP-E001 service:crm) in portfolio {portfolio.pk}"
    )
    assert revoked.startswith(f"Revoked waiver {waiver_id} (VCP-E001 service:crm)")
    assert "Being replaced" not in accepted
