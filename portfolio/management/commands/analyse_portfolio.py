"""`manage.py analyse_portfolio`: print a portfolio's findings and gate CI on them."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portfolio.analysis import AnalysisResult, Finding, Level, analyse_portfolio
from portfolio.models import Portfolio
from portfolio.text import normalise_name

EXIT_FINDINGS = 1
EXIT_USAGE = 2
LEVELS = ("error", "warning", "info")


class Command(BaseCommand):
    # Plain strings, as in Django's own commands: argparse cannot format lazy translations.
    help = (
        "Analyse one portfolio and print its findings, grouped by level, with code, subject, "
        "message and hint. Waived findings are counted in the summary only. Exit status: 0 when "
        "no unwaived finding is at or above --fail-level, 1 when one is, 2 when the portfolio "
        "does not exist or an option is invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("portfolio_key", metavar="PORTFOLIO_KEY",
                            help="Key of the portfolio to analyse.")
        parser.add_argument("--format", dest="output_format", choices=("text", "json"), default="text",
                            help="Output format: text (default) or json, a list of finding objects.")
        parser.add_argument("--fail-level", choices=LEVELS, default="error",
                            help="Lowest level that makes the command exit with status 1 (default: error).")

    def handle(self, *args, portfolio_key, output_format, fail_level, **options):
        portfolio = self._portfolio(portfolio_key)
        result = analyse_portfolio(portfolio)
        if output_format == "json":
            self.stdout.write(json.dumps(findings_json(portfolio, result), ensure_ascii=False, indent=2))
        else:
            self._write_text(portfolio, result, verbose=options["verbosity"] > 0)
        if result.at_least(Level.from_label(fail_level)):
            # Not CommandError: the findings are the output, not an error of the command.
            sys.exit(EXIT_FINDINGS)

    def _portfolio(self, key: str) -> Portfolio:
        portfolio = Portfolio.objects.filter(key=normalise_name(key)).first()
        if portfolio is not None:
            return portfolio
        known = list(Portfolio.objects.order_by("key").values_list("key", flat=True))
        if known:
            message = _("Portfolio '%(key)s' not found. Known portfolios: %(known)s.") % {
                "key": key, "known": ", ".join(known)}
        else:
            message = _("Portfolio '%(key)s' not found. No portfolio exists yet.") % {"key": key}
        raise CommandError(message, returncode=EXIT_USAGE)

    def _write_text(self, portfolio: Portfolio, result: AnalysisResult, *, verbose: bool) -> None:
        if verbose:
            self.stdout.write(_("Portfolio “%(name)s” (%(key)s) at revision %(revision)d:") % {
                "name": portfolio.name, "key": portfolio.key, "revision": result.revision})
            styles = {"error": self.style.ERROR, "warning": self.style.WARNING, "info": self.style.NOTICE}
            for label in LEVELS:
                findings = [finding for finding in result.findings if finding.level.label == label]
                if findings:
                    self.stdout.write("")
                    self.stdout.write(styles[label](group_heading(label)))
                    for finding in findings:
                        self.stdout.write(finding_text(finding))
            if not result.findings:
                self.stdout.write(_("No findings."))
            self.stdout.write("")
        self.stdout.write(summary_text(result))


def group_heading(label: str) -> str:
    return {"error": _("ERRORS:"), "warning": _("WARNINGS:"), "info": _("INFO:")}[label]


def finding_text(finding: Finding) -> str:
    """Format one finding as Django's checks do: subject, code and message, then the hint."""
    hint = _("HINT: %(hint)s") % {"hint": finding.hint}
    return f"{finding.subject}: ({finding.code}) {finding.message}\n\t{hint}"


def summary_text(result: AnalysisResult) -> str:
    counts = result.counts
    summary = ", ".join([
        ngettext("%d error", "%d errors", counts["error"]) % counts["error"],
        ngettext("%d warning", "%d warnings", counts["warning"]) % counts["warning"],
        _("%d info") % counts["info"],
    ])
    if result.waived:
        summary += " " + _("(%d waived)") % len(result.waived)
    return summary


def findings_json(portfolio: Portfolio, result: AnalysisResult) -> list[dict]:
    """Return the unwaived findings as plain objects, each with the portfolio key and revision."""
    return [
        {
            "portfolio": portfolio.key,
            "revision": result.revision,
            "code": finding.code,
            "level": finding.level.label,
            "message": finding.message,
            "hint": finding.hint,
            "subject": finding.subject,
            "service": finding.service,
            "activity": finding.activity,
            "practice": finding.practice,
            "pattern": finding.pattern,
            "factor": finding.factor,
        }
        for finding in result.findings
    ]
