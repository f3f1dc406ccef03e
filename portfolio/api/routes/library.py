"""The reference library, read-only: lifecycle activities, practices, and patterns with their expectations."""

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from patterns.models import (
    Expectation,
    KeyPractice,
    LifecycleActivity,
    PartyKind,
    Pattern,
    PatternCategory,
    Practice,
    PracticeCategory,
)
from portfolio.api.pagination import ConvertedPages, Pagination
from portfolio.api.schemas import responses
from portfolio.api.types import KeyPath

router = Router(tags=["library"])


class ActivityOut(Schema):
    key: str
    name: str
    position: int = Field(description="Place in the lifecycle, from discover (1) to support (8).")
    description: str


class PracticeOut(Schema):
    key: str
    name: str
    category: PracticeCategory
    description: str


class ExpectationOut(Schema):
    """What a pattern expects for one lifecycle activity in its scope."""

    activity: str
    accountable_kinds: list[PartyKind] = Field(description="Party kinds expected to be accountable.")
    participating_kinds: list[PartyKind] = Field(description="Party kinds expected to take part.")
    note: str


class PatternOut(Schema):
    key: str
    name: str
    category: PatternCategory
    purpose: str
    when_to_use: str
    governance_risk: str
    shipped: bool = Field(description="True for the patterns that ship with the product.")
    key_practices: list[str] = Field(description="Keys of the practices the pattern needs.")
    expectations: list[ExpectationOut] = Field(description="One per activity in scope, in lifecycle order.")


@router.get("/library/activities", response=responses({200: list[ActivityOut]}),
            summary="List lifecycle activities in lifecycle order")
@paginate(Pagination)
def list_activities(request):
    return LifecycleActivity.objects.order_by("position")


@router.get("/library/practices", response=responses({200: list[PracticeOut]}),
            summary="List management practices")
@paginate(Pagination)
def list_practices(request):
    return Practice.objects.order_by("name")


@router.get("/library/patterns", response=responses({200: list[PatternOut]}),
            summary="List value chain patterns with expectations and key practices")
@paginate(Pagination)
def list_patterns(request):
    return ConvertedPages(_patterns(), lambda rows: [_pattern_out(row) for row in rows])


@router.get("/library/patterns/{pattern_key}", response=responses({200: PatternOut}),
            summary="Read one value chain pattern")
def get_pattern(request, pattern_key: KeyPath):
    pattern = _patterns().filter(key=pattern_key).first()
    if pattern is None:
        raise Http404(_("No pattern with the key “%(key)s” in the library.") % {"key": pattern_key})
    return _pattern_out(pattern)


def _patterns():
    return Pattern.objects.order_by("position", "name").prefetch_related(
        Prefetch("expectations", queryset=Expectation.objects.order_by("activity__position")),
        Prefetch("key_practice_links", queryset=KeyPractice.objects.order_by("position")),
    )


def _pattern_out(pattern: Pattern) -> dict:
    return {
        "key": pattern.key,
        "name": pattern.name,
        "category": pattern.category,
        "purpose": pattern.purpose,
        "when_to_use": pattern.when_to_use,
        "governance_risk": pattern.governance_risk,
        "shipped": pattern.shipped,
        "key_practices": [link.practice_id for link in pattern.key_practice_links.all()],
        "expectations": [
            {"activity": row.activity_id, "accountable_kinds": list(row.accountable_kinds),
             "participating_kinds": list(row.participating_kinds), "note": row.note}
            for row in pattern.expectations.all()
        ],
    }
