"""`manage.py load_demo`: load the demo portfolio and give one user an owner's access to it."""

import logging
import re
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from portfolio.demo.loader import demo_load
from portfolio.demo.validation import DemoDataError
from portfolio.models import Membership, Portfolio, Role

logger = logging.getLogger(__name__)

DEFAULT_ADDRESS = "127.0.0.1:8000"
# runserver's forms of an address: a port, or a host name, IPv4 address or bracketed IPv6
# address with a port.
ADDRESS_PATTERN = re.compile(r"^(?:(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):)?[0-9]+$")


class Command(BaseCommand):
    help = ("Load the demo portfolio (Harbourline Mutual) and make a user its owner, "
            "with a new random password that is printed once.")

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo",
                            help="User who owns the demo portfolio; created when missing (default: demo).")
        parser.add_argument("--address", default=DEFAULT_ADDRESS,
                            help="Address the server listens on, as given to runserver (host:port or "
                                 "port), for the login URL printed at the end "
                                 f"(default: {DEFAULT_ADDRESS}).")
        parser.add_argument("--reset", action="store_true",
                            help="Replace an existing demo portfolio's data with the data file's, "
                                 "discarding edits. Without it, an existing demo portfolio is kept.")

    def handle(self, *args, username: str, reset: bool, address: str, **options):
        login_url = self._login_url(address)
        existed = Portfolio.objects.filter(key="demo").exists()
        try:
            portfolio = demo_load(reset=reset)
        except DemoDataError as error:
            raise CommandError(str(error)) from error

        password = secrets.token_urlsafe(16)
        user = self._owner_set(portfolio, username, password)

        if existed and not reset:
            self.stdout.write(_("The demo portfolio already existed and was kept; "
                                "run load_demo --reset to load it again from the data file."))
        self.stdout.write(self.style.SUCCESS(
            _("Demo portfolio loaded: %(services)d services, %(teams)d teams.")
            % {"services": portfolio.services.count(), "teams": portfolio.teams.count()}
        ))
        self.stdout.write(_("Log in at %(url)s as %(username)s / %(password)s")
                          % {"url": login_url, "username": user.get_username(), "password": password})

    @staticmethod
    def _login_url(address: str) -> str:
        """Return the URL of the site served at `address`; a bare port means 127.0.0.1."""
        if not ADDRESS_PATTERN.match(address):
            raise CommandError(_("Invalid address “%(address)s”: give host:port or a port, "
                                 "for example 127.0.0.1:8000.") % {"address": address})
        if address.isdigit():
            address = f"127.0.0.1:{address}"
        return f"http://{address}/"

    @transaction.atomic
    def _owner_set(self, portfolio: Portfolio, username: str, password: str):
        """Create the user or reset its password, and make it an owner of `portfolio`."""
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        created = user is None
        if created:
            user = User(**{User.USERNAME_FIELD: username})
        user.set_password(password)
        user.is_active = True
        try:
            user.full_clean()
        except ValidationError as error:
            raise CommandError(_("Invalid username “%(username)s”: %(errors)s")
                               % {"username": username, "errors": " ".join(error.messages)}) from error
        user.save()

        membership, _created = Membership.objects.update_or_create(
            portfolio=portfolio, user=user, defaults={"role": Role.OWNER},
        )
        logger.info("Demo user %s %s, owner of portfolio %s through membership %s",
                    user.pk, "created" if created else "given a new password", portfolio.pk, membership.pk)
        return user
