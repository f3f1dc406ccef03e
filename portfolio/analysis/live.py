"""Bring a portfolio's base (its latest analysis in this process) forward after a write to one service.

A full analysis of 10,000 services loads about 90,000 rows. After a write that
changed one service, `reanalyse_service` brings the previous snapshot and
result up to date in six queries. `analyse_portfolio` keeps one base per
portfolio in `engine.base_store`, and uses the base whose token and language
match the request instead of loading the portfolio again.

Contract:

- A base's result is `analyse(snapshot)` in the base's language, and its
  snapshot contains the portfolio at the base's token or newer rows: the rows
  are always read after the token was committed. A newer row is never lost:
  the write that made it changed the token, and either recorded an edit after
  the base's token, which re-reads the row when the base passes it, or
  recorded none, which breaks the chain and forces a full load.
- Only a write wrapped in `service_write` records an edit. It locks the
  portfolio row before it writes, so the token read then is the one right
  before the write, and it reads the token again after the write, so the pair
  spans this write alone. After the commit, `advance_base` re-analyses the
  written service when this process's base is at the token before it.
- The wrapped write changes only the rows of the service `service_key` (its key
  before or after the write), or with `service_key` None only teams, practice
  adoptions, waivers or portfolio settings: `reanalyse_service`'s contract.
- Each process keeps its own base. A wrapped write records its tokens and
  service keys as an `AnalysisEdit` row, which every worker reads, in the
  write's transaction. A process whose base is up to 32 such writes
  behind brings it forward with `catch_up` instead of loading the portfolio,
  re-analysing each service those writes changed. Bringing a base forward
  takes no lock, so a reader does not wait for a writer.
- Anything else leaves the base behind: a bulk write, an import, a change to
  the library or a rolled-back transaction. The next analysis then loads the
  portfolio in full.
"""

import logging
from collections.abc import Collection
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.utils import translation

from portfolio.analysis.engine import Base, base_store
from portfolio.analysis.incremental import reanalyse_service
from portfolio.models import AnalysisEdit, Portfolio, Service

logger = logging.getLogger(__name__)

# How many of a portfolio's last tracked writes the AnalysisEdit table keeps, and how often,
# in recorded writes of any portfolio, the older ones are deleted.
EDITS_KEPT = 32
PRUNE_EVERY = 16


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
    _record(portfolio_id, edit)
    transaction.on_commit(lambda: advance_base(portfolio_id, edit.before, edit.after, edit.service_keys),
                          robust=True)


def catch_up(portfolio_id: int, token: str) -> Base | None:
    """Return this process's base at `token` or after it, brought forward with the edits any process recorded.

    Returns None when the recorded edits do not link the base's token and
    `token` without a gap: a write that is not tracked changes the token
    without an edit. A base behind `token` is brought to the end of the
    recorded chain, so that the next requests find it current. A base already
    after `token` (another request brought it forward) is returned as it is:
    its data is newer than the caller's token, as after a full load.
    """
    base = base_store.get(portfolio_id)
    if base is None or base.token == token:
        return base
    edits = _recorded(portfolio_id)
    chain = _chain_from(edits, base.token)
    if any(edit.after == token for edit in chain):
        keys = frozenset().union(*(edit.service_keys for edit in chain))
        portfolio_rows = any(not edit.service_keys for edit in chain)
        return _advance(portfolio_id, base, chain[-1].after, keys, portfolio_rows=portfolio_rows)
    if any(edit.after == base.token for edit in _chain_from(edits, token)):
        return base
    return None


def _record(portfolio_id: int, edit: Edit) -> None:
    row = AnalysisEdit.objects.create(portfolio_id=portfolio_id, before=edit.before, after=edit.after,
                                      service_keys=sorted(edit.service_keys))
    if row.pk % PRUNE_EVERY == 0:
        oldest_kept = (AnalysisEdit.objects.filter(portfolio_id=portfolio_id).order_by("-pk")
                       .values_list("pk", flat=True)[EDITS_KEPT - 1:EDITS_KEPT].first())
        if oldest_kept is not None:
            AnalysisEdit.objects.filter(portfolio_id=portfolio_id, pk__lt=oldest_kept).delete()


def _recorded(portfolio_id: int) -> list[Edit]:
    """Return the portfolio's last recorded edits, oldest first."""
    rows = (AnalysisEdit.objects.filter(portfolio_id=portfolio_id).order_by("-pk")
            .values_list("before", "after", "service_keys")[:EDITS_KEPT])
    return [Edit(before, after, frozenset(keys)) for before, after, keys in reversed(rows)]


def _chain_from(edits: list[Edit], start: str) -> list[Edit]:
    """Return the recorded edits that lead on from token `start`, oldest first.

    Edits are recorded in commit order, because each is recorded under the
    portfolio lock of its write.
    """
    chain = []
    token = start
    for edit in edits:
        if edit.before == token:
            chain.append(edit)
            token = edit.after
    return chain


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
    process has no base at `before`.
    """
    base = base_store.get(portfolio_id)
    if base is None or base.token != before:
        return False
    _advance(portfolio_id, base, after, service_keys, portfolio_rows=not service_keys)
    return True


def _advance(portfolio_id: int, base: Base, token: str, service_keys: Collection[str], *,
             portfolio_rows: bool) -> Base:
    """Re-analyse `service_keys` on `base`; store and return the result as the base at `token`.

    With `portfolio_rows` True, a write since the base may have changed the teams, practice
    adoptions or settings, so they are read again.

    The rows are read after `token` was committed, so they are at least as
    new as it. A write committed since then is either recorded after `token`,
    and re-read when the base is brought forward past it, or leaves no edit,
    and then no chain leads past it. On PostgreSQL the rows are read in one
    repeatable-read snapshot, so a service never mixes two writes. No lock is
    taken, so the reader does not wait for a writer.
    """
    snapshot, result = base.snapshot, base.result
    outermost = not transaction.get_connection().in_atomic_block
    with transaction.atomic(), translation.override(base.language):
        if outermost:
            _read_one_snapshot()
        # Each call reloads one service (and the portfolio-wide rows when asked). Service rules read
        # no other service, so the order does not matter.
        for key in sorted(service_keys) or [None]:
            snapshot, result = reanalyse_service(snapshot, result, key, portfolio_rows=portfolio_rows)
    advanced = Base(token, base.language, snapshot, result)
    if not base_store.replace(portfolio_id, base, advanced):
        logger.debug("Another request replaced the base of portfolio %s first", portfolio_id)
    return advanced


def _read_one_snapshot() -> None:
    """Make the transaction just begun read one snapshot on PostgreSQL; SQLite's transactions already do."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def _token(portfolio_id: int, *, lock: bool = False) -> str | None:
    rows = Portfolio.objects.filter(pk=portfolio_id)
    if lock:
        rows = rows.select_for_update()
    return rows.values_list("revision_token", flat=True).first()
