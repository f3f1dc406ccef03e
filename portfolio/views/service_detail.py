"""The service page: details, pattern mix, the RACI matrix and the findings panel.

Reads only; the writes are in `service_edit`. An htmx GET names the section it
wants with `section` (the findings panel by default); a full GET renders the
page. Extra RACI columns for teams that hold no cell yet travel in the
`columns` parameter as comma-separated team ids.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from patterns.models import DecisionFactor, PartyKind
from patterns.reference import reference_tables
from portfolio.access import PortfolioAccess, portfolio_for_request
from portfolio.analysis import analyse_portfolio
from portfolio.analysis.engine import count_levels, portfolio_snapshot
from portfolio.forms import AssignPatternForm, TeamChoiceField
from portfolio.models import PatternAssignment, RaciRole, Service, ServiceStatus, Team
from portfolio.selectors import RaciRow, ServicePage, TeamColumn, service_for_page, service_page
from portfolio.undo import undo_entry
from portfolio.views.rendering import finding_rows, is_partial_request, render_page

TEMPLATE = "portfolio/service_detail.html"
# Sections an htmx GET may ask for, by `section` parameter.
SECTIONS = {"findings": "findings-panel", "details": "details", "raci": "raci"}
RACI_ROLES = [RaciRole.RESPONSIBLE, RaciRole.ACCOUNTABLE, RaciRole.CONSULTED, RaciRole.INFORMED]


@dataclass(frozen=True)
class CellButton:
    """One R/A/C/I toggle of a matrix cell; `value` is the role and the state it requests (R+, R-)."""

    role: str
    label: str
    pressed: bool
    dom_id: str
    row: int
    column: int

    @property
    def value(self) -> str:
        return f"{self.role}{'-' if self.pressed else '+'}"


@dataclass
class MatrixCell:
    """One team's cell of one matrix row; its buttons are built on first use."""

    team: TeamColumn
    row: "MatrixRow"
    # The team's position among the columns.
    column: int

    def _buttons(self):
        """Yield (role, label, pressed, dom_id, column) for each toggle, in RACI order."""
        raci, layout = self.row.raci, self.row.layout
        team_roles = raci.roles_by_team.get(self.team.pk, ())
        for role_index, (role, role_name) in enumerate(layout.roles):
            label = layout.label % {"role": role_name, "team": self.team.name, "activity": raci.activity.name}
            yield (role, label, role in team_roles, f"cell-{raci.activity.key}-{self.team.pk}-{role}",
                   self.column * len(layout.roles) + role_index)

    @cached_property
    def buttons(self) -> list[CellButton]:
        """The toggles as objects, for the template that shows viewers the roles held."""
        return [CellButton(role, label, pressed, dom_id, self.row.index, column)
                for role, label, pressed, dom_id, column in self._buttons()]

    @cached_property
    def buttons_html(self) -> str:
        """The cell's toggle buttons for editors, built here because the matrix has hundreds of them.

        In a template loop, and still with format_html, each button cost a dozen
        escapes or variable look-ups, which made the buttons most of the time
        of a RACI edit's response. raci-keys.js moves the focus between the
        buttons by data-row and data-col.
        """
        parts = []
        for role, label, pressed, dom_id, column in self._buttons():
            # Role letters and numbers need no escaping, but the label contains the team name.
            label = escape(label)
            parts.append(
                f'<button type="submit" name="set" value="{role}{"-" if pressed else "+"}" '
                f'id="{escape(dom_id)}" class="raci-toggle raci-toggle--{role}" '
                f'aria-pressed="{"true" if pressed else "false"}" aria-label="{label}" title="{label}" '
                f'data-row="{self.row.index}" data-col="{column}">{role}</button>'
            )
        # Every part that is not a constant, a role letter or a number was escaped above.
        return mark_safe("".join(parts))


@dataclass(frozen=True)
class CellLayout:
    """The parts that the cells of every matrix row share: team columns, button label and roles."""

    columns: list[TeamColumn]
    # Translated once, with %(role)s, %(team)s and %(activity)s.
    label: str
    # (role letter, role name) pairs in RACI order.
    roles: list[tuple[str, str]]


@dataclass
class MatrixRow:
    raci: RaciRow
    # The row's position in the matrix, which raci-keys.js reads as data-row.
    index: int
    layout: CellLayout
    options: "TeamOptions"

    @cached_property
    def cells(self) -> list[MatrixCell]:
        """One cell per column; built on first use, so a response with one row builds one row's buttons."""
        return [MatrixCell(team, self, column) for column, team in enumerate(self.layout.columns)]

    @cached_property
    def digest(self) -> str:
        """A short hash of what the row shows that other users can change: its roles and patterns."""
        roles = sorted((team_id, sorted(held)) for team_id, held in self.raci.roles_by_team.items())
        patterns = sorted(pattern.key for pattern in self.raci.governed_by)
        return hashlib.blake2s(repr((roles, patterns)).encode(), digest_size=6).hexdigest()

    @cached_property
    def accountable_options(self) -> str:
        """The <option> elements of the row's accountable team list, the current team selected."""
        team = self.raci.accountable_team
        return self.options.render(team.pk if team else None)

    @cached_property
    def seen_accountable(self) -> str:
        """The accountable team ids as this page shows them, sent back with every change."""
        return ",".join(str(team.pk) for team in self.raci.accountable)


@dataclass
class RaciMatrix:
    """Lifecycle activities (rows) by teams (columns), plus the teams that may be added as columns."""

    columns: list[TeamColumn]
    rows: list[MatrixRow]
    addable: list[TeamColumn]
    options: "TeamOptions"

    @cached_property
    def addable_options(self) -> str:
        """The <option> elements of the list of teams to add as a column."""
        return self.options.render(exclude={team.pk for team in self.columns})

    @cached_property
    def column_ids(self) -> str:
        return ",".join(str(team.pk) for team in self.columns)

    @cached_property
    def state(self) -> str:
        """Each row's digest as "activity:digest" pairs, which the matrix's forms send back.

        A change made in one row gets that row alone in the response only while
        every other row still has the digest the page shows. A row that someone
        else changed in the meantime is then sent again with the whole matrix.
        """
        return ",".join(f"{row.raci.activity.key}:{row.digest}" for row in self.rows)

    def other_rows_shown(self, state: str, activity_key: str) -> bool:
        """Return whether `state`, sent by the page, matches every row but `activity_key`'s."""
        on_page = {}
        for pair in state.split(","):
            activity, _, digest = pair.partition(":")
            on_page[activity] = digest
        return all(on_page.get(row.raci.activity.key) == row.digest
                   for row in self.rows if row.raci.activity.key != activity_key)


class TeamOptions:
    """The <option> elements of a list of teams, escaped once and reused for every list.

    A portfolio has hundreds of teams and the matrix lists them once per
    activity, so the options are built here rather than in a template loop,
    which would cost a translation lookup and an escape per option and list.
    """

    def __init__(self, teams: list[tuple[int, str]]):
        self.labels = teams

    @cached_property
    def _joined(self) -> tuple[str, dict[int, tuple[int, int]]]:
        """Join all options into one string and note each team's (start, end) in it.

        Built on first use, because a response with one matrix row and no list of teams needs none.
        """
        parts, spans, position = [], {}, 0
        for pk, label in self.labels:
            option = f'<option value="{pk}">{escape(label)}</option>'
            spans[pk] = (position, position + len(option))
            parts.append(option)
            position += len(option)
        return "".join(parts), spans

    def render(self, selected: int | None = None, *, exclude: set[int] = frozenset()) -> str:
        joined, spans = self._joined
        if exclude:
            remaining = [joined[start:end] for pk, (start, end) in spans.items() if pk not in exclude]
            return mark_safe("".join(remaining))
        if selected not in spans:
            return mark_safe(joined)
        start, end = spans[selected]
        # The first '">' closes the value attribute, which contains an integer id.
        option = joined[start:end].replace('">', '" selected>', 1)
        # The team ids are integers and every name went through escape().
        return mark_safe(joined[:start] + option + joined[end:])


CONTEXT_PREFIX = "context__"


class ServiceDetailsForm(forms.Form):
    """The service's details and its answers to the decision factors, one field per factor.

    Every editable field also sends the value it had when the form was shown
    (Django's hidden initial), so `changes` holds only what this editor changed.
    `updated_at` is the version of the service the form was filled from.
    """

    updated_at = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, show_hidden_initial=True)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ServiceStatus.choices,
                               show_hidden_initial=True)
    owner = TeamChoiceField(label=gettext_lazy("Owning team"), queryset=Team.objects.none(), required=False,
                            empty_label=gettext_lazy("No owner yet"), show_hidden_initial=True)
    description = forms.CharField(label=gettext_lazy("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}), show_hidden_initial=True)

    def __init__(self, *args, service: Service, factors: list[DecisionFactor], **kwargs):
        context = service.context if isinstance(service.context, dict) else {}
        initial = {
            "updated_at": service.updated_at.isoformat(),
            "name": service.name,
            "status": service.status,
            "owner": service.owner_id,
            "description": service.description,
        }
        for factor in factors:
            initial[CONTEXT_PREFIX + factor.key] = context.get(factor.key, "")
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["owner"].queryset = Team.objects.filter(portfolio_id=service.portfolio_id)
        for factor in factors:
            options = [(option["key"], option["label"]) for option in factor.options]
            choices = [("", _("Not answered")), *options]
            self.fields[CONTEXT_PREFIX + factor.key] = forms.ChoiceField(
                label=factor.name, choices=choices, required=False, show_hidden_initial=True,
                help_text=factor.question)

    @property
    def context_fields(self):
        return [self[name] for name in self.fields if name.startswith(CONTEXT_PREFIX)]

    def seen_version(self) -> datetime | None:
        """Return the `updated_at` the form was filled from, or None when it is missing or damaged."""
        try:
            return datetime.fromisoformat(self.data.get("updated_at", ""))
        except ValueError:
            return None

    def clean_updated_at(self):
        try:
            return datetime.fromisoformat(self.cleaned_data["updated_at"])
        except ValueError:
            raise ValidationError(_("The form is damaged; reload the page and edit again."),
                                  code="invalid") from None

    def changes(self, service: Service) -> dict:
        """Return the service_update arguments for the fields this editor changed."""
        changed = [name for name in self.changed_data if name != "updated_at"]
        values = {name: self.cleaned_data[name] for name in changed if not name.startswith(CONTEXT_PREFIX)}
        answers = [name for name in changed if name.startswith(CONTEXT_PREFIX)]
        if answers:
            context = dict(service.context) if isinstance(service.context, dict) else {}
            for name in answers:
                context[name.removeprefix(CONTEXT_PREFIX)] = self.cleaned_data[name]
            values["context"] = {key: answer for key, answer in context.items() if answer}
        return values

    def labels_of(self, changes: dict) -> list[str]:
        labels = [str(self.fields[name].label) for name in changes if name != "context"]
        if "context" in changes:
            labels.append(_("context"))
        return labels


@dataclass(frozen=True)
class ConflictRow:
    """One field that differs between what is stored now and what the editor sent."""

    label: str
    stored: str
    yours: str
    changed_by_you: bool


def conflict_form(form: ServiceDetailsForm, current: Service, factors) -> tuple[ServiceDetailsForm, list]:
    """Return a form to apply the editor's changes again over `current`, and the rows that differ.

    The new form carries `current`'s version. Its fields hold the editor's value
    where the editor changed the field and the stored value everywhere else,
    so saving it keeps the other person's changes to the remaining fields.
    """
    stored_form = ServiceDetailsForm(service=current, factors=factors)
    changed = set(form.changed_data)
    data, rows = {"updated_at": current.updated_at.isoformat()}, []
    for name, form_field in form.fields.items():
        if name == "updated_at":
            continue
        stored_value = _as_data(stored_form.initial.get(name))
        yours = form.data.get(name, "")
        data[f"initial-{name}"] = stored_value
        data[name] = yours if name in changed else stored_value
        if yours != stored_value:
            rows.append(ConflictRow(str(form_field.label), _shown(form_field, stored_value),
                                    _shown(form_field, yours), name in changed))
    return ServiceDetailsForm(data, service=current, factors=factors), rows


def _as_data(value) -> str:
    return "" if value is None else str(value)


def _shown(field, value: str) -> str:
    """Return how a form value reads in the conflict table: a choice's label, or the text itself."""
    if isinstance(field, forms.ModelChoiceField):
        team = field.queryset.filter(pk=value).first() if value.isdigit() else None
        return str(team.name) if team else _("none")
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value)) or _("none")
    return value or _("empty")


@login_required
@require_safe
def service_detail(request, key, service_key):
    """Show the service page; an htmx request gets the section named by `section`."""
    access = portfolio_for_request(request, key)
    service = service_for_page(access.portfolio, service_key)
    columns = parse_ids(request.GET.get("columns", ""))
    if is_partial_request(request):
        section = SECTIONS.get(request.GET.get("section", ""), "findings-panel")
        if section == "findings-panel":
            return render_page(request, TEMPLATE, findings_context(access, service), partial=section)
        return render_page(request, TEMPLATE, service_context(request, access, service, columns=columns),
                           partial=section)
    return render_page(request, TEMPLATE, service_context(request, access, service, columns=columns))


@login_required
@require_safe
def raci_columns(request, key, service_key):
    """Show the RACI matrix with the team in `add` as an extra column; htmx gets the matrix alone."""
    access = portfolio_for_request(request, key)
    service = service_for_page(access.portfolio, service_key)
    columns = parse_ids(request.GET.get("columns", "")) + parse_ids(request.GET.get("add", ""))
    context = service_context(request, access, service, columns=columns)
    return render_page(request, TEMPLATE, context, partial="raci")


def findings_context(access: PortfolioAccess, service: Service) -> dict:
    """Build what the findings panel and the finding counts need, without further queries."""
    found = analyse_portfolio(access.portfolio).for_one_service(service.key)
    return {
        "access": access,
        "portfolio": access.portfolio,
        "service": service,
        "findings": finding_rows(found),
        "finding_counts": count_levels(found),
    }


def service_context(request, access: PortfolioAccess, service: Service, *, columns=(), **extra) -> dict:
    """Build what the service page and its partials need; `extra` overrides entries (forms with errors).

    `columns` lists ids of teams to show as RACI columns although they hold no cell.
    """
    service.portfolio = access.portfolio
    context = findings_context(access, service)
    reference = reference_tables(portfolio_snapshot(access.portfolio).library)
    page = service_page(service, reference)
    factors = once(lambda: list(reference.factors))
    # The template calls the `once` entries only when the rendered part shows them, so a
    # partial such as the RACI matrix after a cell edit skips their queries.
    context |= {
        "page": page,
        "matrix": raci_matrix(page, columns),
        "scopes": once(lambda: pattern_scopes(page)),
        "assign_form": once(lambda: AssignPatternForm()) if access.can_edit else None,
        "context_answers": once(lambda: context_answers(service, factors())),
        "factors": factors,
        "undo": undo_entry(request.session, service) if access.can_edit else None,
        "notice": "",
        "notice_level": "info",
        "mix_errors": [],
        "raci_error_activity": None,
        "raci_errors": [],
        "details_form": None,
        "conflict_rows": [],
    }
    context.update(extra)
    return context


def once(compute):
    """Return a function that calls `compute` once, on its first call, and returns that value ever after."""
    return cache(compute)


def raci_matrix(page: ServicePage, extra_columns=()) -> RaciMatrix:
    """Lay out the RACI matrix: the teams holding a cell, then those in `extra_columns`, by name."""
    wanted = {team.pk for team in page.cell_teams} | set(extra_columns)
    columns = [team for team in page.teams if team.pk in wanted]
    kinds = {kind: str(label) for kind, label in PartyKind.choices}
    options = TeamOptions([(team.pk, f"{team.name} ({kinds.get(team.party_kind, team.party_kind)})")
                           for team in page.teams])
    # Translated once: the matrix has a button per role, team and activity.
    layout = CellLayout(columns, _("%(role)s: %(team)s for %(activity)s"),
                        [(role.value, str(role.label)) for role in RACI_ROLES])
    rows = [MatrixRow(raci, index, layout, options) for index, raci in enumerate(page.raci)]
    addable = [team for team in page.teams if team.pk not in wanted]
    return RaciMatrix(columns=columns, rows=rows, addable=addable, options=options)


@dataclass(frozen=True)
class ScopeActivity:
    """An activity in a pattern's scope, and whether the pattern governs it on this service."""

    key: str
    name: str
    governed: bool


def pattern_scopes(page: ServicePage) -> list[tuple[PatternAssignment, list[ScopeActivity]]]:
    """Pair each assignment with the activities in its pattern's scope, in lifecycle order."""
    names = {row.activity.key: row.activity.name for row in page.raci}
    pairs = []
    for assignment in page.assignments:
        governed = set(assignment.activities)
        scope = [ScopeActivity(key, names.get(key, key), key in governed)
                 for key in page.scopes.get(assignment.pattern_id, [])]
        pairs.append((assignment, scope))
    return pairs


def context_answers(service: Service, factors: list[DecisionFactor]) -> list[tuple[str, str]]:
    """Return the service's answers as (factor name, option label) pairs, in the library's factor order."""
    answers = service.context if isinstance(service.context, dict) else {}
    return [(factor.name, factor.option_label(answers[factor.key]))
            for factor in factors if answers.get(factor.key)]


def parse_ids(value: str) -> list[int]:
    """Return the positive integers of a comma-separated list, skipping anything else."""
    return [int(part) for part in value.split(",") if part.strip().isdigit()]
