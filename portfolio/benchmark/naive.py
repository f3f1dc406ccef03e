"""The rule catalogue written as a straightforward per-service ORM loop: the benchmark's baseline.

This is how the analysis would look without a snapshot. It loops over the
services and asks the ORM for each service's pattern assignments, its
responsibilities with their teams, and each assigned pattern's expectations and
decision factor values. Then it applies the rules to the model instances. It makes about 2 + 2 × (pattern
assignments) queries per service, so its cost grows with the number of services
times the round-trip time of the database.

It reports the same findings as `portfolio.analysis.analyse` (same codes and
subjects, which a test compares), with short English messages and no
translation lookups, which makes it slightly cheaper than the engine per finding.
"""

from itertools import combinations

from patterns.models import INTERNAL_PARTY_KINDS, Expectation, FactorValue, KeyPractice, LifecycleActivity
from portfolio.analysis.findings import Finding, Level
from portfolio.models import AdoptionStatus, Portfolio, RaciRole, Service, ServiceStatus

SERVICE_INTEGRATOR = "service-integrator"
INTERNAL_SERVICE_DELIVERY = "internal-service-delivery"
INTEGRATOR_KEEPS = ("deliver", "support")
HINT = "See the rule catalogue."


def naive_analyse(portfolio: Portfolio) -> list[Finding]:
    """Return the findings of `portfolio`, querying the database service by service."""
    disabled = set(portfolio.disabled_rules or ())
    activities = list(LifecycleActivity.objects.order_by("position"))
    findings = []
    patterns_in_use = set()
    for service in Service.objects.filter(portfolio=portfolio).order_by("key"):
        if service.status == ServiceStatus.RETIRED:
            continue
        assignments = list(service.assignments.select_related("pattern"))
        responsibilities = list(service.responsibilities.select_related("team"))
        expectations = {}
        for assignment in assignments:
            patterns_in_use.add(assignment.pattern_id)
            for expectation in Expectation.objects.filter(pattern=assignment.pattern):
                expectations[assignment.pattern_id, expectation.activity_id] = expectation
        checker = _ServiceChecker(service, assignments, responsibilities, expectations, disabled)
        findings += checker.check(activities)
        findings += _context_findings(service, assignments)
    findings += _practice_findings(portfolio, patterns_in_use)
    return [finding for finding in findings if finding.code not in disabled]


class _ServiceChecker:
    """The service rules over one service's model instances."""

    def __init__(self, service, assignments, responsibilities, expectations, disabled):
        self.service = service
        self.assignments = assignments
        self.responsibilities = responsibilities
        self.expectations = expectations
        self.integrator_rule_on = "VCP-W005" not in disabled
        # A pattern governs only the listed activities it has an expectation for.
        self.governed = {}
        for assignment in assignments:
            for activity in assignment.activities:
                if (assignment.pattern_id, activity) in expectations:
                    self.governed.setdefault(activity, []).append(assignment.pattern_id)

    def finding(self, code, level, message, activity=None) -> Finding:
        return Finding(code, level, f"{self.service.name}: {message}", HINT, service=self.service.key,
                       activity=activity)

    def accountable(self, activity: str) -> set:
        return {cell.team for cell in self.responsibilities
                if cell.activity_id == activity and cell.role == RaciRole.ACCOUNTABLE}

    def check(self, activities) -> list[Finding]:
        findings = []
        if self.service.status == ServiceStatus.LIVE and not self.assignments:
            findings.append(self.finding("VCP-E001", Level.ERROR, "no pattern."))
        if self.service.owner_id is None:
            findings.append(self.finding("VCP-W008", Level.WARNING, "no owning team."))
        for activity in activities:
            findings += self.activity_findings(activity)
        findings += self.integrator_findings()
        findings += self.expert_support_findings()
        return findings

    def activity_findings(self, activity) -> list[Finding]:
        findings = []
        governing = self.governed.get(activity.key, [])
        accountable = self.accountable(activity.key)
        if governing and not accountable:
            findings.append(self.finding("VCP-E002", Level.ERROR,
                                         f"nobody is accountable for {activity.name}.", activity.key))
        if len(accountable) > 1:
            findings.append(self.finding("VCP-E003", Level.ERROR,
                                         f"{len(accountable)} teams are accountable for {activity.name}.",
                                         activity.key))
        has_cells = any(cell.activity_id == activity.key for cell in self.responsibilities)
        if self.assignments and not governing and has_cells:
            findings.append(self.finding("VCP-W003", Level.WARNING, f"no pattern governs {activity.name}.",
                                         activity.key))
        if not governing:
            return findings
        if not (self.integrator_rule_on and self.integrator_without_internal(activity.key)):
            findings += self.mismatch_findings(activity, governing, accountable)
        for first, second in combinations(governing, 2):
            first_kinds = set(self.expectations[first, activity.key].accountable_kinds)
            if not first_kinds & set(self.expectations[second, activity.key].accountable_kinds):
                message = f"{first} and {second} conflict on {activity.name}."
                findings.append(self.finding("VCP-W004", Level.WARNING, message, activity.key))
                break
        return findings

    def mismatch_findings(self, activity, governing, accountable) -> list[Finding]:
        expected = set()
        for pattern in governing:
            expected |= set(self.expectations[pattern, activity.key].accountable_kinds)
        return [
            self.finding("VCP-W002", Level.WARNING,
                         f"{team.name} should not be accountable for {activity.name}.", activity.key)
            for team in sorted(accountable, key=lambda team: team.pk)
            if team.party_kind not in expected
        ]

    def integrator_without_internal(self, activity: str) -> bool:
        if activity not in INTEGRATOR_KEEPS or SERVICE_INTEGRATOR not in self.governed.get(activity, []):
            return False
        kinds = {team.party_kind for team in self.accountable(activity)}
        return bool(kinds) and not kinds & INTERNAL_PARTY_KINDS

    def integrator_findings(self) -> list[Finding]:
        return [
            self.finding("VCP-W005", Level.WARNING,
                         f"no internal team is accountable for {activity}.", activity)
            for activity in INTEGRATOR_KEEPS
            if self.integrator_without_internal(activity)
        ]

    def expert_support_findings(self) -> list[Finding]:
        if INTERNAL_SERVICE_DELIVERY not in self.governed.get("support", []):
            return []
        for cell in self.responsibilities:
            taking_part = cell.role != RaciRole.INFORMED
            if cell.activity_id == "support" and taking_part and cell.team.party_kind == "vendor":
                return []
        return [self.finding("VCP-W006", Level.WARNING, "no vendor takes part in support.", "support")]


def _context_findings(service, assignments) -> list[Finding]:
    """Report each decision factor whose context value one or more assigned patterns contradict."""
    context = service.context if isinstance(service.context, dict) else {}
    misfits = {}
    for assignment in assignments:
        for value in FactorValue.objects.filter(pattern=assignment.pattern).select_related("factor"):
            answer = context.get(value.factor_id)
            if isinstance(answer, str) and answer in value.contradicts:
                misfits.setdefault(value.factor_id, value.factor)
    return [
        Finding("VCP-W007", Level.WARNING,
                f"{service.name}: {factor.name} is {factor.option_label(context[key])}.",
                HINT, service=service.key, factor=key)
        for key, factor in misfits.items()
    ]


def _practice_findings(portfolio, patterns_in_use) -> list[Finding]:
    needed = set(KeyPractice.objects.filter(pattern__key__in=patterns_in_use)
                 .values_list("practice_id", flat=True))
    adoptions = {adoption.practice_id: adoption for adoption in portfolio.adoptions.all()}
    findings = []
    for practice in sorted(needed):
        adoption = adoptions.get(practice)
        if adoption is None or adoption.status != AdoptionStatus.ADOPTED:
            findings.append(Finding("VCP-E004", Level.ERROR, f"{practice} is not adopted.", HINT,
                                    practice=practice))
        elif (adoption.capability_level or 0) < portfolio.min_capability_level:
            findings.append(Finding("VCP-W001", Level.WARNING, f"{practice} is immature.", HINT,
                                    practice=practice))
    for practice, adoption in sorted(adoptions.items()):
        if adoption.status == AdoptionStatus.ADOPTED and practice not in needed:
            findings.append(Finding("VCP-I001", Level.INFO, f"{practice} is not needed.", HINT,
                                    practice=practice))
    return findings
