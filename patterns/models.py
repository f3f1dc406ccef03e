"""The reference library: lifecycle activities, practices and value chain patterns.

The shipped content lives in `patterns/data/value_chain_patterns.json` and is
written into these tables by `patterns.library.sync_library`. This app knows
nothing of portfolios; the `portfolio` app reads from it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartyKind(models.TextChoices):
    """The kind of a party, seen from the organisation that owns the portfolio."""

    BUSINESS = "business", _("Business")
    TECHNOLOGY = "technology", _("Technology")
    VENDOR = "vendor", _("Vendor")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    CUSTOMER = "customer", _("Customer")


INTERNAL_PARTY_KINDS = frozenset({PartyKind.BUSINESS.value, PartyKind.TECHNOLOGY.value})


class PatternCategory(models.TextChoices):
    INTERNAL_IT = "internal_it", _("Internal IT")
    COMMERCIAL_PROVIDER = "commercial_provider", _("Commercial provider")


class PracticeCategory(models.TextChoices):
    GENERAL = "general", _("General management")
    SERVICE = "service", _("Service management")
    TECHNICAL = "technical", _("Technical management")


class LibraryRelease(models.Model):
    """The version of the data file last loaded; one row."""

    version = models.CharField(_("version"), max_length=40)
    checksum = models.CharField(_("SHA-256 of the data file"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)
    chooser_mix_margin = models.PositiveSmallIntegerField(
        _("chooser mix margin"), default=3,
        help_text=_("Maximum score gap, in points, between the two best patterns for a suggested mix."),
    )

    class Meta:
        verbose_name = _("library release")

    def __str__(self):
        return self.version


class LifecycleActivity(models.Model):
    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("lifecycle activity")
        verbose_name_plural = _("lifecycle activities")

    def __str__(self):
        return self.name


class Practice(models.Model):
    key = models.SlugField(_("key"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=PracticeCategory.choices)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("management practice")
        verbose_name_plural = _("management practices")

    def __str__(self):
        return self.name


class Pattern(models.Model):
    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    category = models.CharField(_("category"), max_length=30, choices=PatternCategory.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    purpose = models.TextField(_("purpose"))
    when_to_use = models.TextField(_("when to use"))
    governance_risk = models.TextField(_("governance risk"), blank=True)
    shipped = models.BooleanField(
        _("shipped"),
        default=False,
        help_text=_("Part of the library that ships with the product; reloaded by load_patterns."),
    )
    chooser_weights = models.JSONField(
        _("chooser weights"), default=dict, blank=True,
        help_text=_("Factor key to {option key: weight}; the chooser adds the weights of the answers."),
    )
    mix_activities = models.JSONField(
        _("activities it governs in a mix"), default=list, blank=True,
        help_text=_("Lifecycle activity keys the chooser gives this pattern when it suggests a mix."),
    )
    key_practices = models.ManyToManyField(
        Practice, through="KeyPractice", related_name="key_for", verbose_name=_("key practices")
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("value chain pattern")
        verbose_name_plural = _("value chain patterns")

    def __str__(self):
        return self.name


class KeyPractice(models.Model):
    pattern = models.ForeignKey(Pattern, on_delete=models.CASCADE, related_name="key_practice_links")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, to_field="key")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["pattern", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["pattern", "practice"],
                name="keypractice_unique",
                violation_error_message=_("This practice is already a key practice of the pattern."),
            )
        ]

    def __str__(self):
        return f"{self.pattern} · {self.practice_id}"


class Expectation(models.Model):
    """What a pattern expects for one lifecycle activity.

    An activity without an expectation row is out of the pattern's scope.
    Both kind lists hold `PartyKind` values.
    """

    pattern = models.ForeignKey(Pattern, on_delete=models.CASCADE, related_name="expectations")
    activity = models.ForeignKey(
        LifecycleActivity, on_delete=models.PROTECT, to_field="key", related_name="+"
    )
    accountable_kinds = models.JSONField(_("accountable party kinds"), default=list)
    participating_kinds = models.JSONField(_("participating party kinds"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["pattern", "activity__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["pattern", "activity"],
                name="expectation_unique",
                violation_error_message=_("The pattern already has an expectation for this activity."),
            )
        ]

    def __str__(self):
        return f"{self.pattern} · {self.activity_id}"


class DecisionFactor(models.Model):
    """A question that helps choose a pattern; `options` is a list of {key, label}."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    question = models.CharField(_("question"), max_length=250, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    options = models.JSONField(_("options"), default=list)

    class Meta:
        ordering = ["position"]
        verbose_name = _("decision factor")

    def __str__(self):
        return self.name

    def option_label(self, option_key: str) -> str:
        for option in self.options:
            if option["key"] == option_key:
                return option["label"]
        return option_key


class FactorValue(models.Model):
    """How a pattern answers one decision factor.

    `label` is the value as the library states it; `option` is the matching
    option key of the factor; `contradicts` lists option keys that a service's
    context may hold only at odds with this pattern.
    """

    pattern = models.ForeignKey(Pattern, on_delete=models.CASCADE, related_name="factor_values")
    factor = models.ForeignKey(DecisionFactor, on_delete=models.CASCADE, to_field="key")
    option = models.CharField(_("option"), max_length=60)
    label = models.CharField(_("label"), max_length=120)
    contradicts = models.JSONField(_("contradicting options"), default=list, blank=True)

    class Meta:
        ordering = ["pattern", "factor__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["pattern", "factor"],
                name="factorvalue_unique",
                violation_error_message=_("The pattern already has a value for this factor."),
            )
        ]

    def __str__(self):
        return f"{self.pattern} · {self.factor_id}: {self.label}"
