"""Measure the live board's poll endpoint under gunicorn on 127.0.0.1 with many participants at once.

`measure_polls` creates a throwaway portfolio with a running workshop and one
viewer per participant, each logged in with its own session. It starts the
app under gunicorn on a free loopback port, against the configured database,
and in each round lets every participant send one poll at the same moment, on
a new HTTP connection as the board's htmx poll does. Unchanged polls carry the
current version and must return 204 without a body. Before each round of
changed polls the workshop's title changes, so every poll returns the board's
live partial. It also counts the SQL queries of one poll of each kind through
`django.test.Client`. Everything it created is deleted at the end, also when
the measurement fails.
"""

import os
import secrets
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from portfolio.benchmark.environment import Environment, load_average
from portfolio.benchmark.generate import delete_portfolio
from portfolio.benchmark.measure import count_queries
from portfolio.benchmark.server import HOST, free_port, request, start_server, stop_server, wait_until_ready
from portfolio.models import Membership, Portfolio, Role, Service
from portfolio.workshops import services
from portfolio.workshops.live import poll_token
from portfolio.workshops.selectors import board_version

PREFIX = "poll-benchmark-"
WORKERS = 2
# The live board promises that an unchanged poll costs at most this many SQL queries.
UNCHANGED_QUERY_LIMIT = 2


@dataclass(frozen=True)
class PollCase:
    """The polls of one kind: each request's latency in seconds and the wall time of all rounds."""

    latencies: tuple[float, ...]
    seconds: float
    errors: int

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


@dataclass(frozen=True)
class PollMeasurement:
    participants: int
    rounds: int
    unchanged: PollCase
    changed: PollCase
    unchanged_queries: int
    changed_queries: int
    started: datetime
    load_before: str
    load_after: str
    environment: Environment
    # The command line that ran the measurement, or "" when it was called from code.
    command: str = ""

    @property
    def passed(self) -> bool:
        return self.unchanged_queries <= UNCHANGED_QUERY_LIMIT and self.unchanged.errors == 0

    def markdown(self) -> str:
        """Describe the measurement as a Markdown section with one table row per kind of poll."""
        environment = self.environment
        lines = [
            "## Workshop live board polls",
            "",
            f"Run of {self.started:%Y-%m-%d %H:%M} UTC"
            + (f": `{self.command}`" if self.command else "")
            + f". The app ran under gunicorn with {WORKERS} sync workers on {HOST}, `DEBUG=false`, on "
            f"{environment.database}, with Python {environment.python} and Django {environment.django}. "
            f"Machine: {environment.cpu}, {environment.cores} logical CPUs, {environment.memory} of memory; "
            "the clients ran on the same machine. Load average (1, 5, 15 minutes) before: "
            f"{self.load_before}; after: {self.load_after}.",
            "",
            f"{self.participants} participants (viewers), each with its own session, poll one running "
            f"workshop. In each of {self.rounds} rounds, after one untimed round, every participant sends "
            "one poll at the same moment on a new connection. An unchanged poll carries the current "
            "version and gets 204 without a body. Before each round of changed polls the workshop's "
            "title changes, so every poll gets the board's live partial. Requests per second are all "
            "requests over the summed wall time of the rounds; latency is measured by the clients, so "
            "it includes the wait for a free worker. The SQL queries are those of one poll through "
            "`django.test.Client`. Measured by `portfolio.workshops.benchmark.measure_polls`.",
            "",
            "| poll | requests | per second | p50 ms | p95 ms | max ms | SQL queries | errors |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
            _row("unchanged (204)", self.unchanged, self.unchanged_queries),
            _row("changed (live partial)", self.changed, self.changed_queries),
            "",
            f"Target: an unchanged poll renders nothing and sends at most {UNCHANGED_QUERY_LIMIT} SQL "
            f"queries. {'Met' if self.passed else 'Missed'}: {self.unchanged_queries} queries, "
            f"{self.unchanged.errors} errors.",
        ]
        return "\n".join(lines) + "\n"


def _row(name: str, case: PollCase, queries: int) -> str:
    return (f"| {name} | {len(case.latencies):,} | {case.per_second:.1f} | {case.percentile_ms(0.5):.0f} | "
            f"{case.percentile_ms(0.95):.0f} | {max(case.latencies) * 1000:.0f} | {queries} | "
            f"{case.errors} |")


def measure_polls(participants: int = 30, *, rounds: int = 20, progress=print,
                  command: str = "") -> PollMeasurement:
    """Measure `rounds` rounds of unchanged and of changed polls by `participants` participants at once."""
    load_before, started = load_average(), timezone.now()
    workshop, users = _create_workshop(participants)
    clients: list[Client] = []
    server = None
    work = Path(tempfile.mkdtemp(prefix=PREFIX))
    try:
        # The test client's host is "testserver", which production settings do not allow.
        with override_settings(ALLOWED_HOSTS=["testserver"]):
            clients = [_logged_in_client(user) for user in users]
            unchanged_queries, changed_queries = _count_poll_queries(clients[0], workshop, users[0])
        port = free_port()
        server = start_server(_server_environment(work), port, WORKERS, work / "gunicorn.log")
        wait_until_ready(port, server)
        pollers = [_Participant(port, client, workshop, user)
                   for client, user in zip(clients, users, strict=True)]
        progress(f"Workshop polls: {participants} participants, {rounds} rounds per kind on port {port}")
        unchanged = _measure_case(pollers, rounds, workshop, change=False)
        changed = _measure_case(pollers, rounds, workshop, change=True)
        load_after = load_average()
    except Exception:
        _print_log_tail(work / "gunicorn.log", progress)
        raise
    finally:
        if server is not None:
            stop_server(server)
        for client in clients:
            client.logout()
        delete_portfolio(Portfolio.objects.get(pk=workshop.portfolio_id))
        get_user_model().objects.filter(pk__in=[user.pk for user in users]).delete()
        shutil.rmtree(work, ignore_errors=True)
    return PollMeasurement(participants, rounds, unchanged, changed, unchanged_queries, changed_queries,
                           started, load_before, load_after, Environment.current(), command)


def _create_workshop(participants: int):
    """Create a portfolio with one service, a running workshop on it and one viewer per participant."""
    key = PREFIX + secrets.token_hex(4)
    portfolio = Portfolio.objects.create(key=key, name="Poll benchmark")
    service = Service.objects.create(portfolio=portfolio, key="claims", name="Claims portal")
    workshop = services.workshop_create(portfolio=portfolio, title="Poll benchmark", date=date.today())
    services.agenda_add(workshop=workshop, service=service)
    services.workshop_start(workshop=workshop)
    users = []
    for number in range(participants):
        user = get_user_model().objects.create_user(username=f"{key}-{number}")
        Membership.objects.create(portfolio=portfolio, user=user, role=Role.VIEWER)
        users.append(user)
    workshop.refresh_from_db()
    return workshop, users


def _logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _poll_path(workshop, user, version: str) -> str:
    path = reverse("workshops:poll", args=[workshop.portfolio.key, workshop.pk, 1])
    return f"{path}?t={poll_token(workshop, user)}&v={quote(version)}"


def _count_poll_queries(client: Client, workshop, user) -> tuple[int, int]:
    """Return the SQL queries of one unchanged and one changed poll, checking their status codes."""
    workshop.refresh_from_db()
    # The paths are built first, so that the counts hold only the requests' own queries.
    unchanged_path = _poll_path(workshop, user, board_version(workshop))
    changed_path = _poll_path(workshop, user, "stale")
    responses = []

    def poll(path: str):
        return lambda: responses.append(client.get(path, HTTP_HX_REQUEST="true"))

    unchanged = count_queries(poll(unchanged_path))
    changed = count_queries(poll(changed_path))
    statuses = [response.status_code for response in responses]
    if statuses != [204, 200]:
        raise RuntimeError(f"The in-process polls returned {statuses}; expected [204, 200].")
    return unchanged, changed


def _server_environment(work: Path) -> dict:
    """Return the environment for gunicorn: this process's database and secret key, production settings."""
    environment = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    environment.update({
        "DATABASE_URL": _database_url(),
        "DEBUG": "false",
        # The server must verify the poll tokens that this process signs.
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": HOST,
        "SECURE_COOKIES": "false",
        "IMPORT_WORK_DIR": str(work / "imports"),
    })
    return environment


def _database_url() -> str:
    """Return a URL for the database this process uses, so the server reads the same rows."""
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        user = quote(database["USER"] or "", safe="")
        password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
        host = database["HOST"] or HOST
        port = f":{database['PORT']}" if database["PORT"] else ""
        return f"postgres://{user}{password}@{host}{port}/{quote(database['NAME'], safe='')}"
    name = str(database["NAME"])
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        return f"sqlite:///{Path(name).resolve()}"
    raise RuntimeError(f"The poll benchmark needs a database that gunicorn can open too; "
                       f"{connection.vendor} database {name!r} is not one. Use PostgreSQL or an SQLite file.")


def _print_log_tail(log_path: Path, progress, lines: int = 20) -> None:
    """Print the end of the gunicorn log, which the removal of the work folder would lose."""
    if log_path.exists():
        tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        progress("End of the gunicorn log:\n" + "\n".join(tail))


class _Participant:
    """One participant's session cookie and the version its board shows."""

    def __init__(self, port: int, client: Client, workshop, user):
        self.port = port
        # Built here, in the main thread, because the poll threads have no database connection of their own.
        self.path = _poll_path(workshop, user, "")
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.headers = {"Host": f"{HOST}:{port}", "HX-Request": "true",
                        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}
        self.version = ""

    def poll(self, expected_status: int) -> tuple[float, str]:
        """Send one poll; return its latency in seconds and an error ("" when the reply is as expected)."""
        started = time.perf_counter()
        try:
            reply = request(self.port, "GET", self.path + quote(self.version), headers=self.headers)
        except OSError as exception:
            return time.perf_counter() - started, type(exception).__name__
        seconds = time.perf_counter() - started
        if reply.status != expected_status:
            return seconds, f"HTTP {reply.status}"
        if expected_status == 204 and reply.body:
            return seconds, "body in a 204 reply"
        if expected_status == 200 and f'data-version="{self.version}"'.encode() in reply.body:
            return seconds, "partial with the old version"
        return seconds, ""


def _measure_case(participants: list[_Participant], rounds: int, workshop, *, change: bool) -> PollCase:
    """Run one untimed and `rounds` timed rounds in which every participant polls once at the same moment."""
    expected = 200 if change else 204
    latencies, errors, seconds = [], [], 0.0
    with ThreadPoolExecutor(max_workers=len(participants)) as pool:
        for number in range(rounds + 1):
            # Every participant's board shows the current version, as after its last poll.
            workshop.refresh_from_db()
            for participant in participants:
                participant.version = board_version(workshop)
            if change:
                services.workshop_update(workshop=workshop, title=f"Poll benchmark, round {number}",
                                         date=workshop.date)
            round_started = time.perf_counter()
            results = list(pool.map(lambda participant: participant.poll(expected), participants))
            if number == 0:
                _check_first_round(results)
                continue
            seconds += time.perf_counter() - round_started
            latencies += [latency for latency, _ in results]
            errors += [error for _, error in results if error]
    return PollCase(tuple(latencies), seconds, len(errors))


def _check_first_round(results: list[tuple[float, str]]) -> None:
    failed = sorted({error for _, error in results if error})
    if failed:
        raise RuntimeError(f"The first round of polls failed ({'; '.join(failed)}); see the gunicorn log.")

