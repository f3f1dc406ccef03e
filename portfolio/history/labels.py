"""Names of the library's activities, patterns and decision factors, for showing recorded keys."""

from dataclasses import dataclass

from patterns.models import DecisionFactor, LifecycleActivity, Pattern


@dataclass(frozen=True)
class LibraryNames:
    """Activity and pattern names by key, and decision factors by key, read in three queries.

    A key that the library no longer contains is shown as recorded.
    """

    activities: dict[str, str]
    patterns: dict[str, str]
    factors: dict[str, DecisionFactor]

    @classmethod
    def load(cls) -> "LibraryNames":
        return cls(
            dict(LifecycleActivity.objects.values_list("key", "name")),
            dict(Pattern.objects.values_list("key", "name")),
            {factor.key: factor for factor in DecisionFactor.objects.all()},
        )

    def activity(self, key: str) -> str:
        return self.activities.get(key, key)

    def pattern(self, key: str) -> str:
        return self.patterns.get(key, key)

    def activity_list(self, keys) -> str:
        return ", ".join(self.activity(key) for key in keys)

    def context(self, answers) -> str:
        """Write a service's context (decision factor key to option key) as "Factor: option; …"."""
        if not isinstance(answers, dict):
            return str(answers)
        parts = []
        by_position = sorted(answers.items(), key=lambda item: self._position(item[0]))
        for key, option in by_position:
            factor = self.factors.get(key)
            if factor is None:
                parts.append(f"{key}: {option}")
            else:
                parts.append(f"{factor.name}: {factor.option_label(option)}")
        return "; ".join(parts)

    def _position(self, factor_key: str) -> tuple[int, str]:
        factor = self.factors.get(factor_key)
        return (factor.position if factor else len(self.factors), factor_key)
