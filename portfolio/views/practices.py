"""The practice adoption page: every practice of the library with the portfolio's adoption of it.

Each row shows the adoption status, the capability level (1–5) and the owning
team, and marks the key practices of the patterns the portfolio uses. Editors
edit a row in place: htmx swaps the row for its form and back. Without
JavaScript, the edit link opens the page with that row's form.
"""

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from patterns.models import KeyPractice, Practice
from portfolio.access import PortfolioAccess, portfolio_for_request
from portfolio.forms import TeamChoiceField
from portfolio.models import AdoptionStatus, PatternAssignment, PracticeAdoption, Role, Team
from portfolio.services import practice_adoption_set
from portfolio.views.rendering import INVALID_STATUS, render_page
from portfolio.views.service_errors import add_service_errors

TEMPLATE = "portfolio/practices.html"
LEVEL_CHOICES = [("", gettext_lazy("Not assessed"))] + [(str(level), str(level)) for level in range(1, 6)]


class AdoptionForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=AdoptionStatus.choices)
    capability_level = forms.TypedChoiceField(
        label=gettext_lazy("Capability level"), choices=LEVEL_CHOICES, coerce=int, empty_value=None,
        required=False, error_messages={"invalid_choice": gettext_lazy(
            "Capability level must be between 1 and 5; %(value)s is not.")},
    )
    owner = TeamChoiceField(label=gettext_lazy("Owning team"), queryset=Team.objects.none(), required=False,
                            empty_label=gettext_lazy("No owner"))

    def __init__(self, *args, portfolio, practice_key: str, **kwargs):
        form_id = f"adoption-form-{practice_key}"
        super().__init__(*args, auto_id=f"adoption-{practice_key}-%s", **kwargs)
        self.fields["owner"].queryset = Team.objects.filter(portfolio=portfolio).order_by(Lower("name"), "pk")
        for form_field in self.fields.values():
            form_field.widget.attrs["form"] = form_id


@dataclass
class PracticeRow:
    """One practice with the portfolio's adoption of it and the patterns in use it is key to."""

    practice: Practice
    adoption: PracticeAdoption | None
    key_for: list[str] = field(default_factory=list)
    form: AdoptionForm | None = None

    @property
    def status_label(self) -> str:
        status = self.adoption.status if self.adoption else AdoptionStatus.NOT_ADOPTED
        return AdoptionStatus(status).label


@login_required
@require_safe
def practice_list(request, key):
    access = portfolio_for_request(request, key)
    context = {"access": access, "portfolio": access.portfolio, "rows": practice_rows(access.portfolio)}
    return render_page(request, TEMPLATE, context)


@login_required
@require_http_methods(["GET", "POST"])
def practice_edit(request, key, practice_key):
    """Edit one practice's adoption in place: GET shows the form (with `view`, the row), POST saves."""
    access = portfolio_for_request(request, key, Role.EDITOR)
    practice = get_object_or_404(Practice, key=practice_key)
    portfolio = access.portfolio
    if request.method == "GET":
        form = None if "view" in request.GET else _form(portfolio, practice)
        return _render_row(request, access, practice, form)

    form = _form(portfolio, practice, request.POST)
    if form.is_valid():
        try:
            practice_adoption_set(portfolio=portfolio, practice_key=practice.key, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, _("Saved the adoption of “%(practice)s”.") % {"practice": practice})
                return redirect("practice-list", key=key)
            return _render_row(request, access, practice, None)
    return _render_row(request, access, practice, form, status=INVALID_STATUS)


def practice_rows(portfolio, *, editing: str | None = None, form: AdoptionForm | None = None) -> list:
    """Read every practice with its adoption and key-practice marks, in three queries."""
    adoptions = {adoption.practice_id: adoption
                 for adoption in PracticeAdoption.objects.filter(portfolio=portfolio).select_related("owner")}
    in_use = PatternAssignment.objects.filter(service__portfolio=portfolio).values("pattern_id")
    key_for: dict[str, list[str]] = {}
    links = (KeyPractice.objects.filter(pattern__key__in=in_use)
             .order_by(Lower("pattern__name")).values_list("practice_id", "pattern__name"))
    for practice_key, pattern_name in links:
        key_for.setdefault(practice_key, []).append(pattern_name)
    return [
        PracticeRow(practice, adoptions.get(practice.key), key_for.get(practice.key, []),
                    form if practice.key == editing else None)
        for practice in Practice.objects.order_by(Lower("name"), "key")
    ]


def _form(portfolio, practice: Practice, data=None) -> AdoptionForm:
    adoption = PracticeAdoption.objects.filter(portfolio=portfolio, practice=practice).first()
    initial = {}
    if adoption is not None:
        initial = {"status": adoption.status, "capability_level": adoption.capability_level,
                   "owner": adoption.owner_id}
    return AdoptionForm(data, initial=initial, portfolio=portfolio, practice_key=practice.key)


def _render_row(request, access: PortfolioAccess, practice: Practice, form, *, status: int = 200):
    """Render the practice's row for htmx, or the whole page with that row open otherwise."""
    rows = practice_rows(access.portfolio, editing=practice.key, form=form)
    context = {"access": access, "portfolio": access.portfolio, "rows": rows}
    if request.htmx:
        context["row"] = next(row for row in rows if row.practice.key == practice.key)
        return render_page(request, "portfolio/practice_row.html", context, status=status)
    return render_page(request, TEMPLATE, context, status=status)
