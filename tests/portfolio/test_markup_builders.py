"""The markup built in Python for speed: it must equal what Django's own helpers give."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from portfolio.templatetags.catalogue_tags import service_url_maker
from portfolio.views.service_detail import TeamOptions

KEYS = [
    "svc-001",
    "サービス",
    "خدمة-الدعم",
    "🚀-launch",
    "a&b+c=d",
    "50%-off",
    "with space",
    "quote'\"<x>",
]


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("portfolio_key", ["acme", "東京"])
def test_service_url_maker_matches_reverse(portfolio_key, key):
    assert service_url_maker(portfolio_key)(key) == reverse("service-detail", args=[portfolio_key, key])


TEAMS = [(3, "Alpha"), (12, "<b>Beta</b> & Co"), (7, "Γάμμα"), (120, "Delta \"quoted\"")]


@pytest.mark.parametrize(
    ("selected", "exclude", "expected"),
    [
        (None, set(), [(3, False), (12, False), (7, False), (120, False)]),
        (12, set(), [(3, False), (12, True), (7, False), (120, False)]),
        # 1 is the start of 12 and 120: only the exact id may be selected.
        (1, set(), [(3, False), (12, False), (7, False), (120, False)]),
        (120, set(), [(3, False), (12, False), (7, False), (120, True)]),
        (None, {3, 120}, [(12, False), (7, False)]),
    ],
)
def test_team_options_select_and_exclude(selected, exclude, expected):
    labels = dict(TEAMS)
    html = TeamOptions(TEAMS).render(selected, exclude=exclude)
    markup = "".join(
        f'<option value="{pk}"{" selected" if chosen else ""}>{escape(labels[pk])}</option>'
        for pk, chosen in expected
    )
    assert html == markup

