# The default measures catalogue and rules (data/measures.json) were loaded here through the catalogue
# service. The service uses today's models, so it can only run once the tables have every column they have
# today: the load moved to the app's newest migration (0003), and this one does nothing on a new database.
# A database that ran it earlier already holds the catalogue; 0003 loads again and publishes only changes.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("sanctions", "0001_initial"),
        ("ledger", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),
    ]
