"""What-if previews, applied decisions and action items, posted from the board by editors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portfolio.models import Role
from portfolio.views.rendering import INVALID_STATUS, finding_rows, render_page
from portfolio.workshops import services
from portfolio.workshops.changes import Change
from portfolio.workshops.forms import ActionForm, ChangeForm, DecisionForm
from portfolio.workshops.models import WorkshopStatus
from portfolio.workshops.selectors import board_item, workshop_for_request
from portfolio.workshops.views.board import TEMPLATE, board_context


def _editable_workshop(request, key, workshop_id):
    access, workshop = workshop_for_request(request, key, workshop_id, Role.EDITOR)
    if workshop.status == WorkshopStatus.CLOSED:
        raise ValidationError(_("The workshop is closed; its decisions can no longer change."))
    return access, workshop


def change_from_form(form: ChangeForm, service) -> Change:
    data = form.cleaned_data
    activities = [activity.key for activity in data.get("activities") or []]
    pattern = data.get("pattern")
    return Change(
        kind=data["kind"], service=service, pattern_key=pattern.key if pattern else "",
        activities=tuple(activities) if activities else None,
        activity_key=data["activity"].key if data.get("activity") else "", team=data.get("team"),
    )


@login_required
@require_POST
def change_preview(request, key, workshop_id, position):
    """Show the findings a change would add and remove, with a form to apply it or discard it."""
    access, workshop = _editable_workshop(request, key, workshop_id)
    service = board_item(workshop, position).item.service
    form = ChangeForm(request.POST, portfolio=access.portfolio)
    preview, errors = None, []
    if form.is_valid():
        change = change_from_form(form, service)
        try:
            delta = services.change_preview(portfolio=access.portfolio, change=change)
        except ValidationError as error:
            errors = error.messages
        else:
            preview = {
                "summary": change.describe(), "added": finding_rows(delta.added),
                "removed": finding_rows(delta.removed),
                "form": DecisionForm(request.POST, portfolio=access.portfolio),
            }
    context = board_context(request, access, workshop, position, change_form=form, preview=preview,
                            change_errors=errors)
    status = 200 if preview else INVALID_STATUS
    return render_page(request, TEMPLATE, context, partial="whatif", status=status)


@login_required
@require_POST
def decision_apply(request, key, workshop_id, position):
    """Apply a previewed change and record the decision; back to the board either way."""
    access, workshop = _editable_workshop(request, key, workshop_id)
    service = board_item(workshop, position).item.service
    form = DecisionForm(request.POST, portfolio=access.portfolio)
    if not form.is_valid():
        context = board_context(request, access, workshop, position, change_form=form,
                                change_errors=[e for errors in form.errors.values() for e in errors])
        return render_page(request, TEMPLATE, context, status=INVALID_STATUS)
    try:
        services.decision_apply(workshop=workshop, change=change_from_form(form, service),
                                rationale=form.cleaned_data["rationale"], user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("workshops:board-item", key, workshop.pk, position)


@login_required
@require_POST
def action_add(request, key, workshop_id, position):
    access, workshop = _editable_workshop(request, key, workshop_id)
    board = board_item(workshop, position)
    form = ActionForm(request.POST, portfolio=access.portfolio)
    if form.is_valid():
        decision = board.decisions[-1] if board.decisions else None
        services.action_add(workshop=workshop, decision=decision, **form.cleaned_data)
        messages.success(request, _("Action item added."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("workshops:board-item", key, workshop.pk, position)
