from django.db import migrations


def load_shipped_library(apps, schema_editor):
    from patterns.library import sync_library

    sync_library(apps)


class Migration(migrations.Migration):
    """Reload the shipped library so that the new chooser fields get their values from the data file."""

    dependencies = [("patterns", "0003_chooser")]

    operations = [migrations.RunPython(load_shipped_library, migrations.RunPython.noop)]
