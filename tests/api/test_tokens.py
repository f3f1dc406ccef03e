"""Personal API tokens: creation, storage, lookup, revocation, last use and the tokens page."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portfolio.models import ApiToken, ApiTokenScope
from portfolio.tokens import (
    LAST_USED_RESOLUTION,
    PREFIX_LENGTH,
    token_authenticate,
    token_create,
    token_digest,
    token_revoke,
)
from tests.api.conftest import ApiClient


@pytest.fixture
def user(make_member):
    return make_member(None, username="pipeline-owner")


def test_token_stored_as_digest_only(user):
    row, token = token_create(user=user, name="CI gate", scope=ApiTokenScope.READ)
    stored = ApiToken.objects.get(pk=row.pk)
    assert token.startswith("vcc_")
    assert len(token) == 4 + 43
    assert stored.digest == token_digest(token)
    assert stored.prefix == token[:PREFIX_LENGTH]
    assert token not in {stored.digest, stored.prefix, stored.name}


@pytest.mark.parametrize(("name", "scope", "field"), [
    ("", ApiTokenScope.READ, "name"),
    ("   ", ApiTokenScope.WRITE, "name"),
    ("CI", "admin", "scope"),
])
def test_token_create_rejects_bad_input(user, name, scope, field):
    with pytest.raises(ValidationError) as raised:
        token_create(user=user, name=name, scope=scope)
    assert field in raised.value.message_dict
    assert not ApiToken.objects.exists()


def test_authenticate_finds_token_and_user(user):
    _row, token = token_create(user=user, name="CI", scope=ApiTokenScope.READ)
    found = token_authenticate(token)
    assert found is not None
    assert found.user == user


@pytest.mark.parametrize("presented", ["", "vcc_", "vcc_short", "Bearer", "x" * 47])
def test_authenticate_rejects_malformed(user, presented):
    token_create(user=user, name="CI", scope=ApiTokenScope.READ)
    assert token_authenticate(presented) is None


def test_authenticate_rejects_right_prefix_wrong_secret(user):
    _row, token = token_create(user=user, name="CI", scope=ApiTokenScope.READ)
    forged = token[:PREFIX_LENGTH] + ("A" if token[-1] != "A" else "B") * (len(token) - PREFIX_LENGTH)
    assert token_authenticate(forged) is None


def test_authenticate_rejects_revoked_and_inactive(user):
    row, token = token_create(user=user, name="CI", scope=ApiTokenScope.READ)
    token_revoke(user=user, token=row)
    assert token_authenticate(token) is None

    _row, other = token_create(user=user, name="CI 2", scope=ApiTokenScope.READ)
    user.is_active = False
    user.save()
    assert token_authenticate(other) is None


def test_last_used_written_at_most_once_a_minute(user, django_assert_num_queries):
    row, token = token_create(user=user, name="CI", scope=ApiTokenScope.READ)
    with django_assert_num_queries(2):
        token_authenticate(token)
    first = ApiToken.objects.get(pk=row.pk).last_used_at
    assert first is not None
    with django_assert_num_queries(1):
        token_authenticate(token)
    assert ApiToken.objects.get(pk=row.pk).last_used_at == first

    long_ago = first - LAST_USED_RESOLUTION - timedelta(seconds=1)
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=long_ago)
    with django_assert_num_queries(2):
        token_authenticate(token)
    assert ApiToken.objects.get(pk=row.pk).last_used_at > first


def test_revoke_rejects_other_users_token(user, make_member):
    row, _token = token_create(user=user, name="CI", scope=ApiTokenScope.READ)
    with pytest.raises(ValidationError):
        token_revoke(user=make_member(None), token=row)
    assert ApiToken.objects.get(pk=row.pk).revoked_at is None


# --- the tokens page ---------------------------------------------------------------------------


def test_tokens_page_needs_login(client):
    response = client.get(reverse("api-tokens"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_tokens_page_shows_new_token_once(client, user):
    client.force_login(user)
    response = client.post(reverse("api-tokens"), {"name": "Nightly sync", "scope": "write"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    row = ApiToken.objects.get(user=user)
    assert row.scope == ApiTokenScope.WRITE
    page = response.content.decode()
    secret = page.split('<code class="token-secret">')[1].split("</code>")[0]
    assert token_authenticate(secret) == row

    again = client.get(reverse("api-tokens")).content.decode()
    assert secret not in again
    assert row.prefix in again


def test_tokens_page_rejects_empty_name(client, user):
    client.force_login(user)
    response = client.post(reverse("api-tokens"), {"name": "", "scope": "read"})
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_tokens_page_lists_only_own_tokens(client, user, make_member):
    token_create(user=make_member(None), name="Someone else's", scope=ApiTokenScope.READ)
    token_create(user=user, name="Mine", scope=ApiTokenScope.READ)
    client.force_login(user)
    page = client.get(reverse("api-tokens")).content.decode()
    assert "Mine" in page
    assert "Someone else" not in page


def test_revoke_view_revokes_and_token_gets_401(client, user):
    row, token = token_create(user=user, name="CI", scope=ApiTokenScope.READ)
    assert ApiClient(token).get("/portfolios").status_code == 200
    client.force_login(user)
    response = client.post(reverse("api-token-revoke", args=[row.pk]))
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=row.pk).revoked_at <= timezone.now()
    assert ApiClient(token).get("/portfolios").status_code == 401


def test_revoke_view_404_for_other_users_token(client, user, make_member):
    row, _token = token_create(user=make_member(None), name="CI", scope=ApiTokenScope.READ)
    client.force_login(user)
    assert client.post(reverse("api-token-revoke", args=[row.pk])).status_code == 404
    assert ApiToken.objects.get(pk=row.pk).revoked_at is None
