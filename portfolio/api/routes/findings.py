"""Findings of a portfolio's current data, read-only, filterable by level, rule and service.

By default only the findings that count are listed: those no waiver in
force accepts. `include_waived=true` adds the waived ones, each with the id
of its waiver.
"""

from typing import Annotated

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from portfolio.analysis import Finding, Level, analyse_portfolio
from portfolio.api.access import member_access
from portfolio.api.pagination import Pagination
from portfolio.api.schemas import responses
from portfolio.api.types import KEY_PATTERN, Key, KeyPath, LevelName

router = Router(tags=["findings"])

RuleCode = Annotated[str, Field(min_length=1, max_length=20, pattern=KEY_PATTERN)]


class FindingOut(Schema):
    code: str = Field(description="Stable code of the rule, such as VCP-E001.")
    level: LevelName
    message: str
    hint: str = Field(description="What to do about the finding.")
    subject: str = Field(description="What the finding is about; a waiver names the same code and subject.")
    service: str | None = Field(description="Key of the service, or null for a portfolio-wide finding.")
    activity: str | None
    practice: str | None
    pattern: str | None
    factor: str | None
    waiver: int | None = Field(description="Id of the waiver that accepts the finding; null when it counts.")


class FindingFilters(Schema):
    level: LevelName | None = Field(None, description="Only findings of this level.")
    rule: RuleCode | None = Field(None, description="Only findings of this rule code.")
    service: Key | None = Field(None, description="Only findings about this service key.")
    include_waived: bool = Field(False, description="Also list the findings that a waiver accepts.")


@router.get("/portfolios/{key}/findings", response=responses({200: list[FindingOut]}),
            summary="List findings, errors first")
@paginate(Pagination)
def list_findings(request, key: KeyPath, filters: Query[FindingFilters]):
    access = member_access(request, key)
    result = analyse_portfolio(access.portfolio)
    pairs = [(finding, None) for finding in result.findings]
    if filters.include_waived:
        pairs += [(waived.finding, waived.waiver.id) for waived in result.waived]
        pairs.sort(key=lambda pair: pair[0].sort_key)
    level = Level.from_label(filters.level) if filters.level else None
    return [
        _finding_out(finding, waiver_id) for finding, waiver_id in pairs
        if (level is None or finding.level == level)
        and (filters.rule is None or finding.code == filters.rule)
        and (filters.service is None or finding.service == filters.service)
    ]


def _finding_out(finding: Finding, waiver_id: int | None) -> dict:
    return {
        "code": finding.code,
        "level": finding.level.label,
        "message": str(finding.message),
        "hint": str(finding.hint),
        "subject": finding.subject,
        "service": finding.service,
        "activity": finding.activity,
        "practice": finding.practice,
        "pattern": finding.pattern,
        "factor": finding.factor,
        "waiver": waiver_id,
    }
