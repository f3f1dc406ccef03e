"""The members page: every member may read who has which role; owners add, change and remove members.

An htmx write gets the members panel with a status line; any other successful
write is redirected back to the page (post/redirect/get). Invalid input gets a
422 response with the panel and its errors. An owner who removes themselves is
sent to the home page, because the portfolio is no longer theirs to see.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from portfolio.access import PortfolioAccess, portfolio_for_request
from portfolio.members import membership_add, membership_remove, membership_set_role, membership_set_team
from portfolio.models import Membership, Role, Team
from portfolio.selectors import portfolio_members, portfolio_teams
from portfolio.views.rendering import INVALID_STATUS, render_page
from portfolio.views.service_errors import add_service_errors

TEMPLATE = "portfolio/members.html"
PANEL_PARTIAL = "members-panel"


class MemberAddForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150,
                               error_messages={"required": gettext_lazy("Enter the username to add.")})
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices, initial=Role.VIEWER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)


@login_required
@require_http_methods(["GET", "POST"])
def members(request, key):
    """List the members; a POST from an owner adds one."""
    writing = request.method == "POST"
    access = portfolio_for_request(request, key, Role.OWNER if writing else Role.VIEWER)
    form = None
    if access.is_owner:
        form = MemberAddForm(request.POST if writing else None)
    if writing and form.is_valid():
        try:
            membership = membership_add(portfolio=access.portfolio, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            notice = _("Added “%(username)s” as %(role)s.") % {
                "username": membership.user.get_username(), "role": membership.get_role_display()}
            return _respond(request, access, notice)
    return _render(request, access, add_form=form, status=INVALID_STATUS if writing else 200)


@login_required
@require_POST
def member_role(request, key, membership_id):
    access = portfolio_for_request(request, key, Role.OWNER)
    membership = _membership_or_404(access, membership_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        return _render(request, access, errors=form.errors["role"], status=INVALID_STATUS)
    try:
        membership_set_role(membership=membership, role=form.cleaned_data["role"])
    except ValidationError as error:
        return _render(request, access, errors=error.messages, status=INVALID_STATUS)
    if membership.user_id == request.user.pk:
        access = PortfolioAccess(access.portfolio, Role(membership.role), membership.team_id)
    notice = _("“%(username)s” is now %(role)s.") % {
        "username": membership.user.get_username(), "role": membership.get_role_display()}
    return _respond(request, access, notice)


@login_required
@require_POST
def member_team(request, key, membership_id):
    """Link a member to the team they work in; an empty `team` unlinks them."""
    access = portfolio_for_request(request, key, Role.OWNER)
    membership = _membership_or_404(access, membership_id)
    team_id = request.POST.get("team", "")
    team = None
    if team_id:
        teams = Team.objects.filter(portfolio=access.portfolio)
        # str.isdigit() accepts digits such as "²" that int() rejects, so ASCII is checked first.
        team = teams.filter(pk=team_id).first() if team_id.isascii() and team_id.isdigit() else None
        if team is None:
            errors = [_("Choose a team of this portfolio.")]
            return _render(request, access, errors=errors, status=INVALID_STATUS)
    membership_set_team(membership=membership, team=team)
    if membership.user_id == request.user.pk:
        access = PortfolioAccess(access.portfolio, access.role, membership.team_id)
    username = membership.user.get_username()
    if team is None:
        notice = _("“%(username)s” is now in no team.") % {"username": username}
    else:
        notice = _("“%(username)s” now works in “%(team)s”.") % {"username": username, "team": team.name}
    return _respond(request, access, notice)


@login_required
@require_POST
def member_remove(request, key, membership_id):
    access = portfolio_for_request(request, key, Role.OWNER)
    membership = _membership_or_404(access, membership_id)
    try:
        membership_remove(membership=membership)
    except ValidationError as error:
        return _render(request, access, errors=error.messages, status=INVALID_STATUS)
    notice = _("Removed “%(username)s” from “%(portfolio)s”.") % {
        "username": membership.user.get_username(), "portfolio": access.portfolio}
    if membership.user_id == request.user.pk:
        messages.success(request, notice)
        return HttpResponseClientRedirect(reverse("home")) if request.htmx else redirect("home")
    return _respond(request, access, notice)


def _membership_or_404(access: PortfolioAccess, membership_id: int) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user"), portfolio=access.portfolio,
                             pk=membership_id)


def _respond(request, access: PortfolioAccess, notice: str):
    if not request.htmx:
        messages.success(request, notice)
        return redirect("members", key=access.portfolio.key)
    return _render(request, access, notice=notice)


def _render(request, access: PortfolioAccess, *, add_form=None, errors=(), notice="", status=200):
    if add_form is None and access.is_owner:
        add_form = MemberAddForm()
    context = {
        "access": access,
        "portfolio": access.portfolio,
        "members": portfolio_members(access.portfolio),
        "roles": Role.choices,
        "teams": portfolio_teams(access.portfolio) if access.is_owner else [],
        "add_form": add_form,
        "errors": list(errors),
        "notice": notice,
    }
    return render_page(request, TEMPLATE, context, partial=PANEL_PARTIAL, status=status)
