"""The service editor's writes: details, pattern mix, RACI cells and undo.

An htmx request gets the changed section plus out-of-band swaps of the findings
panel, the finding counts and the status line with its Undo button. Any other
request is redirected back to the page (post/redirect/get). Invalid input gets
422 with the section and its errors. A write based on data that someone else
changed in the meantime gets 409 with the section as it is stored now, and
the editor's own values where there are any, so they can apply them again.
"""

from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from patterns.models import DecisionFactor, LifecycleActivity, Pattern
from patterns.reference import reference_tables
from portfolio.access import portfolio_for_request
from portfolio.analysis.engine import portfolio_snapshot
from portfolio.forms import AccountableTeamForm, AssignPatternForm, TeamChoiceField
from portfolio.models import RaciRole, Role, Team
from portfolio.selectors import service_for_page
from portfolio.services import (
    CellChange,
    EditConflict,
    responsibility_choose_accountable,
    responsibility_set_role,
    service_assign_pattern,
    service_delete,
    service_remove_pattern,
    service_set_pattern_activities,
    service_update,
)
from portfolio.text import validate_key
from portfolio.undo import (
    ASSIGNMENT,
    CELLS,
    DETAILS,
    assignment_inverse,
    cells_inverse,
    details_inverse,
    undo_apply,
    undo_forget,
    undo_record,
)
from portfolio.views.rendering import INVALID_STATUS, render_page
from portfolio.views.service_detail import (
    TEMPLATE,
    MatrixRow,
    RaciMatrix,
    ServiceDetailsForm,
    conflict_form,
    parse_ids,
    service_context,
)
from portfolio.views.service_errors import add_service_errors

# Conflict: the request was based on data that changed since it was read.
CONFLICT_STATUS = 409

AFTER_DETAILS_CHANGE = "after-details-change"
AFTER_MIX_CHANGE = "after-mix-change"
AFTER_RACI_CHANGE = "after-raci-change"
# The matrix's own forms target the status line (STATUS_TARGET) and get the matrix out of band:
# the changed row alone when the columns stay, else the whole matrix.
STATUS_TARGET = "editor-status"
AFTER_RACI_ROW_CHANGE = "after-raci-row-change"
AFTER_RACI_CHANGE_FROM_MATRIX = "after-raci-change-from-matrix"
AFTER_UNDO = "after-undo"

ANCHORS = {AFTER_DETAILS_CHANGE: "details", AFTER_MIX_CHANGE: "pattern-mix", AFTER_RACI_CHANGE: "raci"}


class RaciCellForm(forms.Form):
    team = TeamChoiceField(queryset=Team.objects.none())
    # A role letter and the state asked for: "R+" gives the role, "R-" takes it away.
    set = forms.RegexField(regex=r"^[RACI][+-]$")
    seen = forms.CharField(required=False)

    def __init__(self, *args, portfolio, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(portfolio=portfolio)


class ActivitiesForm(forms.Form):
    activities = forms.MultipleChoiceField(
        required=False, choices=[],
        error_messages={"invalid_choice": gettext_lazy("%(value)s is not a lifecycle activity.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activities"].choices = [(key, key) for key in
                                             LifecycleActivity.objects.values_list("key", flat=True)]


# --- details ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def edit_details(request, key, service_key):
    """Show the details form (GET) or save it (POST), refusing to overwrite someone else's change."""
    access, service = _editable_service(request, key, service_key)
    factors = list(DecisionFactor.objects.order_by("position"))
    if request.method == "GET":
        form = ServiceDetailsForm(service=service, factors=factors)
        return _render(request, access, service, "details", details_form=form)

    form = ServiceDetailsForm(request.POST, service=service, factors=factors)
    if form.seen_version() not in (None, service.updated_at):
        # Checked before validation, so that a field someone else invalidated (a deleted owner,
        # say) shows as their change rather than as the editor's error.
        message = _("Someone else changed “%(service)s” after you opened it; reload the page to see their "
                    "change, then apply yours again.") % {"service": service}
        return _details_conflict(request, access, service, form, factors, service, message)
    if not form.is_valid():
        return _render(request, access, service, "details", status=INVALID_STATUS, details_form=form)
    changes = form.changes(service)
    if not changes:
        return _done(request, access, service, AFTER_DETAILS_CHANGE, _("Nothing changed."), recorded=False)
    before = {name: getattr(service, name) for name in changes}
    try:
        service_update(service=service, expected_updated_at=form.cleaned_data["updated_at"], **changes)
    except EditConflict as conflict:
        return _details_conflict(request, access, service, form, factors, conflict.current, conflict.message)
    except ValidationError as error:
        add_service_errors(form, error)
        return _render(request, access, service, "details", status=INVALID_STATUS, details_form=form)
    label = _("Changed %(fields)s of “%(service)s”.") % {
        "fields": ", ".join(form.labels_of(changes)), "service": service.name}
    undo_record(request.session, service, label, DETAILS, details_inverse(before, service))
    return _done(request, access, service, AFTER_DETAILS_CHANGE, label)


def _details_conflict(request, access, service, form, factors, current, message: str):
    form, rows = conflict_form(form, current, factors)
    return _render(request, access, current, AFTER_DETAILS_CHANGE, status=CONFLICT_STATUS, details_form=form,
                   conflict_rows=rows, notice=message, notice_level="error")


# --- pattern mix --------------------------------------------------------------------------------


@login_required
@require_POST
def assign_pattern(request, key, service_key):
    access, service = _editable_service(request, key, service_key)
    form = AssignPatternForm(request.POST)
    if form.is_valid():
        try:
            assignment = service_assign_pattern(service=service, pattern_key=form.cleaned_data["pattern"])
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return _render(request, access, service, AFTER_MIX_CHANGE, status=INVALID_STATUS, assign_form=form)
    label = _("Assigned “%(pattern)s”.") % {"pattern": assignment.pattern.name}
    undo_record(request.session, service, label, ASSIGNMENT,
                assignment_inverse(assignment.pattern_id, None, assignment.activities))
    return _done(request, access, service, AFTER_MIX_CHANGE, label)


@login_required
@require_POST
def remove_pattern(request, key, service_key, pattern_key):
    access, service = _editable_service(request, key, service_key)
    try:
        activities = service_remove_pattern(service=service, pattern_key=pattern_key)
    except ValidationError as error:
        return _render(request, access, service, AFTER_MIX_CHANGE, status=INVALID_STATUS,
                       mix_errors=error.messages)
    label = _("Removed “%(pattern)s”.") % {"pattern": _pattern_name(pattern_key)}
    undo_record(request.session, service, label, ASSIGNMENT,
                assignment_inverse(pattern_key, activities, None))
    return _done(request, access, service, AFTER_MIX_CHANGE, label)


@login_required
@require_POST
def set_pattern_activities(request, key, service_key, pattern_key):
    """Choose the lifecycle activities a pattern governs on this service."""
    access, service = _editable_service(request, key, service_key)
    form = ActivitiesForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["activities"])
        before, after = service_set_pattern_activities(
            service=service, pattern_key=pattern_key, activities=form.cleaned_data["activities"])
    except ValidationError as error:
        return _render(request, access, service, AFTER_MIX_CHANGE, status=INVALID_STATUS,
                       mix_errors=error.messages)
    if before == after:
        return _done(request, access, service, AFTER_MIX_CHANGE, _("Nothing changed."), recorded=False)
    label = _("Changed the activities “%(pattern)s” governs.") % {"pattern": _pattern_name(pattern_key)}
    undo_record(request.session, service, label, ASSIGNMENT, assignment_inverse(pattern_key, before, after))
    return _done(request, access, service, AFTER_MIX_CHANGE, label)


# --- RACI ---------------------------------------------------------------------------------------


@login_required
@require_POST
def raci_cell(request, key, service_key, activity_key):
    """Give or take one RACI role of one team for one activity; see `responsibility_set_role`."""
    access, service = _editable_service(request, key, service_key)
    activity = _activity_or_404(access, activity_key)
    form = RaciCellForm(request.POST, portfolio=access.portfolio)
    if not form.is_valid():
        return _raci_error(request, access, service, activity_key, form.errors)
    team = form.cleaned_data["team"]
    role, held = form.cleaned_data["set"][0], form.cleaned_data["set"][1] == "+"
    expected = parse_ids(form.cleaned_data["seen"]) if role == RaciRole.ACCOUNTABLE and held else None
    try:
        change = responsibility_set_role(service=service, activity_key=activity_key, team=team, role=role,
                                         held=held, expected_accountable=expected, activity=activity)
    except EditConflict as conflict:
        return _render(request, access, service, AFTER_RACI_CHANGE, status=CONFLICT_STATUS,
                       notice=conflict.message, notice_level="error")
    except ValidationError as error:
        return _raci_error(request, access, service, activity_key, error.message_dict)
    role_name = RaciRole(role).label.lower()
    if not change.changed:
        notice = (_("“%(team)s” is already %(role)s for %(activity)s: someone else changed it after you "
                    "opened the page. The matrix shows the current state.") if held else
                  _("“%(team)s” is no longer %(role)s for %(activity)s: someone else changed it after you "
                    "opened the page. The matrix shows the current state."))
        notice %= {"team": team.name, "role": role_name, "activity": activity.name}
        return _done(request, access, service, AFTER_RACI_CHANGE, notice, recorded=False, level="warning")
    label = (_("Made “%(team)s” %(role)s for %(activity)s.") if held else
             _("“%(team)s” is no longer %(role)s for %(activity)s."))
    label %= {"team": team.name, "role": role_name, "activity": activity.name}
    return _record_cells(request, access, service, change, label)


@login_required
@require_POST
def set_accountable(request, key, service_key, activity_key):
    """Choose the accountable team of an activity from the list of all the portfolio's teams."""
    access, service = _editable_service(request, key, service_key)
    activity = _activity_or_404(access, activity_key)
    form = AccountableTeamForm(request.POST, portfolio=access.portfolio)
    if not form.is_valid():
        return _raci_error(request, access, service, activity_key, form.errors)
    team = form.cleaned_data["team"]
    seen = request.POST.get("seen")
    try:
        change = responsibility_choose_accountable(
            service=service, activity_key=activity_key, team=team,
            expected_accountable=parse_ids(seen) if seen is not None else None, activity=activity,
        )
    except EditConflict as conflict:
        return _render(request, access, service, AFTER_RACI_CHANGE, status=CONFLICT_STATUS,
                       notice=conflict.message, notice_level="error")
    except ValidationError as error:
        return _raci_error(request, access, service, activity_key, error.message_dict)
    if not change.changed:
        return _done(request, access, service, AFTER_RACI_CHANGE, _("Nothing changed."), recorded=False)
    if team is None:
        label = _("%(activity)s has no accountable team now.") % {"activity": activity.name}
    else:
        label = _("Made “%(team)s” accountable for %(activity)s.") % {"team": team.name,
                                                                      "activity": activity.name}
    return _record_cells(request, access, service, change, label)


def _record_cells(request, access, service, change: CellChange, label: str):
    undo_record(request.session, service, label, CELLS, cells_inverse(change))
    return _done(request, access, service, AFTER_RACI_CHANGE, label)


def _raci_error(request, access, service, activity_key, errors):
    messages_ = [message for field_errors in errors.values() for message in field_errors]
    return _render(request, access, service, AFTER_RACI_CHANGE, status=INVALID_STATUS,
                   raci_error_activity=activity_key, raci_errors=messages_)


# --- undo ---------------------------------------------------------------------------------------


@login_required
@require_POST
def undo(request, key, service_key):
    """Revert the user's last change to this service, unless someone else changed the same data since."""
    access, service = _editable_service(request, key, service_key)
    try:
        entry = undo_apply(request.session, service)
    except EditConflict as conflict:
        return _render(request, access, service, AFTER_UNDO, status=CONFLICT_STATUS,
                       notice=conflict.message, notice_level="error")
    except ValidationError as error:
        return _render(request, access, service, AFTER_UNDO, status=INVALID_STATUS,
                       notice=" ".join(error.messages), notice_level="error")
    notice = _("Undone: %(change)s") % {"change": entry.label}
    return _done(request, access, service, AFTER_UNDO, notice, recorded=False)


# --- rename and delete --------------------------------------------------------------------------


class ServiceRenameForm(forms.Form):
    updated_at = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    key = forms.CharField(label=gettext_lazy("Key"), max_length=60, validators=[validate_key],
                          help_text=gettext_lazy("Used in links and imports."))


@login_required
@require_http_methods(["GET", "POST"])
def rename_service(request, key, service_key):
    """Change a service's name and key on a page of its own, because a new key changes every link."""
    access, service = _editable_service(request, key, service_key)
    initial = {"updated_at": service.updated_at.isoformat(), "name": service.name, "key": service.key}
    form = ServiceRenameForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        status = _rename(form, service)
        if status == 200:
            messages.success(request, _("Renamed the service to “%(name)s” (key %(key)s).")
                             % {"name": service.name, "key": service.key})
            return redirect("service-detail", key=key, service_key=service.key)
    context = {"access": access, "portfolio": access.portfolio, "service": service, "form": form}
    return render(request, "portfolio/service_detail/rename.html", context, status=status)


def _rename(form: ServiceRenameForm, service) -> int:
    """Apply a valid rename form to `service`; return 200, or the error status with the errors on `form`."""
    if not form.is_valid():
        return INVALID_STATUS
    try:
        seen = datetime.fromisoformat(form.cleaned_data["updated_at"])
        service_update(service=service, expected_updated_at=seen, name=form.cleaned_data["name"],
                       key=form.cleaned_data["key"])
    except ValueError:
        form.add_error(None, _("The form is damaged; reload the page and rename again."))
        return INVALID_STATUS
    except EditConflict as conflict:
        stored = conflict.current
        form.data = form.data.copy()
        form.data["updated_at"] = stored.updated_at.isoformat()
        form.add_error(None, _("%(conflict)s It is now named “%(name)s” with the key %(key)s; save again to "
                               "apply your name and key.")
                       % {"conflict": conflict.message, "name": stored.name, "key": stored.key})
        return CONFLICT_STATUS
    except ValidationError as error:
        add_service_errors(form, error)
        return INVALID_STATUS
    return 200


@login_required
@require_http_methods(["GET", "POST"])
def delete_service(request, key, service_key):
    """Ask for confirmation (GET), then delete the service with its pattern mix and RACI (POST)."""
    access, service = _editable_service(request, key, service_key)
    if request.method == "POST":
        name = service.name
        service_delete(service=service)
        undo_forget(request.session, service)
        messages.success(request, _("Deleted the service “%(name)s”.") % {"name": name})
        return redirect("service-list", key=key)
    context = {
        "access": access,
        "portfolio": access.portfolio,
        "service": service,
        "assignments": service.assignments.count(),
        "cells": service.responsibilities.count(),
    }
    return render(request, "portfolio/service_detail/delete.html", context)


# --- responses ----------------------------------------------------------------------------------


def _editable_service(request, key, service_key):
    access = portfolio_for_request(request, key, Role.EDITOR)
    return access, service_for_page(access.portfolio, service_key)


def _activity_or_404(access, activity_key: str):
    """Return the lifecycle activity in the URL, or raise Http404 for an unknown key."""
    activity = reference_tables(portfolio_snapshot(access.portfolio).library).activity(activity_key)
    if activity is None:
        raise Http404(_("No lifecycle activity has the key “%(key)s”.") % {"key": activity_key})
    return activity


def _columns(request) -> list[int]:
    return parse_ids(request.POST.get("columns", "") or request.GET.get("columns", ""))


def _render(request, access, service, partial: str, *, status: int = 200, **extra):
    """Render `partial` for htmx, or the whole page (with the same context) for any other request."""
    # A write may have raised the revision in the database; analyse the portfolio as it is now.
    access.portfolio.refresh_revision()
    context = service_context(request, access, service, columns=_columns(request), **extra)
    if partial == AFTER_RACI_CHANGE and request.htmx and request.htmx.target == STATUS_TARGET:
        # A form in the matrix sent the request: the status line is the target, the rest is out of band.
        row = _sending_row(request, context["matrix"])
        partial = AFTER_RACI_CHANGE_FROM_MATRIX
        if row is not None:
            context["row"] = row
            partial = AFTER_RACI_ROW_CHANGE
    return render_page(request, TEMPLATE, context, partial=partial if request.htmx else None, status=status)


def _sending_row(request, matrix: RaciMatrix) -> MatrixRow | None:
    """Return the matrix row of the activity in the URL, or None when the whole matrix must be sent.

    The row alone is enough while the matrix keeps the columns the page showed
    and every other row is as the page showed it (`state`). A change can add a
    column, when a team without a role is made accountable, and then every row
    needs the new cell.
    """
    if set(_columns(request)) != {team.pk for team in matrix.columns}:
        return None
    activity_key = request.resolver_match.kwargs.get("activity_key")
    # Another user may have changed another row since the page showed it: then that row is old.
    if not matrix.other_rows_shown(request.POST.get("state", ""), activity_key):
        return None
    return next((row for row in matrix.rows if row.raci.activity.key == activity_key), None)


def _done(request, access, service, partial: str, notice: str, *, recorded: bool = True, level: str = "info"):
    """Respond to a finished write: the sections it changed for htmx, else a redirect back to the page.

    `recorded` says whether the write left an undo entry; the status line offers
    Undo only then, and otherwise shows `notice` alone.
    """
    if not request.htmx:
        messages.add_message(request, messages.WARNING if level == "warning" else messages.SUCCESS, notice)
        url = reverse("service-detail", args=[access.portfolio.key, service.key])
        columns = _columns(request)
        if columns:
            url += "?" + urlencode({"columns": ",".join(map(str, columns))})
        return redirect(f"{url}#{ANCHORS.get(partial, 'editor-status')}")
    extra = {} if recorded else {"undo": None}
    return _render(request, access, service, partial, notice=notice, notice_level=level, **extra)


def _pattern_name(pattern_key: str) -> str:
    return Pattern.objects.filter(key=pattern_key).values_list("name", flat=True).first() or pattern_key
