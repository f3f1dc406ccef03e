"""The RACI matrix's editor cells, built in Python because a matrix has dozens of cell forms.

In the template, each cell form cost a URL reversal, a CSRF input and a dozen
variable look-ups: about half the time of rendering the matrix after a RACI edit.
"""

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def raci_editor_cells(context, row) -> str:
    """Return the <td> elements of `row` (a MatrixRow), each with its cell form and toggle buttons.

    Reads portfolio, service, matrix (RaciMatrix) and csrf_token from the context.
    """
    activity = row.raci.activity
    url = escape(reverse("service-raci-cell", args=[context["portfolio"].key, context["service"].key,
                                                     activity.key]))
    hidden = (
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(context["csrf_token"])}">'
        f'<input type="hidden" name="seen" value="{escape(row.seen_accountable)}">'
        f'<input type="hidden" name="columns" value="{escape(context["matrix"].column_ids)}">'
    )
    parts = []
    for cell in row.cells:
        parts.append(
            f'<td class="raci-matrix__cell"><form method="post" action="{url}" hx-post="{url}" '
            f'hx-target="#editor-status" hx-swap="outerHTML" hx-include="#raci-state" class="raci-cell">'
            f'{hidden}'
            f'<input type="hidden" name="team" value="{cell.team.pk}">{cell.buttons_html}</form></td>'
        )
    # The URL, the token and the ids were escaped above; buttons_html escapes its own parts.
    return mark_safe("".join(parts))
