"""`manage.py benchmark`: measure the analysis engine against its performance budget."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portfolio.benchmark.catalogue import measure_catalogue
from portfolio.benchmark.environment import Environment, load_average
from portfolio.benchmark.raci import measure_raci_edit
from portfolio.benchmark.report import RunContext, checks, merge_pages, render
from portfolio.benchmark.runner import Plan, run_benchmark
from portfolio.imports.benchmark import measure_import
from portfolio.reports.benchmark import measure_report_exports
from portfolio.workshops.benchmark import measure_polls


def size_list(value: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in value.split(",") if part.strip()]
    except ValueError:
        raise CommandError(
            f"--services {value!r} is invalid; give service counts such as 1000,10000."
        ) from None
    if not sizes or min(sizes) < 1:
        raise CommandError(f"--services {value!r} is invalid; every count must be at least 1.")
    return sizes


class Command(BaseCommand):
    help = (
        "Generate portfolios of the given sizes, time the full analysis against a naive per-service "
        "ORM loop and the re-analysis after one edit, and print (or write) a Markdown table with the "
        "targets of the performance budget. Run it with DEBUG=false on the database to be measured."
    )

    def add_arguments(self, parser):
        parser.add_argument("--services", default="1000,10000",
                            help="Comma-separated portfolio sizes, in services (default: 1000,10000).")
        parser.add_argument("--pairs", type=int, default=30,
                            help="Interleaved pairs (and runs) per measurement after a warm-up "
                                 "(default: 30).")
        parser.add_argument("--naive-pairs", type=int, default=5,
                            help="Pairs against the naive loop at 10,000 services or more, where one naive "
                                 "run takes tens of seconds (default: 5).")
        parser.add_argument("--seed", type=int, default=1,
                            help="Seed of the generated portfolios (default: 1).")
        parser.add_argument("--write", metavar="FILE",
                            help="Write the Markdown page to FILE (for example docs/benchmarks.md), "
                                 "keeping the sections of an existing FILE that this run does not measure.")
        parser.add_argument("--import-rows", type=int, default=0, metavar="N",
                            help="Also time the import of a generated services CSV of N rows and add a "
                                 "section on it (default: 0, no import section).")
        parser.add_argument("--report-services", type=int, default=0, metavar="N",
                            help="Also time the report exports at N and 10N services and the PDF of 200 "
                                 "services, and add a section on them (default: 0, no report section).")
        parser.add_argument("--raci-services", type=int, default=0, metavar="N",
                            help="Also time one RACI cell edit of the service editor (htmx POST through "
                                 "Django's test client) at N services and add a section on it "
                                 "(default: 0, no RACI section).")
        parser.add_argument("--catalogue", action="store_true",
                            help="Also time the catalogue page and its htmx partial against the admin "
                                 "changelist at 1,000 and 10,000 services and add a section on them.")
        parser.add_argument("--poll-participants", type=int, default=0, metavar="N",
                            help="Also measure the workshop board's unchanged and changed polls with N "
                                 "participants polling at once, against the app under gunicorn on "
                                 "127.0.0.1, and add a section on them (default: 0, no poll section).")
        parser.add_argument("--poll-rounds", type=int, default=20, metavar="N",
                            help="Rounds of simultaneous polls per kind of poll, each participant sending "
                                 "one poll a round (default: 20).")
        parser.add_argument("--keep", action="store_true",
                            help="Keep the generated portfolios, so that the next run reuses them.")

    def handle(self, *args, **options):
        if settings.DEBUG:
            raise CommandError("DEBUG is on, and query logging would distort the timings. "
                               "Run the benchmark with DEBUG=false.")
        if options["pairs"] < 1 or options["naive_pairs"] < 1:
            raise CommandError("--pairs and --naive-pairs must be at least 1.")
        if options["poll_participants"] < 0 or options["poll_rounds"] < 1:
            raise CommandError("--poll-participants must be 0 or more and --poll-rounds at least 1.")
        plan = Plan(sizes=size_list(options["services"]), pairs=options["pairs"],
                    naive_pairs=options["naive_pairs"], seed=options["seed"], keep=options["keep"])

        load_before, started = load_average(), timezone.now()
        run = run_benchmark(plan, progress=self._progress)
        context = RunContext(
            command=self._command_line(plan, options), started=started, finished=timezone.now(),
            load_before=load_before, load_after=load_average(), environment=Environment.current(),
        )
        page = render(run, context)
        if options["import_rows"] > 0:
            page += "\n" + measure_import(options["import_rows"]).markdown()
        if options["report_services"] > 0:
            exports = measure_report_exports(options["report_services"], pairs=plan.pairs, seed=plan.seed,
                                             progress=self._progress)
            page += "\n" + exports.markdown()
        if options["raci_services"] > 0:
            raci = measure_raci_edit(options["raci_services"], edits=plan.pairs, seed=plan.seed,
                                     keep=plan.keep, progress=self._progress,
                                     command=self._command_line(plan, options))
            page += "\n" + raci.markdown()
        if options["catalogue"]:
            catalogue = measure_catalogue(pairs=plan.pairs, seed=plan.seed, keep=plan.keep,
                                          progress=self._progress)
            page += "\n" + catalogue.markdown()
        if options["poll_participants"] > 0:
            polls = measure_polls(options["poll_participants"], rounds=options["poll_rounds"],
                                  progress=self._progress, command=self._command_line(plan, options))
            page += "\n" + polls.markdown()

        if options["write"]:
            path = Path(options["write"])
            if path.exists():
                page = merge_pages(path.read_text(encoding="utf-8"), page)
            path.write_text(page, encoding="utf-8")
            self.stdout.write(f"Wrote {options['write']}.")
        else:
            self.stdout.write(page)
        failed = [check.what for check in checks(run) if check.passed is False]
        if failed:
            self.stderr.write(f"{len(failed)} target(s) missed: " + "; ".join(failed))

    def _progress(self, message: str) -> None:
        self.stderr.write(message)

    @staticmethod
    def _command_line(plan: Plan, options) -> str:
        parts = ["manage.py benchmark", "--services " + ",".join(str(size) for size in plan.sizes),
                 f"--pairs {plan.pairs}", f"--naive-pairs {plan.naive_pairs}", f"--seed {plan.seed}"]
        if options["write"]:
            parts.append(f"--write {options['write']}")
        if options.get("import_rows", 0) > 0:
            parts.append(f"--import-rows {options['import_rows']}")
        if options.get("report_services", 0) > 0:
            parts.append(f"--report-services {options['report_services']}")
        if options.get("raci_services", 0) > 0:
            parts.append(f"--raci-services {options['raci_services']}")
        if options.get("catalogue"):
            parts.append("--catalogue")
        if options.get("poll_participants", 0) > 0:
            parts.append(f"--poll-participants {options['poll_participants']} "
                         f"--poll-rounds {options['poll_rounds']}")
        if plan.keep:
            parts.append("--keep")
        return " ".join(parts)
