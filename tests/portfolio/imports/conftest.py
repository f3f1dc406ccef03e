"""Fixtures of the import tests."""

import pytest


@pytest.fixture(autouse=True)
def import_work_dir(settings, tmp_path):
    """Keep uploaded jobs in the test's own folder."""
    settings.IMPORT_WORK_DIR = tmp_path / "imports"
    return settings.IMPORT_WORK_DIR
