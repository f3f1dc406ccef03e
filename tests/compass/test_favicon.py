"""The site's icon: linked from every page, and /favicon.ico leads to it instead of a 404."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_ico_redirects_to_svg(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"].endswith("img/favicon.svg")


def test_favicon_svg_is_static_file():
    path = finders.find("img/favicon.svg")

    assert path is not None
    with open(path, encoding="utf-8") as icon:
        assert icon.read().startswith("<svg xmlns=\"http://www.w3.org/2000/svg\"")


def test_pages_link_favicon(client):
    page = client.get(reverse("login")).content.decode()

    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in page
