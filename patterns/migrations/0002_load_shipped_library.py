from django.db import migrations


def load_shipped_library(apps, schema_editor):
    from patterns.library import sync_library

    sync_library(apps)


class Migration(migrations.Migration):
    dependencies = [("patterns", "0001_initial")]

    operations = [migrations.RunPython(load_shipped_library, migrations.RunPython.noop)]
