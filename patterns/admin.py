from django.contrib import admin

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


class ExpectationInline(admin.TabularInline):
    model = Expectation
    extra = 0


class KeyPracticeInline(admin.TabularInline):
    model = KeyPractice
    extra = 0


class FactorValueInline(admin.TabularInline):
    model = FactorValue
    extra = 0


@admin.register(Pattern)
class PatternAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "category", "shipped"]
    list_filter = ["category", "shipped"]
    search_fields = ["name", "key"]
    inlines = [KeyPracticeInline, ExpectationInline, FactorValueInline]


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "category"]
    list_filter = ["category"]
    search_fields = ["name", "key"]


@admin.register(LifecycleActivity)
class LifecycleActivityAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "position"]


@admin.register(DecisionFactor)
class DecisionFactorAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "position"]


@admin.register(LibraryRelease)
class LibraryReleaseAdmin(admin.ModelAdmin):
    list_display = ["version", "checksum", "loaded_at"]
