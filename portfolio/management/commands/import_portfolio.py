"""`manage.py import_portfolio FILE ... --portfolio KEY [--dry-run]`: the import page's work, from a shell.

The same reading, validation and apply as the web import. Prints the preview
summary and every error; exits with status 1, writing nothing, when any row
has an error.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portfolio.imports.apply import ImportConflict, ImportRejected, import_apply
from portfolio.imports.limits import MAX_UPLOAD_BYTES
from portfolio.imports.parse import UploadedFile
from portfolio.imports.preview import import_preview
from portfolio.imports.summary import count_lines, error_lines, note_lines, plan_summary
from portfolio.models import Portfolio


class Command(BaseCommand):
    help = ("Import teams, services, pattern assignments, responsibilities and practice adoption from CSV, "
            "XLSX or JSON files into a portfolio. Prints a preview; exits with status 1 and writes nothing "
            "when a row has an error.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="CSV, XLSX or JSON files to import.")
        parser.add_argument("--portfolio", required=True, metavar="KEY",
                            help="Key of the portfolio to import into.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Validate and print the preview without writing anything.")

    def handle(self, *args, files: list[str], portfolio: str, dry_run: bool, **options):
        target = Portfolio.objects.filter(key=portfolio).first()
        if target is None:
            raise CommandError(_("No portfolio has the key “%(key)s”.") % {"key": portfolio})
        uploads = [self._read(path) for path in files]
        size = sum(len(upload.data) for upload in uploads)
        if size > MAX_UPLOAD_BYTES:
            raise CommandError(_("The files are %(size)s bytes together, above the limit of %(limit)s; split "
                                 "them and import the parts one after the other.")
                               % {"size": size, "limit": MAX_UPLOAD_BYTES})

        plan = import_preview(uploads, target)
        self._print(plan_summary(plan))
        if plan.has_errors:
            message = ngettext("%(count)s error; nothing was written.",
                               "%(count)s errors; nothing was written.", plan.error_count)
            raise CommandError(message % {"count": plan.error_count}, returncode=1)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
            return
        try:
            plan = import_apply(uploads, target)
        except ImportRejected as rejected:
            self._print(plan_summary(rejected.plan))
            raise CommandError(str(rejected), returncode=1) from rejected
        except ImportConflict as conflict:
            raise CommandError(str(conflict), returncode=1) from conflict
        totals = plan.totals()
        self.stdout.write(self.style.SUCCESS(
            _("Imported into “%(portfolio)s”: %(create)s rows created, %(update)s updated, %(unchanged)s "
              "unchanged.")
            % {"portfolio": target.name, "create": totals["create"], "update": totals["update"],
               "unchanged": totals["unchanged"]}))

    def _read(self, path: str) -> UploadedFile:
        try:
            return UploadedFile(Path(path).name, Path(path).read_bytes())
        except OSError as error:
            raise CommandError(_("Cannot read %(path)s: %(error)s.")
                               % {"path": path, "error": error.strerror}) from error

    def _print(self, summary: dict) -> None:
        for line in count_lines(summary) + note_lines(summary):
            self.stdout.write(line)
        for line in error_lines(summary):
            self.stderr.write(line)
