# Publications made before personal numbers were masked in every spelling (spaced, dotted, full-width …)
# and before the decision number and authority were masked at all: mask them again, through the ledger.

from django.db import migrations


def remask(apps, schema_editor):
    """Run the masking service over the existing publications (nothing to do in a new database)."""
    Publication = apps.get_model("disclosure", "Publication")
    if not Publication.objects.using(schema_editor.connection.alias).exists():
        return
    from govcredit.disclosure.masking import remask_publications

    remask_publications()


class Migration(migrations.Migration):

    dependencies = [
        ("disclosure", "0004_refusal"),
        ("archive", "0005_legal_rep_id"),
        ("ledger", "0001_initial"),
        ("subjects", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(remask, migrations.RunPython.noop, elidable=True),
    ]
