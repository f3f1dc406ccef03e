"""The preview of a plan as plain data (stored between requests as JSON) and as text for the command."""

from django.utils.translation import gettext as _

from portfolio.imports.limits import LISTED_ERRORS, LISTED_ROWS_PER_ACTION
from portfolio.imports.plan import Action, ImportPlan, RowOutcome

ACTIONS = (Action.CREATE, Action.UPDATE, Action.UNCHANGED, Action.ERROR)


def plan_summary(plan: ImportPlan) -> dict:
    """Return what the preview page shows: counts of every row, and the first rows of each action listed."""
    totals = plan.totals()
    return {
        "counts": [
            {"kind": kind.value, "label": kind.label, **{action.value: counter[action] for action in ACTIONS}}
            for kind, counter in plan.counts().items()
        ],
        "totals": {action.value: totals[action] for action in ACTIONS},
        "has_errors": plan.has_errors,
        "file_errors": [{"source": notice.source, "message": notice.message} for notice in plan.file_errors],
        "notes": [{"source": notice.source, "message": notice.message} for notice in plan.notes],
        "errors": _errors(plan),
        "errors_total": sum(len(outcome.errors) for outcome in plan.outcomes),
        "error_count": plan.error_count,
        "warnings": _warnings(plan),
        "created": _listed(plan, Action.CREATE),
        "updated": _listed(plan, Action.UPDATE),
        "listed_limit": LISTED_ROWS_PER_ACTION,
    }


def _row(outcome: RowOutcome) -> dict:
    return {"kind": outcome.kind.label, "source": outcome.source, "where": outcome.where, "row": outcome.row,
            "label": outcome.label}


def _errors(plan: ImportPlan) -> list[dict]:
    errors = []
    for outcome in plan.outcomes:
        for issue in outcome.errors:
            if len(errors) == LISTED_ERRORS:
                return errors
            errors.append({**_row(outcome), "column": issue.column, "value": issue.value,
                           "message": issue.message})
    return errors


def _warnings(plan: ImportPlan) -> list[dict]:
    found = [{**_row(outcome), "message": warning}
             for outcome in plan.outcomes if outcome.action != Action.ERROR for warning in outcome.warnings]
    return found[:LISTED_ERRORS]


def _listed(plan: ImportPlan, action: Action) -> list[dict]:
    listed = []
    for outcome in plan.outcomes:
        if outcome.action != action:
            continue
        if len(listed) == LISTED_ROWS_PER_ACTION:
            break
        listed.append({**_row(outcome), "changes": [
            {"column": change.column, "old": change.old, "new": change.new} for change in outcome.changes]})
    return listed


def count_lines(summary: dict) -> list[str]:
    """Return one line per kind with its rows to create, update, leave unchanged and with errors."""
    lines = [
        _("%(kind)s: %(create)s to create, %(update)s to update, %(unchanged)s unchanged, "
          "%(error)s with errors") % {**count, "kind": count["label"]}
        for count in summary["counts"]
    ]
    return lines or [_("No rows to import.")]


def note_lines(summary: dict) -> list[str]:
    notes = [_("Note: %(source)s: %(message)s") % note for note in summary["notes"]]
    warnings = [_("Warning: %(source)s, %(where)s: %(message)s") % warning for warning in summary["warnings"]]
    return notes + warnings


def error_lines(summary: dict) -> list[str]:
    """Return the listed errors, file-level ones first, as lines naming file, row, column and value."""
    lines = [_("Error: %(source)s: %(message)s") % problem for problem in summary["file_errors"]]
    lines += [error_line(error) for error in summary["errors"]]
    hidden = summary["errors_total"] - len(summary["errors"])
    if hidden > 0:
        lines.append(_("… and %(count)s more errors.") % {"count": hidden})
    return lines


def error_line(error: dict) -> str:
    if error["value"]:
        return _("Error: %(source)s, %(where)s, column “%(column)s”, value “%(value)s”: %(message)s") % error
    return _("Error: %(source)s, %(where)s, column “%(column)s”: %(message)s") % error
