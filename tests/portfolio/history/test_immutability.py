"""The history cannot be changed or deleted, through the admin or the models."""

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from portfolio.models import ChangeSet, Service


@pytest.mark.parametrize("model", [ChangeSet, Service.history.model])
def test_admin_offers_no_add_change_or_delete(model, admin_user):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = admin_user

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)


def test_admin_delete_of_change_set_is_forbidden(client, admin_user, portfolio):
    change_set = ChangeSet.objects.filter(portfolio=portfolio).first()
    client.force_login(admin_user)

    response = client.post(f"/admin/portfolio/changeset/{change_set.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert ChangeSet.objects.filter(pk=change_set.pk).exists()


def test_saved_history_rows_reject_save_and_delete(portfolio, make_service):
    service = make_service(portfolio)
    row = service.history.get()
    change_set = ChangeSet.objects.get(pk=row.history_change_set_id)

    for instance in (row, change_set):
        with pytest.raises(ValidationError):
            instance.save()
        with pytest.raises(ValidationError):
            instance.delete()
