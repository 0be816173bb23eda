"""The obligation list as an XLSX export (core/tables.py): the creditor masked where a natural person."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from govcredit.core.tables import Column, Table

from .kinds import kind_label
from .models import Obligation

OBLIGATIONS: Table[Obligation] = Table([
    Column(_("编号"), lambda o: o.reference, sort="reference", order=("reference",)),
    Column(_("类型"), lambda o: _(kind_label(o.kind))),
    Column(_("事项"), lambda o: o.title),
    Column(_("履行单位"), lambda o: o.debtor_org.name, sort="org", order=("debtor_org__name",)),
    Column(_("债权人"), lambda o: o.creditor_label),
    Column(_("金额（元）"), lambda o: o.amount, sort="amount", order=("amount",)),
    Column(_("履行期限"), lambda o: o.due_on, sort="due", order=("due_on",)),
    Column(_("状态"), lambda o: o.get_status_display(), sort="status", order=("status",)),
], default="due")
