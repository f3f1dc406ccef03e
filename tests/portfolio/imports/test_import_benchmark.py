"""The import benchmark: its three steps, its clean-up, and its section in `manage.py benchmark`."""

import io

from django.core.management import call_command

from portfolio.imports.benchmark import measure_import
from portfolio.models import Portfolio, Service


def test_measure_import_steps(db):
    measurement = measure_import(60, teams=5)

    assert measurement.rows == 60
    assert measurement.preview.queries == measurement.preview_again.queries == 10
    assert measurement.apply.seconds > 0
    assert not Portfolio.objects.filter(key__startswith="import-benchmark-").exists()
    assert not Service.objects.exists()


def test_markdown_lists_each_step(db):
    text = measure_import(20, teams=2).markdown()

    assert text.startswith("## Bulk import\n")
    assert "| preview (read and validate) |" in text
    assert "| preview of the same file again (every row unchanged) |" in text


def test_benchmark_command_adds_import_section(db, tmp_path):
    page = tmp_path / "benchmarks.md"

    call_command("benchmark", services="10", pairs=1, import_rows=25, write=str(page), stderr=io.StringIO())

    text = page.read_text(encoding="utf-8")
    assert "--import-rows 25" in text
    assert "A generated services CSV of 25 rows" in text
