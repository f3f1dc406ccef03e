"""Rules that compare a service's recorded context with its patterns' decision factors."""

from django.utils.translation import gettext_lazy

from portfolio.analysis.findings import Level
from portfolio.analysis.registry import service_rule
from portfolio.analysis.rules.i18n import gettext as _
from portfolio.analysis.rules.i18n import text_list
from portfolio.analysis.rules.wording import patterns_text


@service_rule("VCP-W007", Level.WARNING, gettext_lazy("Context misfit"))
def context_misfit(service, snapshot):
    """Report a service context answer that contradicts a decision factor of an assigned pattern.

    One finding per factor, naming every assigned pattern the answer contradicts.
    """
    library = snapshot.library
    context = service.context if isinstance(service.context, dict) else {}
    findings = []
    for factor in library.factor_names:
        answer = context.get(factor)
        # Answers are option keys; anything else (a number, a list) matches no option.
        if not isinstance(answer, str):
            continue
        misfits = [key for key in service.patterns
                   if key in library.patterns and answer in _contradicted(library.patterns[key], factor)]
        if not misfits:
            continue
        expected = dict.fromkeys(library.patterns[key].factors[factor].label for key in misfits)
        findings.append(context_misfit.rule.finding(
            _("“%(service)s”: %(factor)s is “%(answer)s”, which does not suit %(patterns)s "
              "(expected: %(expected)s).")
            % {"service": service.name, "factor": library.factor_names[factor].lower(),
               "answer": library.factor_options[factor].get(answer, answer),
               "patterns": patterns_text(snapshot, misfits),
               "expected": text_list([f"“{label}”" for label in expected], _("or"))},
            _("Check the service's context, or choose a pattern that fits it."),
            service=service.key, pattern=misfits[0], factor=factor,
        ))
    return findings


def _contradicted(pattern, factor: str) -> frozenset[str]:
    value = pattern.factors.get(factor)
    return value.contradicts if value else frozenset()
