"""Bulk actions from the catalogue page: a confirmation step, then the change in one transaction.

The list's bulk form posts here. Without `confirm` the page shows how many of
the selected services will change and which are skipped, and why. With
`confirm` the change is applied, and the user goes back to the list they came
from with a message that reports the result. Editors and owners only.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portfolio.access import portfolio_for_request
from portfolio.bulk import bulk_apply, bulk_change, bulk_plan, describe, result_message, skipped_message
from portfolio.catalogue.listing import ListState
from portfolio.catalogue.lookups import catalogue_lookups
from portfolio.models import Role
from portfolio.views.bulk_forms import BulkForm
from portfolio.views.rendering import INVALID_STATUS
from portfolio.views.service_errors import add_service_errors
from portfolio.views.service_list import list_url

TEMPLATE = "portfolio/bulk_confirm.html"


@login_required
@require_POST
def bulk(request, key):
    access = portfolio_for_request(request, key, Role.EDITOR)
    portfolio = access.portfolio
    lookups = catalogue_lookups(portfolio)
    form = BulkForm(request.POST, lookups=lookups)
    state = ListState.from_query(QueryDict(request.POST.get("list_state", "").removeprefix("?")), lookups)
    back_url = list_url(portfolio.key, state)
    plan = change = None
    if form.is_valid():
        try:
            change = bulk_change(portfolio=portfolio, **form.change_arguments())
            selection = form.cleaned_data["services"]
            if request.POST.get("confirm"):
                plan = bulk_apply(portfolio=portfolio, service_ids=selection, change=change)
                _report(request, plan)
                return redirect(back_url)
            plan = bulk_plan(portfolio=portfolio, service_ids=selection, change=change)
        except ValidationError as error:
            add_service_errors(form, error)
            plan = None
    context = {
        "access": access,
        "portfolio": portfolio,
        "form": form,
        "errors": [message for errors in form.errors.values() for message in errors],
        "plan": plan,
        "description": describe(change) if change is not None else "",
        "skipped_message": skipped_message(plan) if plan is not None else "",
        "back_url": back_url,
    }
    return render(request, TEMPLATE, context, status=INVALID_STATUS if form.errors else 200)


def _report(request, plan) -> None:
    if plan.changes:
        messages.success(request, result_message(plan))
    else:
        messages.info(request, result_message(plan))
    skipped = skipped_message(plan)
    if skipped:
        messages.warning(request, skipped)
