# The portal's search index (see govcredit/disclosure/search/__init__.py) and the 撤销公示 list index.

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    """Index the publications that are already public (plain SQL through search.index_rows)."""
    from govcredit.disclosure.search import index_rows

    Publication = apps.get_model("disclosure", "Publication")
    alias = schema_editor.connection.alias
    last = 0
    while True:
        rows = list(Publication.objects.using(alias).filter(is_public=True, pk__gt=last).order_by("pk")
                    .values_list("pk", "public_name", "decision_number", "authority_name")[:5000])
        if not rows:
            return
        last = rows[-1][0]
        index_rows(rows, using=alias)


class Migration(migrations.Migration):

    dependencies = [
        ('disclosure', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='GramCount',
            fields=[
                ('gram', models.BigIntegerField(primary_key=True, serialize=False, verbose_name='二元组编码')),
                ('n', models.BigIntegerField(default=0, verbose_name='公开信息数')),
            ],
            options={
                'verbose_name': '二元组频次',
                'verbose_name_plural': '二元组频次',
            },
        ),
        migrations.CreateModel(
            name='PublicationGram',
            fields=[
                ('pk', models.CompositePrimaryKey('gram', 'publication', blank=True, editable=False, primary_key=True, serialize=False)),
                ('gram', models.BigIntegerField(verbose_name='二元组编码')),
                ('publication', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='disclosure.publication', verbose_name='公开信息')),
            ],
            options={
                'verbose_name': '公开信息检索二元组',
                'verbose_name_plural': '公开信息检索二元组',
            },
        ),
        migrations.CreateModel(
            name='PublicationSearchKey',
            fields=[
                ('publication', models.OneToOneField(on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='disclosure.publication', verbose_name='公开信息')),
                ('name_key', models.TextField(verbose_name='名称检索键')),
                ('number_key', models.TextField(verbose_name='文书号检索键')),
            ],
            options={
                'verbose_name': '公开信息检索键',
                'verbose_name_plural': '公开信息检索键',
                'indexes': [models.Index(fields=['number_key'], name='disclosure_key_number_idx', opclasses=['text_pattern_ops'])],
            },
        ),
        migrations.CreateModel(
            name='PublicAuthority',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, unique=True, verbose_name='决定机关')),
                ('key', models.TextField(verbose_name='检索键')),
            ],
            options={
                'verbose_name': '公示决定机关',
                'verbose_name_plural': '公示决定机关',
            },
        ),
        migrations.AddIndex(
            model_name='publication',
            index=models.Index(fields=['unpublish_reason', '-unpublished_at'], name='disclosure_pub_unpub_idx'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
