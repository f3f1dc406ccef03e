"""Rules about management practices: the key practices the patterns in use need, and the rest."""

from django.utils.translation import gettext_lazy

from portfolio.analysis.findings import Level
from portfolio.analysis.registry import portfolio_rule
from portfolio.analysis.rules.i18n import gettext as _
from portfolio.analysis.rules.wording import names_text, pattern_name, practice_name
from portfolio.models import AdoptionStatus


def _key_practices_in_use(snapshot) -> dict[str, list[str]]:
    """Map each key practice of a pattern in use to those patterns' keys, in library order."""
    in_use = snapshot.patterns_in_use()
    needed: dict[str, list[str]] = {}
    for key, pattern in snapshot.library.patterns.items():
        if key in in_use:
            for practice in pattern.key_practices:
                needed.setdefault(practice, []).append(key)
    return needed


def _adopted(snapshot, practice: str):
    adoption = snapshot.adoptions.get(practice)
    if adoption is None or adoption.status != AdoptionStatus.ADOPTED:
        return None
    return adoption


@portfolio_rule("VCP-E004", Level.ERROR, gettext_lazy("Missing key practice"))
def missing_key_practice(snapshot):
    """Report a key practice of a pattern in use that the portfolio has not adopted."""
    findings = []
    for practice, patterns in sorted(_key_practices_in_use(snapshot).items()):
        if _adopted(snapshot, practice):
            continue
        findings.append(missing_key_practice.rule.finding(
            _("%(practice)s is not adopted, but it is a key practice of %(patterns)s.")
            % {"practice": practice_name(snapshot, practice),
               "patterns": names_text(pattern_name(snapshot, key) for key in patterns)},
            _("Adopt the practice and name the team that runs it, or stop using the pattern."),
            practice=practice, pattern=patterns[0],
        ))
    return findings


@portfolio_rule("VCP-W001", Level.WARNING, gettext_lazy("Immature key practice"))
def immature_key_practice(snapshot):
    """Report a key practice adopted below the portfolio's minimum capability level."""
    findings = []
    minimum = snapshot.min_capability_level
    for practice, patterns in sorted(_key_practices_in_use(snapshot).items()):
        adoption = _adopted(snapshot, practice)
        if adoption is None or (adoption.capability_level or 0) >= minimum:
            continue
        findings.append(immature_key_practice.rule.finding(
            _immaturity_message(practice_name(snapshot, practice), adoption.capability_level, minimum),
            _("Raise the practice's capability, or record its assessed level on the practices page."),
            practice=practice, pattern=patterns[0],
        ))
    return findings


def _immaturity_message(practice: str, level: int | None, minimum: int) -> str:
    if level is None:
        message = _("%(practice)s is adopted, but its capability level is not assessed; "
                    "the minimum is %(minimum)d.")
    else:
        message = _("%(practice)s is adopted at capability level %(level)d, "
                    "below the minimum of %(minimum)d.")
    return message % {"practice": practice, "level": level, "minimum": minimum}


@portfolio_rule("VCP-I001", Level.INFO, gettext_lazy("Unneeded practice"))
def unneeded_practice(snapshot):
    """Report an adopted practice that no pattern in use needs as a key practice."""
    needed = _key_practices_in_use(snapshot)
    findings = []
    for practice in sorted(snapshot.adoptions):
        if practice in needed or not _adopted(snapshot, practice):
            continue
        findings.append(unneeded_practice.rule.finding(
            _("%(practice)s is adopted, but no pattern in use needs it as a key practice.")
            % {"practice": practice_name(snapshot, practice)},
            _("Check that the investment pays off; put effort into the key practices first."),
            practice=practice,
        ))
    return findings
