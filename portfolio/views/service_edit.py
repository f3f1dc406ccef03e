"""The service page's writes: assign and remove patterns, choose accountable teams.

An htmx request gets the changed section plus out-of-band swaps of the findings
panel and the finding counts. Any other request is redirected back to the page
(post/redirect/get). Invalid input gets a 422 response with the section and its errors.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from patterns.models import LifecycleActivity
from portfolio.access import portfolio_for_request
from portfolio.forms import AccountableTeamForm, AssignPatternForm
from portfolio.models import Role
from portfolio.selectors import service_for_page
from portfolio.services import responsibility_set_accountable, service_assign_pattern, service_remove_pattern
from portfolio.views.rendering import INVALID_STATUS, render_page
from portfolio.views.service_detail import TEMPLATE, service_context
from portfolio.views.service_errors import add_service_errors

AFTER_MIX_CHANGE = "after-mix-change"
AFTER_RACI_CHANGE = "after-raci-change"


@login_required
@require_POST
def assign_pattern(request, key, service_key):
    access, service = _editable_service(request, key, service_key)
    form = AssignPatternForm(request.POST)
    if form.is_valid():
        try:
            service_assign_pattern(service=service, pattern_key=form.cleaned_data["pattern"])
        except ValidationError as error:
            add_service_errors(form, error)
    return _respond(request, access, service, AFTER_MIX_CHANGE, failed=bool(form.errors), assign_form=form)


@login_required
@require_POST
def remove_pattern(request, key, service_key, pattern_key):
    access, service = _editable_service(request, key, service_key)
    try:
        service_remove_pattern(service=service, pattern_key=pattern_key)
    except ValidationError as error:
        return _respond(request, access, service, AFTER_MIX_CHANGE, failed=True, mix_errors=error.messages)
    return _respond(request, access, service, AFTER_MIX_CHANGE, failed=False)


@login_required
@require_POST
def set_accountable(request, key, service_key, activity_key):
    access, service = _editable_service(request, key, service_key)
    # An activity key that does not exist makes the URL itself unknown.
    get_object_or_404(LifecycleActivity, key=activity_key)
    form = AccountableTeamForm(request.POST, portfolio=access.portfolio)
    if form.is_valid():
        try:
            responsibility_set_accountable(
                service=service, activity_key=activity_key, team=form.cleaned_data["team"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        messages = [message for errors in form.errors.values() for message in errors]
        return _respond(request, access, service, AFTER_RACI_CHANGE, failed=True,
                        raci_error_activity=activity_key, raci_errors=messages)
    return _respond(request, access, service, AFTER_RACI_CHANGE, failed=False)


def _editable_service(request, key, service_key):
    access = portfolio_for_request(request, key, Role.EDITOR)
    return access, service_for_page(access.portfolio, service_key)


def _respond(request, access, service, partial: str, *, failed: bool, **extra):
    if not failed and not request.htmx:
        return redirect("service-detail", key=access.portfolio.key, service_key=service.key)
    # The write raised the revision in the database; analyse the portfolio as it is now.
    access.portfolio.refresh_revision()
    context = service_context(access, service, **extra)
    status = INVALID_STATUS if failed else 200
    return render_page(request, TEMPLATE, context, partial=partial if request.htmx else None, status=status)
