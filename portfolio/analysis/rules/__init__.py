"""The rule catalogue. Importing this package registers every rule.

Codes are stable: E for errors, W for warnings, I for information. A new rule
takes the next free number of its level; a removed rule's code is never reused.
"""

from portfolio.analysis.rules import context, coverage, practices, responsibility

__all__ = ["context", "coverage", "practices", "responsibility"]
