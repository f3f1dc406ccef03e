"""Rules that compare a service's recorded context with its patterns' decision factors."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portfolio.analysis.findings import Level
from portfolio.analysis.registry import service_rule


@service_rule("VCP-W007", Level.WARNING, gettext_lazy("Context misfit"))
def context_misfit(service, snapshot):
    """Report a service context that contradicts a decision factor of an assigned pattern."""
    findings = []
    library = snapshot.library
    for key in service.patterns:
        pattern = library.patterns[key]
        for factor, value in pattern.factors.items():
            answer = service.context.get(factor)
            if answer not in value.contradicts:
                continue
            findings.append(context_misfit.rule.finding(
                _("“%(service)s”: %(factor)s is “%(answer)s”, which does not suit %(pattern)s "
                  "(it expects “%(expected)s”).")
                % {"service": service.name, "factor": library.factor_names[factor].lower(),
                   "answer": library.factor_options[factor].get(answer, answer),
                   "pattern": pattern.name, "expected": value.label},
                _("Check the service's context, or choose a pattern that fits it."),
                service=service.key, pattern=key, factor=factor,
            ))
    return findings
