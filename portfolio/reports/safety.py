"""Spreadsheet formula neutralisation and safe download names."""

from datetime import date
from urllib.parse import quote

from django.utils.text import slugify

# A spreadsheet reads a cell that starts with one of these as a formula (or strips the
# tab or carriage return and then reads one), so such text gets a leading single quote.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Return `value` with a single quote in front when it is text a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def download_name(portfolio_key: str, as_of: date, extension: str, suffix: str = "") -> str:
    """Return "<slug of the key>-<date>[-<suffix>].<extension>"; the slug keeps letters of any script."""
    slug = slugify(portfolio_key, allow_unicode=True) or "portfolio"
    parts = [slug, as_of.isoformat()]
    if suffix:
        parts.append(slugify(suffix) or "table")
    return "-".join(parts) + "." + extension


def attachment_header(filename: str) -> str:
    """Return a Content-Disposition value; a non-ASCII name gets an ASCII fallback and a filename*.

    `filename` must come from `download_name`, so it contains no quotes, slashes or control characters.
    """
    if filename.isascii():
        return f'attachment; filename="{filename}"'
    stem, _, extension = filename.rpartition(".")
    fallback = slugify(stem) or "report"
    return f"attachment; filename=\"{fallback}.{extension}\"; filename*=UTF-8''{quote(filename)}"
