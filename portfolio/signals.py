"""Keep `Portfolio.revision` moving with every write to a portfolio's data.

Per-object saves and deletes (forms, services, the admin) are caught here.
Bulk writes (`QuerySet.update`, `bulk_create`) send no signals: code that uses
them calls `portfolio_bump_revision` itself.
"""

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from patterns.library import library_changed
from patterns.models import (
    DecisionFactor,
    Expectation,
    FactorValue,
    KeyPractice,
    LibraryRelease,
    LifecycleActivity,
    Pattern,
    Practice,
)
from portfolio.models import (
    PatternAssignment,
    Portfolio,
    PracticeAdoption,
    Responsibility,
    Service,
    Team,
    Waiver,
    new_revision_token,
)

DIRECT_MODELS = (Team, Service, PracticeAdoption, Waiver)

SERVICE_CHILD_MODELS = (PatternAssignment, Responsibility)

LIBRARY_MODELS = (LibraryRelease, LifecycleActivity, Practice, Pattern, KeyPractice, Expectation,
                  DecisionFactor, FactorValue)


def _bumped() -> dict:
    """Return the field updates of one revision bump.

    Caches key on the token, not the number: a rolled-back write can leave a
    result cached under revision n + 1, and the next committed write reaches
    n + 1 again, but it never gets the same random token.
    """
    return {"revision": F("revision") + 1, "revision_token": new_revision_token()}


def portfolio_bump_revision(portfolio_id: int) -> None:
    Portfolio.objects.filter(pk=portfolio_id).update(**_bumped())


def _on_change(sender, instance, **kwargs):
    if isinstance(instance, SERVICE_CHILD_MODELS):
        # The service is usually cached on the instance; otherwise one UPDATE with a join.
        service = instance._state.fields_cache.get("service")
        if service is None:
            Portfolio.objects.filter(services=instance.service_id).update(**_bumped())
            return
        portfolio_bump_revision(service.portfolio_id)
    else:
        portfolio_bump_revision(instance.portfolio_id)


for model in DIRECT_MODELS + SERVICE_CHILD_MODELS:
    post_save.connect(_on_change, sender=model, dispatch_uid=f"revision-save-{model.__name__}")
    post_delete.connect(_on_change, sender=model, dispatch_uid=f"revision-delete-{model.__name__}")


def _on_portfolio_save(sender, instance, created, update_fields=None, **kwargs):
    """Raise the revision when settings the analysis reads (minimum level, switched-off rules) change."""
    if created or (update_fields is not None and set(update_fields) <= {"revision", "revision_token"}):
        return
    portfolio_bump_revision(instance.pk)


post_save.connect(_on_portfolio_save, sender=Portfolio, dispatch_uid="revision-save-Portfolio")


@receiver(library_changed, dispatch_uid="revision-library")
def _on_library_change(sender, **kwargs):
    # Every portfolio is judged by the library, so every cached result is now old.
    Portfolio.objects.update(**_bumped())


def _on_library_row_change(sender, **kwargs):
    # A library row saved one at a time, as the Django admin saves it: every process must load its
    # portfolios in full, with a new library snapshot, which the page caches key on.
    Portfolio.objects.update(**_bumped())


for model in LIBRARY_MODELS:
    post_save.connect(_on_library_row_change, sender=model,
                      dispatch_uid=f"revision-library-save-{model.__name__}")
    post_delete.connect(_on_library_row_change, sender=model,
                        dispatch_uid=f"revision-library-delete-{model.__name__}")
