"""Rules that compare who is accountable or takes part with what the patterns expect."""

from itertools import combinations

from django.utils.translation import gettext_lazy

from patterns.models import INTERNAL_PARTY_KINDS, PartyKind
from portfolio.analysis.findings import Level
from portfolio.analysis.registry import service_rule
from portfolio.analysis.rules.i18n import gettext as _
from portfolio.analysis.rules.i18n import ngettext
from portfolio.analysis.rules.scope import expected_accountable, governing, party_kind
from portfolio.analysis.rules.wording import activity_name, kinds_text, names_text, patterns_text, team_name
from portfolio.models import RaciRole

SERVICE_INTEGRATOR = "service-integrator"
INTERNAL_SERVICE_DELIVERY = "internal-service-delivery"
INTEGRATOR_KEEPS = ("deliver", "support")
INTEGRATOR_RULE = "VCP-W005"


@service_rule("VCP-W002", Level.WARNING, gettext_lazy("Responsibility mismatch"))
def responsibility_mismatch(service, snapshot):
    """Report an accountable team whose party kind the governing patterns do not expect.

    Where the service integrator governs deliver or support and only external
    teams are accountable, VCP-W005 reports the case, so this rule keeps quiet
    there unless the portfolio has switched VCP-W005 off.
    """
    findings = []
    defer_to_integrator_rule = INTEGRATOR_RULE not in snapshot.disabled_rules
    for activity in snapshot.library.activities:
        accountable = service.accountable(activity)
        if not accountable or activity not in service.governed:
            continue
        patterns = governing(service, snapshot, activity)
        if not patterns:
            continue
        if defer_to_integrator_rule and _integrator_without_internal(service, snapshot, activity):
            continue
        expected = expected_accountable(snapshot, patterns, activity)
        for team_id in sorted(set(accountable)):
            kind = party_kind(snapshot, team_id)
            if kind is None or kind in expected:
                continue
            findings.append(responsibility_mismatch.rule.finding(
                ngettext("“%(service)s”: %(team)s (%(kind)s) is accountable for %(activity)s, "
                         "but %(patterns)s expects a %(kinds)s team.",
                         "“%(service)s”: %(team)s (%(kind)s) is accountable for %(activity)s, "
                         "but %(patterns)s expect a %(kinds)s team.", len(patterns))
                % {"service": service.name, "team": names_text([team_name(snapshot, team_id)]),
                   "kind": kinds_text([kind]),
                   "activity": activity_name(snapshot, activity),
                   "patterns": patterns_text(snapshot, patterns), "kinds": kinds_text(expected)},
                _("Make a %(kinds)s team accountable, or check that the pattern fits this activity.")
                % {"kinds": kinds_text(expected)},
                service=service.key, activity=activity, pattern=patterns[0],
            ))
    return findings


@service_rule("VCP-W004", Level.WARNING, gettext_lazy("Conflicting mix"))
def conflicting_mix(service, snapshot):
    """Report two patterns that govern one activity and expect disjoint accountable kinds.

    One finding per activity, for the first such pair in library order.
    """
    findings = []
    for activity in snapshot.library.activities:
        if len(service.governed.get(activity, ())) < 2:
            continue
        for first, second in combinations(governing(service, snapshot, activity), 2):
            expected_first = snapshot.library.patterns[first].expectations[activity].accountable
            expected_second = snapshot.library.patterns[second].expectations[activity].accountable
            if expected_first & expected_second:
                continue
            findings.append(conflicting_mix.rule.finding(
                _("“%(service)s”: %(first)s and %(second)s both govern %(activity)s, "
                  "but expect different accountable teams (%(first_kinds)s against %(second_kinds)s).")
                % {"service": service.name, "first": patterns_text(snapshot, [first]),
                   "second": patterns_text(snapshot, [second]), "activity": activity_name(snapshot, activity),
                   "first_kinds": kinds_text(expected_first), "second_kinds": kinds_text(expected_second)},
                _("Let only one of the two patterns govern %(activity)s.")
                % {"activity": activity_name(snapshot, activity)},
                service=service.key, activity=activity, pattern=first,
            ))
            break
    return findings


def _integrator_without_internal(service, snapshot, activity: str) -> bool:
    """Tell whether the service integrator governs `activity` and every accountable team is external.

    An activity with no accountable team at all is VCP-E002's case, not this one.
    """
    if activity not in INTEGRATOR_KEEPS or SERVICE_INTEGRATOR not in service.governed.get(activity, ()):
        return False
    if SERVICE_INTEGRATOR not in governing(service, snapshot, activity):
        return False
    kinds = {party_kind(snapshot, team) for team in service.accountable(activity)} - {None}
    return bool(kinds) and not kinds & INTERNAL_PARTY_KINDS


@service_rule(INTEGRATOR_RULE, Level.WARNING, gettext_lazy("Integrator without internal accountability"))
def integrator_without_internal_accountability(service, snapshot):
    """Report a service integrator whose deliver or support has only external accountable teams."""
    findings = []
    for activity in INTEGRATOR_KEEPS:
        if not _integrator_without_internal(service, snapshot, activity):
            continue
        findings.append(integrator_without_internal_accountability.rule.finding(
            _("“%(service)s” is run as a service integrator, but no internal team is accountable "
              "for %(activity)s.") % {"service": service.name, "activity": activity_name(snapshot, activity)},
            _("Keep accountability for %(activity)s with a business or technology team of your own; "
              "suppliers may do the work.") % {"activity": activity_name(snapshot, activity)},
            service=service.key, activity=activity, pattern=SERVICE_INTEGRATOR,
        ))
    return findings


@service_rule("VCP-W006", Level.WARNING, gettext_lazy("No expert support"))
def no_expert_support(service, snapshot):
    """Report internal service delivery governing support with no vendor that is R, A or C for it."""
    if INTERNAL_SERVICE_DELIVERY not in governing(service, snapshot, "support"):
        return []
    # Being informed is not taking part: expert support means responsible, accountable or consulted.
    kinds = {party_kind(snapshot, team) for team, role in service.roles.get("support", ())
             if role != RaciRole.INFORMED}
    if PartyKind.VENDOR in kinds:
        return []
    return [no_expert_support.rule.finding(
        _("“%(service)s”: no vendor takes part in %(activity)s, so there is no expert (third-line) support.")
        % {"service": service.name, "activity": activity_name(snapshot, "support")},
        _("Record the product vendor as responsible or consulted for support."),
        service=service.key, activity="support", pattern=INTERNAL_SERVICE_DELIVERY,
    )]
