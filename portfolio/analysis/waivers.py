"""Waivers in the analysis: which findings are accepted, which waivers expired or became obsolete.

A waiver covers every finding with its code and subject. It applies up to and
including its `expires_on` date. After that the finding counts again and the
waiver is reported as expired. A waiver whose finding is gone is obsolete,
whether or not it has expired, because renewing it would cover nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime

from portfolio.analysis.findings import Finding
from portfolio.models import Portfolio, Waiver


@dataclass(frozen=True, slots=True)
class WaiverInfo:
    """One waiver row as the analysis and the findings page read it."""

    id: int
    code: str
    subject: str
    justification: str
    approver: str
    expires_on: date
    accepted_by: str
    created_at: datetime

    @property
    def key(self) -> tuple[str, str]:
        return (self.code, self.subject)

    def expired(self, today: date) -> bool:
        """Return True once `today` is after the expiry date; the waiver still applies on that date."""
        return self.expires_on < today


@dataclass(frozen=True, slots=True)
class WaivedFinding:
    """A finding that a waiver in force accepts; the findings page shows both."""

    finding: Finding
    waiver: WaiverInfo


@dataclass(frozen=True)
class WaiverOutcome:
    findings: tuple[Finding, ...]
    waived: tuple[WaivedFinding, ...]
    expired: tuple[WaiverInfo, ...]
    obsolete: tuple[WaiverInfo, ...]


def load_waivers(portfolio: Portfolio) -> tuple[WaiverInfo, ...]:
    """Read the portfolio's waivers with the accepting user's name, in one query."""
    rows = (
        Waiver.objects.filter(portfolio=portfolio)
        .order_by("code", "subject")
        .values_list("pk", "code", "subject", "justification", "approver", "expires_on",
                     "accepted_by__username", "created_at")
    )
    return tuple(WaiverInfo(*row) for row in rows)


def apply_waivers(findings, waivers, today: date) -> WaiverOutcome:
    """Split `findings` into unwaived and waived ones and sort the waivers that no longer apply.

    The order of `findings` is kept in both the unwaived and the waived list.
    """
    if not waivers:
        # Most portfolios have no waiver, and each write makes a new result of thousands of findings.
        return WaiverOutcome(tuple(findings), (), (), ())
    by_key = {waiver.key: waiver for waiver in waivers}
    # Only findings with a waived code need their subject, which costs a string join each.
    codes = {waiver.code for waiver in waivers}
    counted: list[Finding] = []
    waived: list[WaivedFinding] = []
    found_keys: set[tuple[str, str]] = set()
    for finding in findings:
        if finding.code not in codes:
            counted.append(finding)
            continue
        key = (finding.code, finding.subject)
        found_keys.add(key)
        waiver = by_key.get(key)
        if waiver is None or waiver.expired(today):
            counted.append(finding)
        else:
            waived.append(WaivedFinding(finding, waiver))

    obsolete = tuple(waiver for waiver in waivers if waiver.key not in found_keys)
    expired = tuple(waiver for waiver in waivers if waiver.key in found_keys and waiver.expired(today))
    return WaiverOutcome(tuple(counted), tuple(waived), expired, obsolete)
