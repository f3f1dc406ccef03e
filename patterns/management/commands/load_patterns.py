from django.core.management.base import BaseCommand

from patterns.library import DATA_FILE, sync_library


class Command(BaseCommand):
    help = "Load the shipped pattern library from its data file. Safe to run any number of times."

    def handle(self, *args, **options):
        result = sync_library()
        if not result.changed:
            self.stdout.write(f"Pattern library {result.version} is up to date ({DATA_FILE.name}).")
            return
        for change in result.changes:
            self.stdout.write(f"  {change}", self.style.NOTICE)
        self.stdout.write(self.style.SUCCESS(
            f"Pattern library {result.version}: {result.created} created, "
            f"{result.updated} updated, {result.deleted} deleted."
        ))
