"""The teams page: list, create and edit teams in place, and delete a team with a replacement.

Viewers see the list; editors create, edit and delete. A row is edited in
place: htmx swaps the row for its form and back. Without JavaScript the edit
link opens the same page with that row's form. Deleting goes through a
confirmation page that names the team's services, practices and RACI cells
and asks for the team that takes them over.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from patterns.models import PartyKind
from portfolio.access import PortfolioAccess, portfolio_for_request
from portfolio.forms import TeamChoiceField
from portfolio.models import Role, Team
from portfolio.selectors import portfolio_teams
from portfolio.services import team_create, team_delete, team_dependants, team_update
from portfolio.views.rendering import INVALID_STATUS, render_page
from portfolio.views.service_errors import add_service_errors

TEMPLATE = "portfolio/teams.html"


class TeamForm(forms.Form):
    """A team's fields. `form_id` ties the inputs of a table row to the row's form element."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    party_kind = forms.ChoiceField(label=gettext_lazy("Party kind"), choices=PartyKind.choices)
    contact = forms.CharField(label=gettext_lazy("Contact"), max_length=200, required=False)
    member_count = forms.IntegerField(label=gettext_lazy("Members"), min_value=0, required=False)

    def __init__(self, *args, form_id: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if form_id is not None:
            for field in self.fields.values():
                field.widget.attrs["form"] = form_id


class TeamDeleteForm(forms.Form):
    replacement = TeamChoiceField(label=gettext_lazy("Team that takes over"), queryset=Team.objects.none(),
                                  required=False, empty_label=gettext_lazy("Choose a team"))

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replacement"].queryset = Team.objects.filter(portfolio_id=team.portfolio_id).exclude(
            pk=team.pk)


@login_required
@require_http_methods(["GET", "POST"])
def team_list(request, key):
    """List the portfolio's teams; a POST from an editor creates one."""
    writing = request.method == "POST"
    access = portfolio_for_request(request, key, Role.EDITOR if writing else Role.VIEWER)
    form = TeamForm(request.POST if writing else None, prefix="new") if access.can_edit else None
    if not writing:
        return _render_list(request, access, form)
    if form.is_valid():
        try:
            team = team_create(portfolio=access.portfolio, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            notice = _("Created the team “%(name)s”.") % {"name": team.name}
            if not request.htmx:
                messages.success(request, notice)
                return redirect("team-list", key=key)
            return _render_list(request, access, TeamForm(prefix="new"), notice=notice)
    return _render_list(request, access, form, status=INVALID_STATUS)


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request, key, team_id):
    """Edit one team in place: GET shows the row's form (or, with `view`, the row), POST saves it."""
    access = portfolio_for_request(request, key, Role.EDITOR)
    team = get_object_or_404(Team, pk=team_id, portfolio=access.portfolio)
    if request.method == "GET":
        form = None if "view" in request.GET else _row_form(team)
        return _render_row(request, access, team, form)

    form = _row_form(team, request.POST)
    if form.is_valid():
        try:
            team_update(team=team, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, _("Saved the team “%(name)s”.") % {"name": team.name})
                return redirect("team-list", key=key)
            return _render_row(request, access, team, None)
    return _render_row(request, access, team, form, status=INVALID_STATUS)


@login_required
@require_http_methods(["GET", "POST"])
def team_delete_confirm(request, key, team_id):
    """Show what depends on the team and ask for a replacement (GET); delete and hand over (POST)."""
    access = portfolio_for_request(request, key, Role.EDITOR)
    team = get_object_or_404(Team, pk=team_id, portfolio=access.portfolio)
    form = TeamDeleteForm(request.POST if request.method == "POST" else None, team=team)
    status = 200
    if request.method == "POST":
        status = INVALID_STATUS
        if form.is_valid():
            try:
                team_delete(team=team, replacement=form.cleaned_data["replacement"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _deleted_message(team, form.cleaned_data["replacement"]))
                return redirect("team-list", key=key)
    context = {
        "access": access,
        "portfolio": access.portfolio,
        "team": team,
        "dependants": team_dependants(team),
        "form": form,
    }
    return render(request, "portfolio/team_delete.html", context, status=status)


def _deleted_message(team: Team, replacement: Team | None) -> str:
    if replacement is None:
        return _("Deleted the team “%(name)s”.") % {"name": team.name}
    return _("Deleted the team “%(name)s”; “%(replacement)s” took over its services, practices and RACI "
             "cells.") % {"name": team.name, "replacement": replacement.name}


def _row_form(team: Team, data=None) -> TeamForm:
    initial = {"name": team.name, "party_kind": team.party_kind, "contact": team.contact,
               "member_count": team.member_count}
    return TeamForm(data, initial=initial, form_id=f"team-form-{team.pk}", auto_id=f"team-{team.pk}-%s")


def _render_list(request, access: PortfolioAccess, form, *, notice: str = "", status: int = 200):
    rows = [(team, None) for team in portfolio_teams(access.portfolio)]
    context = {"access": access, "portfolio": access.portfolio, "rows": rows, "form": form, "notice": notice}
    return render_page(request, TEMPLATE, context, partial="teams", status=status)


def _render_row(request, access, team: Team, form, *, status: int = 200):
    """Render the team's table row for htmx, or the teams page with that row open otherwise."""
    if not request.htmx:
        rows = [(other, form if other.pk == team.pk else None) for other in portfolio_teams(access.portfolio)]
        context = {"access": access, "portfolio": access.portfolio, "rows": rows,
                   "form": TeamForm(prefix="new"), "notice": ""}
        return render(request, TEMPLATE, context, status=status)
    context = {"access": access, "portfolio": access.portfolio, "team": team, "row_form": form}
    return render(request, "portfolio/team_row.html", context, status=status)
