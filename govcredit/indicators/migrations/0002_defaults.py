# The default indicators and warning rules (data/indicators.json), created through the services so that
# every indicator, rule and rule version has its ledger entry. `load_defaults` adds only what is missing.

from django.db import migrations


def load(apps, schema_editor):
    from govcredit.indicators.services import load_defaults

    load_defaults(actor="migration")


class Migration(migrations.Migration):

    dependencies = [
        ("indicators", "0001_initial"),
        ("ledger", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
