import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from patterns.library import DATA_FILE, sync_library


class Command(BaseCommand):
    help = "Load the shipped pattern library from its data file. Safe to run any number of times."

    def handle(self, *args, **options):
        try:
            result = sync_library()
        except ValidationError as error:
            problems = "\n".join(f"  - {message}" for message in error.messages)
            raise CommandError(f"{DATA_FILE} is invalid; nothing was loaded:\n{problems}") from error
        except json.JSONDecodeError as error:
            raise CommandError(f"{DATA_FILE} is not valid JSON ({error}); nothing was loaded.") from error
        if not result.changed:
            self.stdout.write(f"Pattern library {result.version} is up to date ({DATA_FILE.name}).")
            return
        for change in result.changes:
            self.stdout.write(f"  {change}", self.style.NOTICE)
        self.stdout.write(self.style.SUCCESS(
            f"Pattern library {result.version}: {result.created} created, "
            f"{result.updated} updated, {result.deleted} deleted."
        ))
