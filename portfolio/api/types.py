"""Constrained input types, so that no value reaches the database in a form it cannot store.

PostgreSQL rejects NUL characters and lone surrogates in text, and every
database rejects integers past 64 bits; such values get 422 here instead of
an error from the database. Keys and search text may not contain any
control character, which the key and name validators of the models reject
as well.
"""

import unicodedata
from typing import Annotated, Literal

from ninja import Field, Path
from pydantic import AfterValidator

# Largest value of a 64-bit signed primary key.
MAX_ID = 2**63 - 1
# Largest value of a PositiveIntegerField on PostgreSQL (a 32-bit integer column).
MAX_COUNT = 2**31 - 1
# The longest key of any kind: practice keys have up to 80 characters, service keys 60.
MAX_KEY_LENGTH = 80
# One or more characters, none a control character (C0, DEL or C1).
KEY_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]+$"


def _storable(value: str) -> str:
    for char in value:
        if char == "\x00" or unicodedata.category(char) == "Cs":
            raise ValueError(f"The text contains U+{ord(char):04X}, which cannot be stored; remove it.")
    return value


Text = Annotated[str, AfterValidator(_storable)]
Key = Annotated[str, Field(min_length=1, max_length=MAX_KEY_LENGTH, pattern=KEY_PATTERN)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

KeyPath = Annotated[str, Path(min_length=1, max_length=MAX_KEY_LENGTH, pattern=KEY_PATTERN)]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]

LevelName = Literal["error", "warning", "info"]
