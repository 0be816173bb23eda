# Holiday schedules became ledgered models: a replaced day is withdrawn instead of deleted, and every
# existing schedule and day gets one entry for its present state (docs/architecture.md: adding
# ledgered columns), so that the next verification finds them vouched for.

from django.db import migrations, models


def adopt_schedules(apps, schema_editor):
    """One ``workdays.adopt`` entry per existing schedule and day (nothing to do in a new database)."""
    YearSchedule = apps.get_model("workdays", "YearSchedule")
    if not YearSchedule.objects.using(schema_editor.connection.alias).exists():
        return
    from govcredit.ledger.services import update_with_entries
    from govcredit.workdays.models import ScheduleDay as CurrentDay
    from govcredit.workdays.models import YearSchedule as CurrentSchedule

    for model in (CurrentSchedule, CurrentDay):
        rows = list(model.objects.order_by("pk"))
        for i in range(0, len(rows), 1000):
            update_with_entries(model, rows[i:i + 1000], ["note" if model is CurrentSchedule else "name"],
                                actor="system", action="workdays.adopt", reason="节假日安排纳入留痕")


class Migration(migrations.Migration):

    dependencies = [
        ('workdays', '0001_initial'),
        ('ledger', '0002_entry_actor_user_changes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='scheduleday',
            name='kind',
            field=models.CharField(choices=[('holiday', '休息日（法定节假日）'), ('workday', '调休上班日'), ('withdrawn', '已撤回（按常规）')], max_length=16, verbose_name='类型'),
        ),
        migrations.RunPython(adopt_schedules, migrations.RunPython.noop, elidable=True),
    ]
