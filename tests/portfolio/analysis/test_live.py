"""A portfolio's base follows the writes of this process and always equals a full analysis.

Each single-service write through `portfolio.services` advances the base on
commit. Writes the base cannot follow (rolled back, rejected, made by another
connection) leave it behind, and the next analysis loads the portfolio in full.
A request that read the token before the base moved past it uses the base.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portfolio import services
from portfolio.analysis import live
from portfolio.analysis.engine import analyse, analyse_portfolio, base_store, result_cache, with_waivers
from portfolio.analysis.snapshot import load_snapshot
from portfolio.analysis.waivers import load_waivers
from portfolio.benchmark.generate import generate_portfolio
from portfolio.models import (
    AnalysisEdit,
    PatternAssignment,
    Portfolio,
    Responsibility,
    Role,
    Service,
    ServiceStatus,
    Team,
    Waiver,
)
from portfolio.signals import portfolio_bump_revision

HTMX = {"HTTP_HX_REQUEST": "true"}
MSP = "managed-service-provider"


@pytest.fixture(autouse=True)
def empty_caches():
    """Test databases reuse portfolio ids, so nothing cached by an earlier test may be found.

    An edit row left by an earlier test cannot match, because
    it names random revision tokens.
    """
    result_cache.clear()
    base_store.clear()
    yield
    result_cache.clear()
    base_store.clear()


@pytest.fixture
def generated(db, make_member):
    portfolio = generate_portfolio(services=40, seed=7, teams=25)
    waive_first_finding(portfolio, make_member(portfolio, Role.OWNER))
    return portfolio


def waive_first_finding(portfolio, user) -> None:
    """Waive one finding, so that the comparisons cover waived findings too."""
    finding = analyse(load_snapshot(current(portfolio))).findings[0]
    Waiver.objects.create(portfolio=portfolio, code=finding.code, subject=finding.subject,
                          justification="Test.", approver="CIO", expires_on=timezone.localdate(),
                          accepted_by=user)


def current(portfolio) -> Portfolio:
    return Portfolio.objects.get(pk=portfolio.pk)


def fresh_analysis(portfolio):
    """Return what `analyse_portfolio` computes with empty caches."""
    return with_waivers(analyse(load_snapshot(portfolio)), load_waivers(portfolio), timezone.localdate())


def service_at(portfolio, index: int) -> Service:
    return Service.objects.filter(portfolio=portfolio).order_by("key")[index]


def team_at(portfolio, index: int) -> Team:
    return Team.objects.filter(portfolio=portfolio).order_by("pk")[index]


def first_assignment(portfolio, *, wide: bool = False) -> PatternAssignment:
    assignments = PatternAssignment.objects.filter(service__portfolio=portfolio).order_by("pk")
    return next(row for row in assignments if not wide or len(row.activities) > 1)


# Each write goes through the function the views and the API call.

def give_role(portfolio):
    services.responsibility_set_role(service=service_at(portfolio, 3), activity_key="operate",
                                     team=team_at(portfolio, 0), role="R", held=True)


def take_role(portfolio):
    cell = Responsibility.objects.filter(service__portfolio=portfolio).order_by("pk").first()
    services.responsibility_set_role(service=cell.service, activity_key=cell.activity_id, team=cell.team,
                                     role=cell.role, held=False)


def choose_accountable(portfolio):
    services.responsibility_choose_accountable(service=service_at(portfolio, 5), activity_key="build",
                                               team=team_at(portfolio, 2))


def clear_accountable(portfolio):
    services.responsibility_choose_accountable(service=service_at(portfolio, 6), activity_key="operate",
                                               team=None)


def toggle_consulted(portfolio):
    services.responsibility_toggle(service=service_at(portfolio, 7), activity_key="design",
                                   team=team_at(portfolio, 1), role="C")


def restore_cells(portfolio):
    service = service_at(portfolio, 9)
    cells = service.responsibilities.filter(activity_id="operate").values_list("team_id", "role")
    services.responsibility_restore(service=service, activity_key="operate", cells=[], expected=list(cells))


def assign_pattern(portfolio):
    service = next(service for service in Service.objects.filter(portfolio=portfolio).order_by("key")
                   if not service.assignments.filter(pattern_id=MSP).exists())
    services.service_assign_pattern(service=service, pattern_key=MSP)


def remove_pattern(portfolio):
    assignment = first_assignment(portfolio)
    services.service_remove_pattern(service=assignment.service, pattern_key=assignment.pattern_id)


def narrow_pattern(portfolio):
    assignment = first_assignment(portfolio, wide=True)
    services.service_set_pattern_activities(service=assignment.service, pattern_key=assignment.pattern_id,
                                            activities=assignment.activities[1:])


def restore_assignment(portfolio):
    assignment = first_assignment(portfolio)
    services.service_restore_assignment(service=assignment.service, pattern_key=assignment.pattern_id,
                                        activities=None, expected=list(assignment.activities))


def retire_service(portfolio):
    services.service_update(service=service_at(portfolio, 11), status=ServiceStatus.RETIRED)


def drop_owner(portfolio):
    services.service_update(service=service_at(portfolio, 12), owner=None)


def answer_context(portfolio):
    services.service_update(service=service_at(portfolio, 13), context={"engineering_capability": "minimal"})


def rename_service(portfolio):
    services.service_update(service=service_at(portfolio, 14), key="zz-renamed", name="Renamed service")


def create_service(portfolio):
    services.service_create(portfolio=portfolio, key="aa-new", name="New service")


def delete_service(portfolio):
    services.service_delete(service=service_at(portfolio, 15))


def create_team(portfolio):
    services.team_create(portfolio=portfolio, name="New vendor", party_kind="vendor")


def change_team_kind(portfolio):
    services.team_update(team=team_at(portfolio, 0), party_kind="customer")


def set_adoption(portfolio):
    services.practice_adoption_set(portfolio=portfolio, practice_key="knowledge-management", status="planned",
                                   capability_level=1)


WRITES = [
    give_role, take_role, choose_accountable, clear_accountable, toggle_consulted, restore_cells,
    assign_pattern, remove_pattern, narrow_pattern, restore_assignment, retire_service, drop_owner,
    answer_context, rename_service, create_service, delete_service, create_team, change_team_kind,
    set_adoption,
]


@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.__name__)
def test_write_advances_base(generated, write, django_capture_on_commit_callbacks, django_assert_num_queries):
    analyse_portfolio(current(generated))

    with django_capture_on_commit_callbacks(execute=True):
        write(current(generated))

    portfolio = current(generated)
    assert base_store.get(portfolio.pk).token == portfolio.revision_token
    # Only the waivers are read, because the base replaces the snapshot.
    with django_assert_num_queries(1):
        cached = analyse_portfolio(portfolio)
    assert cached == fresh_analysis(portfolio)


def test_base_follows_every_write_in_turn(generated, django_capture_on_commit_callbacks):
    analyse_portfolio(current(generated))

    for write in WRITES:
        with django_capture_on_commit_callbacks(execute=True):
            write(current(generated))

        portfolio = current(generated)
        assert base_store.get(portfolio.pk).token == portfolio.revision_token, write.__name__
        assert analyse_portfolio(portfolio) == fresh_analysis(portfolio), write.__name__


class RolledBack(Exception):
    pass


def test_rolled_back_write_leaves_base(generated, django_capture_on_commit_callbacks):
    analyse_portfolio(current(generated))
    base = base_store.get(generated.pk)

    with (django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RolledBack),
          transaction.atomic()):
        give_role(current(generated))
        raise RolledBack

    portfolio = current(generated)
    assert callbacks == []
    assert base_store.get(portfolio.pk) is base
    assert portfolio.revision_token == base.token
    assert analyse_portfolio(portfolio) == fresh_analysis(portfolio)


def test_rejected_write_schedules_nothing(generated, django_capture_on_commit_callbacks):
    assignment = first_assignment(generated)
    analyse_portfolio(current(generated))

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        services.service_assign_pattern(service=assignment.service, pattern_key=assignment.pattern_id)

    assert callbacks == []


def test_two_writes_in_one_transaction_advance_base(generated, django_capture_on_commit_callbacks):
    """Each write's edit is applied after the commit, re-reading its service as committed."""
    analyse_portfolio(current(generated))

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        give_role(current(generated))
        drop_owner(current(generated))

    portfolio = current(generated)
    assert base_store.get(portfolio.pk).token == portfolio.revision_token
    with CaptureQueriesContext(connection) as queries:
        result = analyse_portfolio(portfolio)
    assert len(queries) == 1
    assert result == fresh_analysis(portfolio)


def full_load_sql(portfolio) -> set[str]:
    """Return the SQL with which a full snapshot reads the services, pattern assignments and RACI cells."""
    with CaptureQueriesContext(connection) as capture:
        load_snapshot(portfolio)
    return {query["sql"] for query in capture if not query["sql"].startswith(SMALL_TABLE_QUERIES)}


def catch_up_without_full_load(portfolio, expected_token: str | None = None):
    """Analyse `portfolio`, asserting that the base was brought forward rather than loaded again.

    The base must then be at `expected_token`, by default the portfolio's token.
    """
    full_load = full_load_sql(portfolio)
    with CaptureQueriesContext(connection) as capture:
        result = analyse_portfolio(portfolio)
    assert len(full_load) == 3
    assert not full_load & {query["sql"] for query in capture}
    assert base_store.get(portfolio.pk).token == (expected_token or portfolio.revision_token)
    return result


# The test transaction never commits, so a write records its edit row, as in
# another worker, but never advances this process's base itself.

def test_other_worker_edit_advances_base(generated):
    analyse_portfolio(current(generated))

    give_role(current(generated))

    portfolio = current(generated)
    assert catch_up_without_full_load(portfolio) == fresh_analysis(portfolio)


def test_other_worker_edits_in_turn_advance_base(generated):
    analyse_portfolio(current(generated))

    for write in WRITES:
        write(current(generated))

        portfolio = current(generated)
        assert catch_up_without_full_load(portfolio) == fresh_analysis(portfolio), write.__name__


def test_other_worker_edits_catch_up_at_once(generated):
    analyse_portfolio(current(generated))

    for write in WRITES:
        write(current(generated))

    portfolio = current(generated)
    assert catch_up_without_full_load(portfolio) == fresh_analysis(portfolio)


def test_catch_up_goes_to_the_last_recorded_edit(generated):
    """A request holding an older token brings the base to the newest edit, for the requests after it."""
    analyse_portfolio(current(generated))
    give_role(current(generated))
    older = current(generated)
    drop_owner(current(generated))

    result = catch_up_without_full_load(older, expected_token=current(generated).revision_token)

    newest = current(generated)
    assert result == fresh_analysis(newest)
    with CaptureQueriesContext(connection) as capture:
        analysed = analyse_portfolio(newest)
    assert len(capture) == 1
    assert analysed == fresh_analysis(newest)


def test_base_past_the_token_is_used(generated):
    """A request that read the token before another request brought the base forward loads nothing in full."""
    older = current(generated)
    analyse_portfolio(older)
    give_role(current(generated))
    newer = current(generated)
    catch_up_without_full_load(newer)
    result_cache.clear()

    full_load = full_load_sql(older)
    with CaptureQueriesContext(connection) as capture:
        result = analyse_portfolio(older)

    assert not full_load & {query["sql"] for query in capture}
    assert base_store.get(generated.pk).token == newer.revision_token
    assert result == fresh_analysis(newer)


def test_unlinked_older_token_loads_in_full(generated):
    """A token that no recorded edit links to the base's token gets a full load, not the base."""
    older = current(generated)
    analyse_portfolio(older)
    Service.objects.filter(portfolio=generated).update(status=ServiceStatus.RETIRED)
    portfolio_bump_revision(generated.pk)
    analyse_portfolio(current(generated))
    result_cache.clear()

    full_load = full_load_sql(older)
    with CaptureQueriesContext(connection) as capture:
        analyse_portfolio(older)
    assert full_load <= {query["sql"] for query in capture}


def test_created_then_renamed_service_caught_up(generated):
    analyse_portfolio(current(generated))

    service = services.service_create(portfolio=current(generated), key="aa-new", name="New service")
    services.service_update(service=service, key="zz-new", name="Renamed new service")
    services.service_assign_pattern(service=service, pattern_key=MSP)

    portfolio = current(generated)
    assert catch_up_without_full_load(portfolio) == fresh_analysis(portfolio)


def test_recorded_edits_are_pruned(generated):
    """Only the last edits of a portfolio are kept; an older base then loads the portfolio in full."""
    for _ in range(2 * live.PRUNE_EVERY + live.EDITS_KEPT):
        toggle_consulted(current(generated))

    kept = AnalysisEdit.objects.filter(portfolio=generated).count()
    assert live.EDITS_KEPT <= kept < live.EDITS_KEPT + live.PRUNE_EVERY


def test_other_worker_edit_then_bulk_write_falls_back(generated):
    analyse_portfolio(current(generated))
    base = base_store.get(generated.pk)

    give_role(current(generated))
    Service.objects.filter(portfolio=generated).update(status=ServiceStatus.RETIRED)
    portfolio_bump_revision(generated.pk)

    portfolio = current(generated)
    full_load = full_load_sql(portfolio)
    with CaptureQueriesContext(connection) as capture:
        result = analyse_portfolio(portfolio)
    assert full_load <= {query["sql"] for query in capture}
    assert base_store.get(portfolio.pk) is not base
    assert result == fresh_analysis(portfolio)


def test_base_beyond_kept_edits_falls_back(generated):
    analyse_portfolio(current(generated))

    for _ in range(live.EDITS_KEPT + 1):
        toggle_consulted(current(generated))

    portfolio = current(generated)
    full_load = full_load_sql(portfolio)
    with CaptureQueriesContext(connection) as capture:
        result = analyse_portfolio(portfolio)
    assert full_load <= {query["sql"] for query in capture}
    assert result == fresh_analysis(portfolio)


# --- other connections --------------------------------------------------------------------------

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="needs a second connection that sees committed rows")


def write_in_other_connection(portfolio_id: int) -> None:
    """Change a service through the ORM in another thread, as another process would, and commit."""
    errors = []

    def write():
        try:
            service = Service.objects.filter(portfolio_id=portfolio_id).order_by("key").last()
            service.status = ServiceStatus.RETIRED
            service.save()
        except Exception as error:  # Recorded so that the assert below shows it.
            errors.append(repr(error))
        finally:
            connection.close()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()
    assert errors == []


@pytest.fixture
def committed(transactional_db, make_member):
    portfolio = generate_portfolio(services=40, seed=7, teams=25)
    waive_first_finding(portfolio, make_member(portfolio, Role.OWNER))
    return portfolio


@postgres_only
def test_other_connection_write_falls_back(committed):
    analyse_portfolio(current(committed))
    base = base_store.get(committed.pk)

    write_in_other_connection(committed.pk)
    give_role(current(committed))

    portfolio = current(committed)
    assert base_store.get(portfolio.pk) is base
    with CaptureQueriesContext(connection) as queries:
        result = analyse_portfolio(portfolio)
    assert len(queries) > 1
    assert result == fresh_analysis(portfolio)
    assert base_store.get(portfolio.pk).token == portfolio.revision_token


@postgres_only
def test_write_between_commit_and_advance_forces_full_load(committed, monkeypatch):
    """An untracked write committed before the base is advanced breaks the chain of edits."""
    analyse_portfolio(current(committed))
    advanced = []
    real_advance = live.advance_base

    def advance_after_other_write(*args):
        write_in_other_connection(committed.pk)
        advanced.append(real_advance(*args))

    monkeypatch.setattr(live, "advance_base", advance_after_other_write)

    give_role(current(committed))

    portfolio = current(committed)
    # The base reached the tracked write's token, with rows as new as the untracked write's.
    assert advanced == [True]
    assert base_store.get(portfolio.pk).token != portfolio.revision_token
    full_load = full_load_sql(portfolio)
    with CaptureQueriesContext(connection) as capture:
        result = analyse_portfolio(portfolio)
    assert full_load <= {query["sql"] for query in capture}
    assert result == fresh_analysis(portfolio)


@postgres_only
def test_committed_write_advances_base(committed, django_assert_num_queries):
    analyse_portfolio(current(committed))

    give_role(current(committed))

    portfolio = current(committed)
    assert base_store.get(portfolio.pk).token == portfolio.revision_token
    with django_assert_num_queries(1):
        cached = analyse_portfolio(portfolio)
    assert cached == fresh_analysis(portfolio)


# --- the RACI cell edit -------------------------------------------------------------------------

# The cell edit with a base: session, user, membership, service and form lookups, then the
# write with its lock, history and revision bump. The write records its edit (one INSERT),
# re-analyses one service in a read-only transaction, and the page reads the waivers and
# its own data. Transaction starts, savepoints and their ends count as queries here.
RACI_EDIT_QUERY_LIMIT = 43
# The library, teams and practice adoptions, which a re-analysis reads as well.
SMALL_TABLE_QUERIES = tuple(f'SELECT "{table}".' for table in (
    "patterns_lifecycleactivity", "patterns_practice", "patterns_pattern", "patterns_keypractice",
    "patterns_expectation", "patterns_decisionfactor", "patterns_factorvalue", "portfolio_team",
    "portfolio_practiceadoption",
))


def raci_edit_queries(client, portfolio, assert_max_queries) -> tuple[list[str], list[str], set[str]]:
    """Post the same cell edit with and without a base; return the SQL of both and of a full snapshot."""
    service = service_at(portfolio, 0)
    team = team_at(portfolio, 0)
    url = reverse("service-raci-cell", args=[portfolio.key, service.key, "operate"])
    client.get(reverse("service-detail", args=[portfolio.key, service.key]))

    # Each capture is read at once: it indexes Django's query log, which keeps the last 9,000 queries.
    with assert_max_queries(RACI_EDIT_QUERY_LIMIT) as capture:
        response = client.post(url, {"team": team.pk, "set": "I+"}, **HTMX)
    warm = [query["sql"] for query in capture]
    assert response.status_code == 200
    client.post(url, {"team": team.pk, "set": "I-"}, **HTMX)

    base_store.clear()
    with CaptureQueriesContext(connection) as capture:
        response = client.post(url, {"team": team.pk, "set": "I+"}, **HTMX)
    cold = [query["sql"] for query in capture]
    assert response.status_code == 200

    portfolio = current(portfolio)
    with CaptureQueriesContext(connection) as capture:
        load_snapshot(portfolio)
    return warm, cold, {query["sql"] for query in capture}


@postgres_only
def test_raci_edit_skips_full_snapshot(client, transactional_db, make_member, django_assert_max_num_queries,
                                       monkeypatch):
    # Every 16th edit record also deletes old ones (one more query), whichever portfolio it is in.
    monkeypatch.setattr("portfolio.analysis.live.PRUNE_EVERY", 10**9)
    small = generate_portfolio(services=10, seed=3, teams=25, key="small")
    large = generate_portfolio(services=300, seed=3, teams=25, key="large")
    user = make_member(small, Role.EDITOR)
    large.memberships.create(user=user, role=Role.EDITOR)
    client.force_login(user)

    counts = []
    for portfolio in (small, large):
        warm, cold, snapshot = raci_edit_queries(client, portfolio, django_assert_max_num_queries)
        # The services, pattern assignments and RACI cells of the whole portfolio.
        full_load = {sql for sql in snapshot if not sql.startswith(SMALL_TABLE_QUERIES)}
        assert len(full_load) == 3, portfolio.key
        assert full_load <= set(cold), portfolio.key
        assert not full_load & set(warm), portfolio.key
        assert len(warm) < len(cold), portfolio.key
        counts.append(len(warm))

    assert counts[0] == counts[1]
