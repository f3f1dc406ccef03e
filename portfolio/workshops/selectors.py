"""Reads for the workshop pages: the workshop behind a URL and one agenda item on the board."""

from dataclasses import dataclass

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from patterns.models import Expectation, PartyKind
from patterns.reference import reference_tables
from portfolio.access import PortfolioAccess, portfolio_for_request
from portfolio.analysis import analyse_portfolio
from portfolio.analysis.engine import portfolio_snapshot
from portfolio.models import Role
from portfolio.selectors import RaciRow, ServicePage, service_page
from portfolio.views.rendering import FindingRow, finding_rows
from portfolio.workshops.models import AgendaItem, Decision, Workshop


def workshop_for_request(
    request: HttpRequest, key: str, workshop_id: int, min_role: str = Role.VIEWER
) -> tuple[PortfolioAccess, Workshop]:
    """Return the member's access and the workshop; Http404 for non-members and other portfolios."""
    access = portfolio_for_request(request, key, min_role)
    workshop = get_object_or_404(Workshop.objects.select_related("facilitator"), pk=workshop_id,
                                 portfolio=access.portfolio)
    workshop.portfolio = access.portfolio
    return access, workshop


@dataclass
class ExpectationCell:
    """One assigned pattern's expectation for one activity; `governs` is False outside its governed set."""

    governs: bool
    accountable: list[str]
    participating: list[str]


@dataclass
class BoardRow:
    raci: RaciRow
    expectations: list[ExpectationCell]

    @property
    def accountable_matches(self) -> bool | None:
        """True when the one accountable team's kind is expected; None when nothing is expected."""
        expected = self.raci.expected_kinds
        team = self.raci.accountable_team
        if not expected:
            return None
        return team is not None and team.party_kind in expected


@dataclass
class BoardItem:
    """One agenda item as the board shows it: the service's mix, RACI and findings, and where we are."""

    workshop: Workshop
    agenda: list[AgendaItem]
    item: AgendaItem
    position: int
    page: ServicePage
    findings: list[FindingRow]
    decisions: list[Decision]
    rows: list[BoardRow]

    @property
    def total(self) -> int:
        return len(self.agenda)

    @property
    def previous_position(self) -> int | None:
        return self.position - 1 if self.position > 1 else None

    @property
    def next_position(self) -> int | None:
        return self.position + 1 if self.position < self.total else None


def workshop_agenda(workshop: Workshop) -> list[AgendaItem]:
    return list(AgendaItem.objects.filter(workshop=workshop).select_related("service").order_by("position"))


def board_item(workshop: Workshop, position: int) -> BoardItem:
    """Read agenda item number `position` (from 1); Http404 when the agenda has no such item."""
    agenda = workshop_agenda(workshop)
    if not 1 <= position <= len(agenda):
        raise Http404(_("The agenda has no item %(position)s.") % {"position": position})
    item = agenda[position - 1]
    service = item.service
    service.portfolio = workshop.portfolio
    result = analyse_portfolio(workshop.portfolio)
    page = service_page(service, reference_tables(portfolio_snapshot(workshop.portfolio).library))
    decisions = list(Decision.objects.filter(workshop=workshop, service=service).prefetch_related(
        "actions__owner"))
    return BoardItem(
        workshop=workshop, agenda=agenda, item=item, position=position, page=page, rows=_board_rows(page),
        findings=finding_rows(result.for_service(service.key)), decisions=decisions,
    )


def _board_rows(page: ServicePage) -> list[BoardRow]:
    expectations = {
        (row.pattern_id, row.activity_id): row
        for row in Expectation.objects.filter(pattern__key__in=[a.pattern_id for a in page.assignments])
    }
    rows = []
    for raci in page.raci:
        cells = []
        for assignment in page.assignments:
            expectation = expectations.get((assignment.pattern.pk, raci.activity.key))
            cells.append(ExpectationCell(
                governs=raci.activity.key in assignment.activities,
                accountable=_kind_labels(expectation.accountable_kinds if expectation else []),
                participating=_kind_labels(expectation.participating_kinds if expectation else []),
            ))
        rows.append(BoardRow(raci, cells))
    return rows


def _kind_labels(kinds) -> list[str]:
    return [PartyKind(kind).label for kind in kinds]


def board_version(workshop: Workshop) -> str:
    """Return the version a live board polls with: the portfolio's revision token and workshop version."""
    return f"{workshop.portfolio.revision_token}-{workshop.version}"
