"""The changes a workshop can make to a service, each carried out by a portfolio write service."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from portfolio import services
from portfolio.models import Service, Team
from portfolio.workshops.models import ChangeKind


@dataclass(frozen=True)
class Change:
    """One change to one service; which fields count depends on `kind`.

    assign_pattern and set_activities use `activities` (None: the pattern's
    whole scope). set_accountable uses `activity_key` and `team`, and `team`
    None leaves the activity without an accountable team.
    """

    kind: str
    service: Service
    pattern_key: str = ""
    activities: tuple[str, ...] | None = None
    activity_key: str = ""
    team: Team | None = None

    def apply(self) -> None:
        """Write the change through the portfolio services; raises ValidationError on bad input."""
        if self.kind == ChangeKind.ASSIGN_PATTERN:
            services.service_assign_pattern(service=self.service, pattern_key=self.pattern_key,
                                            activities=self.activities)
        elif self.kind == ChangeKind.REMOVE_PATTERN:
            services.service_remove_pattern(service=self.service, pattern_key=self.pattern_key)
        elif self.kind == ChangeKind.SET_ACTIVITIES:
            services.service_set_pattern_activities(service=self.service, pattern_key=self.pattern_key,
                                                    activities=self.activities or ())
        elif self.kind == ChangeKind.SET_ACCOUNTABLE:
            services.responsibility_choose_accountable(service=self.service, activity_key=self.activity_key,
                                                       team=self.team)
        else:
            raise ValueError(f"Unknown change kind {self.kind!r}")

    def describe(self) -> str:
        """Return a one-line account of the change for the decision log."""
        names = {"service": self.service.name, "pattern": self.pattern_key,
                 "activities": ", ".join(self.activities or ()) or _("its whole scope"),
                 "activity": self.activity_key, "team": self.team.name if self.team else _("no team")}
        if self.kind == ChangeKind.ASSIGN_PATTERN:
            return _("Assign %(pattern)s to %(service)s, governing %(activities)s") % names
        if self.kind == ChangeKind.REMOVE_PATTERN:
            return _("Remove %(pattern)s from %(service)s") % names
        if self.kind == ChangeKind.SET_ACTIVITIES:
            return _("Let %(pattern)s govern %(activities)s on %(service)s") % names
        return _("Make %(team)s accountable for %(activity)s of %(service)s") % names

    def record(self) -> dict:
        """Return the change's parameters and the ids of the objects it touches, for the decision."""
        return {
            "kind": self.kind,
            "service_id": self.service.pk,
            "service_key": self.service.key,
            "pattern_key": self.pattern_key or None,
            "activities": list(self.activities) if self.activities is not None else None,
            "activity_key": self.activity_key or None,
            "team_id": self.team.pk if self.team else None,
        }
