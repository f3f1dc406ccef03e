"""Re-analyse a portfolio after an edit to one service, reusing the previous snapshot and result.

A full analysis reloads every row of the portfolio. After an edit to one
service, `reanalyse_service` reloads only that service's rows plus the small
portfolio-wide tables, in at most six queries whatever the portfolio's size,
and re-runs the service rules for that service and the portfolio rules. Its
result equals `analyse(load_snapshot(portfolio))` under the contract below.

Contract for callers:

- `result` is `analyse(snapshot)` as the engine returns it, before waivers are
  applied, computed in the language that is active now.
- Every write since `snapshot.revision` changed only rows of that one service,
  or the teams, the practice adoptions and the portfolio's settings (those are
  reloaded and, when they differ, every rule runs again over the new snapshot).
  A change to the reference library or to another service breaks the contract;
  load a full snapshot then.
- Service rules read their own service and the portfolio-wide parts of the
  snapshot (library, teams, adoptions, settings), never another service. A rule
  that compares services must be registered as a portfolio rule.
"""

import bisect
import logging

from django.db.models import Q

from portfolio.analysis.engine import AnalysisResult, analyse
from portfolio.analysis.findings import Finding, Level
from portfolio.analysis.registry import PORTFOLIO, SERVICE, all_rules
from portfolio.analysis.rules.i18n import remembered_messages
from portfolio.analysis.snapshot import (
    PortfolioSnapshot,
    ServiceInfo,
    load_adoptions,
    load_assignments,
    load_roles,
    load_services,
    load_teams,
)
from portfolio.models import PatternAssignment, Portfolio, Responsibility, Service

logger = logging.getLogger(__name__)

# The service key under which `Finding.sort_key` sorts the findings about no service.
PORTFOLIO_WIDE = ""


def reanalyse_service(snapshot: PortfolioSnapshot, result: AnalysisResult, service_key: str | None, *,
                      portfolio_rows: bool = True) -> tuple[PortfolioSnapshot, AnalysisResult]:
    """Return the snapshot and result of the portfolio after an edit to the service `service_key`.

    `service_key` may be the service's key before or after the edit, so a
    renamed service is found either way. A service that no longer exists is
    dropped and a new one is added. Pass None after an edit to teams, practice
    adoptions or settings only. Neither `snapshot` nor `result` is changed.
    With `portfolio_rows` False the teams and practice adoptions are kept from
    `snapshot` instead of read again: pass it only when no write since the
    snapshot changed them.
    """
    # The revision is read first: rows read afterwards are at least as new as
    # the revision the result is labelled with, never older.
    portfolio = Portfolio.objects.only("key", "revision", "min_capability_level", "disabled_rules").get(
        pk=snapshot.portfolio_id
    )
    previous = snapshot.find_service(service_key) if service_key is not None else None
    edited = _load_edited_services(portfolio, service_key, previous) if service_key is not None else []
    removed = _previous_rows(snapshot, previous, edited)
    updated = snapshot.with_services(
        removed, edited,
        portfolio_key=portfolio.key,
        revision=portfolio.revision,
        min_capability_level=portfolio.min_capability_level,
        disabled_rules=frozenset(portfolio.disabled_rules or ()),
        teams=load_teams(portfolio) if portfolio_rows else snapshot.teams,
        adoptions=load_adoptions(portfolio) if portfolio_rows else snapshot.adoptions,
    )
    if _portfolio_wide_change(snapshot, updated):
        logger.debug("Portfolio %s changed beyond service %s; running every rule again",
                     portfolio.pk, service_key)
        return updated, analyse(updated)

    # A renamed service's old findings carry its old key.
    stale_keys = {service.key for service in removed} | {service.key for service in edited}
    findings = _without_findings_of(result.findings, stale_keys)
    _insert_sorted(findings, _check(updated, edited))
    return updated, AnalysisResult(updated.portfolio_id, updated.revision, tuple(findings))


def _load_edited_services(portfolio: Portfolio, service_key: str,
                          previous: ServiceInfo | None) -> list[ServiceInfo]:
    """Load the service now holding `service_key`, or the one that held it before a rename."""
    match = Q(key=service_key)
    if previous is not None:
        match |= Q(pk=previous.id)
    services = load_services(Service.objects.filter(match, portfolio=portfolio))
    if services:
        load_assignments(services, PatternAssignment.objects.filter(service_id__in=list(services)))
        load_roles(services, Responsibility.objects.filter(service_id__in=list(services)))
    return list(services.values())


def _previous_rows(snapshot: PortfolioSnapshot, previous: ServiceInfo | None,
                   edited: list[ServiceInfo]) -> list[ServiceInfo]:
    """Return the snapshot's rows of `previous` and of the `edited` services, which are to be replaced."""
    removed = [previous] if previous is not None else []
    for service in edited:
        if any(old.id == service.id for old in removed):
            continue
        old = snapshot.find_service(service.key)
        if old is not None and old.id == service.id:
            removed.append(old)
        else:
            # A new service, or one renamed after the snapshot: look for its id.
            removed.extend(old for old in snapshot.services if old.id == service.id)
    return removed


def _portfolio_wide_change(before: PortfolioSnapshot, after: PortfolioSnapshot) -> bool:
    return (
        before.teams != after.teams
        or before.adoptions != after.adoptions
        or before.min_capability_level != after.min_capability_level
        or before.disabled_rules != after.disabled_rules
    )


def _check(snapshot: PortfolioSnapshot, services: list[ServiceInfo]) -> list[Finding]:
    """Run the service rules over `services` and the portfolio rules, sorted as `analyse` sorts them."""
    rules = [rule for rule in all_rules() if rule.code not in snapshot.disabled_rules]
    findings: list[Finding] = []
    with remembered_messages():
        for service in services:
            if service.analysed:
                for rule in rules:
                    if rule.scope == SERVICE:
                        findings.extend(rule.check(service, snapshot))
        for rule in rules:
            if rule.scope == PORTFOLIO:
                findings.extend(rule.check(snapshot))
    findings.sort(key=_sort_key)
    return findings


def _without_findings_of(findings: tuple[Finding, ...], service_keys: set[str]) -> list[Finding]:
    """Return `findings` without those of `service_keys` and without the portfolio-wide ones.

    Findings sort by level first and service key second, so the findings of
    one service at one level are one run, found by binary search.
    """
    kept = list(findings)
    for level in Level:
        for service_key in [*service_keys, PORTFOLIO_WIDE]:
            position = (-level, service_key)
            start = bisect.bisect_left(kept, position, key=_level_and_service)
            end = bisect.bisect_right(kept, position, key=_level_and_service)
            del kept[start:end]
    return kept


def _insert_sorted(kept: list[Finding], new: list[Finding]) -> None:
    """Insert the few `new` findings into the sorted `kept` ones, as a stable sort of both would place them.

    No finding of `new` has the sort key of a kept one, because kept findings
    concern other services, so the insertion order among equal keys is that of
    `new`, which is already the order `analyse` produces.
    """
    for finding in new:
        position = bisect.bisect_right(kept, finding.sort_key, key=_sort_key)
        kept.insert(position, finding)


def _sort_key(finding: Finding) -> tuple:
    return finding.sort_key


def _level_and_service(finding: Finding) -> tuple:
    # The first two parts of `Finding.sort_key`.
    return -finding.level, finding.service or PORTFOLIO_WIDE
