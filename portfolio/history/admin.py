"""The change history in the admin: viewable by staff with the view permission, never editable."""

from django.contrib import admin

from portfolio.history.tracked import OBJECT_TYPES
from portfolio.models import ChangeSet


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin that shows rows but offers no add, change or delete, whatever the user's permissions."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChangeSet)
class ChangeSetAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "portfolio_id", "user", "kind", "reason"]
    list_filter = ["kind"]
    list_select_related = ["user"]


class HistoricalRowAdmin(ReadOnlyAdmin):
    list_display = ["history_date", "history_type", "history_user", "history_change_set_id", "id"]
    list_filter = ["history_type"]
    list_select_related = ["history_user"]


for model in OBJECT_TYPES.values():
    admin.site.register(model.history.model, HistoricalRowAdmin)
