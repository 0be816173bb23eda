"""The audit's XLSX export: the rows the audit page shows under the same filters."""

from __future__ import annotations

import io

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcredit.core.spreadsheet import workbook, write_cell

from .models import ArchiveQuery

MAX_ROWS = 100_000


def queries_xlsx(rows: QuerySet[ArchiveQuery]) -> HttpResponse:
    out = io.BytesIO()
    book = workbook(out, constant_memory=True)
    sheet = book.add_worksheet(_("档案查询记录"))
    bold = book.add_format({"bold": True})
    header = [_("查询时间"), _("查询人"), _("查询人单位"), _("被查询主体"), _("操作"), _("查询目的"), _("目的说明"), _("事由编号")]
    for col, title in enumerate(header):
        sheet.write_string(0, col, title, bold)
    for n, q in enumerate(rows.iterator(chunk_size=2000), 1):
        if n > MAX_ROWS:
            break
        values = [timezone.localtime(q.at).strftime("%Y-%m-%d %H:%M:%S"), q.user_name, q.user_org_name,
                  q.subject_name, q.get_action_display(), q.get_purpose_display(), q.purpose_text, q.case_reference]
        for col, value in enumerate(values):
            write_cell(sheet, n, col, value)
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 7, 16)
    book.close()
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''queries.xlsx"
    return response
