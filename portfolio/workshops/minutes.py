"""The minutes of a workshop: decisions, the findings before and after, and the open action items."""

from dataclasses import dataclass

from portfolio.analysis import Finding
from portfolio.workshops.findings import FindingsDelta, current_findings, finding_from_dict, findings_delta
from portfolio.workshops.models import ActionItem, Decision, Workshop, WorkshopStatus


@dataclass(frozen=True)
class DecisionMinute:
    decision: Decision
    added: tuple[Finding, ...]
    removed: tuple[Finding, ...]


@dataclass(frozen=True)
class Minutes:
    workshop: Workshop
    decisions: tuple[DecisionMinute, ...]
    before_count: int
    after_count: int
    # Before: as recorded when the workshop started; after: at its close, or now while it runs.
    delta: FindingsDelta
    open_actions: tuple[ActionItem, ...]
    done_actions: tuple[ActionItem, ...]


def workshop_minutes(workshop: Workshop) -> Minutes:
    decisions = tuple(
        DecisionMinute(decision,
                       tuple(finding_from_dict(item) for item in decision.findings_added),
                       tuple(finding_from_dict(item) for item in decision.findings_removed))
        for decision in Decision.objects.filter(workshop=workshop).select_related("service")
    )
    before = frozenset(finding_from_dict(item) for item in workshop.findings_before)
    if workshop.status == WorkshopStatus.CLOSED:
        after = frozenset(finding_from_dict(item) for item in workshop.findings_after)
    elif workshop.status == WorkshopStatus.RUNNING:
        after = current_findings(workshop.portfolio)
    else:
        after = before
    actions = list(ActionItem.objects.filter(workshop=workshop).select_related("owner", "decision"))
    return Minutes(
        workshop=workshop, decisions=decisions, before_count=len(before), after_count=len(after),
        delta=findings_delta(before, after),
        open_actions=tuple(action for action in actions if not action.done),
        done_actions=tuple(action for action in actions if action.done),
    )
