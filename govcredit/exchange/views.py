"""Exchange pages: open data (public), national-platform exports and acknowledgements, shared-query log."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_POST

from govcredit.accounts import access
from govcredit.core import clock, params
from govcredit.core.paging import paginate

from . import acks, national, opendata
from .models import ExchangeAck, ExchangeExport, SharedQueryLog

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
RECENT_DAYS = 7

# The explanations of opendata.COLUMNS for the data-dictionary page, listed here so that makemessages finds them;
# the column names (header) and examples are the data format and stay as they are.
_COLUMN_TEXTS = (
    gettext_noop("本平台公开信息的唯一编号"), gettext_noop("目录中的信息类别，如行政处罚、行政许可"),
    gettext_noop("单位的名称；自然人姓名已脱敏（只显示首尾字）"),
    gettext_noop("主体的 18 位统一社会信用代码（GB 32100）；自然人为空"),
    gettext_noop("行政处罚决定书文号、行政许可决定文书号等"), gettext_noop("作出决定的机关"),
    gettext_noop("作出决定的日期"), gettext_noop("在本平台公开的日期（北京时间）"),
    gettext_noop("公示期届满日，届满后自动撤下"), gettext_noop("有效；或 异议中（信用主体已提出异议，正在核查）"),
    gettext_noop("整数"), gettext_noop("文本"), gettext_noop("文本（18 位）"), gettext_noop("日期（YYYY-MM-DD）"),
)
# The labels of ExportStatus and IdNumbers, which the export pages translate with {% translate value %}.
_CHOICE_LABELS = (
    gettext_noop("进行中"), gettext_noop("已完成"), gettext_noop("失败"),
    gettext_noop("脱敏"), gettext_noop("完整（仅操作员在命令行导出）"),
)


# --------------------------------------------------------------------------- open data (public)


def open_data(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    days = [today - dt.timedelta(days=i) for i in range(RECENT_DAYS)]
    daily = [(d, opendata.dataset(d).count()) for d in days]
    return render(request, "exchange/open_data.html", {
        "total": opendata.dataset().count(), "daily": daily, "today": today, "formats": list(FORMATS),
    })


def data_dictionary(request: HttpRequest) -> HttpResponse:
    columns = [replace(c, meaning=_(c.meaning), type=_(c.type)) for c in opendata.COLUMNS]
    return render(request, "exchange/data_dictionary.html", {"columns": columns})


def open_data_download(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse | FileResponse:
    if fmt not in FORMATS:
        raise Http404(_("不支持的格式"))
    published = params.query_date(request.GET, "published")
    qs = opendata.dataset(published)
    today = clock.today()
    if published:
        title = f"双公示公开信息（{published:%Y-%m-%d} 新增）"
        filename = f"公开信息_{published:%Y%m%d}新增.{fmt}"
    else:
        title = f"双公示公开信息（截至 {today:%Y-%m-%d}，全量）"
        filename = f"公开信息_{today:%Y%m%d}全量.{fmt}"
    disposition = content_disposition_header(True, filename) or "attachment"
    response: HttpResponse | StreamingHttpResponse | FileResponse
    if fmt == "xlsx":
        response = FileResponse(opendata.xlsx_file(qs, title=title), content_type=FORMATS[fmt])
    elif fmt == "csv":
        response = StreamingHttpResponse(opendata.csv_pieces(qs), content_type=FORMATS[fmt])
    else:
        response = StreamingHttpResponse(opendata.json_pieces(qs, title=title), content_type=FORMATS[fmt])
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = "public, max-age=300"
    return response


# --------------------------------------------------------------------------- national exchange (credit office)


class AckUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("回执文件（CSV、XLSX 或 JSON）"))
    batch = forms.CharField(label=gettext_lazy("批次号（可选，如 GC000001）"), max_length=20, required=False)


@login_required
def exports(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.MANAGE_EXCHANGE)
    exports_qs = ExchangeExport.objects.prefetch_related("files").annotate(
        n_accepted=Count("acks", filter=Q(acks__accepted=True)),
        n_rejected=Count("acks", filter=Q(acks__accepted=False))).order_by("-id")  # GROUP BY drops Meta.ordering
    rejections = ExchangeAck.objects.filter(accepted=False).select_related("item", "item__file", "record",
                                                                          "record__record_type")[:50]
    return render(request, "exchange/exports.html", {
        **paginate(request, exports_qs, per_page=20), "rejections": rejections, "form": AckUploadForm(),
        "last": national.last_successful(),
    })


@login_required
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, access.MANAGE_EXCHANGE)
    export = get_object_or_404(ExchangeExport, pk=pk)
    acks_qs = ExchangeAck.objects.filter(export=export).select_related("item", "item__file", "record")
    show = request.GET.get("show", "rejected")
    if show == "rejected":
        acks_qs = acks_qs.filter(accepted=False)
    return render(request, "exchange/export_detail.html", {
        "export": export, "files": export.files.all(), "show": show,
        "accepted": ExchangeAck.objects.filter(export=export, accepted=True).count(),
        "rejected": ExchangeAck.objects.filter(export=export, accepted=False).count(),
        "unanswered": export.items.filter(ack__isnull=True).count(),
        **paginate(request, acks_qs.order_by("item__file__name", "item__row_number")),
    })


@login_required
def export_file(request: HttpRequest, pk: int, name: str) -> FileResponse:
    """A file of an export (the credit office only; it may hold full ID numbers when the operator chose so)."""
    access.require(request.user, access.MANAGE_EXCHANGE)
    export = get_object_or_404(ExchangeExport, pk=pk)
    f = get_object_or_404(export.files, name=name)
    path = national.file_path(export, f)
    if not path.is_file():
        raise Http404(_("文件已不在服务器上"))
    content_type = "application/json" if path.suffix == ".json" else "text/csv; charset=utf-8"
    response = FileResponse(path.open("rb"), as_attachment=True, filename=f.name, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def ack_upload(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.MANAGE_EXCHANGE)
    form = AckUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择回执文件。"))
        return redirect("exchange:exports")
    upload = form.cleaned_data["file"]
    if upload.size > acks.MAX_BYTES:
        messages.error(request, _("回执文件超过 20 MB。"))
        return redirect("exchange:exports")
    try:
        result = acks.import_ack(upload.name, upload.read(), actor=request.user.get_username(),
                                 batch=form.cleaned_data["batch"] or None)
    except acks.AckError as e:
        messages.error(request, _("回执无法导入：%(error)s") % {"error": e})
        return redirect("exchange:exports")
    messages.success(request, _ack_summary(result))
    for error in result.errors[:20]:
        messages.error(request, error)
    if len(result.exports) == 1:
        return redirect("exchange:export_detail", pk=next(iter(result.exports)))
    return redirect("exchange:exports")


def _ack_summary(result: acks.AckResult) -> str:
    """``result.summary()`` (which the command line prints) in the language of the page."""
    numbers = {"matched": result.matched, "accepted": result.accepted, "rejected": result.rejected,
               "errors": len(result.errors)}
    if result.errors:
        return _("已导入回执 %(matched)d 条：接收 %(accepted)d 条，拒绝 %(rejected)d 条；%(errors)d 行无法处理。") % numbers
    return _("已导入回执 %(matched)d 条：接收 %(accepted)d 条，拒绝 %(rejected)d 条。") % numbers


# --------------------------------------------------------------------------- shared-query log (credit office)


@login_required
def query_log(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.MANAGE_EXCHANGE)
    logs = SharedQueryLog.objects.select_related("user", "organization")
    who = request.GET.get("user", "").strip()
    if who:
        logs = logs.filter(user__username=who)
    return render(request, "exchange/query_log.html", {"who": who, **paginate(request, logs, per_page=50)})
