"""Assign each historical row to a change set, and record the rows that bulk queries change.

A change scope is the context of one user action. `change_scope` opens one
explicitly (bulk actions, imports, restore); `ChangeScopeMiddleware` opens one
per unsafe request. The scope creates its ChangeSet on the first recorded
change, so an action that changes nothing leaves no entry. A change outside any
scope (a shell, a management command) gets a change set of its own.

Bulk queries (`bulk_create`, `bulk_update`, `QuerySet.update`, `_raw_delete`)
send no signals; their callers use `bulk_create_with_history`,
`bulk_update_with_history` or `record_bulk` with `history_kwargs()`.
"""

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.dispatch import receiver
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from portfolio.models import ChangeKind, ChangeSet, Portfolio, Service

_current_scope: contextvars.ContextVar["_Scope | None"] = contextvars.ContextVar("change_scope", default=None)


@dataclass
class _Scope:
    kind: str
    reason: str = ""
    user_id: int | None = None
    change_set: ChangeSet | None = None

    def change_set_for(self, portfolio_id: int | None) -> ChangeSet:
        # NOTE: a change set created inside a transaction that later rolls back is gone, and
        # rows recorded afterwards in the same scope point at its id; the feed leaves them out.
        if self.change_set is None:
            self.change_set = ChangeSet.objects.create(
                portfolio_id=portfolio_id, user_id=self.user_id or _request_user_id(),
                kind=self.kind, reason=self.reason[:300],
            )
        return self.change_set


@contextmanager
def change_scope(*, kind: str, reason: str = "", user_id: int | None = None) -> Iterator[None]:
    """Group every change recorded inside the block under one change set of `kind`."""
    token = _current_scope.set(_Scope(kind=kind, reason=reason, user_id=user_id))
    try:
        yield
    finally:
        _current_scope.reset(token)


def current_kind() -> str:
    """Return the change kind of the current scope. A change outside any scope counts as an edit."""
    return _scope().kind


def history_kwargs(portfolio_id: int) -> dict:
    """Return the arguments that make simple_history's bulk utilities record into the current change set."""
    scope = _scope()
    change_set = scope.change_set_for(portfolio_id)
    return {
        "default_user": change_set.user,
        "default_change_reason": scope.reason,
        "custom_historical_attrs": {"history_change_set_id": change_set.pk},
    }


def current_change_set(portfolio_id: int) -> ChangeSet:
    """Return the current scope's change set; it is created for `portfolio_id` if nothing is recorded yet."""
    return _scope().change_set_for(portfolio_id)


def record_bulk(model, instances: Iterable, history_type: str, *, portfolio_id: int) -> None:
    """Record `instances` as created (+), changed (~) or deleted (-) by a bulk query, in one INSERT."""
    instances = list(instances)
    if not instances:
        return
    kwargs = history_kwargs(portfolio_id)
    historical = model.history.model
    now = timezone.now()
    rows = [
        historical(
            history_date=now, history_type=history_type, history_user=kwargs["default_user"],
            history_change_reason=kwargs["default_change_reason"],
            **kwargs["custom_historical_attrs"],
            **{field.attname: getattr(instance, field.attname) for field in historical.tracked_fields},
        )
        for instance in instances
    ]
    historical.objects.bulk_create(rows)


def _scope() -> _Scope:
    scope = _current_scope.get()
    return scope if scope is not None else _Scope(kind=ChangeKind.EDIT)


def _request_user_id() -> int | None:
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def portfolio_id_of(instance) -> int | None:
    """Return the id of the portfolio that `instance` belongs to, reading the service only when not cached."""
    if isinstance(instance, Portfolio):
        return instance.pk
    if hasattr(instance, "portfolio_id"):
        return instance.portfolio_id
    service = instance._state.fields_cache.get("service")
    if service is not None:
        return service.portfolio_id
    return Service.objects.filter(pk=instance.service_id).values_list("portfolio_id", flat=True).first()


@receiver(pre_create_historical_record, dispatch_uid="history-change-set")
def _assign_change_set(sender, instance, history_instance, **kwargs):
    scope = _scope()
    change_set = scope.change_set_for(portfolio_id_of(instance))
    history_instance.history_change_set_id = change_set.pk
    if not history_instance.history_change_reason and scope.reason:
        history_instance.history_change_reason = scope.reason
    if history_instance.history_user_id is None and change_set.user_id is not None:
        history_instance.history_user_id = change_set.user_id
