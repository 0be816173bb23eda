"""The intake batch list as a table (core/tables.py): the same columns on the page and in its XLSX export."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from govcredit.catalog.i18n import type_name
from govcredit.core.tables import Column, Table, yes_no

from .models import ImportBatch


def _batch_url(batch: ImportBatch) -> str:
    return reverse("intake:batch_detail", args=[batch.pk])


BATCHES: Table[ImportBatch] = Table([
    Column(_("批次"), lambda b: f"#{b.pk}", sort="id", order=("id",), link=_batch_url),
    Column(_("提交时间"), lambda b: b.created_at, sort="created", order=("created_at",)),
    Column(_("提交人"), lambda b: b.actor, sort="actor", data=True),
    Column(_("报送单位"), lambda b: b.org.name, sort="org", order=("org__path",), data=True),
    Column(_("信息类别"), lambda b: type_name(b.record_type.code, b.record_type.name), sort="type", order=("record_type__code",)),
    Column(_("文件"), lambda b: b.file_name, data=True),
    Column(_("试运行"), lambda b: yes_no(b.dry_run)),
    Column(_("状态"), lambda b: b.get_status_display(), sort="status", badge=lambda b: f"b-{b.status}"),
    Column(_("新增"), lambda b: b.accepted, sort="accepted"),
    Column(_("更正"), lambda b: b.updated, sort="updated"),
    Column(_("未变化"), lambda b: b.unchanged, sort="unchanged"),
    Column(_("退回"), lambda b: b.rejected, sort="rejected"),
], default="-created")
