"""Workshop list, create and edit pages, the agenda editor and the start and close buttons."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portfolio.access import portfolio_for_request
from portfolio.models import Role, Service
from portfolio.workshops import services
from portfolio.workshops.forms import AgendaAddForm, WorkshopForm
from portfolio.workshops.models import AgendaItem, Workshop
from portfolio.workshops.selectors import workshop_agenda, workshop_for_request


@login_required
def workshop_list(request, key):
    access = portfolio_for_request(request, key)
    form = None
    if access.can_edit:
        form = WorkshopForm(request.POST or None, portfolio=access.portfolio,
                            initial={"facilitator": request.user})
        if request.method == "POST" and form.is_valid():
            workshop = services.workshop_create(portfolio=access.portfolio, **form.cleaned_data)
            return redirect("workshops:edit", key, workshop.pk)
    workshops = Workshop.objects.filter(portfolio=access.portfolio).select_related("facilitator")
    return render(request, "workshops/list.html", {"access": access, "portfolio": access.portfolio,
                                                   "workshops": workshops, "form": form})


@login_required
def workshop_edit(request, key, workshop_id):
    access, workshop = workshop_for_request(request, key, workshop_id, Role.EDITOR)
    form = WorkshopForm(request.POST or None, instance=workshop, portfolio=access.portfolio)
    if request.method == "POST" and form.is_valid():
        services.workshop_update(workshop=workshop, **form.cleaned_data)
        messages.success(request, _("Workshop saved."))
        return redirect("workshops:edit", key, workshop.pk)
    agenda = workshop_agenda(workshop)
    on_agenda = {item.service_id for item in agenda}
    add_form = AgendaAddForm(
        services=Service.objects.filter(portfolio=access.portfolio).exclude(pk__in=on_agenda))
    return render(request, "workshops/edit.html", {
        "access": access, "portfolio": access.portfolio, "workshop": workshop, "form": form,
        "agenda": agenda, "add_form": add_form,
    })


@login_required
@require_POST
def agenda_add(request, key, workshop_id):
    access, workshop = workshop_for_request(request, key, workshop_id, Role.EDITOR)
    form = AgendaAddForm(request.POST, services=Service.objects.filter(portfolio=access.portfolio))
    if form.is_valid():
        try:
            services.agenda_add(workshop=workshop, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
    return redirect("workshops:edit", key, workshop.pk)


@login_required
@require_POST
def agenda_change(request, key, workshop_id, item_id):
    """Move an agenda item up or down, or remove it, as the pressed button's `action` requests."""
    _access, workshop = workshop_for_request(request, key, workshop_id, Role.EDITOR)
    item = get_object_or_404(AgendaItem, pk=item_id, workshop=workshop)
    item.workshop = workshop
    action = request.POST.get("action")
    if action in ("up", "down"):
        services.agenda_move(item=item, offset=-1 if action == "up" else 1)
    elif action == "remove":
        services.agenda_remove(item=item)
    return redirect("workshops:edit", key, workshop.pk)


@login_required
@require_POST
def workshop_status(request, key, workshop_id):
    _access, workshop = workshop_for_request(request, key, workshop_id, Role.EDITOR)
    try:
        if request.POST.get("action") == "start":
            services.workshop_start(workshop=workshop)
            return redirect("workshops:board", key, workshop.pk)
        services.workshop_close(workshop=workshop)
        return redirect("workshops:minutes", key, workshop.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("workshops:edit", key, workshop.pk)
