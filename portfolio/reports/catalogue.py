"""The rule catalogue as the report's appendix, and its version."""

import hashlib

from portfolio.analysis.registry import all_rules
from portfolio.reports.model import RuleLine


def catalogue_version() -> str:
    """Return the SHA-256 of the registered rules' sorted codes and levels.

    It changes when a rule is added, removed or changes level, and not when a
    message is reworded.
    """
    entries = sorted(f"{rule.code}:{rule.level.label}" for rule in all_rules())
    return hashlib.sha256("\n".join(entries).encode("utf-8")).hexdigest()


def rule_lines() -> list[RuleLine]:
    return [
        RuleLine(code=rule.code, level=rule.level.label, title=str(rule.title), scope=rule.scope,
                 description=rule.description)
        for rule in all_rules()
    ]
