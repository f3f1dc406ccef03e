"""Run the registered rules over a snapshot, apply the waivers and cache the result.

Results are cached per portfolio revision token, language and date: every
write, waivers included, replaces the token, and a waiver stops applying when its
expiry date has passed, which no write announces.
"""

import bisect
import dataclasses
import logging
import threading
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.utils import timezone, translation

from portfolio.analysis.findings import Finding, Level
from portfolio.analysis.registry import PORTFOLIO, SERVICE, all_rules
from portfolio.analysis.snapshot import PortfolioSnapshot, load_snapshot
from portfolio.analysis.waivers import WaivedFinding, WaiverInfo, apply_waivers, load_waivers
from portfolio.models import Portfolio

logger = logging.getLogger(__name__)

LEVEL_LABELS = ("error", "warning", "info")


@dataclass(frozen=True)
class AnalysisResult:
    """The findings of one portfolio revision.

    `findings` contains the findings that count: those no waiver in force accepts.
    `waived` contains the accepted ones with their waivers, `expired_waivers` the
    waivers past their date whose findings count again, and `obsolete_waivers`
    the waivers whose finding no longer occurs. Counts and the per-service
    views read `findings` only, which is sorted by `Finding.sort_key`.
    """

    portfolio_id: int
    revision: int
    findings: tuple[Finding, ...]
    waived: tuple[WaivedFinding, ...] = ()
    expired_waivers: tuple[WaiverInfo, ...] = ()
    obsolete_waivers: tuple[WaiverInfo, ...] = ()

    @cached_property
    def counts(self) -> dict[str, int]:
        return count_levels(self.findings)

    @cached_property
    def _expired_by_key(self) -> dict[tuple[str, str], WaiverInfo]:
        return {waiver.key: waiver for waiver in self.expired_waivers}

    def expired_waiver(self, finding: Finding) -> WaiverInfo | None:
        """Return the expired waiver that used to accept `finding`, if there is one."""
        return self._expired_by_key.get((finding.code, finding.subject))

    @cached_property
    def _by_service(self) -> dict[str, tuple[Finding, ...]]:
        grouped = defaultdict(list)
        for finding in self.findings:
            if finding.service is not None:
                grouped[finding.service].append(finding)
        return {key: tuple(found) for key, found in grouped.items()}

    def for_service(self, service_key: str) -> tuple[Finding, ...]:
        """Return the findings of one service; the first call groups every finding by service.

        That suits a walk over many services. For one look-up, use `for_one_service`.
        """
        return self._by_service.get(service_key, ())

    def for_one_service(self, service_key: str) -> tuple[Finding, ...]:
        """Return what `for_service` returns, by binary search instead of grouping every finding.

        Use it for a page about one service. Each write makes a new result,
        and the generated benchmark portfolio of 10,000 services has 14,218
        findings, so grouping them on every request would cost more than a look-up.
        """
        found: list[Finding] = []
        # Findings sort by (-level, service key) first, so a service's findings of one level are adjacent.
        for level in sorted(Level, reverse=True):
            position = (-level, service_key)
            start = bisect.bisect_left(self.findings, position, key=_level_and_service)
            end = bisect.bisect_right(self.findings, position, lo=start, key=_level_and_service)
            found.extend(self.findings[start:end])
        return tuple(found)

    @cached_property
    def counts_by_service(self) -> dict[str, dict[str, int]]:
        return {key: count_levels(found) for key, found in self._by_service.items()}

    @cached_property
    def portfolio_findings(self) -> tuple[Finding, ...]:
        """Findings about the portfolio as a whole, such as practices, not one service."""
        return tuple(finding for finding in self.findings if finding.service is None)

    def at_least(self, level: Level) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.level >= level)


def count_levels(findings) -> dict[str, int]:
    """Count `findings` per level label, with a zero for each level that has none."""
    counter = Counter(finding.level.label for finding in findings)
    return {label: counter.get(label, 0) for label in LEVEL_LABELS}


def _level_and_service(finding: Finding) -> tuple:
    # The first two parts of `Finding.sort_key`.
    return -finding.level, finding.service or ""


def analyse(snapshot: PortfolioSnapshot) -> AnalysisResult:
    """Run every rule that the portfolio has not switched off; pure, no queries."""
    findings: list[Finding] = []
    rules = [rule for rule in all_rules() if rule.code not in snapshot.disabled_rules]
    service_rules = [rule for rule in rules if rule.scope == SERVICE]
    for service in snapshot.services:
        if not service.analysed:
            continue
        for rule in service_rules:
            findings.extend(rule.check(service, snapshot))
    for rule in rules:
        if rule.scope == PORTFOLIO:
            findings.extend(rule.check(snapshot))
    findings.sort(key=lambda finding: finding.sort_key)
    return AnalysisResult(snapshot.portfolio_id, snapshot.revision, tuple(findings))


def with_waivers(result: AnalysisResult, waivers, today: date) -> AnalysisResult:
    """Return `result` with the findings that `waivers` accept on `today` moved to `waived`.

    `result` must come straight from `analyse`, with nothing waived yet.
    """
    outcome = apply_waivers(result.findings, waivers, today)
    return dataclasses.replace(
        result,
        findings=outcome.findings,
        waived=outcome.waived,
        expired_waivers=outcome.expired,
        obsolete_waivers=outcome.obsolete,
    )


class _ResultCache:
    """A small per-process LRU of results keyed by (portfolio, revision token, language, date).

    Results are kept as objects, not pickled, so a hit costs nothing. A key
    includes the revision token, which every write replaces, so an entry is
    never served for data that changed after it was computed. The date in the key
    makes a waiver stop applying on the day after its expiry date.
    """

    def __init__(self, size: int = 32):
        self.size = size
        self._entries: OrderedDict[tuple, AnalysisResult] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            result = self._entries.get(key)
            if result is not None:
                self._entries.move_to_end(key)
            return result

    def put(self, key, result) -> None:
        with self._lock:
            self._entries[key] = result
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


result_cache = _ResultCache()


def analyse_portfolio(portfolio: Portfolio) -> AnalysisResult:
    """Return the findings of `portfolio` at its current revision, computing them on a miss.

    The caller's `portfolio.revision_token` decides which result is returned, so pass
    an instance read in the current request. A miss costs the snapshot's
    queries plus one for the waivers.
    """
    today = timezone.localdate()
    key = (portfolio.pk, portfolio.revision_token, translation.get_language(), today)
    result = result_cache.get(key)
    if result is None:
        snapshot = load_snapshot(portfolio)
        result = with_waivers(analyse(snapshot), load_waivers(portfolio), today)
        result_cache.put(key, result)
        logger.debug("Analysed portfolio %s at revision %s: %d findings, %d waived",
                     portfolio.pk, portfolio.revision, len(result.findings), len(result.waived))
    return result
