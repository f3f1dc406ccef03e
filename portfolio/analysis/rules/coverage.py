"""Rules about whether a service has a pattern, an owner and one accountable team per activity."""

from django.utils.translation import gettext_lazy

from portfolio.analysis.findings import Level
from portfolio.analysis.registry import service_rule
from portfolio.analysis.rules.i18n import gettext as _
from portfolio.analysis.rules.i18n import ngettext
from portfolio.analysis.rules.scope import expected_accountable, governing
from portfolio.analysis.rules.wording import activity_name, kinds_text, names_text, patterns_text, team_name
from portfolio.models import ServiceStatus


@service_rule("VCP-E001", Level.ERROR, gettext_lazy("No pattern"))
def no_pattern(service, snapshot):
    """Report a live service that has no value chain pattern."""
    if service.status != ServiceStatus.LIVE or service.patterns:
        return []
    return [no_pattern.rule.finding(
        _("“%(service)s” is live but has no value chain pattern.") % {"service": service.name},
        _("Assign the pattern that describes who does what for this service, or a mix of patterns."),
        service=service.key,
    )]


@service_rule("VCP-E002", Level.ERROR, gettext_lazy("Unowned activity"))
def unowned_activity(service, snapshot):
    """Report an activity in scope of the service's patterns that no team is accountable for."""
    findings = []
    for activity in snapshot.library.activities:
        if activity not in service.governed or service.accountable(activity):
            continue
        patterns = governing(service, snapshot, activity)
        if not patterns:
            continue
        findings.append(unowned_activity.rule.finding(
            _("“%(service)s”: no team is accountable for %(activity)s.")
            % {"service": service.name, "activity": activity_name(snapshot, activity)},
            ngettext("Make one team accountable; %(patterns)s expects a %(kinds)s team.",
                     "Make one team accountable; %(patterns)s expect a %(kinds)s team.", len(patterns))
            % {"patterns": patterns_text(snapshot, patterns),
               "kinds": kinds_text(expected_accountable(snapshot, patterns, activity))},
            service=service.key, activity=activity, pattern=patterns[0],
        ))
    return findings


@service_rule("VCP-E003", Level.ERROR, gettext_lazy("Several accountable"))
def several_accountable(service, snapshot):
    """Report an activity with more than one accountable team."""
    findings = []
    for activity in snapshot.library.activities:
        accountable = set(service.accountable(activity))
        if len(accountable) < 2:
            continue
        teams = sorted(accountable, key=lambda team: team_name(snapshot, team))
        patterns = governing(service, snapshot, activity)
        findings.append(several_accountable.rule.finding(
            _("“%(service)s”: %(count)d teams are accountable for %(activity)s: %(teams)s.")
            % {"service": service.name, "count": len(teams), "activity": activity_name(snapshot, activity),
               "teams": names_text(team_name(snapshot, team) for team in teams)},
            _("Keep exactly one accountable team; make the others responsible or consulted."),
            service=service.key, activity=activity, pattern=patterns[0] if patterns else None,
        ))
    return findings


@service_rule("VCP-W008", Level.WARNING, gettext_lazy("No owner"))
def no_owner(service, snapshot):
    """Report a service without an owning team."""
    if service.owner_id is not None:
        return []
    return [no_owner.rule.finding(
        _("“%(service)s” has no owning team.") % {"service": service.name},
        _("Name the team that owns the service and confirms its mapping."),
        service=service.key,
    )]


@service_rule("VCP-W003", Level.WARNING, gettext_lazy("Ungoverned activity"))
def ungoverned_activity(service, snapshot):
    """Report responsibilities on an activity that no assigned pattern governs.

    It applies to a single pattern with a narrowed scope as well as to a mix:
    either way, no decision says which pattern's expectations hold there.
    """
    if not service.patterns:
        return []
    findings = []
    for activity in snapshot.library.activities:
        if not service.roles.get(activity):
            continue
        if activity in service.governed and governing(service, snapshot, activity):
            continue
        findings.append(ungoverned_activity.rule.finding(
            ngettext("“%(service)s”: %(activity)s has responsibilities, but %(patterns)s does not govern it.",
                     "“%(service)s”: %(activity)s has responsibilities, but no assigned pattern "
                     "(%(patterns)s) governs it.", len(service.patterns))
            % {"service": service.name, "activity": activity_name(snapshot, activity),
               "patterns": patterns_text(snapshot, service.patterns)},
            _("Let one of the assigned patterns govern %(activity)s, or remove its responsibilities.")
            % {"activity": activity_name(snapshot, activity)},
            service=service.key, activity=activity,
        ))
    return findings
