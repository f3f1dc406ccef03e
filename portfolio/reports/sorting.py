"""The one ordering of names used by every part of the report and every export format."""

import unicodedata


def name_key(text: str | None) -> tuple[str, str]:
    """Return a sort key that ignores case and Unicode composition; ties keep a stable order."""
    normalised = unicodedata.normalize("NFC", text or "")
    return (normalised.casefold(), normalised)
