"""Time one RACI cell edit of the service editor as an htmx round trip through Django's test client.

`measure_raci_edit` takes a generated portfolio (a kept one of the same size
and seed is reused) and logs a throwaway editor in with `django.test.Client`.
It then posts the editor's cell toggle again and again: the Informed role of
one team for one activity of one service, given and taken away in turn, so an
even number of edits leaves the portfolio as it was. Each sample is one POST and
its whole response: the write, the re-analysis of the edited service (the
untimed edits leave the analysis in the process's base, which each write brings
forward), the edited matrix row, the findings panel and the out-of-band
sections, as the editor's cell button requests them. The
performance budget sets a median under 30 ms at 10,000 services, on
PostgreSQL with DEBUG off.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from portfolio.benchmark.environment import Environment, load_average
from portfolio.benchmark.generate import delete_portfolio
from portfolio.benchmark.measure import Samples, count_queries, time_in_turn
from portfolio.benchmark.runner import prepare_portfolio
from portfolio.models import Membership, Portfolio, Responsibility, Role, Service

TARGET_SECONDS = 0.030
HTMX_HEADERS = {"HTTP_HX_REQUEST": "true"}


@dataclass(frozen=True)
class RaciEditMeasurement:
    services: int
    edit: Samples
    queries: int
    started: datetime
    load_before: str
    load_after: str
    environment: Environment
    # The command line that ran the measurement, or "" when it was called from code.
    command: str = ""

    @property
    def passed(self) -> bool:
        return self.edit.median < TARGET_SECONDS

    def markdown(self) -> str:
        """Describe the measurement as a Markdown section with one table row."""
        verdict = "met" if self.passed else "missed"
        environment = self.environment
        lines = [
            "## RACI cell edit round trip",
            "",
            f"Run of {self.started:%Y-%m-%d %H:%M} UTC"
            + (f": `{self.command}`" if self.command else "")
            + f", on {environment.database}, Python "
            f"{environment.python} and Django {environment.django}, with `DEBUG=false`. Machine: "
            f"{environment.cpu}, {environment.cores} logical CPUs, {environment.memory} of memory. Load "
            f"average (1, 5, 15 minutes) before: {self.load_before}; after: {self.load_after}. A load above "
            "the number of CPUs means other processes shared them.",
            "",
            f"One RACI cell toggled {len(self.edit)} times in a row (after four untimed toggles) through "
            "`django.test.Client` as the service editor's cell button sends it (htmx POST that targets "
            "the status line), on a portfolio of "
            f"{self.services:,} services. Each sample is the whole request: the write, the re-analysis of "
            "the edited service, and the response with the status line, the edited matrix row and the "
            "findings out of band. The untimed toggles leave the portfolio's analysis in the process, "
            "and each write brings it forward (`portfolio/analysis/live.py`). One garbage collection "
            "runs before the first timed toggle, none between them, as between requests on a server. "
            "Measured by `portfolio.benchmark.raci.measure_raci_edit`.",
            "",
            "| services | median ms | low ms | high ms | queries per edit | target | verdict |",
            "|---:|---:|---:|---:|---:|---|---|",
            f"| {self.services:,} | {self.edit.median * 1000:.1f} | {self.edit.low * 1000:.1f} | "
            f"{self.edit.high * 1000:.1f} | {self.queries} | under 30 ms | {verdict} |",
        ]
        return "\n".join(lines) + "\n"


def measure_raci_edit(services: int = 10_000, *, edits: int = 30, seed: int = 1, keep: bool = False,
                      progress=print, command: str = "") -> RaciEditMeasurement:
    """Time `edits` cell toggles (rounded up to an even number) on a portfolio of `services` services."""
    load_before, started = load_average(), timezone.now()
    portfolio, generated = prepare_portfolio(services, seed, progress)
    username = f"raci-benchmark-{secrets.token_hex(4)}"
    user = get_user_model().objects.create_user(username=username)
    Membership.objects.create(portfolio=portfolio, user=user, role=Role.EDITOR)
    try:
        # The test client's host is "testserver", which production settings do not allow.
        with override_settings(ALLOWED_HOSTS=["testserver"]):
            client = Client()
            client.force_login(user)
            send = _cell_toggle(client, portfolio)
            progress(f"{services} services: RACI cell edit round trip, {edits} edits")
            for _ in range(2):
                send()
            queries = count_queries(send)
            send()
            samples = time_in_turn(send, edits + edits % 2)
            load_after = load_average()
            client.logout()
    finally:
        user.delete()
        if generated is not None and not keep:
            delete_portfolio(Portfolio.objects.get(pk=portfolio.pk))
    return RaciEditMeasurement(services, samples, queries, started, load_before, load_after,
                               Environment.current(), command)


def _cell_toggle(client: Client, portfolio: Portfolio):
    """Return a function that posts the next toggle of one Informed cell and checks the response.

    The POST is the one the editor's cell button sends: it names the page's
    columns and targets the status line, so the response is the status line
    with the button's matrix row out of band.
    """
    services = Service.objects.filter(portfolio=portfolio).order_by("key")
    service = services[services.count() // 2]
    columns = sorted(set(Responsibility.objects.filter(service=service).values_list("team_id", flat=True)))
    held = set(Responsibility.objects.filter(service=service, activity_id="operate", role="I")
               .values_list("team_id", flat=True))
    team = next(team_id for team_id in columns if team_id not in held)
    url = reverse("service-raci-cell", args=[portfolio.key, service.key, "operate"])
    form = {"team": team, "columns": ",".join(map(str, columns))}
    headers = {**HTMX_HEADERS, "HTTP_HX_TARGET": "editor-status"}
    page = client.get(reverse("service-detail", args=[portfolio.key, service.key]))
    state = {"held": False, "rows": _row_digests(page.content)}

    def send():
        value = "I-" if state["held"] else "I+"
        response = client.post(url, {**form, "set": value, "state": state["rows"]}, **headers)
        if response.status_code != 200 or b'<section id="raci"' in response.content:
            raise RuntimeError(f"The cell edit returned HTTP {response.status_code} or the whole matrix; "
                               "expected 200 and one matrix row.")
        state["held"] = not state["held"]
        # The page keeps the row digests that each response sends, and sends them with the next change.
        state["rows"] = _row_digests(response.content)

    return send


def _row_digests(content: bytes) -> str:
    match = re.search(rb'id="raci-state" name="state" value="([^"]*)"', content)
    if match is None:
        raise RuntimeError("The response has no RACI row digests (#raci-state); expected the matrix's state.")
    return match.group(1).decode()
