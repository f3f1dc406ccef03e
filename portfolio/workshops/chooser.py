"""The pattern chooser: rank the library's patterns by weights the data file gives each answer.

Score of a pattern = the sum of `Pattern.chooser_weights[factor][option]` over
the answers given (a missing weight counts 0). An answer supports a pattern when
its weight is positive, and contradicts it when the weight is negative or the
pattern's factor value lists the option as contradicting.

Mix rule: when the runner-up scores within `LibraryRelease.chooser_mix_margin`
points of the leader and its `mix_activities` include activities the leader's
do not, the chooser suggests a mix. The runner-up governs those activities
(within its scope) and the leader governs the rest of its own scope.
"""

from dataclasses import dataclass

from patterns.models import DecisionFactor, Expectation, FactorValue, LibraryRelease, Pattern


@dataclass(frozen=True)
class AnswerEffect:
    factor: str
    answer: str
    weight: int
    # The pattern's factor value, such as "Strong"; empty when the library states none.
    expected: str = ""


@dataclass(frozen=True)
class PatternScore:
    pattern: Pattern
    score: int
    supports: tuple[AnswerEffect, ...]
    contradicts: tuple[AnswerEffect, ...]


@dataclass(frozen=True)
class MixSuggestion:
    leader: Pattern
    leader_activities: tuple[str, ...]
    runner_up: Pattern
    runner_up_activities: tuple[str, ...]


@dataclass(frozen=True)
class ChooserResult:
    ranking: tuple[PatternScore, ...]
    mix: MixSuggestion | None


def chooser_factors() -> list[DecisionFactor]:
    return list(DecisionFactor.objects.order_by("position"))


def choose_patterns(answers: dict[str, str]) -> ChooserResult:
    """Rank every pattern for `answers` (factor key to option key) and suggest a mix if the rule applies."""
    factors = {factor.key: factor for factor in chooser_factors()}
    answers = {key: value for key, value in answers.items()
               if key in factors and value in {option["key"] for option in factors[key].options}}
    patterns = list(Pattern.objects.order_by("position", "name"))
    values = {(value.pattern_id, value.factor_id): value for value in FactorValue.objects.all()}
    ranking = sorted((_score(pattern, factors, answers, values) for pattern in patterns),
                     key=lambda scored: (-scored.score, scored.pattern.position))
    release = LibraryRelease.objects.first()
    margin = release.chooser_mix_margin if release else 3
    return ChooserResult(tuple(ranking), _mix(ranking, margin) if answers else None)


def _score(pattern, factors, answers, values) -> PatternScore:
    supports, contradicts, total = [], [], 0
    for factor_key, option in answers.items():
        factor = factors[factor_key]
        weight = int(pattern.chooser_weights.get(factor_key, {}).get(option, 0))
        value = values.get((pattern.pk, factor_key))
        effect = AnswerEffect(factor.name, factor.option_label(option), weight, value.label if value else "")
        total += weight
        if weight < 0 or (value is not None and option in value.contradicts):
            contradicts.append(effect)
        elif weight > 0:
            supports.append(effect)
    return PatternScore(pattern, total, tuple(supports), tuple(contradicts))


def _mix(ranking: list[PatternScore], margin: int) -> MixSuggestion | None:
    if len(ranking) < 2:
        return None
    leader, runner_up = ranking[0].pattern, ranking[1].pattern
    if ranking[0].score - ranking[1].score > margin:
        return None
    scopes = {}
    for pattern_id, activity in (Expectation.objects.filter(pattern__in=[leader, runner_up])
                                 .order_by("activity__position").values_list("pattern_id", "activity_id")):
        scopes.setdefault(pattern_id, []).append(activity)
    claimed = set(runner_up.mix_activities) - set(leader.mix_activities)
    runner_up_activities = tuple(a for a in scopes.get(runner_up.pk, []) if a in claimed)
    leader_activities = tuple(a for a in scopes.get(leader.pk, []) if a not in runner_up_activities)
    if not runner_up_activities or not leader_activities:
        return None
    return MixSuggestion(leader, leader_activities, runner_up, runner_up_activities)
