"""Loading the library data file: idempotent, applies changes, and rejects an invalid file whole."""

import copy
import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from patterns.library import DATA_FILE, sync_library
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

pytestmark = pytest.mark.django_db

LIBRARY_MODELS = [
    LifecycleActivity,
    Practice,
    DecisionFactor,
    Pattern,
    KeyPractice,
    Expectation,
    FactorValue,
    LibraryRelease,
]


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in LIBRARY_MODELS}


@pytest.fixture
def shipped_data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def write_data(tmp_path):
    """Write a library data dict to a file in tmp_path and return its path."""

    def write(data: dict):
        path = tmp_path / "library.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    return write


def pattern_entry(data: dict, key: str) -> dict:
    return next(pattern for pattern in data["patterns"] if pattern["key"] == key)


def test_sync_after_migration_changes_nothing():
    before = row_counts()

    result = sync_library()

    assert not result.changed
    assert result.changes == []
    assert row_counts() == before


def test_second_sync_changes_nothing(shipped_data, write_data):
    edited = copy.deepcopy(shipped_data)
    pattern_entry(edited, "service-integrator")["purpose"] = "Coordinates many suppliers."
    path = write_data(edited)
    assert sync_library(path=path).changed
    after_first = row_counts()

    second = sync_library(path=path)

    assert not second.changed
    assert row_counts() == after_first


def test_load_patterns_command_reports_up_to_date():
    before = row_counts()
    output = StringIO()

    call_command("load_patterns", stdout=output)
    call_command("load_patterns", stdout=output)

    assert output.getvalue().count("is up to date") == 2
    assert row_counts() == before


def test_changed_file_updates_rows(shipped_data, write_data):
    edited = copy.deepcopy(shipped_data)
    edited["version"] = "9999.1.0"
    msp = pattern_entry(edited, "managed-service-provider")
    msp["purpose"] = "Runs IT services for clients."
    msp["expectations"]["support"]["participating"] = ["customer"]

    result = sync_library(path=write_data(edited))

    msp_row = Pattern.objects.get(key="managed-service-provider")
    support = Expectation.objects.get(pattern=msp_row, activity_id="support")
    assert result.updated == 2
    assert result.created == 0
    assert result.deleted == 0
    assert msp_row.purpose == "Runs IT services for clients."
    assert support.participating_kinds == ["customer"]
    assert LibraryRelease.objects.get().version == "9999.1.0"


def test_changed_file_removes_dropped_expectation(shipped_data, write_data):
    edited = copy.deepcopy(shipped_data)
    del pattern_entry(edited, "internal-product-vendor")["expectations"]["acquire"]
    before = Expectation.objects.count()

    result = sync_library(path=write_data(edited))

    dropped = Expectation.objects.filter(pattern__key="internal-product-vendor", activity_id="acquire")
    assert not dropped.exists()
    assert Expectation.objects.count() == before - 1
    assert result.deleted == 1


def test_changed_file_removes_dropped_key_practice(shipped_data, write_data):
    edited = copy.deepcopy(shipped_data)
    pattern_entry(edited, "digital-product-vendor")["key_practices"].remove("service-design")

    result = sync_library(path=write_data(edited))

    links = KeyPractice.objects.filter(pattern__key="digital-product-vendor")
    assert "service-design" not in set(links.values_list("practice_id", flat=True))
    assert result.deleted == 1


def test_changed_file_removes_pattern_no_longer_shipped(shipped_data, write_data):
    edited = copy.deepcopy(shipped_data)
    edited["patterns"] = [p for p in edited["patterns"] if p["key"] != "custom-software-developer"]

    sync_library(path=write_data(edited))

    assert not Pattern.objects.filter(key="custom-software-developer").exists()
    assert not Expectation.objects.filter(pattern__key="custom-software-developer").exists()


def break_party_kind(data: dict) -> str:
    pattern_entry(data, "internal-product-vendor")["expectations"]["build"]["accountable"] = ["robot"]
    return "Pattern 'internal-product-vendor', build: unknown party kind 'robot'."


def break_practice_key(data: dict) -> str:
    pattern_entry(data, "service-integrator")["key_practices"].append("astrology-management")
    return "Pattern 'service-integrator': key practice 'astrology-management' is not in the practices list."


@pytest.mark.parametrize("break_data", [break_party_kind, break_practice_key])
def test_invalid_file_raises_naming_entry(shipped_data, write_data, break_data):
    edited = copy.deepcopy(shipped_data)
    expected_message = break_data(edited)

    with pytest.raises(ValidationError) as raised:
        sync_library(path=write_data(edited))

    assert raised.value.messages == [expected_message]


CHANGED_PURPOSE = "Changed alongside an invalid entry."


@pytest.mark.parametrize("break_data", [break_party_kind, break_practice_key])
def test_invalid_file_writes_nothing(shipped_data, write_data, break_data):
    edited = copy.deepcopy(shipped_data)
    edited["version"] = "9999.1.0"
    pattern_entry(edited, "managed-service-provider")["purpose"] = CHANGED_PURPOSE
    break_data(edited)
    before = row_counts()
    release = LibraryRelease.objects.get()

    with pytest.raises(ValidationError):
        sync_library(path=write_data(edited))

    assert row_counts() == before
    assert Pattern.objects.get(key="managed-service-provider").purpose != CHANGED_PURPOSE
    assert LibraryRelease.objects.get().checksum == release.checksum
