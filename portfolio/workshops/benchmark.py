"""Measure the live board's poll endpoint with many participants polling at once.

Run: `DEBUG=true .venv/bin/python -m portfolio.workshops.benchmark [--participants 30] [--polls 50]`
(add DATABASE_URL for PostgreSQL). It creates a throwaway test database
(Django's `test_` prefix), a portfolio with one workshop, and one logged-in
`django.test.Client` per participant, each in its own thread. It prints
requests per second for unchanged polls (204) and changed polls (the board
fragment), over the in-process test client rather than a socket, so the
numbers exclude HTTP parsing and the network.
"""

import argparse
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compass.settings")
    import django

    django.setup()


def _fixture(participants: int):
    import datetime

    from django.contrib.auth import get_user_model

    from portfolio.models import Membership, Portfolio, Role, Service
    from portfolio.workshops import services

    portfolio = Portfolio.objects.create(key="bench", name="Benchmark")
    service = Service.objects.create(portfolio=portfolio, key="claims", name="Claims portal")
    workshop = services.workshop_create(portfolio=portfolio, title="Benchmark", date=datetime.date.today())
    services.agenda_add(workshop=workshop, service=service)
    users = []
    for number in range(participants):
        user = get_user_model().objects.create_user(username=f"participant{number}", password="unused")
        Membership.objects.create(portfolio=portfolio, user=user, role=Role.VIEWER)
        users.append(user)
    workshop.refresh_from_db()
    return workshop, users


def _poll_urls(workshop, users, version: str) -> list[str]:
    from django.urls import reverse

    from portfolio.workshops.live import poll_token

    base = reverse("workshops:poll", args=[workshop.portfolio.key, workshop.pk, 1])
    return [f"{base}?t={poll_token(workshop, user)}&v={version}" for user in users]


def _run(clients, urls, polls: int, expected_status: int) -> float:
    """Let every participant poll `polls` times at once; return requests per second."""
    from django.db import connection

    def participant(index):
        try:
            for _ in range(polls):
                response = clients[index].get(urls[index], HTTP_HX_REQUEST="true")
                assert response.status_code == expected_status, response.status_code
        finally:
            connection.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        list(pool.map(participant, range(len(clients))))
    return len(clients) * polls / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=30, help="threads polling at once")
    parser.add_argument("--polls", type=int, default=50, help="polls per participant per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per case; the median is printed")
    args = parser.parse_args()
    _setup()

    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from portfolio.workshops.selectors import board_version

    setup_test_environment()
    # keepdb=False: the database is created for this run and destroyed after it.
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        workshop, users = _fixture(args.participants)
        clients = []
        for user in users:
            client = Client()
            client.force_login(user)
            clients.append(client)
        cases = {
            "unchanged poll (204)": (_poll_urls(workshop, users, board_version(workshop)), 204),
            "changed poll (board fragment)": (_poll_urls(workshop, users, "stale"), 200),
        }
        print(f"{args.participants} participants, {args.polls} polls each, {connection.vendor}")
        for name, (urls, status) in cases.items():
            _run(clients, urls, 2, status)  # warm-up
            rates = [_run(clients, urls, args.polls, status) for _ in range(args.rounds)]
            print(f"{name}: {statistics.median(rates):.0f} requests/s (median of {args.rounds} rounds)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
