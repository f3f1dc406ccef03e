"""The catalogue table's rows, built in Python because a page has 50 of them.

In the template, the rows were about half the time of a catalogue request: each
row cost a URL reversal, a translated label and about twenty variable look-ups.
The markup is the one the template had; templates/portfolio/service_list.html
renders the table around it.
"""

from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portfolio.attestation import AttestationState
from portfolio.models import ServiceStatus

register = template.Library()
KEY_MARK = "service-key-mark"


def service_url_maker(portfolio_key: str):
    """Return a function that maps a service key to the URL `reverse("service-detail", ...)` returns.

    The page reverses once instead of once per row. The key is quoted as reverse() quotes it.
    """
    head, tail = reverse("service-detail", args=[portfolio_key, KEY_MARK]).rsplit(KEY_MARK, 1)
    return lambda key: head + quote(key, safe=RFC3986_SUBDELIMS + "/~:@") + tail


@register.simple_tag(takes_context=True)
def catalogue_rows(context, rows) -> str:
    """Return the <tr> elements of `rows` (service_list.Row objects).

    Reads portfolio and access from the context: editors get a selection checkbox per row.
    """
    service_url = service_url_maker(context["portfolio"].key)
    # Translated once per page: a lazy label costs a catalogue look-up each time it is shown.
    status_labels = {status: escape(label) for status, label in ServiceStatus.choices}
    attestation_labels = {state: escape(state.label) for state in AttestationState}
    selectable = context["access"].can_edit
    none = f'<span class="muted">{escape(_("none"))}</span>'
    parts = []
    for row in rows:
        service = row.service
        name = escape(service.name)
        cells = []
        if selectable:
            label = escape(_("Select %(name)s") % {"name": service.name})
            cells.append(f'<td class="catalogue__select"><input type="checkbox" name="services" '
                         f'value="{service.pk}" form="bulk-form" id="select-{service.pk}" '
                         f'aria-label="{label}"></td>')
        url = escape(service_url(service.key))
        status = escape(service.status)
        status_label = status_labels.get(service.status, status)
        owner = f"<bdi>{escape(service.owner.name)}</bdi>" if service.owner is not None else none
        patterns = "".join(f'<span class="tag">{escape(name)}</span>' for name in row.patterns) or none
        badges = "".join(f'<span class="level level--{escape(level)}">{escape(label)}</span>'
                         for level, label in row.badges)
        findings = f'<div class="counts">{badges}</div>' if badges else none
        cells += [
            f'<td><a href="{url}" dir="auto">{name}</a></td>',
            f"<td><code>{escape(service.key)}</code></td>",
            f'<td><span class="status status--{status}">{status_label}</span></td>',
            f"<td>{owner}</td>",
            f"<td>{patterns}</td>",
            f"<td>{findings}</td>",
            f'<td><span class="attestation attestation--{escape(row.attestation)}">'
            f"{attestation_labels[row.attestation]}</span></td>",
        ]
        parts.append(f"<tr>{''.join(cells)}</tr>")
    # Every value from the database or a translation was escaped above.
    return mark_safe("".join(parts))
