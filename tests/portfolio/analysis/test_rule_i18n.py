"""The remembered translation lookups of the rules agree with Django's own."""

import pytest
from django.utils import translation
from django.utils.text import get_text_list

from portfolio.analysis.rules import i18n


@pytest.mark.parametrize("items", [[], ["a"], ["a", "b"], ["a", "b", "c"]])
@pytest.mark.parametrize("language", ["en", "de", "ja"])
def test_text_list_matches_django(items, language):
    with translation.override(language), i18n.remembered_messages():
        assert i18n.text_list(items, i18n.gettext("or")) == get_text_list(items, translation.gettext("or"))


def test_lookup_remembered_within_one_run():
    calls = []

    def compute():
        calls.append(1)
        return "text"

    with i18n.remembered_messages():
        assert i18n.remembered(("key",), compute) == "text"
        assert i18n.remembered(("key",), compute) == "text"
        with i18n.remembered_messages():
            assert i18n.remembered(("key",), compute) == "text"
    assert len(calls) == 1


def test_lookup_outside_run_follows_language():
    with translation.override("de"):
        german = i18n.gettext("or")
    with translation.override("en"):
        english = i18n.gettext("or")
    assert german == "oder"
    assert english == "or"


def test_each_run_starts_empty():
    with translation.override("de"), i18n.remembered_messages():
        assert i18n.gettext("or") == "oder"
    with translation.override("en"), i18n.remembered_messages():
        assert i18n.gettext("or") == "or"
