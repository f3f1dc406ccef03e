"""Preview an upload: read the files and validate them against the portfolio, writing nothing."""

from collections.abc import Callable

from portfolio.imports.lookups import Library
from portfolio.imports.parse import UploadedFile, parse_files
from portfolio.imports.plan import ImportPlan
from portfolio.imports.validate import validate
from portfolio.models import Portfolio

READING = "reading"
CHECKING = "checking"


def import_preview(files: list[UploadedFile], portfolio: Portfolio, *,
                   progress: Callable[[str, int, int], None] | None = None) -> ImportPlan:
    """Return the plan of what importing `files` into `portfolio` would do; nothing is written."""
    library = Library.load()
    if progress:
        progress(READING, 0, 0)
    parsed = parse_files(files, library)
    checking = None if progress is None else lambda done, total: progress(CHECKING, done, total)
    return validate(parsed, portfolio, library=library, progress=checking)
