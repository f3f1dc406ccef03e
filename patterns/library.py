"""Load the shipped reference library from its JSON data file into the database.

`sync_library` is idempotent: running it twice leaves the tables as they were
after the first run. It is called by the data migration (with the historical
app registry) and by `manage.py load_patterns` (with the live one).
"""

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps as live_apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

DATA_FILE = Path(__file__).resolve().parent / "data" / "value_chain_patterns.json"

PARTY_KINDS = ("business", "technology", "vendor", "service_provider", "customer")
PATTERN_CATEGORIES = ("internal_it", "commercial_provider")
PRACTICE_CATEGORIES = ("general", "service", "technical")

# Sent after the library tables changed, so that caches keyed on them can be dropped.
library_changed = Signal()


@dataclass
class SyncResult:
    version: str
    created: int = 0
    updated: int = 0
    deleted: int = 0
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def read_data_file(path: Path = DATA_FILE) -> tuple[dict, str]:
    """Read and validate the data file; return its content and SHA-256 checksum."""
    raw = path.read_bytes()
    data = json.loads(raw)
    validate_library_data(data)
    return data, hashlib.sha256(raw).hexdigest()


def validate_library_data(data: dict) -> None:
    """Raise ValidationError naming the first entry that breaks the file's format."""
    errors = []
    activity_keys = {a["key"] for a in data.get("activities", [])}
    practice_keys = {p["key"] for p in data.get("practices", [])}
    factors = {f["key"]: {o["key"] for o in f["options"]} for f in data.get("decision_factors", [])}
    if not data.get("version"):
        errors.append("The data file has no version.")
    for practice in data.get("practices", []):
        if practice["category"] not in PRACTICE_CATEGORIES:
            errors.append(f"Practice {practice['key']}: unknown category {practice['category']!r}.")
    for pattern in data.get("patterns", []):
        where = f"Pattern {pattern.get('key')!r}"
        if pattern.get("category") not in PATTERN_CATEGORIES:
            errors.append(f"{where}: unknown category {pattern.get('category')!r}.")
        for key in pattern.get("key_practices", []):
            if key not in practice_keys:
                errors.append(f"{where}: key practice {key!r} is not in the practices list.")
        for activity, expectation in pattern.get("expectations", {}).items():
            if activity not in activity_keys:
                errors.append(f"{where}: unknown activity {activity!r}.")
            if not expectation.get("accountable"):
                errors.append(f"{where}, {activity}: no accountable party kind.")
            kinds = expectation.get("accountable", []) + expectation.get("participating", [])
            for kind in kinds:
                if kind not in PARTY_KINDS:
                    errors.append(f"{where}, {activity}: unknown party kind {kind!r}.")
        errors.extend(_chooser_errors(where, pattern.get("chooser", {}), factors, activity_keys))
        for factor_key, value in pattern.get("factors", {}).items():
            options = factors.get(factor_key)
            if options is None:
                errors.append(f"{where}: unknown decision factor {factor_key!r}.")
                continue
            for option in [value["option"], *value.get("contradicts", [])]:
                if option not in options:
                    errors.append(f"{where}, {factor_key}: unknown option {option!r}.")
    if errors:
        raise ValidationError(errors)


def _chooser_errors(where: str, chooser: dict, factors: dict, activity_keys: set) -> list[str]:
    errors = []
    for factor_key, weights in chooser.get("weights", {}).items():
        options = factors.get(factor_key)
        if options is None:
            errors.append(f"{where}, chooser: unknown decision factor {factor_key!r}.")
            continue
        errors.extend(f"{where}, chooser, {factor_key}: unknown option {option!r}."
                      for option in weights if option not in options)
    errors.extend(f"{where}, chooser: unknown mix activity {key!r}."
                  for key in chooser.get("mix_activities", []) if key not in activity_keys)
    return errors


def _upsert(model, lookup: dict, values: dict, result: SyncResult) -> object:
    """Create or update one row; count it only when something changed."""
    known = {f.name for f in model._meta.get_fields()}
    values = {name: value for name, value in values.items() if name in known}
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model.objects.create(**lookup, **values)
        result.created += 1
        result.changes.append(f"created {model._meta.model_name} {lookup}")
        return instance
    dirty = [name for name, value in values.items() if getattr(instance, name) != value]
    if dirty:
        for name in dirty:
            setattr(instance, name, values[name])
        instance.save(update_fields=dirty)
        result.updated += 1
        result.changes.append(f"updated {model._meta.model_name} {lookup}: {', '.join(dirty)}")
    return instance


def _delete_missing(queryset, result: SyncResult, what: str) -> None:
    count, _ = queryset.delete()
    if count:
        result.deleted += count
        result.changes.append(f"deleted {count} {what}")


def sync_library(apps=live_apps, path: Path = DATA_FILE) -> SyncResult:
    """Write the data file's content into the library tables in one transaction."""
    data, checksum = read_data_file(path)
    get = apps.get_model
    Activity, Practice = get("patterns", "LifecycleActivity"), get("patterns", "Practice")
    Pattern, KeyPractice = get("patterns", "Pattern"), get("patterns", "KeyPractice")
    Expectation, Factor = get("patterns", "Expectation"), get("patterns", "DecisionFactor")
    FactorValue, Release = get("patterns", "FactorValue"), get("patterns", "LibraryRelease")
    result = SyncResult(version=data["version"])

    with transaction.atomic():
        for position, item in enumerate(data["activities"], start=1):
            values = {"name": item["name"], "position": position, "description": item["description"]}
            _upsert(Activity, {"key": item["key"]}, values, result)
        for item in data["practices"]:
            values = {k: item[k] for k in ("name", "category", "description")}
            _upsert(Practice, {"key": item["key"]}, values, result)
        for position, item in enumerate(data["decision_factors"], start=1):
            values = {"name": item["name"], "question": item["question"], "position": position,
                      "options": item["options"]}
            _upsert(Factor, {"key": item["key"]}, values, result)
        for position, item in enumerate(data["patterns"], start=1):
            _sync_pattern(item, position, Pattern, KeyPractice, Expectation, FactorValue, result)

        shipped_keys = [p["key"] for p in data["patterns"]]
        _delete_missing(Pattern.objects.filter(shipped=True).exclude(key__in=shipped_keys),
                        result, "patterns no longer shipped")
        _sync_release(Release, data, checksum)

    if result.changed:
        logger.info("Pattern library %s loaded: %d created, %d updated, %d deleted",
                    result.version, result.created, result.updated, result.deleted)
        if apps is live_apps:  # a migration runs before the tables that listen exist
            library_changed.send(sender=sync_library, version=result.version)
    return result


def _sync_release(Release, data: dict, checksum: str) -> None:
    """Record the loaded version; not counted as a change, because the rows it describes are."""
    values = {"version": data["version"], "checksum": checksum}
    # The historical model of the first data migration has no chooser field yet.
    if any(field.name == "chooser_mix_margin" for field in Release._meta.get_fields()):
        values["chooser_mix_margin"] = data.get("chooser", {}).get("mix_margin", 3)
    release, created = Release.objects.get_or_create(pk=1, defaults=values)
    dirty = [name for name, value in values.items() if getattr(release, name) != value]
    if dirty and not created:
        for name in dirty:
            setattr(release, name, values[name])
        release.save()


def _sync_pattern(item, position, Pattern, KeyPractice, Expectation, FactorValue, result):
    values = {k: item[k] for k in ("name", "category", "purpose", "when_to_use", "governance_risk")}
    chooser = item.get("chooser", {})
    values.update(position=position, shipped=True, chooser_weights=chooser.get("weights", {}),
                  mix_activities=chooser.get("mix_activities", []))
    pattern = _upsert(Pattern, {"key": item["key"]}, values, result)

    for rank, practice_key in enumerate(item["key_practices"], start=1):
        _upsert(KeyPractice, {"pattern": pattern, "practice_id": practice_key},
                {"position": rank}, result)
    _delete_missing(KeyPractice.objects.filter(pattern=pattern)
                    .exclude(practice_id__in=item["key_practices"]),
                    result, f"key practices of {pattern.key}")

    for activity, expectation in item["expectations"].items():
        values = {"accountable_kinds": expectation["accountable"],
                  "participating_kinds": expectation.get("participating", []),
                  "note": expectation.get("note", "")}
        _upsert(Expectation, {"pattern": pattern, "activity_id": activity}, values, result)
    _delete_missing(Expectation.objects.filter(pattern=pattern)
                    .exclude(activity_id__in=list(item["expectations"])),
                    result, f"expectations of {pattern.key}")

    for factor_key, value in item.get("factors", {}).items():
        values = {"option": value["option"], "label": value["label"],
                  "contradicts": value.get("contradicts", [])}
        _upsert(FactorValue, {"pattern": pattern, "factor_id": factor_key}, values, result)
    _delete_missing(FactorValue.objects.filter(pattern=pattern)
                    .exclude(factor_id__in=list(item.get("factors", {}))),
                    result, f"factor values of {pattern.key}")
