"""The report as flat tables, the shape shared by the CSV and XLSX exports.

Every table has stable column keys (the CSV header), translated labels (the
XLSX header) and a width in characters. Rows are produced lazily, so a writer
can stream them. Enumerations are written as their keys, like the JSON export.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from portfolio.reports.model import Report, RuleLine, TeamRef

LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int = 16


@dataclass(frozen=True)
class Table:
    """One flat table of the report.

    `needs_analysis` is False for a table whose rows follow from the portfolio's
    records alone. `portfolio.reports.direct` then reads those rows without
    building the report, and it has a reader for each such table.
    """

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: Callable[[Report], Iterator[list]]
    needs_analysis: bool = True


def _names(refs: list[TeamRef]) -> str:
    return LIST_SEPARATOR.join(ref.name for ref in refs)


def _cover_rows(report: Report):
    cover = report.cover
    yield ["portfolio_key", cover.portfolio_key]
    yield ["portfolio_name", cover.portfolio_name]
    yield ["as_of", cover.as_of]
    yield ["revision", cover.revision]
    yield ["author", cover.author]
    yield ["library_version", cover.library_version]
    yield ["catalogue_version", cover.catalogue_version]
    yield ["scope_team", cover.scope.team or ""]
    yield ["scope_pattern", cover.scope.pattern or ""]
    yield ["scope_status", cover.scope.status or ""]


def _summary_rows(report: Report):
    summary = report.summary
    groups = (("services_by_status", summary.services_by_status),
              ("services_by_pattern", summary.services_by_pattern),
              ("services_by_mix", summary.services_by_mix),
              ("findings_by_level", summary.findings_by_level),
              ("waivers", summary.waivers))
    yield ["services", "", "", summary.services]
    for group, counts in groups:
        for count in counts:
            yield [group, count.key, count.label, count.count]


def _service_rows(report: Report):
    for service in report.services:
        levels = [finding.level for finding in service.findings]
        yield [service.key, service.name, service.status,
               service.owner.name if service.owner else "", service.owner.party_kind if service.owner else "",
               service.mix_label, levels.count("error"), levels.count("warning"), levels.count("info"),
               len(service.waivers)]


def _raci_rows(report: Report):
    for service in report.services:
        for line in service.raci:
            governed = LIST_SEPARATOR.join(line.governed_by)
            for role, refs in (("A", line.accountable), ("R", line.responsible),
                               ("C", line.consulted), ("I", line.informed)):
                for ref in refs:
                    yield [service.key, service.name, line.activity, governed, role, ref.name, ref.party_kind]


def _finding_rows(report: Report):
    names = {service.key: service.name for service in report.services}
    for finding in report.all_findings():
        yield [finding.level, finding.code, finding.service or "", names.get(finding.service or "", ""),
               finding.subject, finding.message, finding.hint]


def _waiver_rows(report: Report):
    for waiver in report.waivers:
        yield [waiver.code, waiver.subject, waiver.service or "", waiver.status, waiver.approver,
               waiver.expires_on, waiver.accepted_by, waiver.justification]


def _practice_rows(report: Report):
    for line in [*report.practices.needed, *report.practices.unneeded]:
        yield [line.key, line.name, LIST_SEPARATOR.join(line.needed_by), line.status,
               line.capability_level, line.owner, line.assessment]


def _risk_rows(report: Report):
    for line in report.risks:
        yield [line.pattern_key, line.pattern_name, line.risk, line.risk_label, len(line.services),
               LIST_SEPARATOR.join(ref.name for ref in line.services)]


def _ownership_rows(report: Report):
    heatmap = report.charts.ownership
    for activity, values in zip(heatmap.activities, heatmap.values, strict=True):
        yield [activity.key, *values]


def _rule_rows(report: Report):
    return rule_table_rows(report.rules)


def rule_table_rows(rules: list[RuleLine]) -> Iterator[list]:
    for rule in rules:
        yield [rule.code, rule.level, rule.title, rule.scope, rule.description]


def _ownership_columns() -> tuple[Column, ...]:
    from patterns.models import PartyKind

    return (Column("activity", _("Lifecycle activity"), 14),
            *(Column(kind.value, kind.label, 12) for kind in PartyKind))


TABLES: dict[str, Table] = {table.name: table for table in (
    Table("cover", _("Cover"), (
        Column("field", _("Field"), 20),
        Column("value", _("Value"), 60)), _cover_rows),
    Table("summary", _("Summary"), (
        Column("group", _("Group"), 22),
        Column("key", _("Key"), 30),
        Column("label", _("Label"), 40),
        Column("count", _("Count"), 8)), _summary_rows),
    Table("services", _("Services"), (
        Column("key", _("Key"), 20),
        Column("name", _("Name"), 40),
        Column("status", _("Status"), 10),
        Column("owner", _("Owning team"), 30),
        Column("owner_party_kind", _("Owner's party kind"), 16),
        Column("patterns", _("Pattern mix"), 45),
        Column("errors", _("Errors"), 8),
        Column("warnings", _("Warnings"), 10),
        Column("infos", _("Info"), 8),
        Column("waivers", _("Waivers"), 8)), _service_rows),
    Table("raci", _("RACI"), (
        Column("service_key", _("Service key"), 20),
        Column("service_name", _("Service"), 40),
        Column("activity", _("Lifecycle activity"), 14),
        Column("governed_by", _("Governed by"), 40),
        Column("role", _("Role"), 6),
        Column("team", _("Team"), 30),
        Column("party_kind", _("Party kind"), 16)), _raci_rows, needs_analysis=False),
    Table("findings", _("Findings"), (
        Column("level", _("Level"), 9),
        Column("code", _("Code"), 10),
        Column("service_key", _("Service key"), 20),
        Column("service_name", _("Service"), 40),
        Column("subject", _("Subject"), 40),
        Column("message", _("Message"), 70),
        Column("hint", _("Hint"), 60)), _finding_rows),
    Table("waivers", _("Waivers"), (
        Column("code", _("Code"), 10),
        Column("subject", _("Subject"), 40),
        Column("service_key", _("Service key"), 20),
        Column("status", _("Status"), 10),
        Column("approver", _("Approver"), 24),
        Column("expires_on", _("Expires on"), 12),
        Column("accepted_by", _("Accepted by"), 16),
        Column("justification", _("Justification"), 60)), _waiver_rows),
    Table("practices", _("Practices"), (
        Column("key", _("Key"), 30),
        Column("name", _("Practice"), 36),
        Column("needed_by", _("Needed by"), 45),
        Column("status", _("Status"), 12),
        Column("capability_level", _("Capability level"), 10),
        Column("owner", _("Owning team"), 30),
        Column("assessment", _("Assessment"), 12)), _practice_rows),
    Table("risks", _("Risks"), (
        Column("pattern", _("Pattern key"), 28),
        Column("pattern_name", _("Pattern"), 32),
        Column("risk", _("Risk"), 12),
        Column("risk_label", _("Risk profile"), 32),
        Column("services", _("Services"), 9),
        Column("service_names", _("Services exposed"), 80)), _risk_rows),
    Table("ownership", _("Ownership"), _ownership_columns(), _ownership_rows),
    Table("rules", _("Rules"), (
        Column("code", _("Code"), 10),
        Column("level", _("Level"), 9),
        Column("title", _("Title"), 36),
        Column("scope", _("Scope"), 10),
        Column("description", _("Description"), 80)), _rule_rows, needs_analysis=False),
)}
