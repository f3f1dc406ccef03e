"""Translation lookups for rule messages, remembered for the length of one analysis run.

A run over 10,000 services looks up the same few dozen messages tens of
thousands of times, and each of Django's lookups first finds the active
language in request-local storage. Inside `remembered_messages()` each message
is translated once and then read from a dictionary. Outside it, the functions
are Django's own, so a rule called on its own (in a test, say) works as before.

A run must not switch the active language while it is inside the block.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import translation

_memo: ContextVar[dict | None] = ContextVar("rule_messages", default=None)


@contextmanager
def remembered_messages() -> Iterator[None]:
    """Remember translated messages until the block ends; nested blocks share the outer memo."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(key: tuple, compute: Callable[[], str]) -> str:
    """Return the text for `key`, computing it once per run; compute every time outside a run."""
    memo = _memo.get()
    if memo is None:
        return compute()
    text = memo.get(key)
    if text is None:
        text = memo[key] = compute()
    return text


def gettext(message: str) -> str:
    return remembered(("gettext", message), lambda: translation.gettext(message))


def ngettext(singular: str, plural: str, number: int) -> str:
    return remembered(("ngettext", singular, plural, number),
                      lambda: translation.ngettext(singular, plural, number))


def text_list(items: list[str], last_word: str) -> str:
    """Join `items` as "a, b or c", like django.utils.text.get_text_list, with remembered lookups."""
    if not items:
        return ""
    if len(items) == 1:
        return str(items[0])
    return f"{gettext(', ').join(items[:-1])} {last_word} {items[-1]}"
