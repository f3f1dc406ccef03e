"""The attest button of the service page: the owning team confirms the service's mapping.

An htmx request gets the attestation panel with the outcome; any other request
is redirected to the service page with the outcome as a message.
"""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portfolio.access import portfolio_for_request
from portfolio.attestation import service_attest
from portfolio.models import Role
from portfolio.selectors import service_for_page
from portfolio.views.rendering import INVALID_STATUS, render_page

TEMPLATE = "portfolio/service_detail.html"
PANEL_PARTIAL = "attestation"


@login_required
@require_POST
def attest(request, key, service_key):
    access = portfolio_for_request(request, key, Role.EDITOR)
    service = service_for_page(access.portfolio, service_key)
    context = {"access": access, "portfolio": access.portfolio}
    try:
        service = service_attest(service=service, user=request.user, shown_at=_shown_at(request))
    except ValidationError as error:
        if request.htmx:
            context |= {"service": service, "attestation_errors": error.messages}
            return render_page(request, TEMPLATE, context, partial=PANEL_PARTIAL, status=INVALID_STATUS)
        for message in error.messages:
            messages.error(request, message)
        return redirect("service-detail", key=key, service_key=service.key)
    notice = _("Attested the mapping of “%(service)s” for “%(team)s”.") % {
        "service": service.name, "team": service.owner.name}
    if request.htmx:
        context |= {"service": service, "attestation_notice": notice, "refresh": True}
        return render_page(request, TEMPLATE, context, partial=PANEL_PARTIAL)
    messages.success(request, notice)
    return redirect("service-detail", key=key, service_key=service.key)


def _shown_at(request) -> datetime | None:
    """Return when the attesting page was rendered, or None when the request has no valid value.

    Without the value the attestation is recorded unchecked: the form always sends it,
    and a member who leaves it out can only attest what their role allows anyway.
    """
    try:
        value = parse_datetime(request.POST.get("shown_at", ""))
    except ValueError:
        return None
    if value is None or timezone.is_naive(value):
        return None
    return value
