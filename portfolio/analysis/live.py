"""Bring a portfolio's base (its latest analysis in this process) forward after a write to one service.

A full analysis of 10,000 services loads about 90,000 rows. After a write that
changed one service, `reanalyse_service` brings the previous snapshot and
result up to date in six queries. `analyse_portfolio` keeps one base per
portfolio in `engine.base_store`, and uses the base whose token and language
match the request instead of loading the portfolio again.

Contract:

- A base's result is `analyse(snapshot)` in the base's language, and its
  snapshot is the portfolio at the base's token. A base stored by a full
  analysis may be newer than its token when another write committed while the
  snapshot loaded, as with the result cache. Such a base is never advanced,
  because that write changed the token.
- Only a write wrapped in `service_write` advances a base. It locks the
  portfolio row before it writes, so the token read then is the one right
  before the write, and it reads the token again after the write, so the pair
  spans this write alone. After the commit, `advance_base` locks the row again
  and re-analyses only while the token is still the one the write left and the
  base is at the token before it.
- The wrapped write changes only the rows of the service `service_key` (its key
  before or after the write), or with `service_key` None only teams, practice
  adoptions, waivers or portfolio settings: `reanalyse_service`'s contract.
- Each process keeps its own base. A wrapped write also records its tokens
  and service keys in the "shared" cache (a database table that every worker
  reads), in its own transaction. A process whose base is up to 32 such writes
  behind brings it forward with `catch_up` instead of loading the portfolio,
  re-analysing each service those writes changed.
- Anything else leaves the base behind: a bulk write, an import, a change to
  the library, a rolled-back transaction, or several wrapped writes in one
  outer transaction. The next analysis then loads the portfolio in full.
"""

import logging
from collections.abc import Collection
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.cache import caches
from django.db import DatabaseError, transaction
from django.utils import translation

from portfolio.analysis.engine import Base, base_store
from portfolio.analysis.incremental import reanalyse_service
from portfolio.models import Portfolio, Service

logger = logging.getLogger(__name__)

# The cache every worker shares, how many of a portfolio's last tracked writes it
# keeps, and for how long, in seconds.
SHARED_CACHE = "shared"
EDITS_KEPT = 32
EDITS_SECONDS = 3600


@dataclass(frozen=True)
class Edit:
    """One committed tracked write: the tokens before and after it, and the keys of the service it changed.

    `service_keys` has the key before and the key after the write (one key
    unless the write renamed the service), and is empty for a write to teams,
    practice adoptions, waivers or settings only.
    """

    before: str
    after: str
    service_keys: frozenset[str]


@contextmanager
def service_write(portfolio_id: int, service: Service | None):
    """Wrap a write to `service` so that it advances the portfolio's base in every process.

    Pass None for a write to teams, practice adoptions, waivers or settings
    only. Enter it first inside the write's `transaction.atomic()` block: it
    locks the portfolio row until the transaction ends. When the block raises,
    nothing is recorded or scheduled.
    """
    before = _token(portfolio_id, lock=True)
    key_before = service.key if service is not None else None
    yield
    after = _token(portfolio_id)
    if before is None or after == before:
        return
    keys = frozenset(key for key in (key_before, service.key if service is not None else None) if key)
    edit = Edit(before, after, keys)
    # Recorded in the write's transaction, under the portfolio lock, so it commits or rolls back with it.
    try:
        with transaction.atomic():
            _record(portfolio_id, edit)
    except DatabaseError as error:
        # Other workers then load the portfolio in full; the write itself goes on.
        logger.warning("Failed to record the edit of portfolio %s in the shared cache: %s",
                       portfolio_id, error)
    transaction.on_commit(lambda: advance_base(portfolio_id, edit.before, edit.after, edit.service_keys),
                          robust=True)


def catch_up(portfolio_id: int, token: str) -> bool:
    """Bring this process's base forward to `token` with the edits that any process recorded.

    Returns whether the base was advanced. It is not when the recorded edits do
    not lead from the base's token to `token` without a gap: a write that is
    not tracked changes the token without an edit.
    """
    base = base_store.get(portfolio_id)
    if base is None or base.token == token:
        return False
    try:
        with transaction.atomic():
            edits = caches[SHARED_CACHE].get(_edits_key(portfolio_id), [])
    except DatabaseError as error:
        logger.warning("Failed to read the edits of portfolio %s from the shared cache: %s",
                       portfolio_id, error)
        return False
    keys = _keys_between(edits, base.token, token)
    if keys is None:
        return False
    return advance_base(portfolio_id, base.token, token, keys)


def _record(portfolio_id: int, edit: Edit) -> None:
    cache = caches[SHARED_CACHE]
    edits = cache.get(_edits_key(portfolio_id), [])
    cache.set(_edits_key(portfolio_id), [*edits[-(EDITS_KEPT - 1):], edit], EDITS_SECONDS)


def _keys_between(edits: list[Edit], start: str, end: str) -> frozenset[str] | None:
    """Return the service keys that the chain of `edits` from token `start` to `end` changed, or None."""
    keys: set[str] = set()
    token = start
    for edit in edits:
        if token == end:
            break
        if edit.before == token:
            keys |= edit.service_keys
            token = edit.after
    return frozenset(keys) if token == end else None


def _edits_key(portfolio_id: int) -> str:
    return f"analysis-edits:{portfolio_id}"


def lock_portfolio(portfolio_id: int) -> None:
    """Lock the portfolio row until the transaction ends, as `service_write` does.

    Writers to several services call it before they lock any service row, so
    that every writer takes the rows in the same order and none deadlocks.
    """
    _token(portfolio_id, lock=True)


def advance_base(portfolio_id: int, before: str, after: str, service_keys: Collection[str]) -> bool:
    """Bring the base at token `before` forward to `after`, re-analysing the services `service_keys`.

    The writes from `before` to `after` changed only those services (each key
    as it was before or after the write), teams, practice adoptions, waivers
    or settings. Returns whether the base was advanced. It is not when this
    process has no base at `before`, or when the current token is not `after`.
    """
    base = base_store.get(portfolio_id)
    if base is None or base.token != before:
        return False
    with transaction.atomic():
        # Locked, so that no other write commits between this check and the rows read below.
        if _token(portfolio_id, lock=True) != after:
            logger.debug("Portfolio %s changed after token %s; its base stays behind", portfolio_id, after)
            return False
        snapshot, result = base.snapshot, base.result
        with translation.override(base.language):
            # Each call reloads one service and the portfolio-wide rows as they are now. Service rules
            # read no other service, so the order does not matter.
            for key in sorted(service_keys) or [None]:
                snapshot, result = reanalyse_service(snapshot, result, key)
    return base_store.replace(portfolio_id, base, Base(after, base.language, snapshot, result))


def _token(portfolio_id: int, *, lock: bool = False) -> str | None:
    rows = Portfolio.objects.filter(pk=portfolio_id)
    if lock:
        rows = rows.select_for_update()
    return rows.values_list("revision_token", flat=True).first()
