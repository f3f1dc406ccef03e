#!/usr/bin/env python3
"""Load test: the app under gunicorn on 127.0.0.1, a generated portfolio on PostgreSQL, concurrent clients.

The script creates its own PostgreSQL database, migrates it and generates a
portfolio (`portfolio.benchmark.generate`). It starts gunicorn on a free port
of 127.0.0.1 with production settings (`DEBUG=false`) and logs every client
in. The clients send a fixed mix of page reads, htmx catalogue partials and
htmx RACI edits for a fixed time. The script prints requests per second,
latency percentiles and errors per endpoint, and with `--write` puts them
into the load test section of docs/benchmarks.md. At the end it stops
gunicorn and drops the database.

    .venv/bin/python scripts/loadtest.py --duration 60 --write docs/benchmarks.md

Only loopback addresses are used: the database URL must name 127.0.0.1 or localhost.
"""

import argparse
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
# The script runs as a file, so the repository is not on the import path by itself.
sys.path.insert(0, str(REPO))

from portfolio.benchmark.server import (  # noqa: E402
    HOST,
    Reply,
    free_port,
    request,
    start_server,
    stop_server,
    wait_until_ready,
)

PORTFOLIO_KEY = "loadtest"
USERNAME = "loadtest"
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1"}
SECTION_MARK = "<!-- loadtest:{name}:{edge} -->"
CATALOGUE_PARTIAL = "catalogue partial"
# p95 target of the catalogue partial at 16 concurrent clients, in milliseconds.
CATALOGUE_PARTIAL_P95_TARGET_MS = 200

RACI_EDIT = "RACI edit (htmx)"
# Relative weights of the request kinds in the mix; --edit-weight replaces the RACI edit's.
READ_MIX = {
    "dashboard": 10,
    "catalogue page": 10,
    CATALOGUE_PARTIAL: 30,
    "service page": 35,
}
DEFAULT_EDIT_WEIGHT = 15
# The request log line of compass.middleware.RequestIdMiddleware: "[id] METHOD path status 12.3 ms".
REQUEST_LOG_LINE = re.compile(r"compass\.requests \[(?P<id>lt[0-9]+-[0-9]+)\] \S+ \S+ \d+ (?P<ms>[0-9.]+) ms")


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=10_000, help="Services in the generated portfolio.")
    parser.add_argument("--clients", type=int, default=16, help="Concurrent clients.")
    parser.add_argument("--duration", type=float, default=60, help="Seconds of load after the warm-up.")
    parser.add_argument("--warm-up", type=float, default=5, help="Seconds of load before measuring.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes.")
    parser.add_argument("--seed", type=int, default=1, help="Seed of the portfolio and of the request mix.")
    parser.add_argument("--edit-weight", type=int, default=DEFAULT_EDIT_WEIGHT,
                        help="Weight of the RACI edit in the mix, beside reads weighing 85 together; "
                             "0 sends reads only (default: %(default)s).")
    parser.add_argument("--admin-url", default=os.environ.get("LOADTEST_ADMIN_URL",
                                                              "postgres://postgres@127.0.0.1:5432/postgres"),
                        help="PostgreSQL URL of a user who may create databases (default: %(default)s).")
    parser.add_argument("--write", metavar="FILE", help="Write the results into FILE's load test section.")
    parser.add_argument("--keep-database", action="store_true", help="Do not drop the database at the end.")
    arguments = parser.parse_args(argv)
    if urlsplit(arguments.admin_url).hostname not in LOOPBACK_NAMES:
        parser.error(f"--admin-url must point to 127.0.0.1 or localhost, not {arguments.admin_url!r}.")
    for name in ("services", "clients", "workers"):
        if getattr(arguments, name) < 1:
            parser.error(f"--{name} must be at least 1.")
    if arguments.edit_weight < 0:
        parser.error("--edit-weight must be 0 or more.")
    return arguments


def request_mix(edit_weight: int) -> dict[str, int]:
    return {**READ_MIX, RACI_EDIT: edit_weight} if edit_weight else dict(READ_MIX)


# --- setting up: database, data, server -------------------------------------------------------------


def database_url(admin_url: str, name: str) -> str:
    parts = urlsplit(admin_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def run_admin_sql(admin_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(statement)


def manage(environment: dict, *arguments: str) -> None:
    subprocess.run([sys.executable, "manage.py", *arguments], cwd=REPO, env=environment, check=True)


def prepare_data(environment: dict, services: int, seed: int, output: Path) -> dict:
    """Generate the portfolio and its login in a child process with Django set up; return its facts."""
    subprocess.run([sys.executable, __file__, "_prepare", str(services), str(seed), str(output)],
                   cwd=REPO, env=environment, check=True)
    return json.loads(output.read_text())


def _prepare_in_child(services: int, seed: int, output: Path) -> None:
    """Run inside the child process: generate the data and write the facts the clients need."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compass.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from portfolio.benchmark.environment import Environment
    from portfolio.benchmark.generate import generate_portfolio
    from portfolio.models import Membership, Role, Team

    started = time.perf_counter()
    portfolio = generate_portfolio(services=services, seed=seed, key=PORTFOLIO_KEY)
    password = secrets.token_urlsafe(16)
    user = get_user_model().objects.create_user(username=USERNAME, password=password)
    Membership.objects.create(portfolio=portfolio, user=user, role=Role.OWNER)
    facts = {
        "password": password,
        "services": sorted(portfolio.services.values_list("key", flat=True)),
        "teams": list(Team.objects.filter(portfolio=portfolio).values_list("pk", flat=True)),
        "generated_seconds": round(time.perf_counter() - started, 1),
        "environment": vars(Environment.current()),
    }
    output.write_text(json.dumps(facts))


# --- HTTP -------------------------------------------------------------------------------------------


class Session:
    """A logged-in client's cookies, CSRF token included, and its requests."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, *, headers: dict | None = None, form: dict | None = None) -> Reply:
        headers = {"Host": f"{HOST}:{self.port}", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        reply = request(self.port, method, path, headers=headers, body=body)
        for header in reply.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return reply

    def log_in(self, password: str) -> None:
        self.send("GET", "/accounts/login/")
        form = {"username": USERNAME, "password": password,
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        reply = self.send("POST", "/accounts/login/", form=form)
        if reply.status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"Logging in failed with status {reply.status}.")


# --- the load ---------------------------------------------------------------------------------------


@dataclass
class Sample:
    endpoint: str
    request_id: str
    seconds: float
    status: int
    error: str = ""
    # Time the app spent on the request, from its log line; None when the line is missing.
    server_ms: float | None = None


# The RACI forms of a service page, as the app renders them (portfolio/templatetags/raci_tags.py).
ACCOUNTABLE_FORM = re.compile(r'raci/(?P<activity>[^/"]+)/accountable/" hx-post=[^>]*>'
                              r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">'
                              r'<input type="hidden" name="seen" value="(?P<seen>[^"]*)">')
MATRIX_COLUMNS = re.compile(r'name="columns" value="(?P<columns>[^"]*)"')
MATRIX_STATE = re.compile(r'id="raci-state" name="state" value="(?P<state>[^"]*)"')


@dataclass
class ShownPage:
    """The RACI form fields of the service page a client shows, kept up to date as a browser keeps them."""

    service_key: str
    columns: str = ""
    state: str = ""
    # Activity key to the accountable team ids that its list showed ("seen").
    seen: dict[str, str] = field(default_factory=dict)

    def update(self, html: str) -> None:
        """Read the fields from a service page, or from an edit response that may contain one row only."""
        for match in ACCOUNTABLE_FORM.finditer(html):
            self.seen[match["activity"]] = match["seen"]
        if (columns := MATRIX_COLUMNS.search(html)) is not None:
            self.columns = columns["columns"]
        if (state := MATRIX_STATE.search(html)) is not None:
            self.state = state["state"]


@dataclass
class Client:
    number: int
    session: Session
    facts: dict
    mix: dict[str, int]
    rng: random.Random
    # The services this client opens and edits. Each client has its own, as each service owner edits
    # their own services, so that two clients never edit one service at the same time.
    own_services: list[str]
    samples: list[Sample] = field(default_factory=list)
    sent: int = 0
    page: ShownPage | None = None

    def next_request(self) -> tuple[str, str, str, dict, dict | None]:
        """Return the endpoint name, method, path, headers and form of a request drawn from the mix."""
        endpoint = self.rng.choices(list(self.mix), weights=list(self.mix.values()))[0]
        base = f"/p/{PORTFOLIO_KEY}"
        pages = max(1, len(self.facts["services"]) // 50)
        htmx = {"HX-Request": "true"}
        if endpoint == RACI_EDIT and (self.page is None or not self.page.seen):
            # An edit happens on a service page; a client that has not opened one yet opens one.
            endpoint = "service page"
        if endpoint == "dashboard":
            return endpoint, "GET", f"{base}/", {}, None
        if endpoint == "catalogue page":
            return endpoint, "GET", f"{base}/services/?page={self.rng.randint(1, pages)}", {}, None
        if endpoint == CATALOGUE_PARTIAL:
            return endpoint, "GET", f"{base}/services/?page={self.rng.randint(1, pages)}", htmx, None
        if endpoint == "service page":
            return endpoint, "GET", f"{base}/services/{self.rng.choice(self.own_services)}/", {}, None
        # The accountable team list of one activity, sent as its form sends it: the status line is the
        # target, and the form includes the page's columns and row digests (#raci-state).
        page = self.page
        activity = self.rng.choice(sorted(page.seen))
        path = f"{base}/services/{page.service_key}/raci/{activity}/accountable/"
        form = {"team": self.rng.choice(self.facts["teams"]), "seen": page.seen[activity],
                "columns": page.columns, "state": page.state}
        return endpoint, "POST", path, {**htmx, "HX-Target": "editor-status"}, form

    def run(self, until: float) -> None:
        while time.monotonic() < until:
            endpoint, method, path, headers, form = self.next_request()
            self.sent += 1
            # The app logs this id with the request's own duration, which the report reads back.
            request_id = f"lt{self.number:02d}-{self.sent:07d}"
            started = time.perf_counter()
            try:
                reply = self.session.send(method, path, headers={**headers, "X-Request-ID": request_id},
                                          form=form)
                status, error = reply.status, "" if reply.status == 200 else f"HTTP {reply.status}"
            except OSError as exception:
                reply, status, error = None, 0, type(exception).__name__
            self.samples.append(Sample(endpoint, request_id, time.perf_counter() - started, status, error))
            if status == 200:
                self._keep_page(endpoint, path, reply.body.decode("utf-8", errors="replace"))

    def _keep_page(self, endpoint: str, path: str, html: str) -> None:
        if endpoint == "service page":
            self.page = ShownPage(service_key=path.rstrip("/").rsplit("/", 1)[1])
        if endpoint in ("service page", RACI_EDIT):
            self.page.update(html)


def run_load(clients: list[Client], seconds: float) -> float:
    """Run every client in its own thread for `seconds`; return the measured wall time."""
    started = time.monotonic()
    threads = [threading.Thread(target=client.run, args=(started + seconds,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


# --- results ----------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def read_server_times(samples: list[Sample], log_path: Path) -> None:
    """Set each sample's server_ms from the request log line that carries its request id."""
    by_id = {sample.request_id: sample for sample in samples}
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = REQUEST_LOG_LINE.search(line)
        if match and match["id"] in by_id:
            by_id[match["id"]].server_ms = float(match["ms"])


def summarise(samples: list[Sample], seconds: float, mix: dict[str, int]) -> list[dict]:
    rows = []
    for endpoint in [*mix, "all"]:
        chosen = [sample for sample in samples if endpoint in ("all", sample.endpoint)]
        if not chosen:
            continue
        times = [sample.seconds * 1000 for sample in chosen]
        server_times = [sample.server_ms for sample in chosen if sample.server_ms is not None]
        rows.append({
            "endpoint": endpoint,
            "requests": len(chosen),
            "per_second": len(chosen) / seconds,
            "p50": statistics.median(times),
            "p95": percentile(times, 0.95),
            "max": max(times),
            "server_p50": statistics.median(server_times) if server_times else float("nan"),
            "server_p95": percentile(server_times, 0.95) if server_times else float("nan"),
            "errors": sum(1 for sample in chosen if sample.error),
        })
    return rows


def error_kinds(samples: list[Sample]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for sample in samples:
        if sample.error:
            label = f"{sample.endpoint}: {sample.error}"
            kinds[label] = kinds.get(label, 0) + 1
    return kinds


def section_name(mix: dict[str, int]) -> str:
    return "reads-and-edits" if RACI_EDIT in mix else "reads-only"


def render_section(rows: list[dict], samples: list[Sample], context: dict) -> str:
    partial = next(row for row in rows if row["endpoint"] == CATALOGUE_PARTIAL)
    total = next(row for row in rows if row["endpoint"] == "all")
    environment = context["environment"]
    mix = context["mix"]
    name = section_name(mix)
    title = "reads and RACI edits" if name == "reads-and-edits" else "reads only"
    lines = [
        SECTION_MARK.format(name=name, edge="begin"),
        f"## Load test under gunicorn: {title}",
        "",
        f"Run of {context['date']}: `{context['command']}`. The app ran under gunicorn with "
        f"{context['workers']} sync workers on {HOST}, `DEBUG=false`, on {environment['database']}, with "
        f"Python {environment['python']} and Django {environment['django']}. Machine: {environment['cpu']}, "
        f"{environment['cores']} logical CPUs, {environment['memory']} of memory; the clients ran on the "
        f"same machine. Load average before the run: {context['load_before']}; after: "
        f"{context['load_after']}.",
        "",
        f"A generated portfolio of {context['services']:,} services (generated in "
        f"{context['generated_seconds']} s). {context['clients']} concurrent clients, each logged in with "
        f"its own session, sent requests back to back for {context['duration']:.0f} s after a "
        f"{context['warm_up']:.0f} s warm-up. The mix, by weight: "
        + ", ".join(f"{endpoint} {weight}" for endpoint, weight in mix.items())
        + ". Pages are 50 services long; the catalogue partial is the service list with `HX-Request`."
        + (" Each client opens and edits its own share of the services, as service owners would. The "
           "RACI edit sets the accountable team of a random lifecycle activity on the service page that "
           "the client opened last. It sends the fields of that list's form (the matrix's columns, its "
           "row digests and the accountable teams the page showed), with the status line as the htmx "
           "target."
           if RACI_EDIT in mix else ""),
        "",
        "Latency is measured by the clients, so it includes the wait for a free worker. The server "
        "columns are the app's own time per request, from its request log line (found by request id).",
        "",
        "| endpoint | requests | per second | p50 ms | p95 ms | max ms | server p50 ms | server p95 ms "
        "| errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(f"| {row['endpoint']} | {row['requests']:,} | {row['per_second']:.1f} | "
                     f"{row['p50']:.0f} | {row['p95']:.0f} | {row['max']:.0f} | {row['server_p50']:.0f} | "
                     f"{row['server_p95']:.0f} | {row['errors']} |")
    met = partial["p95"] < CATALOGUE_PARTIAL_P95_TARGET_MS and total["errors"] == 0
    lines += [
        "",
        f"Target: no errors and a catalogue partial p95 under {CATALOGUE_PARTIAL_P95_TARGET_MS} ms at 16 "
        f"clients. {'Met' if met else 'Missed'}: {total['errors']} errors, partial p95 "
        f"{partial['p95']:.0f} ms.",
    ]
    kinds = error_kinds(samples)
    if kinds:
        listed = "; ".join(f"{label} ({count})" for label, count in sorted(kinds.items()))
        lines += ["", f"Errors: {listed}."]
    lines.append(SECTION_MARK.format(name=name, edge="end"))
    return "\n".join(lines) + "\n"


def write_section(path: Path, name: str, section: str) -> None:
    """Replace the load test section `name` of `path`, or append it when the page has none."""
    page = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    begin, end = (SECTION_MARK.format(name=name, edge=edge) for edge in ("begin", "end"))
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end) + "\n?", re.DOTALL)
    if pattern.search(page):
        page = pattern.sub(lambda _match: section, page)
    else:
        page = page.rstrip("\n") + "\n\n" + section
    path.write_text(page, encoding="utf-8")


def print_table(rows: list[dict]) -> None:
    print(f"{'endpoint':<20} {'requests':>9} {'per s':>7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
          f"{'server p50':>10} {'server p95':>10} {'errors':>6}")
    for row in rows:
        print(f"{row['endpoint']:<20} {row['requests']:>9} {row['per_second']:>7.1f} {row['p50']:>7.0f} "
              f"{row['p95']:>7.0f} {row['max']:>7.0f} {row['server_p50']:>10.0f} {row['server_p95']:>10.0f} "
              f"{row['errors']:>6}")


# --- main -------------------------------------------------------------------------------------------


def server_environment(url: str, work: Path) -> dict:
    environment = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    environment.update({
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        # Plain HTTP on loopback: cookies marked Secure would never come back.
        "SECURE_COOKIES": "false",
        "STATIC_ROOT": str(work / "static"),
        "IMPORT_WORK_DIR": str(work / "imports"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
    })
    return environment


def print_log_errors(log_path: Path, limit: int = 40) -> None:
    """Print the server's ERROR lines and tracebacks, which the work folder's removal would lose."""
    lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    error_lines = [line for line in lines if " ERROR " in line or line.startswith(("Traceback", "  "))]
    print(f"Last {limit} error lines of the gunicorn log:")
    for line in error_lines[-limit:]:
        print("  " + line)


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def stop_on_sigterm(signal_number, frame) -> None:
    # Turn SIGTERM into an exception, so the `finally` block stops gunicorn and drops the database.
    raise SystemExit(f"Stopped by signal {signal_number}.")


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    name = f"compass_loadtest_{os.getpid()}"
    url = database_url(arguments.admin_url, name)
    work = Path(tempfile.mkdtemp(prefix="compass-loadtest-"))
    environment = server_environment(url, work)
    server = None
    print(f"Creating database {name}", flush=True)
    run_admin_sql(arguments.admin_url, f'CREATE DATABASE "{name}"')
    try:
        manage(environment, "migrate", "--no-input", "--verbosity", "0")
        manage(environment, "createcachetable")
        manage(environment, "collectstatic", "--no-input", "--verbosity", "0")
        print(f"Generating a portfolio of {arguments.services:,} services", flush=True)
        facts = prepare_data(environment, arguments.services, arguments.seed, work / "facts.json")
        port = free_port()
        log_path = work / "gunicorn.log"
        server = start_server(environment, port, arguments.workers, log_path)
        wait_until_ready(port, server)
        print(f"gunicorn answers on http://{HOST}:{port}/ (log: {log_path})", flush=True)

        mix = request_mix(arguments.edit_weight)
        clients = []
        for index in range(arguments.clients):
            session = Session(port)
            session.log_in(facts["password"])
            rng = random.Random(arguments.seed * 1000 + index)
            own = facts["services"][index::arguments.clients]
            clients.append(Client(index + 1, session, facts, mix, rng, own))
        load_before = load_average()
        run_load(clients, arguments.warm_up)
        for client in clients:
            client.samples.clear()
        print(f"Measuring for {arguments.duration:.0f} s with {arguments.clients} clients", flush=True)
        seconds = run_load(clients, arguments.duration)
        samples = [sample for client in clients for sample in client.samples]
        read_server_times(samples, log_path)
        rows = summarise(samples, seconds, mix)
        print_table(rows)
        for label, count in sorted(error_kinds(samples).items()):
            print(f"error: {label} ({count})")

        if arguments.write:
            context = {
                "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "command": "scripts/loadtest.py " + " ".join(argv),
                "workers": arguments.workers, "services": arguments.services, "clients": arguments.clients,
                "duration": arguments.duration, "warm_up": arguments.warm_up,
                "generated_seconds": facts["generated_seconds"], "environment": facts["environment"],
                "load_before": load_before, "load_after": load_average(), "mix": mix,
            }
            write_section(Path(arguments.write), section_name(mix), render_section(rows, samples, context))
            print(f"Wrote the load test section of {arguments.write}.")
        if error_kinds(samples):
            print_log_errors(log_path)
            return 1
        return 0
    finally:
        if server is not None:
            stop_server(server)
        if arguments.keep_database:
            print(f"Kept database {name}: {url}")
        else:
            run_admin_sql(arguments.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"Dropped database {name}.")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["_prepare"]:
        _prepare_in_child(int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]))
    else:
        sys.exit(main(sys.argv[1:]))
