"""Translated labels for the keys the report model stores; an unknown key is shown as it is."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from patterns.models import PartyKind
from portfolio.analysis.findings import LEVEL_DISPLAY, Level
from portfolio.models import AdoptionStatus, RaciRole, ServiceStatus

ASSESSMENTS = {
    "missing": _("Missing"),
    "planned": _("Planned"),
    "immature": _("Below minimum level"),
    "adopted": _("Adopted"),
    "unneeded": _("Not needed by a pattern in use"),
}
# The one-letter abbreviations of the RACI roles that the report's compact RACI matrix prints.
RACI_LETTERS = {
    RaciRole.ACCOUNTABLE: pgettext_lazy("RACI role letter", "A"),
    RaciRole.RESPONSIBLE: pgettext_lazy("RACI role letter", "R"),
    RaciRole.CONSULTED: pgettext_lazy("RACI role letter", "C"),
    RaciRole.INFORMED: pgettext_lazy("RACI role letter", "I"),
}
WAIVER_STATUSES = {"in_force": _("In force"), "expired": _("Expired"), "obsolete": _("Obsolete")}


def _choice(choices, key: str) -> str:
    return str(choices(key).label) if key in choices.values else key


def service_status(key: str) -> str:
    return _choice(ServiceStatus, key)


def adoption_status(key: str) -> str:
    return _choice(AdoptionStatus, key)


def party_kind(key: str) -> str:
    return _choice(PartyKind, key)


def raci_role(key: str) -> str:
    return _choice(RaciRole, key)


def raci_letter(key: str) -> str:
    return str(RACI_LETTERS.get(key, key))


def level(key: str) -> str:
    try:
        return str(LEVEL_DISPLAY[Level.from_label(key)])
    except ValueError:
        return key


def assessment(key: str) -> str:
    return str(ASSESSMENTS.get(key, key))


def waiver_status(key: str) -> str:
    return str(WAIVER_STATUSES.get(key, key))
