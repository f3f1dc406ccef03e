"""One page of a portfolio's services: searched, filtered, sorted and paginated, in a fixed number of queries.

When the filters and the order are all columns of the database, the page costs
one COUNT, one query for its rows and one for their pattern names. Finding
counts live in the cached analysis result, not in the database. So a findings
filter or sort reads the ids and keys of every matching service in one query,
filters and sorts them in Python, and reads the page's rows by id in a second
query.
Ties in every order are broken by the service key, ascending, so a page never
shuffles between requests.
"""

from dataclasses import dataclass, replace

from django.core.paginator import Page, Paginator
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, When
from django.db.models.functions import Lower
from django.utils.http import urlencode

from portfolio.analysis.engine import LEVEL_LABELS, AnalysisResult, portfolio_snapshot
from portfolio.analysis.snapshot import PortfolioSnapshot
from portfolio.attestation import AttestationState, state_filter
from portfolio.catalogue.lookups import CatalogueLookups
from portfolio.models import PatternAssignment, Portfolio, Service, ServiceStatus

PAGE_SIZE = 50
MAX_SEARCH_LENGTH = 200
SORT_COLUMNS = ("name", "key", "status", "owner", "findings")
# Filter values that select services without a pattern or without an owning team.
NONE = "none"
NO_FINDINGS = {label: 0 for label in LEVEL_LABELS}


@dataclass(frozen=True)
class ListState:
    """Everything the URL of the catalogue page carries; the defaults leave the URL bare."""

    search: str = ""
    pattern: str = ""
    status: str = ""
    owner: str = ""
    findings: str = ""
    attestation: str = ""
    sort: str = "name"
    descending: bool = False
    page: int = 1

    @property
    def sort_param(self) -> str:
        """The `sort` parameter: the column, with a leading '-' when descending."""
        return f"-{self.sort}" if self.descending else self.sort

    @property
    def filtered(self) -> bool:
        return any((self.search, self.pattern, self.status, self.owner, self.findings, self.attestation))

    @property
    def needs_finding_counts(self) -> bool:
        return bool(self.findings) or self.sort == "findings"

    @classmethod
    def from_query(cls, query, lookups: CatalogueLookups) -> "ListState":
        """Read the state from a query string's parameters; an invalid value is dropped, never an error."""
        pattern = query.get("pattern", "")
        owner = query.get("owner", "")
        status = query.get("status", "")
        findings = query.get("findings", "")
        attestation = query.get("attestation", "")
        sort = query.get("sort", "")
        column = sort.removeprefix("-")
        # PostgreSQL rejects a NUL character in a query parameter, so the search drops it.
        search = query.get("q", "").replace("\x00", "")
        return cls(
            search=" ".join(search.split())[:MAX_SEARCH_LENGTH],
            pattern=pattern if pattern == NONE or pattern in lookups.pattern_keys else "",
            status=status if status in ServiceStatus.values else "",
            owner=owner if owner == NONE or owner in lookups.team_ids else "",
            findings=findings if findings in LEVEL_LABELS else "",
            attestation=attestation if attestation in AttestationState.values else "",
            sort=column if column in SORT_COLUMNS else "name",
            descending=column in SORT_COLUMNS and sort.startswith("-"),
            page=_page_number(query.get("page")),
        )

    def query(self, **changes) -> str:
        """Return the state with `changes` as a query string such as "?q=api&page=2"; "" for the defaults."""
        state = replace(self, **changes)
        params = {
            "q": state.search,
            "pattern": state.pattern,
            "status": state.status,
            "owner": state.owner,
            "findings": state.findings,
            "attestation": state.attestation,
            "sort": state.sort_param if state.sort_param != "name" else "",
            "page": state.page if state.page != 1 else "",
        }
        encoded = urlencode({name: value for name, value in params.items() if value})
        return f"?{encoded}" if encoded else ""

    def sorted_by(self, column: str) -> "ListState":
        """Return the state sorted by `column` from page one, reversed when already sorted by it."""
        if column == self.sort:
            return replace(self, descending=not self.descending, page=1)
        # Most findings first is the useful first look; every other column starts ascending.
        return replace(self, sort=column, descending=column == "findings", page=1)


@dataclass(frozen=True)
class CatalogueRow:
    service: Service
    patterns: tuple[str, ...]
    counts: dict[str, int]


@dataclass(frozen=True)
class CataloguePage:
    page: Page
    rows: list[CatalogueRow]

    @property
    def total(self) -> int:
        return self.page.paginator.count


def catalogue_page(
    portfolio: Portfolio,
    state: ListState,
    result: AnalysisResult,
    per_page: int = PAGE_SIZE,
) -> CataloguePage:
    """Return the page `state.page` of the services matching `state`, with their patterns and finding counts.

    `result` is the portfolio's analysis; a page number out of range gives the last page.
    """
    services = filtered_services(portfolio, state)
    if state.needs_finding_counts:
        page = _page_by_finding_counts(services, state, result.counts_by_service, per_page)
        by_id = Service.objects.select_related("owner").in_bulk(list(page.object_list))
        on_page = [by_id[pk] for pk in page.object_list if pk in by_id]
    else:
        order = ordering(state)
        ids = services.order_by(*order).values_list("pk", flat=True)
        page = Paginator(ids, per_page).get_page(state.page)
        # The page's ids are a subquery of the rows' query, so PostgreSQL walks the ordering's index
        # past the earlier services without joining each of them to its team.
        services_on_page = Service.objects.filter(pk__in=page.object_list).select_related("owner")
        on_page = list(services_on_page.order_by(*order))
    snapshot = portfolio_snapshot(portfolio)
    rows = [CatalogueRow(service, pattern_names(snapshot, service.key), result.counts_of(service.key))
            for service in on_page]
    return CataloguePage(page, rows)


def pattern_names(snapshot: PortfolioSnapshot, service_key: str) -> tuple[str, ...]:
    """Return the names of the patterns assigned to a service, by name ignoring case.

    They come from the analysis's snapshot, which is as new as the request's
    revision or newer, so the page costs no query for them. A service that
    the snapshot does not know yet (added since) shows none.
    """
    service = snapshot.find_service(service_key)
    if service is None:
        return ()
    names = {key: snapshot.library.pattern_name(key) for key in service.patterns}
    return tuple(names[key] for key in sorted(names, key=lambda key: (names[key].lower(), key)))


def filtered_services(portfolio: Portfolio, state: ListState) -> QuerySet[Service]:
    """Return the portfolio's services that match the search and every filter but the findings level."""
    services = Service.objects.filter(portfolio=portfolio)
    if state.search:
        text = state.search
        services = services.filter(
            Q(name__icontains=text) | Q(key__icontains=text) | Q(description__icontains=text)
        )
    if state.pattern == NONE:
        services = services.filter(~Exists(PatternAssignment.objects.filter(service=OuterRef("pk"))))
    elif state.pattern:
        assigned = PatternAssignment.objects.filter(service=OuterRef("pk"), pattern_id=state.pattern)
        services = services.filter(Exists(assigned))
    if state.status:
        services = services.filter(status=state.status)
    if state.owner == NONE:
        services = services.filter(owner__isnull=True)
    elif state.owner:
        services = services.filter(owner_id=int(state.owner))
    if state.attestation:
        services = services.filter(state_filter(state.attestation, portfolio))
    return services


def ordering(state: ListState) -> list:
    """Return the ORDER BY of a column sort: text ignoring case, no owner last, ties by key."""
    if state.sort == "key":
        column = Lower("key")
    elif state.sort == "status":
        column = Case(*(When(status=value, then=position)
                        for position, value in enumerate(ServiceStatus.values)))
    elif state.sort == "owner":
        column = Lower("owner__name")
    else:
        column = Lower("name")
    if state.descending:
        return [column.desc(nulls_last=True), "key"]
    return [column.asc(nulls_last=True), "key"]


def _page_by_finding_counts(
    services: QuerySet[Service], state: ListState, counts: dict[str, dict[str, int]], per_page: int
) -> Page:
    """Paginate the ids of the matching services, filtered and sorted by finding counts in Python."""
    sql_order = ["key"] if state.sort == "findings" else ordering(state)
    pairs = list(services.order_by(*sql_order).values_list("pk", "key"))
    if state.findings:
        pairs = [(pk, key) for pk, key in pairs if counts.get(key, NO_FINDINGS)[state.findings] > 0]
    if state.sort == "findings":
        sign = -1 if state.descending else 1

        def severity(pair):
            found = counts.get(pair[1], NO_FINDINGS)
            return tuple(sign * found[label] for label in LEVEL_LABELS)

        # sorted() is stable, so services with equal counts keep the key order of the query.
        pairs = sorted(pairs, key=severity)
    return Paginator([pk for pk, _key in pairs], per_page).get_page(state.page)


def _page_number(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)
