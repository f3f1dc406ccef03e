"""Rules that compare who is accountable or takes part with what the patterns expect."""

from itertools import combinations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patterns.models import INTERNAL_PARTY_KINDS, PartyKind
from portfolio.analysis.findings import Level
from portfolio.analysis.registry import service_rule
from portfolio.analysis.rules.wording import activity_name, kinds_text, pattern_name

SERVICE_INTEGRATOR = "service-integrator"
INTERNAL_SERVICE_DELIVERY = "internal-service-delivery"


@service_rule("VCP-W002", Level.WARNING, gettext_lazy("Responsibility mismatch"))
def responsibility_mismatch(service, snapshot):
    """Report an accountable team whose party kind the governing patterns do not expect."""
    findings = []
    for activity in snapshot.library.activities:
        governing = service.governed.get(activity)
        if not governing:
            continue
        expected = set()
        for key in governing:
            expected |= snapshot.library.patterns[key].expectations[activity].accountable
        for team_id in sorted(set(service.accountable(activity))):
            team = snapshot.teams[team_id]
            if team.party_kind in expected:
                continue
            findings.append(responsibility_mismatch.rule.finding(
                _("“%(service)s”: %(team)s (%(kind)s) is accountable for %(activity)s, "
                  "but %(pattern)s expects a %(kinds)s team.")
                % {"service": service.name, "team": team.name, "kind": kinds_text([team.party_kind]),
                   "activity": activity_name(snapshot, activity),
                   "pattern": pattern_name(snapshot, governing[0]), "kinds": kinds_text(expected)},
                _("Make a %(kinds)s team accountable, or check that the pattern fits this activity.")
                % {"kinds": kinds_text(expected)},
                service=service.key, activity=activity, pattern=governing[0],
            ))
    return findings


@service_rule("VCP-W004", Level.WARNING, gettext_lazy("Conflicting mix"))
def conflicting_mix(service, snapshot):
    """Report two patterns that govern one activity and expect disjoint accountable kinds."""
    findings = []
    for activity in snapshot.library.activities:
        governing = service.governed.get(activity, ())
        for first, second in combinations(governing, 2):
            expected_first = snapshot.library.patterns[first].expectations[activity].accountable
            expected_second = snapshot.library.patterns[second].expectations[activity].accountable
            if expected_first & expected_second:
                continue
            findings.append(conflicting_mix.rule.finding(
                _("“%(service)s”: %(first)s and %(second)s both govern %(activity)s, "
                  "but expect different accountable teams (%(first_kinds)s against %(second_kinds)s).")
                % {"service": service.name, "first": pattern_name(snapshot, first),
                   "second": pattern_name(snapshot, second), "activity": activity_name(snapshot, activity),
                   "first_kinds": kinds_text(expected_first), "second_kinds": kinds_text(expected_second)},
                _("Let only one of the two patterns govern %(activity)s.")
                % {"activity": activity_name(snapshot, activity)},
                service=service.key, activity=activity, pattern=first,
            ))
            break
    return findings


@service_rule("VCP-W005", Level.WARNING, gettext_lazy("Integrator without internal accountability"))
def integrator_without_internal_accountability(service, snapshot):
    """Report a service integrator whose deliver or support has no internal accountable team."""
    if SERVICE_INTEGRATOR not in service.patterns:
        return []
    findings = []
    for activity in ("deliver", "support"):
        kinds = {snapshot.teams[team].party_kind for team in service.accountable(activity)}
        if kinds & INTERNAL_PARTY_KINDS:
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
    """Report internal service delivery governing support with no vendor taking part in it."""
    if INTERNAL_SERVICE_DELIVERY not in service.governed.get("support", ()):
        return []
    kinds = {snapshot.teams[team].party_kind for team in service.teams_taking_part("support")}
    if PartyKind.VENDOR in kinds:
        return []
    return [no_expert_support.rule.finding(
        _("“%(service)s”: no vendor takes part in support, so there is no expert (third-line) support.")
        % {"service": service.name},
        _("Record the product vendor as responsible or consulted for support."),
        service=service.key, activity="support", pattern=INTERNAL_SERVICE_DELIVERY,
    )]



