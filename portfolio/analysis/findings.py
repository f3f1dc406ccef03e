"""The value objects the analysis engine returns."""

import enum
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


class Level(enum.IntEnum):
    """Severity of a finding, with the numbers Django's system checks use."""

    INFO = 20
    WARNING = 30
    ERROR = 40

    @property
    def label(self) -> str:
        return self.name.lower()

    @property
    def display(self) -> str:
        return str(LEVEL_DISPLAY[self])

    @classmethod
    def from_label(cls, label: str) -> "Level":
        try:
            return cls[label.upper()]
        except KeyError:
            raise ValueError(f"Unknown level {label!r}; use error, warning or info.") from None


# The lifecycle order of the shipped library, so findings list discover before design.
# An activity the order does not know sorts after these, by key.
ACTIVITY_ORDER = {
    key: position
    for position, key in enumerate(
        ("discover", "design", "acquire", "build", "transition", "operate", "deliver", "support")
    )
}

LEVEL_DISPLAY = {Level.INFO: _("Info"), Level.WARNING: _("Warning"), Level.ERROR: _("Error")}


@dataclass(frozen=True, slots=True)
class Finding:
    """One mismatch in a portfolio; compares by value so a rule test is one `==`.

    `service`, `activity`, `practice`, `pattern` and `factor` are keys (or
    None) naming what the finding is about. `subject` joins all but `pattern`
    into the stable string a waiver refers to: `pattern` only points to the
    library page that explains the expectation, and may change with the mix.
    """

    code: str
    level: Level
    message: str
    hint: str
    service: str | None = None
    activity: str | None = None
    practice: str | None = None
    pattern: str | None = None
    factor: str | None = None

    @property
    def subject(self) -> str:
        parts = [
            f"{name}:{value}"
            for name, value in (
                ("service", self.service),
                ("activity", self.activity),
                ("practice", self.practice),
                ("factor", self.factor),
            )
            if value is not None
        ]
        return "/".join(parts) or "portfolio"

    @property
    def sort_key(self) -> tuple:
        activity = (ACTIVITY_ORDER.get(self.activity, len(ACTIVITY_ORDER)), self.activity or "")
        return (-self.level, self.service or "", self.code, activity, self.practice or "", self.factor or "")
