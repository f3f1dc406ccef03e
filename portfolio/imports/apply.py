"""Write an upload into a portfolio: validate it again, then write every row in one transaction.

The files are validated again at apply time because the portfolio may have
changed since the preview. If any row has an error, or a write fails, the
transaction rolls back and nothing is written. Writes are bulk inserts and
updates in batches, so the number of queries grows with the number of batches,
not rows. bulk_create and bulk_update send no signals, so the portfolio's
revision is raised here, once.
"""

import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from portfolio.attestation import flag_change_set
from portfolio.history.recording import change_scope, current_change_set, history_kwargs
from portfolio.imports.columns import Kind
from portfolio.imports.lookups import Library, team_lookup_key
from portfolio.imports.parse import UploadedFile, parse_files
from portfolio.imports.plan import ImportPlan, Write
from portfolio.imports.validate import Progress, validate
from portfolio.models import (
    ChangeKind,
    PatternAssignment,
    Portfolio,
    PracticeAdoption,
    Responsibility,
    Service,
    Team,
)
from portfolio.signals import portfolio_bump_revision

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# Phases that `import_apply` reports to its progress callback.
CHECKING = "checking"
WRITING = "writing"


class ImportRejected(Exception):
    """Validation at apply time found errors, which `plan` contains. Nothing was written."""

    def __init__(self, plan: ImportPlan):
        self.plan = plan
        super().__init__(ngettext("The files have %(count)s error; nothing was written.",
                                  "The files have %(count)s errors; nothing was written.", plan.error_count)
                         % {"count": plan.error_count})


class ImportConflict(Exception):
    """The database refused a write, typically because someone changed the portfolio at the same moment."""


def import_apply(files: list[UploadedFile], portfolio: Portfolio, *,
                 progress: Callable[[str, int, int], None] | None = None,
                 user_id: int | None = None) -> ImportPlan:
    """Validate `files` against `portfolio` as it is now and write them; return the plan that was written.

    Raises ImportRejected when a row has an error and ImportConflict when the
    database rejects a write; in both cases nothing is written. The history
    records the writes as one import by `user_id`.
    """
    library = Library.load()
    parsed = parse_files(files, library)

    def report(phase: str) -> Progress | None:
        return None if progress is None else lambda done, total: progress(phase, done, total)

    try:
        with change_scope(kind=ChangeKind.IMPORT, user_id=user_id), transaction.atomic():
            # Serialises imports into one portfolio on databases with row locks (PostgreSQL).
            Portfolio.objects.select_for_update().filter(pk=portfolio.pk).values_list("pk").first()
            plan = validate(parsed, portfolio, library=library, progress=report(CHECKING))
            if plan.has_errors:
                raise ImportRejected(plan)
            write_plan(plan, portfolio, progress=report(WRITING))
    except IntegrityError as error:
        logger.warning("Import into portfolio %s rolled back: %s", portfolio.pk, error)
        raise ImportConflict(_("The database rejected a row, probably because the portfolio changed while "
                               "the import ran; nothing was written. Upload the files again.")) from error
    totals = plan.totals()
    logger.info("Imported into portfolio %s: %s created, %s updated, %s unchanged", portfolio.pk,
                totals["create"], totals["update"], totals["unchanged"])
    return plan


def write_plan(plan: ImportPlan, portfolio: Portfolio, *, progress: Progress | None = None) -> None:
    """Write the plan's pending rows in bulk; the caller runs this inside a transaction."""
    writes = {kind: plan.writes(kind) for kind in Kind}
    counter = _BatchCounter(sum(len(rows) for rows in writes.values()), progress)
    if not counter.total:
        return
    history = history_kwargs(portfolio.pk)
    _write_teams(writes[Kind.TEAMS], portfolio, counter, history)
    team_ids = {team_lookup_key(name): pk for pk, name in Team.objects.filter(portfolio=portfolio)
                .values_list("pk", "name")}
    _write_services(writes[Kind.SERVICES], portfolio, team_ids, counter, history)
    service_ids = dict(Service.objects.filter(portfolio=portfolio).values_list("key", "pk"))
    _write_assignments(writes[Kind.ASSIGNMENTS], service_ids, counter, history)
    _write_responsibilities(writes[Kind.RESPONSIBILITIES], service_ids, team_ids, counter, history)
    _write_adoptions(writes[Kind.PRACTICES], portfolio, team_ids, counter, history)
    flag_change_set(current_change_set(portfolio.pk))
    portfolio_bump_revision(portfolio.pk)


class _BatchCounter:
    def __init__(self, total: int, progress: Progress | None):
        self.total = total
        self.done = 0
        self.progress = progress

    def add(self, count: int) -> None:
        self.done += count
        if self.progress:
            self.progress(self.done, self.total)


def _create(model, objects: list, counter: _BatchCounter, history: dict) -> None:
    for start in range(0, len(objects), BATCH_SIZE):
        batch = objects[start:start + BATCH_SIZE]
        bulk_create_with_history(batch, model, **history)
        counter.add(len(batch))


def _update(model, updates: list[tuple[object, tuple[str, ...]]], counter: _BatchCounter,
            history: dict) -> None:
    """Update objects in batches, grouped by the fields each sets, so that no other field is overwritten.

    The instances carry only the fields they set, so the history records the rows read back afterwards.
    """
    groups = defaultdict(list)
    for instance, fields in updates:
        groups[fields].append(instance)
    for fields, instances in groups.items():
        for start in range(0, len(instances), BATCH_SIZE):
            batch = instances[start:start + BATCH_SIZE]
            model.objects.bulk_update(batch, fields)
            written = model.objects.filter(pk__in=[instance.pk for instance in batch])
            model.history.bulk_history_create(list(written), update=True, **history)
            counter.add(len(batch))


def _split(writes: list[Write]) -> tuple[list[Write], list[Write]]:
    return [w for w in writes if w.target_id is None], [w for w in writes if w.target_id is not None]


def _write_teams(writes: list[Write], portfolio: Portfolio, counter: _BatchCounter, history: dict) -> None:
    creates, updates = _split(writes)
    _create(Team, [Team(portfolio=portfolio, **write.values) for write in creates], counter, history)
    _update(Team, [
        (Team(pk=write.target_id, portfolio=portfolio, **write.values), tuple(sorted(write.values)))
        for write in updates
    ], counter, history)


def _service_fields(values: dict, team_ids: dict[str, int]) -> dict:
    fields = {name: value for name, value in values.items() if name != "owner"}
    if "owner" in values:
        fields["owner_id"] = team_ids[values["owner"]] if values["owner"] else None
    return fields


def _write_services(writes: list[Write], portfolio: Portfolio, team_ids: dict[str, int],
                    counter: _BatchCounter, history: dict) -> None:
    creates, updates = _split(writes)
    _create(Service, [Service(portfolio=portfolio, **_service_fields(write.values, team_ids))
                      for write in creates], counter, history)
    now = timezone.now()
    _update(Service, [
        (Service(pk=write.target_id, portfolio=portfolio, updated_at=now,
                 **_service_fields(write.values, team_ids)),
         tuple(sorted({*write.values, "updated_at"})))
        for write in updates
    ], counter, history)


def _write_assignments(writes: list[Write], service_ids: dict[str, int], counter: _BatchCounter,
                       history: dict) -> None:
    creates, updates = _split(writes)
    _create(PatternAssignment, [
        PatternAssignment(service_id=service_ids[write.values["service"]], pattern_id=write.values["pattern"],
                          activities=write.values["activities"])
        for write in creates
    ], counter, history)
    _update(PatternAssignment, [(PatternAssignment(pk=write.target_id, activities=write.values["activities"]),
                                 ("activities",)) for write in updates], counter, history)


def _write_responsibilities(writes: list[Write], service_ids: dict[str, int], team_ids: dict[str, int],
                            counter: _BatchCounter, history: dict) -> None:
    _create(Responsibility, [
        Responsibility(service_id=service_ids[write.values["service"]], activity_id=write.values["activity"],
                       team_id=team_ids[write.values["team"]], role=write.values["role"])
        for write in writes
    ], counter, history)


def _adoption_fields(values: dict, team_ids: dict[str, int]) -> dict:
    fields = {name: value for name, value in values.items() if name not in ("owner", "practice")}
    if "owner" in values:
        fields["owner_id"] = team_ids[values["owner"]] if values["owner"] else None
    return fields


def _write_adoptions(writes: list[Write], portfolio: Portfolio, team_ids: dict[str, int],
                     counter: _BatchCounter, history: dict) -> None:
    creates, updates = _split(writes)
    _create(PracticeAdoption, [
        PracticeAdoption(portfolio=portfolio, practice_id=write.values["practice"],
                         **_adoption_fields(write.values, team_ids))
        for write in creates
    ], counter, history)
    _update(PracticeAdoption, [
        (PracticeAdoption(pk=write.target_id, portfolio=portfolio,
                          **_adoption_fields(write.values, team_ids)),
         tuple(sorted(set(write.values) - {"practice"})))
        for write in updates
    ], counter, history)
