"""Reading cell values: text, whole numbers, lists and choices, with "did you mean" suggestions."""

import difflib
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from portfolio.imports.columns import header_key

LIST_SEPARATORS = re.compile(r"[;,|\n]+")
# Suggestions compare a value with every candidate, which is slow for thousands of
# candidates; past this many look-ups in one validation, messages go without them.
SUGGESTION_BUDGET = 2000
MAX_WHOLE_NUMBER = 10**12


class InvalidValue(ValueError):
    """A cell's value cannot be used; the message states why and what to enter."""


def text(value) -> str:
    """Return a cell as text: empty for None, digits for numbers, the string otherwise."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def whole_number(value, *, minimum: int, maximum: int | None = None) -> int:
    """Read a whole number such as 12, "12" or "12.0" from a cell; raise InvalidValue otherwise."""
    number = _as_int(value)
    if number is not None and number >= minimum and (maximum is None or number <= maximum):
        return number
    if maximum is None:
        raise InvalidValue(_("“%(value)s” is not a whole number of %(minimum)s or more; enter one such as "
                             "12, or leave the cell blank.") % {"value": text(value), "minimum": minimum})
    raise InvalidValue(_("“%(value)s” is not a whole number from %(minimum)s to %(maximum)s; enter one, "
                         "or leave the cell blank.")
                       % {"value": text(value), "minimum": minimum, "maximum": maximum})


def _as_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        decimal = Decimal(text(value).strip())
    except InvalidOperation:
        return None
    # The bound keeps "1e999999" from becoming a million-digit integer.
    if not decimal.is_finite() or abs(decimal) > MAX_WHOLE_NUMBER or decimal != decimal.to_integral_value():
        return None
    return int(decimal)


def split_list(value) -> list[str]:
    """Split a cell listing several items ("build; operate") into its items; a JSON list stays a list."""
    if isinstance(value, list | tuple):
        return [text(item).strip() for item in value if not is_blank(item)]
    return [item.strip() for item in LIST_SEPARATORS.split(text(value)) if item.strip()]


class Choices:
    """A closed set of values, matched by key or label regardless of case and separators.

    `names` maps each key to its display label; `aliases` maps further spellings to keys.
    """

    def __init__(self, names: dict[str, str], aliases: dict[str, str] | None = None):
        self.names = names
        self.by_header: dict[str, str] = {}
        for key, label in names.items():
            self.by_header.setdefault(header_key(key), key)
            self.by_header.setdefault(header_key(label), key)
        for alias, key in (aliases or {}).items():
            self.by_header.setdefault(header_key(alias), key)

    def find(self, value) -> str | None:
        """Return the key `value` names, or None."""
        return self.by_header.get(header_key(text(value)))

    def listing(self) -> str:
        return ", ".join(self.names)


class Suggester:
    """Finds the closest known spelling of a mistyped value, with a cache and a budget per validation."""

    def __init__(self, budget: int = SUGGESTION_BUDGET):
        self.budget = budget
        self.cache: dict[tuple[int, str], str | None] = {}

    def closest(self, value: str, candidates: dict[str, str]) -> str | None:
        """Return the display form of the candidate closest to `value`, or None.

        `candidates` maps header keys (see `header_key`) to display forms, so that
        case and separators do not count as differences.
        """
        wanted = header_key(value)
        cache_key = (id(candidates), wanted)
        if cache_key in self.cache:
            return self.cache[cache_key]
        if self.budget <= 0 or not wanted:
            return None
        self.budget -= 1
        matches = difflib.get_close_matches(wanted, candidates, n=1, cutoff=0.6)
        found = candidates[matches[0]] if matches else None
        self.cache[cache_key] = found
        return found


def did_you_mean(message: str, suggestion: str | None, otherwise: str) -> str:
    """Append "did you mean …?" to `message`, or the advice `otherwise` when nothing is close."""
    if suggestion:
        return _("%(message)s — did you mean “%(suggestion)s”?") % {"message": message,
                                                                     "suggestion": suggestion}
    return f"{message}; {otherwise}"
