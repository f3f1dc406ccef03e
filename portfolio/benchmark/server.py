"""The app under gunicorn on a free port of 127.0.0.1, and plain HTTP requests to it.

Shared by `scripts/loadtest.py` and the live board poll benchmark. The module
imports nothing from Django, so the load test script can use it before any
settings exist.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent.parent
READY_TIMEOUT_SECONDS = 90
REQUEST_TIMEOUT_SECONDS = 30


class ServerError(RuntimeError):
    """gunicorn exited or did not become ready."""


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(environment: dict, port: int, workers: int, log_path: Path) -> subprocess.Popen:
    """Start gunicorn with sync workers in its own process group, logging to `log_path`."""
    command = [sys.executable, "-m", "gunicorn", "compass.wsgi", "--bind", f"{HOST}:{port}",
               "--workers", str(workers), "--timeout", "60", "--graceful-timeout", "10"]
    log = log_path.open("ab")
    return subprocess.Popen(command, cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_until_ready(port: int, server: subprocess.Popen) -> None:
    """Wait until `/readyz` returns 200; raise ServerError when gunicorn exits or times out first."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ServerError(f"gunicorn exited with status {server.returncode} before it was ready.")
        try:
            if request(port, "GET", "/readyz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise ServerError(f"gunicorn did not respond to /readyz with 200 within {READY_TIMEOUT_SECONDS} s.")


def stop_server(server: subprocess.Popen) -> None:
    """Send SIGTERM to gunicorn's process group, and SIGKILL when it has not exited after 20 s."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def request(port: int, method: str, path: str, *, headers: dict | None = None,
            body: str | None = None) -> Reply:
    """Send one request on a new connection, as a browser without keep-alive would."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_SECONDS)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()
