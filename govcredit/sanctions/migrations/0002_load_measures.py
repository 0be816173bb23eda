# The default measures catalogue and rules (data/measures.json), published through the catalogue service
# so that every measure and rule version has its ledger entry. Running `load_measures` again publishes
# only what changed in the file.

from django.db import migrations


def load(apps, schema_editor):
    from govcredit.sanctions.catalogue import load_measures

    load_measures(actor="migration")


class Migration(migrations.Migration):

    dependencies = [
        ("sanctions", "0001_initial"),
        ("ledger", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
