from django.contrib import admin

from portfolio.models import (
    Membership,
    PatternAssignment,
    Portfolio,
    PracticeAdoption,
    PublishedReport,
    Responsibility,
    Service,
    Team,
    Waiver,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Portfolio)
class PortfolioAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "revision", "min_capability_level"]
    search_fields = ["name", "key"]
    inlines = [MembershipInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "portfolio", "party_kind", "contact", "member_count"]
    list_filter = ["portfolio", "party_kind"]
    search_fields = ["name", "contact"]


class PatternAssignmentInline(admin.TabularInline):
    model = PatternAssignment
    extra = 0


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    autocomplete_fields = ["team"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "portfolio", "status", "owner"]
    list_filter = ["portfolio", "status"]
    list_select_related = ["portfolio", "owner"]
    search_fields = ["name", "key", "description"]
    autocomplete_fields = ["owner"]
    inlines = [PatternAssignmentInline, ResponsibilityInline]


@admin.register(PracticeAdoption)
class PracticeAdoptionAdmin(admin.ModelAdmin):
    list_display = ["practice", "portfolio", "status", "capability_level", "owner"]
    list_filter = ["portfolio", "status"]


@admin.register(Waiver)
class WaiverAdmin(admin.ModelAdmin):
    list_display = ["code", "subject", "portfolio", "approver", "expires_on"]
    list_filter = ["portfolio", "code"]


@admin.register(PublishedReport)
class PublishedReportAdmin(admin.ModelAdmin):
    """Read-only: a published report is immutable, so the admin neither adds, changes nor deletes one."""

    list_display = ["portfolio", "created_at", "revision", "author_name", "content_hash"]
    list_filter = ["portfolio"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
