"""The models whose changes the history records, by the object type names that URLs and filters use."""

from django.utils.translation import gettext_lazy as _

from portfolio.models import (
    Membership,
    PatternAssignment,
    Portfolio,
    PracticeAdoption,
    Responsibility,
    Service,
    Team,
    Waiver,
)

OBJECT_TYPES = {
    "portfolio": Portfolio,
    "membership": Membership,
    "team": Team,
    "service": Service,
    "assignment": PatternAssignment,
    "responsibility": Responsibility,
    "practice": PracticeAdoption,
    "waiver": Waiver,
}
OBJECT_TYPE_LABELS = {
    "portfolio": _("Portfolio settings"),
    "membership": _("Membership"),
    "team": _("Team"),
    "service": _("Service"),
    "assignment": _("Pattern assignment"),
    "responsibility": _("RACI cell"),
    "practice": _("Practice adoption"),
    "waiver": _("Waiver"),
}
# Fields left out of the before and after values: the row's own id and its portfolio.
HIDDEN_FIELDS = frozenset({"id", "portfolio"})
# Foreign keys whose ids the feed shows as names.
TEAM_FIELDS = frozenset({"owner", "team"})
USER_FIELDS = frozenset({"user", "accepted_by", "attested_by"})
SERVICE_CHILDREN = ("assignment", "responsibility")
