# The measures rule for civil servants responsible for a breach (person-breach in sanctions/data/measures.json),
# published through the catalogue service as sanctions/0002 did; running it again publishes only what changed.
# The catalog's 违约毁约 and 拖欠中小企业账款 now apply to civil servants too: `govcredit load-catalog` publishes that.

from django.db import migrations


def load(apps, schema_editor):
    from govcredit.sanctions.catalogue import load_measures

    load_measures(actor="migration")


class Migration(migrations.Migration):

    dependencies = [
        ("obligations", "0001_initial"),
        ("sanctions", "0003_rectification_deadline"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
