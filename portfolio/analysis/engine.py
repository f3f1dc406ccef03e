"""Run the registered rules over a snapshot, apply the waivers and cache the result.

Results are cached per portfolio revision token, language and date: every
write, waivers included, replaces the token, and a waiver stops applying when its
expiry date has passed, which no write announces. Below that cache, each
portfolio's latest analysis before waivers is kept as its base, which
`portfolio.analysis.live` brings forward after a write to one service.
"""

import bisect
import dataclasses
import logging
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.utils import timezone, translation

from portfolio.analysis.findings import Finding, Level
from portfolio.analysis.registry import PORTFOLIO, SERVICE, all_rules
from portfolio.analysis.rules.i18n import remembered_messages
from portfolio.analysis.snapshot import PortfolioSnapshot, load_snapshot
from portfolio.analysis.waivers import WaivedFinding, WaiverInfo, apply_waivers, load_waivers
from portfolio.models import Portfolio

logger = logging.getLogger(__name__)

LEVEL_LABELS = ("error", "warning", "info")
_LABELS = {level: level.label for level in Level}


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

    def counts_of(self, service_key: str) -> dict[str, int]:
        """Return the finding counts per level label of one service, kept for the next request.

        A result lives until the next write, so a catalogue page requested again
        finds its services' counts here. Counting every service at once, as
        `counts_by_service` does, costs more than a page after each write.
        """
        counts = self._counts_kept.get(service_key)
        if counts is None:
            counts = self._counts_kept[service_key] = count_levels(self.for_one_service(service_key))
        return counts

    @cached_property
    def _counts_kept(self) -> dict[str, dict[str, int]]:
        return {}

    @cached_property
    def counts_by_service(self) -> dict[str, dict[str, int]]:
        """Finding counts per level label of each service that has findings, in one pass."""
        counts: dict[str, dict[str, int]] = {}
        for finding in self.findings:
            if finding.service is None:
                continue
            found = counts.get(finding.service)
            if found is None:
                found = counts[finding.service] = dict.fromkeys(LEVEL_LABELS, 0)
            found[_LABELS[finding.level]] += 1
        return counts

    @cached_property
    def portfolio_findings(self) -> tuple[Finding, ...]:
        """Findings about the portfolio as a whole, such as practices, not one service."""
        return tuple(finding for finding in self.findings if finding.service is None)

    def at_least(self, level: Level) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.level >= level)


def count_levels(findings) -> dict[str, int]:
    """Count `findings` per level label, with a zero for each level that has none."""
    counts = dict.fromkeys(LEVEL_LABELS, 0)
    for finding in findings:
        counts[_LABELS[finding.level]] += 1
    return counts


def _level_and_service(finding: Finding) -> tuple:
    # The first two parts of `Finding.sort_key`.
    return -finding.level, finding.service or ""


def analyse(snapshot: PortfolioSnapshot) -> AnalysisResult:
    """Run every rule that the portfolio has not switched off; pure, no queries."""
    findings: list[Finding] = []
    rules = [rule for rule in all_rules() if rule.code not in snapshot.disabled_rules]
    service_rules = [rule for rule in rules if rule.scope == SERVICE]
    with remembered_messages():
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


@dataclass(frozen=True)
class Base:
    """The analysis of one portfolio at one revision token in one language, before waivers.

    `result` is `analyse(snapshot)`. `portfolio.analysis.live` brings a base
    forward after a write to one service, and states when it may.
    """

    token: str
    language: str | None
    snapshot: PortfolioSnapshot
    result: AnalysisResult


class _BaseStore:
    """One base per portfolio, for the few portfolios analysed last in this process.

    The snapshot and result of the generated benchmark portfolio of 10,000
    services take about 40 MB (31 MB and 8 MB, measured with tracemalloc),
    so few are kept.
    """

    def __init__(self, size: int = 4):
        self.size = size
        self._bases: OrderedDict[int, Base] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, portfolio_id: int) -> Base | None:
        with self._lock:
            base = self._bases.get(portfolio_id)
            if base is not None:
                self._bases.move_to_end(portfolio_id)
            return base

    def put(self, portfolio_id: int, base: Base) -> None:
        with self._lock:
            self._bases[portfolio_id] = base
            self._bases.move_to_end(portfolio_id)
            while len(self._bases) > self.size:
                self._bases.popitem(last=False)

    def replace(self, portfolio_id: int, expected: Base, base: Base) -> bool:
        """Store `base` only while `expected` is the stored base; return whether it was stored."""
        with self._lock:
            if self._bases.get(portfolio_id) is not expected:
                return False
            self._bases[portfolio_id] = base
            self._bases.move_to_end(portfolio_id)
            return True

    def clear(self) -> None:
        with self._lock:
            self._bases.clear()


base_store = _BaseStore()


def analyse_portfolio(portfolio: Portfolio) -> AnalysisResult:
    """Return the findings of `portfolio` at its current revision, computing them on a miss.

    The caller's `portfolio.revision_token` decides which result is returned, so pass
    an instance read in the current request. A miss uses this process's base at
    that token when there is one, and costs one query for the waivers. A base
    that recorded edits link to that token is brought forward, or used as it
    is when it is already past the token (`live.catch_up`). Otherwise a miss
    costs the snapshot's queries too, and the new analysis becomes the
    portfolio's base.
    """
    today = timezone.localdate()
    language = translation.get_language()
    key = (portfolio.pk, portfolio.revision_token, language, today)
    result = result_cache.get(key)
    if result is None:
        result = with_waivers(_base_of(portfolio, language).result, load_waivers(portfolio), today)
        result_cache.put(key, result)
        logger.debug("Analysed portfolio %s at revision %s: %d findings, %d waived",
                     portfolio.pk, portfolio.revision, len(result.findings), len(result.waived))
    return result


def portfolio_snapshot(portfolio: Portfolio) -> PortfolioSnapshot:
    """Return this process's snapshot of `portfolio` at its current revision token or after it.

    It is the snapshot that `analyse_portfolio` judged, so reading counts from
    it costs no query while the analysis is current.
    """
    return _base_of(portfolio, translation.get_language()).snapshot


def _base_of(portfolio: Portfolio, language: str | None) -> Base:
    base = _current_base(portfolio, language)
    if base is not None:
        return base
    # One thread per process loads a portfolio in full; the others wait for its base and use it.
    with _full_load_lock(portfolio.pk):
        # Another thread may have loaded the portfolio while this one waited for the lock.
        base = base_store.get(portfolio.pk)
        if base is not None and base.token == portfolio.revision_token and base.language == language:
            return base
        # The rows are read after the token, so they are at least as new as it.
        snapshot = load_snapshot(portfolio)
        base = Base(portfolio.revision_token, language, snapshot, analyse(snapshot))
        base_store.put(portfolio.pk, base)
        return base


def _current_base(portfolio: Portfolio, language: str | None) -> Base | None:
    """Return this process's base at the portfolio's token or after it, or None when a full load is needed."""
    base = base_store.get(portfolio.pk)
    if base is None or base.language != language:
        return None
    if base.token == portfolio.revision_token:
        return base
    # Imported here because `live` imports this module.
    from portfolio.analysis.live import catch_up

    return catch_up(portfolio.pk, portfolio.revision_token)


_full_load_locks: dict[int, threading.Lock] = {}
_full_load_locks_guard = threading.Lock()


def _full_load_lock(portfolio_id: int) -> threading.Lock:
    with _full_load_locks_guard:
        return _full_load_locks.setdefault(portfolio_id, threading.Lock())
