"""Restart PostgreSQL under a running app: requests recover at once and no committed write is lost.

The test starts a private PostgreSQL instance (initdb into a temporary
folder, pg_ctl on a free port of 127.0.0.1), migrates it, and runs the app
under gunicorn with two workers and production settings: persistent
connections (CONN_MAX_AGE) with health checks. It creates services through
the app, restarts PostgreSQL (a fast shutdown, then an immediate one, which
forces crash recovery), and goes on sending requests. After each restart at
most the first request may fail, and every service whose creation the app
confirmed is in the database at the end.
"""

import glob
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

REPO = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
PORTFOLIO_KEY = "fault"
USERNAME = "fault-tester"
PASSWORD = "pw-for-fault-tests"
COMMAND_TIMEOUT = 120
REQUEST_TIMEOUT = 20
READY_TIMEOUT = 60
REQUESTS_AFTER_RESTART = 12

INITDB = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))

pytestmark = pytest.mark.skipif(
    not INITDB,
    reason="initdb not found under /usr/lib/postgresql/*/bin; install the PostgreSQL server package",
)

SETUP_SCRIPT = f"""
from django.contrib.auth import get_user_model
from portfolio.models import Membership, Portfolio, Role, Team
user = get_user_model().objects.create_user(username={USERNAME!r}, password={PASSWORD!r})
portfolio = Portfolio.objects.create(key={PORTFOLIO_KEY!r}, name="Fault test")
Membership.objects.create(portfolio=portfolio, user=user, role=Role.OWNER)
Team.objects.create(portfolio=portfolio, name="Platform", party_kind="technology")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class PrivatePostgres:
    """A PostgreSQL instance in its own folder, run as the `postgres` user when the test runs as root."""

    def __init__(self, folder: Path):
        self.bin = Path(INITDB[-1]).parent
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_owner:
            shutil.chown(folder, "postgres", "postgres")

    def run(self, *arguments: str) -> None:
        subprocess.run([*self.as_owner, *arguments], check=True, capture_output=True, timeout=COMMAND_TIMEOUT)

    def initdb(self) -> None:
        self.run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                 "--encoding=UTF8", "--no-sync")

    def pg_ctl(self, *arguments: str) -> None:
        options = f"-p {self.port} -c listen_addresses={HOST} -k {self.folder}"
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                 str(self.folder / "postgres.log"), "-w", "-t", "60", *arguments)

    def url(self, database: str) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{database}"


@pytest.fixture
def postgres():
    folder = Path(tempfile.mkdtemp(prefix="compass-fault-pg-"))
    instance = PrivatePostgres(folder)
    try:
        instance.initdb()
        instance.pg_ctl("start")
        yield instance
    finally:
        if (instance.data / "postmaster.pid").exists():
            instance.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """Collect static files once: production settings need WhiteNoise's manifest."""
    root = tmp_path_factory.mktemp("static")
    environment = {**os.environ, "DEBUG": "false", "SECRET_KEY": "collectstatic-only",
                   "STATIC_ROOT": str(root)}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
                   cwd=REPO, env=environment, check=True, timeout=COMMAND_TIMEOUT * 3)
    return root


@pytest.fixture
def app(postgres, collected_static, tmp_path):
    """Migrate a database on the private instance and serve the app from it under gunicorn."""
    import psycopg

    with psycopg.connect(postgres.url("postgres"), autocommit=True) as connection:
        connection.execute("CREATE DATABASE compass")
    environment = {
        **os.environ,
        "DATABASE_URL": postgres.url("compass"),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SECURE_COOKIES": "false",
        "CONN_MAX_AGE": "600",
        "STATIC_ROOT": str(collected_static),
        "IMPORT_WORK_DIR": str(tmp_path / "imports"),
    }
    for arguments in (["migrate", "--no-input", "--verbosity", "0"], ["createcachetable"],
                      ["shell", "--command", SETUP_SCRIPT]):
        subprocess.run([sys.executable, "manage.py", *arguments], cwd=REPO, env=environment, check=True,
                       capture_output=True, timeout=COMMAND_TIMEOUT)

    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "compass.wsgi", "--bind", f"{HOST}:{port}", "--workers", "2",
             "--timeout", "30"],
            cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        wait_until_ready(port, server, log_path)
        yield Browser(port, log_path)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def wait_until_ready(port: int, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        assert server.poll() is None, f"gunicorn exited early:\n{log_path.read_text()[-3000:]}"
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"gunicorn did not become ready within {READY_TIMEOUT} s:\n{log_path.read_text()[-3000:]}")


class Browser:
    """A logged-in HTTP client that keeps its cookies; a status of 0 means no HTTP response."""

    def __init__(self, port: int, log_path: Path):
        self.port = port
        self.log_path = log_path
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, form: dict | None = None) -> int:
        headers = {"Host": f"{HOST}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
        except OSError:
            return 0
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status

    def log_in(self) -> None:
        self.send("GET", "/accounts/login/")
        status = self.send("POST", "/accounts/login/", {"username": USERNAME, "password": PASSWORD})
        assert status == 302, f"login answered {status}"

    def create_service(self, key: str) -> int:
        return self.send("POST", f"/p/{PORTFOLIO_KEY}/services/", {"key": key, "name": f"Service {key}",
                                                                   "status": "live"})

    def read_catalogue(self) -> int:
        return self.send("GET", f"/p/{PORTFOLIO_KEY}/services/")


def service_keys_in_database(url: str) -> set[str]:
    import psycopg

    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT s.key FROM portfolio_service s JOIN portfolio_portfolio p ON p.id = s.portfolio_id "
            "WHERE p.key = %s", [PORTFOLIO_KEY]).fetchall()
    return {key for (key,) in rows}


def run_requests(app, prefix: str, count: int, confirmed: set[str]) -> list[int]:
    """Alternate catalogue reads and service creations; add each confirmed creation's key to `confirmed`."""
    statuses = []
    for index in range(count):
        if index % 2:
            key = f"{prefix}-{index}"
            status = app.create_service(key)
            if status == 302:
                confirmed.add(key)
        else:
            status = app.read_catalogue()
        statuses.append(status)
    return statuses


def test_database_restart_loses_no_write(postgres, app):
    app.log_in()
    confirmed: set[str] = set()
    before = run_requests(app, "before", 6, confirmed)
    assert all(status in (200, 302) for status in before), before

    outcomes = {}
    for mode in ("fast", "immediate"):
        postgres.pg_ctl("restart", "-m", mode)
        outcomes[mode] = run_requests(app, f"after-{mode}", REQUESTS_AFTER_RESTART, confirmed)

    log = app.log_path.read_text(errors="replace")[-4000:]
    for mode, statuses in outcomes.items():
        failed = [index for index, status in enumerate(statuses) if status not in (200, 302)]
        # After a restart, only the first request may fail, while its worker notices the closed connection.
        assert failed in ([], [0]), f"after a {mode} restart: statuses {statuses}\n{log}"
    assert len(confirmed) >= 3 + 2 * (REQUESTS_AFTER_RESTART // 2 - 1)
    assert confirmed <= service_keys_in_database(postgres.url("compass"))
