"""A workshop, its agenda of services, the decisions it took and the actions it assigned.

`Workshop.version` moves with every change to the workshop's own rows (status,
agenda, decisions, action items); together with `Portfolio.revision_token` it
shows the live board whether anything changed since a participant's last poll.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from portfolio.models import Portfolio, Service, Team
from portfolio.text import MAX_TEXT_LENGTH, validate_multiline_text, validate_no_control_characters


class WorkshopStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")


class Workshop(models.Model):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="workshops")
    title = models.CharField(_("title"), max_length=200, validators=[validate_no_control_characters])
    date = models.DateField(_("date"))
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+", verbose_name=_("facilitator"))
    status = models.CharField(_("status"), max_length=10, choices=WorkshopStatus.choices,
                              default=WorkshopStatus.PLANNED)
    version = models.PositiveBigIntegerField(_("version"), default=0, editable=False)
    # Findings as lists of dicts (see `portfolio.workshops.findings`), recorded on start and on close.
    findings_before = models.JSONField(_("findings at the start"), default=list, blank=True, editable=False)
    findings_after = models.JSONField(_("findings at the close"), default=list, blank=True, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("workshop")

    def __str__(self):
        return f"{self.title} ({self.date:%Y-%m-%d})"

    def bump_version(self) -> None:
        """Raise the version in the database so that every participant's next poll detects a change."""
        Workshop.objects.filter(pk=self.pk).update(version=F("version") + 1)
        self.refresh_from_db(fields=["version"])


class AgendaItem(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="agenda")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(_("position"))
    timer_minutes = models.PositiveSmallIntegerField(
        _("timer (minutes)"), null=True, blank=True,
        help_text=_("Time planned for this item, in minutes; the board counts it down."),
    )

    class Meta:
        ordering = ["workshop", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "service"], name="agenda_service_unique",
                violation_error_message=_("The service is already on the agenda."),
            ),
        ]

    def __str__(self):
        return f"{self.workshop} · {self.position}. {self.service}"


class ChangeKind(models.TextChoices):
    ASSIGN_PATTERN = "assign_pattern", _("Assign a pattern")
    REMOVE_PATTERN = "remove_pattern", _("Remove a pattern")
    SET_ACTIVITIES = "set_activities", _("Change the activities a pattern governs")
    SET_ACCOUNTABLE = "set_accountable", _("Set the accountable team")


class Decision(models.Model):
    """A change applied in a workshop, with why, who and when.

    `change` stores the change's parameters and the ids of the objects it
    touched (service id, pattern key, activity key, team id), so the record
    still shows what changed after those objects are renamed or deleted.
    """

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="decisions")
    service = models.ForeignKey(Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=ChangeKind.choices)
    summary = models.CharField(_("change"), max_length=400)
    change = models.JSONField(_("change parameters"), default=dict)
    rationale = models.TextField(_("rationale"), max_length=MAX_TEXT_LENGTH,
                                 validators=[MaxLengthValidator(MAX_TEXT_LENGTH), validate_multiline_text])
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_by_name = models.CharField(_("decided by (name)"), max_length=150)
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    findings_added = models.JSONField(_("findings added"), default=list, blank=True)
    findings_removed = models.JSONField(_("findings removed"), default=list, blank=True)

    class Meta:
        ordering = ["workshop", "decided_at", "pk"]
        verbose_name = _("decision")

    def __str__(self):
        return self.summary


class ActionItem(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="actions")
    decision = models.ForeignKey(Decision, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="actions")
    description = models.CharField(_("action"), max_length=400, validators=[validate_no_control_characters])
    owner = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner team"))
    due_on = models.DateField(_("due date"))
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        ordering = ["workshop", "due_on", "pk"]
        verbose_name = _("action item")

    def __str__(self):
        return self.description
