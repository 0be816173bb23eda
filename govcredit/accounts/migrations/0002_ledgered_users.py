# Users became a ledgered model: every existing user gets one entry for its present state, so that the
# next verification finds each user's row vouched for (docs/architecture.md: adding ledgered columns).

from django.db import migrations, models

import govcredit.accounts.models


def adopt_users(apps, schema_editor):
    """One ``account.adopt`` entry per existing user (nothing to do in a new database)."""
    User = apps.get_model("accounts", "User")
    if not User.objects.using(schema_editor.connection.alias).exists():
        return
    from govcredit.accounts.models import User as CurrentUser
    from govcredit.ledger.services import update_with_entries

    users = list(CurrentUser.objects.order_by("pk"))
    for i in range(0, len(users), 1000):
        update_with_entries(CurrentUser, users[i:i + 1000], ["is_active"], actor="system", action="account.adopt",
                            reason="用户纳入留痕")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('ledger', '0002_entry_actor_user_changes'),
    ]

    operations = [
        migrations.AlterModelManagers(
            name='user',
            managers=[
                ('objects', govcredit.accounts.models.UserManager()),
            ],
        ),
        migrations.AddField(
            model_name='user',
            name='must_change_password',
            field=models.BooleanField(default=False, verbose_name='须在下次登录时修改密码'),
        ),
        migrations.RunPython(adopt_users, migrations.RunPython.noop, elidable=True),
    ]
