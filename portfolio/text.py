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
