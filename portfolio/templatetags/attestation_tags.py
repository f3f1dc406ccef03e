"""The attestation panel of the service page: the state of the service's mapping and the attest button."""

from dataclasses import dataclass
from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.attestation import AttestationState, attestation_state, unattested_under_lock
from portfolio.models import Service

register = template.Library()


@dataclass(frozen=True)
class AttestationPanel:
    state: AttestationState
    attested_at: datetime | None
    attested_by: str
    can_attest: bool
    # The statement that the attest button confirms, shown beside it and in the browser's dialog.
    confirmation: str
    # The reason an editor gets no attest button, or "".
    blocked_reason: str
    # When the panel was rendered (ISO 8601). The attest request sends it back, and a mapping that
    # someone else changed after this moment is rejected instead of attested unseen.
    shown_at: str


@register.inclusion_tag("portfolio/service_detail/attestation.html", takes_context=True)
def attestation_panel(context):
    """Render the panel for the context's `service`, `portfolio` and `access`.

    With `refresh` true in the context (the responses to mapping edits), the
    attestation fields are read again, in one query, because the edit may have
    marked the service for review. A service that the edit found unattested
    under its row lock was not marked, and is shown as that read found it.
    """
    service, portfolio, access = context["service"], context["portfolio"], context["access"]
    if context.get("refresh") and not unattested_under_lock(service, this_transaction=False):
        service = Service.objects.select_related("owner", "attested_by").get(pk=service.pk)
    panel = AttestationPanel(
        state=attestation_state(service, portfolio),
        attested_at=service.attested_at,
        attested_by=service.attested_by.get_username() if service.attested_by else "",
        can_attest=access.can_edit and service.owner is not None and access.team_id == service.owner_id,
        confirmation=_confirmation(service),
        blocked_reason=_blocked_reason(service, access),
        shown_at=timezone.now().isoformat(),
    )
    return {"panel": panel, "service": service, "portfolio": portfolio, "access": access,
            "oob": context.get("oob", False), "notice": context.get("attestation_notice", ""),
            "errors": context.get("attestation_errors", ()), "review_period": portfolio.review_period_days}


def _confirmation(service: Service) -> str:
    if service.owner is None:
        return ""
    return _("On behalf of “%(team)s”, you confirm that the pattern mix and the RACI matrix of "
             "“%(service)s”, as this page shows them, are right.") % {
        "team": service.owner.name, "service": service.name}


def _blocked_reason(service: Service, access) -> str:
    if not access.can_edit:
        return ""
    if service.owner is None:
        return _("Choose an owning team; its members can then attest the mapping.")
    if access.team_id != service.owner_id:
        return _("Only members of “%(team)s” attest this mapping. A portfolio owner links members to teams "
                 "on the Members page.") % {"team": service.owner.name}
    return ""
