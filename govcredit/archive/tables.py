"""The record list as a table (core/tables.py): the same columns on the page and in its XLSX export, the
same sort keys on the page and in ``GET /api/records?sort=``. Natural persons appear masked, as on the page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from govcredit.catalog.i18n import type_name
from govcredit.core.tables import Column, Table

from .models import CreditRecord


def _record_url(record: CreditRecord) -> str:
    return reverse("archive:record_detail", args=[record.pk])


RECORDS: Table[CreditRecord] = Table([
    Column(_("决定日期"), lambda r: r.decision_date, sort="date", order=("decision_date",)),
    Column(_("类别"), lambda r: type_name(r.record_type.code, r.record_type.name), sort="type", order=("record_type__code",),
           badge=lambda r: f"p-{r.type_version.polarity}"),
    Column(_("主体"), lambda r: r.subject_label, data=True),
    Column(_("文书号"), lambda r: r.decision_number, sort="number", order=("decision_number",), link=_record_url,
           data=True),
    Column(_("决定机关"), lambda r: r.authority_name, sort="authority", order=("authority_name",), data=True),
    Column(_("报送单位"), lambda r: r.issuing_org.name, data=True),
    Column(_("状态"), lambda r: r.get_status_display(), sort="status", badge=lambda r: f"s-{r.status}"),
], default="-date")

