"""Select options rendered in Python, for choice lists as long as a portfolio's teams.

Django renders a form's select through one template per option, and a template
loop costs about as much; for the catalogue page's 200-team lists that was
the largest part of its time (measured with cProfile on the 10,000-service
benchmark portfolio). `format_html_join` does the same escaping much faster.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

SELECTED = mark_safe(" selected")


def options_html(choices, selected="") -> SafeString:
    """Return the <option> elements of `choices` ((value, label) pairs), marking the value `selected`."""
    selected = str(selected)
    return format_html_join(
        "", '<option value="{}"{}>{}</option>',
        ((value, SELECTED if str(value) == selected else "", label) for value, label in choices),
    )


def cached_options(memo: dict, name: str, choices_factory, selected="") -> SafeString:
    """Return `options_html` of the choices from `choices_factory`, rendered once per language in `memo`.

    The selected option is marked in a copy, so one rendering serves every selection.
    """
    key = ("options", name, get_language())
    html = memo.get(key)
    if html is None:
        html = options_html(choices_factory())
        memo[key] = html
    if selected == "":
        return html
    unselected = format_html('<option value="{}">', selected)
    return mark_safe(html.replace(unselected, unselected[:-1] + SELECTED + ">", 1))


class QuickSelect(forms.Select):
    """A select widget whose options are rendered by `options_html` instead of templates."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        chosen = "" if value is None else value
        return format_html("<select name=\"{}\"{}>{}</select>", name, flatatt(final_attrs),
                           options_html(self.choices, chosen))
