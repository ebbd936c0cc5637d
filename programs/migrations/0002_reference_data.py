from django.db import migrations


def load(apps, schema_editor):
    from programs import reference_data

    reference_data.load(apps)


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
