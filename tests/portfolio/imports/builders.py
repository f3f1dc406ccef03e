"""Helpers for the import tests: build CSV and XLSX files in memory, preview them, dump the database."""

import csv
import io
import json
import re
import zipfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from openpyxl import Workbook

from portfolio.imports.apply import import_apply
from portfolio.imports.parse import UploadedFile
from portfolio.imports.preview import import_preview
from portfolio.models import PatternAssignment, PracticeAdoption, Responsibility, Service, Team

FILES = Path(__file__).resolve().parent / "files"


def csv_bytes(rows, *, delimiter=",", encoding="utf-8", line_end="\r\n") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=line_end).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """Return the XLSX `data` with cached results for the formula cells named in `values` (cell -> text).

    openpyxl writes formulas without results, as a program that does not
    calculate would; Excel saves the result beside each formula, which this
    imitates with an inline string result.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = content.decode("utf-8")
                for cell, value in values.items():
                    text = re.sub(rf'<c r="{cell}"([^>]*)><f>(.*?)</f><v\s*/?>(</v>)?</c>',
                                  rf'<c r="{cell}" t="str"><f>\2</f><v>{value}</v></c>', text)
                content = text.encode("utf-8")
            target.writestr(item, content)
    return target_buffer.getvalue()


def preview(portfolio, *files):
    """Preview `files` ((name, bytes) pairs) into `portfolio` and return the plan."""
    return import_preview([UploadedFile(name, data) for name, data in files], portfolio)


def apply(portfolio, *files):
    return import_apply([UploadedFile(name, data) for name, data in files], portfolio)


def counts(plan, kind) -> dict:
    """Return the plan's row counts of `kind` by action name, zeros included."""
    counter = plan.counts().get(kind, {})
    return {action: counter.get(action, 0) for action in ("create", "update", "unchanged", "error")}


def messages(plan) -> list[str]:
    return [issue.message for outcome in plan.outcomes for issue in outcome.errors] + \
        [notice.message for notice in plan.file_errors]


def dump_portfolio_data() -> str:
    """Return every row of the portfolio app's tables as JSON, for before-and-after comparisons."""
    out = StringIO()
    call_command("dumpdata", "portfolio", stdout=out)
    return out.getvalue()


def portfolio_content(portfolio) -> dict:
    """Return the portfolio's rows by their natural keys, without ids, for comparing two portfolios."""
    return {
        "teams": sorted(Team.objects.filter(portfolio=portfolio)
                        .values_list("name", "party_kind", "contact", "member_count")),
        "services": sorted(
            (key, name, description, status, owner or "", json.dumps(context, sort_keys=True))
            for key, name, description, status, owner, context in Service.objects.filter(portfolio=portfolio)
            .values_list("key", "name", "description", "status", "owner__name", "context")),
        "assignments": sorted((service, pattern, tuple(activities)) for service, pattern, activities in
                              PatternAssignment.objects.filter(service__portfolio=portfolio)
                              .values_list("service__key", "pattern_id", "activities")),
        "responsibilities": sorted(Responsibility.objects.filter(service__portfolio=portfolio)
                                   .values_list("service__key", "activity_id", "team__name", "role")),
        "adoptions": sorted((practice, status, level or 0, owner or "") for practice, status, level, owner in
                            PracticeAdoption.objects.filter(portfolio=portfolio)
                            .values_list("practice_id", "status", "capability_level", "owner__name")),
    }
