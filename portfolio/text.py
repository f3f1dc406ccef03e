"""Normalisation of names and keys typed by people in any script."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalise_name(value: str) -> str:
    """Return `value` in Unicode NFC with surrounding and repeated inner spaces removed.

    Two spellings of the same name (a precomposed "é" and "e" plus a combining
    accent) become one string, so uniqueness checks treat them as one name.
    """
    return " ".join(unicodedata.normalize("NFC", value).split())


def validate_key(value: str) -> None:
    """Accept letters and digits of any script, '-', '_' and '.'; reject spaces and slashes."""
    if not value:
        raise ValidationError(_("Enter a key."), code="required")
    for char in value:
        category = unicodedata.category(char)
        # Marks (M) and the zero-width joiner keep accented letters and emoji sequences whole.
        if char in "-_.\u200d" or category[0] in "LNM" or category == "So":
            continue
        raise ValidationError(
            _("The key “%(value)s” contains “%(char)s”; use letters, digits, '-', '_' or '.' only."),
            code="invalid",
            params={"value": value, "char": char},
        )


# Longest description or justification, in characters.
MAX_TEXT_LENGTH = 10_000

# Tab, line feed and carriage return are the only control characters a multi-line text may contain.
_MULTILINE_CONTROLS = frozenset("\t\n\r")


def _reject_control_characters(value: str, allowed: frozenset[str]) -> None:
    for position, char in enumerate(value, start=1):
        # Cc: C0 and C1 controls and DEL; Cs: lone surrogates, which no database can store.
        if unicodedata.category(char) in ("Cc", "Cs") and char not in allowed:
            raise ValidationError(
                _("The text contains the control character U+%(code)04X at position %(position)d; "
                  "remove it."),
                code="control_character",
                params={"code": ord(char), "position": position},
            )


def validate_no_control_characters(value: str) -> None:
    """Reject any control character, tab and newline included: for names and other one-line text."""
    _reject_control_characters(value, frozenset())


def validate_multiline_text(value: str) -> None:
    """Reject control characters other than tab, line feed and carriage return: for descriptions."""
    _reject_control_characters(value, _MULTILINE_CONTROLS)
