"""Security headers on a page, an htmx partial and the report exports; HSTS, HTTPS redirect and cookies."""

import pytest

from portfolio.models import Role

CSP_DIRECTIVES = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
}
EXPECTED_HEADERS = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@pytest.fixture
def member_client(client, portfolio, make_member, make_service):
    make_service(portfolio, key="claims", patterns=["internal-service-delivery"])
    client.force_login(make_member(portfolio, Role.VIEWER))
    return client


def responses(client, portfolio_key: str) -> dict:
    """Return a page, an htmx partial and the report's CSV and JSON exports."""
    return {
        "page": client.get(f"/p/{portfolio_key}/"),
        "htmx partial": client.get(f"/p/{portfolio_key}/services/", headers={"HX-Request": "true"}),
        "CSV export": client.get(f"/p/{portfolio_key}/report/", {"format": "csv", "table": "services"}),
        "JSON export": client.get(f"/p/{portfolio_key}/report/", {"format": "json"}),
    }


def test_responses_are_what_the_header_tests_expect(member_client, portfolio):
    sent = responses(member_client, portfolio.key)
    kinds = {name: response["Content-Type"] for name, response in sent.items()}

    assert kinds["page"].startswith("text/html")
    assert kinds["htmx partial"].startswith("text/html")
    assert kinds["CSV export"].startswith("text/csv")
    assert kinds["JSON export"].startswith("application/json")


@pytest.mark.parametrize("kind", ["page", "htmx partial", "CSV export", "JSON export"])
def test_security_headers_are_sent(member_client, portfolio, kind):
    response = responses(member_client, portfolio.key)[kind]

    assert response.status_code == 200
    for header, value in EXPECTED_HEADERS.items():
        assert response.get(header) == value, header


@pytest.mark.parametrize("kind", ["page", "htmx partial", "CSV export", "JSON export"])
def test_content_security_policy_forbids_inline_code(member_client, portfolio, kind):
    policy = responses(member_client, portfolio.key)[kind]["Content-Security-Policy"]
    directives = {directive.strip() for directive in policy.split(";")}

    assert directives == CSP_DIRECTIVES
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_login_page_has_no_inline_code(client, db, find_inline_code):
    response = client.get("/accounts/login/")

    assert find_inline_code(response.content.decode()) == []
    assert "Content-Security-Policy" in response


def test_hsts_is_sent_over_https_when_configured(member_client, portfolio, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True

    response = member_client.get(f"/p/{portfolio.key}/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_hsts_is_not_sent_over_plain_http(member_client, portfolio, settings):
    settings.SECURE_HSTS_SECONDS = 31536000

    response = member_client.get(f"/p/{portfolio.key}/")

    assert "Strict-Transport-Security" not in response


def test_hsts_is_off_by_default(member_client, portfolio):
    response = member_client.get(f"/p/{portfolio.key}/", secure=True)

    assert "Strict-Transport-Security" not in response


def test_ssl_redirect_sends_http_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/accounts/login/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"


def test_ssl_redirect_trusts_the_tls_proxy_header(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    response = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 200


def test_login_cookies_are_http_only(client, portfolio, make_member, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_member(portfolio, username="ada")
    client.get("/accounts/login/")

    response = client.post("/accounts/login/", {"username": "ada", "password": "pw-for-tests"})

    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"] is True
    assert response.cookies["csrftoken"]["httponly"] is True


def test_login_cookies_are_secure_when_configured(client, portfolio, make_member, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    make_member(portfolio, username="ada")
    client.get("/accounts/login/")

    response = client.post("/accounts/login/", {"username": "ada", "password": "pw-for-tests"})

    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["csrftoken"]["secure"] is True
