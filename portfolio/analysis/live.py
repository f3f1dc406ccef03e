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
- Each process keeps its own base. After the commit, a wrapped write also
  records its tokens and service key in the "shared" cache (a database table
  that every worker reads). A process whose base is at the token before that
  write brings it forward with `catch_up` instead of loading the portfolio.
  Only the last write is recorded, so a base two writes behind is not.
- Anything else leaves the base behind: a bulk write, an import, a change to
  the library, a rolled-back transaction, or several wrapped writes in one
  outer transaction. The next analysis then loads the portfolio in full.
"""

import logging
from contextlib import contextmanager

from django.core.cache import caches
from django.db import transaction
from django.utils import translation

from portfolio.analysis.engine import Base, base_store
from portfolio.analysis.incremental import reanalyse_service
from portfolio.models import Portfolio

logger = logging.getLogger(__name__)

# The cache every worker shares, and how long it keeps a portfolio's last edit, in seconds.
SHARED_CACHE = "shared"
LAST_EDIT_SECONDS = 3600


@contextmanager
def service_write(portfolio_id: int, service_key: str | None):
    """Wrap a write to the service `service_key` so that it advances the portfolio's base.

    Pass None for a write to teams, practice adoptions, waivers or settings
    only. Enter it first inside the write's `transaction.atomic()` block: it locks the
    portfolio row until the transaction ends. When the block raises, nothing
    is scheduled.
    """
    before = _token(portfolio_id, lock=True)
    yield
    after = _token(portfolio_id)
    if before is not None and after != before:
        transaction.on_commit(lambda: _committed(portfolio_id, before, after, service_key), robust=True)


def _committed(portfolio_id: int, before: str, after: str, service_key: str | None) -> None:
    caches[SHARED_CACHE].set(_last_edit_key(portfolio_id), (before, after, service_key), LAST_EDIT_SECONDS)
    advance_base(portfolio_id, before, after, service_key)


def catch_up(portfolio_id: int, token: str) -> bool:
    """Bring this process's base forward to `token` with the last edit recorded by any process.

    Returns whether the base was advanced. It is not when that edit did not
    start at the base's token or did not end at `token`.
    """
    base = base_store.get(portfolio_id)
    if base is None or base.token == token:
        return False
    edit = caches[SHARED_CACHE].get(_last_edit_key(portfolio_id))
    if edit is None:
        return False
    before, after, service_key = edit
    if before != base.token or after != token:
        return False
    return advance_base(portfolio_id, before, after, service_key)


def _last_edit_key(portfolio_id: int) -> str:
    return f"analysis-last-edit:{portfolio_id}"


def lock_portfolio(portfolio_id: int) -> None:
    """Lock the portfolio row until the transaction ends, as `service_write` does.

    Writers to several services call it before they lock any service row, so
    that every writer takes the rows in the same order and none deadlocks.
    """
    _token(portfolio_id, lock=True)


def advance_base(portfolio_id: int, before: str, after: str, service_key: str | None) -> bool:
    """Bring the base at token `before` forward to `after`, the token the committed write left.

    Returns whether the base was advanced. It is not when this process has no
    base at `before`, or when another write has changed the token since.
    """
    base = base_store.get(portfolio_id)
    if base is None or base.token != before:
        return False
    with transaction.atomic():
        # Locked, so that no other write commits between this check and the rows read below.
        if _token(portfolio_id, lock=True) != after:
            logger.debug("Portfolio %s changed after token %s; its base stays behind", portfolio_id, after)
            return False
        with translation.override(base.language):
            snapshot, result = reanalyse_service(base.snapshot, base.result, service_key)
    return base_store.replace(portfolio_id, base, Base(after, base.language, snapshot, result))


def _token(portfolio_id: int, *, lock: bool = False) -> str | None:
    rows = Portfolio.objects.filter(pk=portfolio_id)
    if lock:
        rows = rows.select_for_update()
    return rows.values_list("revision_token", flat=True).first()
