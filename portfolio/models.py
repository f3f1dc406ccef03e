"""An organisation's portfolio: teams, services, pattern mixes, the RACI and practices.

Every change to a portfolio's rows bumps `Portfolio.revision` (see
`portfolio.signals`); the analysis cache is keyed on it, so findings are
never older than the data they describe.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from patterns.models import LifecycleActivity, PartyKind, Pattern, Practice
from portfolio.text import (
    MAX_TEXT_LENGTH,
    normalise_name,
    validate_key,
    validate_multiline_text,
    validate_no_control_characters,
)


class Role(models.TextChoices):
    """A member's role in a portfolio; each role may do everything the one before it may."""

    VIEWER = "viewer", _("Viewer")
    EDITOR = "editor", _("Editor")
    OWNER = "owner", _("Owner")


ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.OWNER: 3}


class ChangeKind(models.TextChoices):
    EDIT = "edit", _("Edit")
    BULK = "bulk", _("Bulk action")
    IMPORT = "import", _("Import")
    WORKSHOP = "workshop", _("Workshop")
    RESTORE = "restore", _("Restore")
    API = "api", _("API")


class ChangeSet(models.Model):
    """One user action that changed a portfolio, grouping its historical rows (see `portfolio.history`).

    The references carry no database constraint, so the audit trail outlives a
    deleted portfolio or user.
    """

    portfolio = models.ForeignKey("Portfolio", on_delete=models.DO_NOTHING, db_constraint=False,
                                  null=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                             null=True, related_name="+", verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=10, choices=ChangeKind.choices, default=ChangeKind.EDIT)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("change set")
        indexes = [models.Index(fields=["portfolio", "-created_at"], name="changeset_portfolio_time")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        _reject_history_change(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The change history cannot be deleted."))


def _reject_history_change(row: models.Model) -> None:
    if row.pk is not None and not row._state.adding:
        raise ValidationError(_("The change history cannot be changed."))


class HistoricalChange(models.Model):
    """The base of every historical model here: the change set that a historical row belongs to."""

    history_change_set = models.ForeignKey(ChangeSet, on_delete=models.DO_NOTHING, db_constraint=False,
                                           null=True, related_name="+")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        _reject_history_change(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The change history cannot be deleted."))


def history(*excluded_fields: str) -> HistoricalRecords:
    """Return the history manager of a portfolio model; `excluded_fields` are not recorded."""
    return HistoricalRecords(bases=[HistoricalChange], excluded_fields=list(excluded_fields))


def new_revision_token() -> str:
    return uuid.uuid4().hex


class Portfolio(models.Model):
    key = models.CharField(_("key"), max_length=60, unique=True, validators=[validate_key])
    name = models.CharField(_("name"), max_length=200, validators=[validate_no_control_characters])
    description = models.TextField(_("description"), blank=True, max_length=MAX_TEXT_LENGTH,
                                   validators=[MaxLengthValidator(MAX_TEXT_LENGTH), validate_multiline_text])
    revision = models.PositiveBigIntegerField(
        _("revision"), default=0, editable=False,
        help_text=_("Raised by every change to the portfolio's data."),
    )
    revision_token = models.CharField(
        _("revision token"), max_length=32, default=new_revision_token, editable=False,
        help_text=_("Replaced by every change; unlike the revision number, never reused after a rollback."),
    )
    min_capability_level = models.PositiveSmallIntegerField(
        _("minimum capability level"), default=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("Key practices adopted below this level (1–5) are reported as immature."),
    )
    disabled_rules = models.JSONField(
        _("switched-off rules"), default=list, blank=True,
        help_text=_("Finding codes that the analysis does not report for this portfolio."),
    )
    review_period_days = models.PositiveSmallIntegerField(
        _("review period (days)"), default=180,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Days after which a service's attestation is stale, so that its owning team should "
                    "confirm the mapping again (1–3650)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = history("revision", "revision_token", "created_at")

    class Meta:
        ordering = ["name"]
        verbose_name = _("portfolio")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Never write back the revision fields read earlier: a write elsewhere may
        # have raised them since, and an old token would bring back cached
        # results of older data. The post_save signal raises them instead.
        if self.pk is not None and not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in {"revision", "revision_token"}
            ]
        super().save(*args, **kwargs)

    def clean(self):
        self.name = normalise_name(self.name)
        self.key = normalise_name(self.key)

    def refresh_revision(self) -> None:
        """Re-read the revision fields, so that analysis after a write judges the data as it is now."""
        self.refresh_from_db(fields=["revision", "revision_token"])


class Membership(models.Model):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    # The team the user works in. Members of a service's owning team attest its mapping, and
    # their mapping edits keep an attestation valid. Team.delete() leaves this empty.
    team = models.ForeignKey("Team", verbose_name=_("team"), on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="memberships")

    history = history()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "user"], name="membership_unique",
                violation_error_message=_("This user is already a member of the portfolio."),
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.portfolio} ({self.role})"


class Team(models.Model):
    """A concrete party in a portfolio: one of our teams, a vendor, a provider or a customer."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=200, validators=[validate_no_control_characters])
    party_kind = models.CharField(_("party kind"), max_length=20, choices=PartyKind.choices)
    contact = models.CharField(_("contact"), max_length=200, blank=True,
                               validators=[validate_no_control_characters])
    member_count = models.PositiveIntegerField(_("members"), null=True, blank=True)

    history = history()

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "portfolio", name="team_name_unique",
                violation_error_message=_("A team with this name already exists in the portfolio."),
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.name = normalise_name(self.name)


class ServiceStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    LIVE = "live", _("Live")
    RETIRED = "retired", _("Retired")


class Service(models.Model):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="services")
    key = models.CharField(_("key"), max_length=60, validators=[validate_key],
                           help_text=_("Short unique identifier, used in links and imports."))
    name = models.CharField(_("name"), max_length=200, validators=[validate_no_control_characters])
    description = models.TextField(_("description"), blank=True, max_length=MAX_TEXT_LENGTH,
                                   validators=[MaxLengthValidator(MAX_TEXT_LENGTH), validate_multiline_text])
    status = models.CharField(_("status"), max_length=10, choices=ServiceStatus.choices,
                              default=ServiceStatus.LIVE)
    owner = models.ForeignKey(Team, verbose_name=_("owning team"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="owned_services")
    context = models.JSONField(
        _("context"), default=dict, blank=True,
        help_text=_("The service's answers to the decision factors: factor key to option key."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The owning team's confirmation of the mapping (pattern mix and RACI); see portfolio.attestation.
    attested_at = models.DateTimeField(_("mapping attested at"), null=True, blank=True, editable=False)
    attested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("mapping attested by"),
                                    on_delete=models.SET_NULL, null=True, blank=True, editable=False,
                                    related_name="+")
    mapping_review_needed = models.BooleanField(
        _("mapping review needed"), default=False, editable=False,
        help_text=_("Set when someone outside the owning team changes the mapping after it was attested."),
    )

    # The review flag is derived from the mapping rows' history and set by an UPDATE that records
    # no row of its own. Recording it would credit the next change with setting it.
    history = history("updated_at", "mapping_review_needed")

    class Meta:
        ordering = [Lower("name"), "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "key"], name="service_key_unique",
                violation_error_message=_("A service with this key already exists in the portfolio."),
            )
        ]
        # Serves a page of the catalogue in name order from the index, without sorting every service.
        # On PostgreSQL the included name and id let a page deep in the list (OFFSET) read the index
        # alone: about 1.5 ms instead of 4.4 ms at offset 7,450 of 10,000 services, once vacuumed.
        # SQLite indexes have no included columns, and Django leaves them out there.
        indexes = [
            models.Index(models.F("portfolio"), Lower("name"), models.F("key"), name="service_name_order",
                         include=["name", "id"]),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.name = normalise_name(self.name)
        self.key = normalise_name(self.key)
        if self.owner_id and self.portfolio_id and self.owner.portfolio_id != self.portfolio_id:
            raise ValidationError({"owner": _("The team “%(team)s” belongs to another portfolio.")
                                   % {"team": self.owner}})


class PatternAssignment(models.Model):
    """A pattern on a service with the lifecycle activities it governs there.

    `activities` lists activity keys; each must be in the pattern's scope.
    Two or more assignments on one service make a mix.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="assignments")
    pattern = models.ForeignKey(Pattern, on_delete=models.PROTECT, to_field="key",
                                related_name="+")
    activities = models.JSONField(_("governed activities"), default=list)

    history = history()

    class Meta:
        ordering = ["service", "pattern__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "pattern"], name="assignment_unique",
                violation_error_message=_("The pattern is already assigned to this service."),
            )
        ]

    def __str__(self):
        return f"{self.service} · {self.pattern_id}"


class RaciRole(models.TextChoices):
    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


class Responsibility(models.Model):
    """One RACI cell: a team's role for one lifecycle activity of one service."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="responsibilities")
    activity = models.ForeignKey(LifecycleActivity, on_delete=models.PROTECT, to_field="key",
                                 related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="responsibilities")
    role = models.CharField(_("role"), max_length=1, choices=RaciRole.choices)

    history = history()

    class Meta:
        verbose_name_plural = _("responsibilities")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "activity", "team", "role"], name="responsibility_unique",
                violation_error_message=_("The team already has this role for this activity."),
            )
        ]

    def __str__(self):
        return f"{self.service} · {self.activity_id} · {self.team} ({self.role})"


class AdoptionStatus(models.TextChoices):
    NOT_ADOPTED = "not_adopted", _("Not adopted")
    PLANNED = "planned", _("Planned")
    ADOPTED = "adopted", _("Adopted")


class PracticeAdoption(models.Model):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="adoptions")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, to_field="key",
                                 related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=AdoptionStatus.choices,
                              default=AdoptionStatus.NOT_ADOPTED)
    capability_level = models.PositiveSmallIntegerField(
        _("capability level"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (initial) to 5 (optimised)."),
    )
    owner = models.ForeignKey(Team, verbose_name=_("owning team"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="owned_practices")

    history = history()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "practice"], name="adoption_unique",
                violation_error_message=_("The portfolio already records this practice."),
            ),
            models.CheckConstraint(
                condition=models.Q(capability_level__isnull=True)
                | models.Q(capability_level__gte=1, capability_level__lte=5),
                name="adoption_capability_range",
                violation_error_message=_("Capability level must be between 1 and 5."),
            ),
        ]

    def __str__(self):
        return f"{self.portfolio} · {self.practice_id}: {self.status}"


class Waiver(models.Model):
    """An accepted finding: the rule code and subject it covers, why, who and until when."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="waivers")
    code = models.CharField(_("finding code"), max_length=20, validators=[validate_no_control_characters])
    subject = models.CharField(_("subject"), max_length=400, validators=[validate_no_control_characters])
    justification = models.TextField(
        _("justification"), max_length=MAX_TEXT_LENGTH,
        validators=[MaxLengthValidator(MAX_TEXT_LENGTH), validate_multiline_text],
    )
    approver = models.CharField(_("approver"), max_length=200, validators=[validate_no_control_characters])
    expires_on = models.DateField(_("expires on"))
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("accepted by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = history()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "code", "subject"], name="waiver_unique",
                violation_error_message=_("This finding already has a waiver."),
            )
        ]

    def __str__(self):
        return f"{self.code} {self.subject}"


class PublishedReport(models.Model):
    """An immutable governance report: the report's JSON at one revision, with its SHA-256.

    Rows are only ever created; `save` rejects updates, and the admin shows them read-only.
    """

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="published_reports")
    revision = models.PositiveBigIntegerField(_("revision"))
    library_version = models.CharField(_("library version"), max_length=40)
    catalogue_version = models.CharField(_("rule catalogue version"), max_length=64)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+", verbose_name=_("author"))
    author_name = models.CharField(_("author name"), max_length=150)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    content = models.TextField(_("content"), help_text=_("The report as JSON (schema version 1)."))
    content_hash = models.CharField(_("SHA-256 of the content"), max_length=64)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("published report")

    def __str__(self):
        return f"{self.portfolio} · {self.created_at:%Y-%m-%d} · r{self.revision}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("A published report cannot be changed; publish a new one instead."))
        super().save(*args, **kwargs)


class ApiTokenScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiToken(models.Model):
    """A personal token for the JSON API; only the SHA-256 digest of the secret is stored.

    `prefix` is the start of the token, shown to its owner and used to find the
    row; `portfolio.tokens` creates, checks and revokes tokens.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100,
                            help_text=_("What the token is for, such as the name of a pipeline."))
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(_("SHA-256 of the token"), max_length=64)
    scope = models.CharField(_("scope"), max_length=5, choices=ApiTokenScope.choices,
                             default=ApiTokenScope.READ)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class UserPreference(models.Model):
    """A user's own settings; the time zone in which pages and exports show times."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference")
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True,
        help_text=_("An IANA time zone name such as Europe/Berlin; empty uses the browser's time zone."),
    )

    class Meta:
        verbose_name = _("user preference")

    def __str__(self):
        return f"{self.user} · {self.time_zone or '-'}"


class AnalysisEdit(models.Model):
    """One committed write to a single service (or to portfolio-wide rows), as the revision tokens it spans.

    Every worker process keeps its own analysis of a portfolio. A worker that
    finds its analysis behind reads these rows to re-analyse only the services
    that the writes since changed (`portfolio.analysis.live`). Only the last
    few rows per portfolio are kept.
    """

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="+")
    before = models.CharField(max_length=32)
    after = models.CharField(max_length=32)
    # The keys of the written service before and after the write; empty for portfolio-wide rows.
    service_keys = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["portfolio", "id"], name="analysis_edit_order")]

    def __str__(self):
        return f"{self.before} -> {self.after}"
