"""The rule registry, in the manner of Django's system checks.

A rule is a pure function registered with a stable code. Service rules take
one `ServiceInfo` and the `PortfolioSnapshot` and run once per analysed
service; portfolio rules take the snapshot and run once. Neither may query the
database: everything they read is in the snapshot.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from portfolio.analysis.findings import Finding, Level

SERVICE = "service"
PORTFOLIO = "portfolio"


@dataclass(frozen=True)
class Rule:
    code: str
    level: Level
    title: str
    scope: str
    check: Callable[..., Iterable[Finding]]

    @property
    def description(self) -> str:
        return (self.check.__doc__ or "").strip()

    def finding(self, message: str, hint: str, **subject) -> Finding:
        """Build a finding of this rule; `subject` holds service, activity, practice, pattern keys."""
        return Finding(code=self.code, level=self.level, message=message, hint=hint, **subject)


_rules: dict[str, Rule] = {}


def _register(code: str, level: Level, title: str, scope: str):
    def decorator(check):
        if code in _rules and _rules[code].check is not check:
            raise ValueError(f"Rule code {code} is registered twice.")
        rule = Rule(code=code, level=level, title=title, scope=scope, check=check)
        _rules[code] = rule
        check.rule = rule
        return check

    return decorator


def service_rule(code: str, level: Level, title: str):
    """Register `check(service, snapshot)`, run for every analysed service."""
    return _register(code, level, title, SERVICE)


def portfolio_rule(code: str, level: Level, title: str):
    """Register `check(snapshot)`, run once per portfolio."""
    return _register(code, level, title, PORTFOLIO)


def all_rules() -> list[Rule]:
    import portfolio.analysis.rules  # noqa: F401  (importing the package registers every rule)

    return sorted(_rules.values(), key=lambda rule: (-rule.level, rule.code))


def get_rule(code: str) -> Rule:
    all_rules()
    return _rules[code]
