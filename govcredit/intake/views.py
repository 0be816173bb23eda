"""Intake pages: upload a file, the batch list, a batch with its live progress and error report."""

from __future__ import annotations

import hashlib
from itertools import islice
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcredit.accounts import access
from govcredit.catalog.models import RecordType
from govcredit.core.tables import table_page, wants_xlsx, xlsx_response
from govcredit.subjects.selectors import visible_orgs

from . import tables
from .forms import BatchFilterForm, UploadForm
from .models import BatchSource, BatchStatus, ImportBatch
from .report import rejected_rows, report_for
from .selectors import visible_batches
from .template import template_response


def status_of(batch: ImportBatch) -> dict[str, Any]:
    """The small JSON the batch page polls."""
    estimate = batch.rows_estimate or 0
    percent = 100 if batch.finished else (min(99, int(batch.rows_done * 100 / estimate)) if estimate else None)
    return {
        "id": batch.pk, "status": batch.status, "finished": batch.finished, "dry_run": batch.dry_run,
        "rows_done": batch.rows_done, "rows_estimate": batch.rows_estimate, "percent": percent,
        "accepted": batch.accepted, "updated": batch.updated, "unchanged": batch.unchanged, "rejected": batch.rejected,
        "message": batch.message, "has_report": bool(batch.error_report),
    }


def _store_upload(upload: Any) -> Path:
    from . import services  # here: it loads polars, which a process serving other pages never needs

    digest = hashlib.sha256()
    tmp = services.storage_dir() / f"upload-{hashlib.sha256(upload.name.encode()).hexdigest()[:8]}-{id(upload)}.part"
    with tmp.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    dest = services.storage_dir() / f"{digest.hexdigest()}{Path(upload.name).suffix.lower()[:10]}"
    tmp.replace(dest)
    return dest


@login_required
def batch_list(request: HttpRequest) -> HttpResponse | FileResponse:
    access.require(request.user, access.READ_BATCHES)
    form = BatchFilterForm(request.GET)
    batches = visible_batches(request.user)
    if form.is_valid() and form.cleaned_data["status"]:
        batches = batches.filter(status=form.cleaned_data["status"])
    if wants_xlsx(request):
        return xlsx_response(request, tables.BATCHES, batches, title=_("归集批次"), filename=_("归集批次"))
    return render(request, "intake/batch_list.html", {
        "form": form, "can_upload": access.has(request.user, access.WRITE_RECORDS),
        **table_page(request, tables.BATCHES, batches),
    })


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    from . import services  # here: it loads polars, which a process serving other pages never needs

    access.require(request.user, access.WRITE_RECORDS)
    orgs = visible_orgs(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, orgs=orgs,
                      initial_org=getattr(request.user, "organization", None))
    if request.method == "POST" and form.is_valid():
        org = form.cleaned_data["org"]
        if not access.can_write_records_for(request.user, org):
            raise PermissionDenied(_("您只能以本单位或下级单位名义报送"))
        upload_file = form.cleaned_data["file"]
        path = _store_upload(upload_file)
        batch, resumed = services.submit_file(
            path, record_type=form.cleaned_data["record_type"], org=org, actor=request.user.get_username(),
            user=request.user, source=BatchSource.UPLOAD, file_name=upload_file.name, sheet=form.cleaned_data["sheet"],
            dry_run=form.cleaned_data["dry_run"], stored=True)
        if resumed:
            messages.info(request, f"同一文件的批次 #{batch.pk} 尚未处理完，继续处理该批次。")
        else:
            messages.success(request, f"文件已接收，批次 #{batch.pk} 正在后台处理。")
        services.enqueue(batch)
        return redirect("intake:batch_detail", pk=batch.pk)
    return render(request, "intake/upload.html", {"form": form, "types": RecordType.objects.filter(is_active=True)
                                                  .order_by("code")})


@login_required
def template_download(request: HttpRequest, code: str) -> FileResponse:
    """The blank XLSX template of a record type's current catalog version (see :mod:`.template`)."""
    access.require(request.user, access.READ_BATCHES)
    return template_response(get_object_or_404(RecordType, code=code, is_active=True))


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(visible_batches(request.user), pk=pk)
    rows = rejected_rows(batch, full_id_numbers=access.can_see_submitted_ids(request.user))
    preview = [(row_no, reason) for row_no, _values, reason in islice(rows, 100)]
    return render(request, "intake/batch_detail.html", {
        "batch": batch, "status": status_of(batch), "preview": preview,
        "can_rerun": batch.status in (BatchStatus.FAILED, BatchStatus.PENDING, BatchStatus.RUNNING)
        and access.can_write_records_for(request.user, batch.org),
    })


@login_required
def batch_status(request: HttpRequest, pk: int) -> JsonResponse:
    batch = get_object_or_404(visible_batches(request.user), pk=pk)
    return JsonResponse(status_of(batch), json_dumps_params={"ensure_ascii": False})


@login_required
def batch_report(request: HttpRequest, pk: int) -> FileResponse:
    batch = get_object_or_404(visible_batches(request.user), pk=pk)
    if not batch.error_report or not Path(batch.error_report).exists():
        raise Http404(_("该批次没有错误报告"))
    return FileResponse(report_for(batch, full_id_numbers=access.can_see_submitted_ids(request.user)), as_attachment=True,
                        filename=f"归集批次{batch.pk}-错误报告.xlsx")


@login_required
@require_POST
def batch_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    from . import services  # here: it loads polars, which a process serving other pages never needs

    batch = get_object_or_404(visible_batches(request.user), pk=pk)
    if not access.can_write_records_for(request.user, batch.org):
        raise PermissionDenied(_("您只能以本单位或下级单位名义报送"))
    if batch.status in (BatchStatus.FAILED, BatchStatus.PENDING, BatchStatus.RUNNING):
        services.enqueue(batch)
        messages.info(request, f"批次 #{batch.pk} 已重新排队，将从最后提交的块之后继续。")
    return redirect("intake:batch_detail", pk=batch.pk)
