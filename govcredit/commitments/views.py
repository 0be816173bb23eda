"""Pages of PPP projects and investment promises: parse, authorise through ``accounts.access``, call one
service, render. Lists read only through :mod:`.selectors`; an object outside the user's scope is a 404.
The public follow page needs no login: a promise's number and its query code."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_POST

from govcredit.accounts import access
from govcredit.core import clock
from govcredit.core.ratelimit import client_address, hit, rate_setting
from govcredit.core.tables import table_page, wants_xlsx, xlsx_response
from govcredit.ledger.readable import describe
from govcredit.ledger.services import history
from govcredit.obligations.services import responsible_for

from . import link, public, services, tables
from .filters import filter_projects, filter_promises
from .forms import (
    ChangeForm,
    CompensationForm,
    DutyForm,
    FollowForm,
    FulfilForm,
    ImportForm,
    KeepForm,
    ProjectFilter,
    ProjectForm,
    PromiseFilter,
    PromiseForm,
    StageForm,
)
from .models import Duty, DutyKind, DutyStatus, ImportJob, PPPProject, Promise
from .responsibility import holders_on
from .selectors import (
    managed_orgs,
    visible_duties,
    visible_imports,
    visible_jobs,
    visible_projects,
    visible_promises,
    with_duty_counts,
)

MSG_LIMITED = gettext_noop("您的操作过于频繁，请稍后再试。")


def _register(row: Duty | Promise) -> dict[str, Any]:
    """The row's obligation in the register and its breach candidates, each with the person responsible on
    the missed due date (the register's trace-back)."""
    ob = link.obligation_of(row)
    if ob is None:
        return {"obligation": None, "candidates": []}
    candidates = [{"candidate": c, "responsible": c.responsible_person or responsible_for(ob, c.due_on)}
                  for c in ob.candidates.select_related("responsible_person").order_by("created_on", "pk")]
    return {"obligation": ob, "candidates": candidates}


def _form_errors(form: Any, error: services.CommitmentError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


def _can_manage(request: HttpRequest, row: PPPProject | Promise) -> bool:
    return access.can_manage_commitments(request.user, row.org)


def _require_manage(request: HttpRequest, row: PPPProject | Promise) -> None:
    if not _can_manage(request, row):
        raise PermissionDenied(_("您的角色无权进行此操作"))


# --- PPP projects ------------------------------------------------------------------------------------

@login_required
def project_list(request: HttpRequest) -> HttpResponse | FileResponse:
    access.require(request.user, access.READ_COMMITMENTS)
    form = ProjectFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = filter_projects(with_duty_counts(visible_projects(request.user), clock.today()), q=data.get("q", ""),
                           stage=data.get("stage", ""))
    if wants_xlsx(request):
        return xlsx_response(request, tables.PROJECTS, rows, title=_("PPP项目"), filename=_("PPP项目"))
    return render(request, "commitments/project_list.html", {
        "form": form, "can_create": access.has(request.user, access.MANAGE_COMMITMENTS),
        **table_page(request, tables.PROJECTS, rows)})


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.MANAGE_COMMITMENTS)
    form = ProjectForm(request.POST or None, orgs=managed_orgs(request.user), initial={"started_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            project = services.create_project(
                name=d["name"], org=d["org"], responsible_post=d["responsible_post"], partner_name=d["partner_name"],
                partner_code=d["partner_code"], investment=d["investment"], started_on=d["started_on"],
                actor=request.user)
        except services.CommitmentError as e:
            _form_errors(form, e)
        else:
            return redirect(project)
    return render(request, "commitments/form.html", {"form": form, "title": _("登记PPP项目"), "form_id": "project-form"})


def _project_context(request: HttpRequest, project: PPPProject, **forms: Any) -> dict[str, Any]:
    today = clock.today()
    stages = list(project.stages.select_related("responsible_org").order_by("started_on", "pk"))
    duties = list(project.duties.select_related("stage").order_by("due_on", "pk"))
    rows = []
    for stage in stages:
        rows.append({"stage": stage, "at_start": holders_on(stage.responsible_org, stage.responsible_post, stage.started_on),
                     "now": holders_on(stage.responsible_org, stage.responsible_post, stage.ended_on or today),
                     "duties": [d for d in duties if d.stage_id == stage.pk]})
    can_manage = _can_manage(request, project)
    return {
        "project": project, "stages": rows, "today": today, "performance": services.performance(duties, today),
        "disclosures": [d for d in duties if d.kind == DutyKind.DISCLOSURE],
        "can_manage": can_manage and project.stage != "已移交",
        "stage_form": forms.get("stage_form") or StageForm(initial={"started_on": today}),
        "duty_form": forms.get("duty_form") or DutyForm(),
        "history": describe(history(project).order_by("seq"), request.user),
    }


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(visible_projects(request.user), pk=pk)
    return render(request, "commitments/project_detail.html", _project_context(request, project))


@login_required
@require_POST
def project_advance(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(visible_projects(request.user), pk=pk)
    _require_manage(request, project)
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            services.advance_stage(project, responsible_post=form.cleaned_data["responsible_post"],
                                   started_on=form.cleaned_data["started_on"], reason=form.cleaned_data["reason"],
                                   actor=request.user)
        except services.CommitmentError as e:
            _form_errors(form, e)
        else:
            return redirect(project)
    return render(request, "commitments/project_detail.html", _project_context(request, project, stage_form=form))


@login_required
@require_POST
def duty_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(visible_projects(request.user), pk=pk)
    _require_manage(request, project)
    form = DutyForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.add_duty(project, kind=d["kind"], title=d["title"], basis=d["basis"], due_on=d["due_on"],
                              amount=d["amount"], actor=request.user)
        except services.CommitmentError as e:
            _form_errors(form, e)
        else:
            return redirect(project)
    return render(request, "commitments/project_detail.html", _project_context(request, project, duty_form=form))


@login_required
def duty_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A duty with the trace-back: who held the responsible post on its due date, and who holds it now."""
    duty: Duty = get_object_or_404(visible_duties(request.user), pk=pk)
    today = clock.today()
    can_act = access.can_manage_commitments(request.user, duty.project.org) and duty.status == DutyStatus.OPEN
    form = FulfilForm(request.POST or None, initial={"done_on": today}) if can_act else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("您无权办理该义务，或义务已办结"))
        if form.is_valid():
            try:
                services.fulfil_duty(duty, done_on=form.cleaned_data["done_on"], note=form.cleaned_data["note"],
                                     actor=request.user)
            except services.CommitmentError as e:
                _form_errors(form, e)
            else:
                return redirect(duty)
    return render(request, "commitments/duty_detail.html", {
        "duty": duty, "form": form, "today": today, "overdue": duty.status == DutyStatus.OPEN and duty.due_on < today,
        "at_due": services.duty_responsible(duty), "now": services.duty_responsible(duty, today),
        "history": describe(history(duty).order_by("seq"), request.user), **_register(duty)})


# --- investment promises -----------------------------------------------------------------------------

@login_required
def promise_list(request: HttpRequest) -> HttpResponse | FileResponse:
    access.require(request.user, access.READ_COMMITMENTS)
    form = PromiseFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    today = clock.today()
    rows = filter_promises(visible_promises(request.user), today, q=data.get("q", ""), status=data.get("status", ""),
                           turnover=bool(data.get("turnover")))
    if wants_xlsx(request):
        return xlsx_response(request, tables.PROMISES, rows, title=_("招商引资承诺"), filename=_("招商引资承诺"))
    return render(request, "commitments/promise_list.html", {
        "form": form, "turnover": bool(data.get("turnover")),
        "can_create": access.has(request.user, access.MANAGE_COMMITMENTS), **table_page(request, tables.PROMISES, rows)})


@login_required
def promise_create(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.MANAGE_COMMITMENTS)
    today = clock.today()
    form = PromiseForm(request.POST or None, orgs=managed_orgs(request.user), initial={"promised_on": today})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            registered = services.make_promise(
                org=d["org"], investor_name=d["investor_name"], investor_code=d["investor_code"], contact=d["contact"],
                kind=d["kind"], terms=d["terms"], legal_basis=d["legal_basis"], document=d["document"],
                amount=d["amount"], promised_on=d["promised_on"], due_on=d["due_on"],
                responsible_post=d["responsible_post"], actor=request.user)
        except services.CommitmentError as e:
            _form_errors(form, e)
        else:
            return render(request, "commitments/promise_registered.html", {"registered": registered})
    return render(request, "commitments/form.html", {"form": form, "title": _("登记招商引资承诺"), "form_id": "promise-form"})


def _promise_context(request: HttpRequest, promise: Promise) -> dict[str, Any]:
    today = clock.today()
    return {
        "promise": promise, "today": today, "can_manage": _can_manage(request, promise),
        "open": promise.status in ("履行中", "已依法变更"),
        "overdue": promise.status in ("履行中", "已依法变更") and promise.due_on < today,
        "at_promise": holders_on(promise.org, promise.responsible_post, promise.promised_on),
        "at_due": holders_on(promise.org, promise.responsible_post, min(promise.due_on, today)),
        "now": holders_on(promise.org, promise.responsible_post, today),
        "changes": promise.changes.select_related("recorded_by").order_by("recorded_at", "pk"),
        "compensations": promise.compensations.select_related("change").order_by("paid_on", "pk"),
        "keep_form": KeepForm(initial={"kept_on": today}),
        "history": describe(history(promise).order_by("seq"), request.user), **_register(promise),
    }


@login_required
def promise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    promise = get_object_or_404(visible_promises(request.user), pk=pk)
    return render(request, "commitments/promise_detail.html", _promise_context(request, promise))


@login_required
@require_POST
def promise_keep(request: HttpRequest, pk: int) -> HttpResponse:
    promise = get_object_or_404(visible_promises(request.user), pk=pk)
    _require_manage(request, promise)
    form = KeepForm(request.POST)
    if form.is_valid():
        try:
            services.keep_promise(promise, kept_on=form.cleaned_data["kept_on"], reason=form.cleaned_data["reason"],
                                  actor=request.user)
        except services.CommitmentError as e:
            _form_errors(form, e)
        else:
            return redirect(promise)
    return render(request, "commitments/promise_detail.html", {**_promise_context(request, promise), "keep_form": form})


@login_required
def promise_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Change or end a promise: the service refuses without the legal basis and the procedure."""
    promise = get_object_or_404(visible_promises(request.user), pk=pk)
    _require_manage(request, promise)
    form = ChangeForm(request.POST or None, initial={"decided_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.change_promise(promise, legal_basis=d["legal_basis"], procedure=d["procedure"], reason=d["reason"],
                                    decided_on=d["decided_on"], new_terms=d["new_terms"], new_due_on=d["new_due_on"],
                                    new_amount=d["new_amount"], terminates=d["terminates"], actor=request.user)
        except services.CommitmentError as e:
            _form_errors(form, e)
        else:
            return redirect(promise)
    return render(request, "commitments/form.html", {
        "form": form, "title": _("依法变更承诺"), "form_id": "change-form", "promise": promise,
        "note": _("承诺只能依法定程序变更：须写明法律依据和履行的程序（决策文件、会议纪要）。政府换届、责任人变动不是变更理由。")})


@login_required
def promise_compensation(request: HttpRequest, pk: int) -> HttpResponse:
    promise = get_object_or_404(visible_promises(request.user), pk=pk)
    _require_manage(request, promise)
    form = CompensationForm(request.POST or None, changes=promise.changes.all(), initial={"paid_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.record_compensation(promise, amount=d["amount"], description=d["description"],
                                         paid_on=d["paid_on"], change=d["change"], actor=request.user)
        except services.CommitmentError as e:
            _form_errors(form, e)
        else:
            return redirect(promise)
    return render(request, "commitments/form.html", {"form": form, "title": _("登记对投资方的补偿"),
                                                     "form_id": "compensation-form", "promise": promise})


# --- import from XLSX or CSV ------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_IMPORTS = 20


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """/commitments/import/ — upload a workbook of projects (stages, duties) and promises: the file is checked and
    stored, and its run imported in the background (see :mod:`.runs`); then the run's page. Below, the recent
    runs of the user's organisation (the credit office: all)."""
    access.require(request.user, access.MANAGE_COMMITMENTS)
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            # here: it loads the intake's readers (polars), which the other pages never need
            from . import runs

            upload = form.cleaned_data["file"]
            job = None
            with tempfile.TemporaryDirectory(prefix="commitments-") as folder:
                path = runs.store_upload(upload, Path(folder))
                try:
                    runs.check_upload(path, upload.name)
                except runs.UploadRejected as e:
                    form.add_error("file", str(e))
                else:
                    job = runs.submit(path, user=request.user, file_name=upload.name,
                                      dry_run=form.cleaned_data["dry_run"])
            if job is not None:
                messages.success(request, _("文件已接收，导入 #%(pk)s 正在后台进行。") % {"pk": job.pk})
                runs.enqueue(job)
                return redirect(job)
        status = 400
    jobs = visible_jobs(request.user).defer("errors", "run__rejected")[:RECENT_IMPORTS]
    return render(request, "commitments/import.html", {"form": form, "jobs": [(job, _summary(job)) for job in jobs]},
                  status=status)


def _summary(job: ImportJob) -> str:
    return "，".join(f"{IMPORT_LABELS[k]} {n}" for k, n in job.counts.items() if n and k in IMPORT_LABELS)


@login_required
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    """A run of the import: its progress while it is queued or running (the page reloads itself), then its
    result — the counts, each rejected row, the XLSX error report and, for the person who ran it and only once,
    the new promises' query codes."""
    access.require(request.user, access.MANAGE_COMMITMENTS)
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    codes: list[tuple[str, str]] = []
    if job.finished and job.codes.exists():
        from . import runs

        codes = runs.take_codes(job, request.user)
    return render(request, "commitments/import_run.html", {
        "job": job, "codes": codes, "errors": job.errors, "refresh": not job.finished,
        "counts": [(IMPORT_LABELS[k], n) for k, n in job.counts.items() if n and k in IMPORT_LABELS]})


IMPORT_LABELS = {
    "projects_created": gettext_lazy("新建项目"), "projects_updated": gettext_lazy("推进的项目"), "projects_unchanged": gettext_lazy("未变化的项目"),
    "stages_started": gettext_lazy("新开始的阶段"), "duties_created": gettext_lazy("新建义务"), "duties_fulfilled": gettext_lazy("登记履行的义务"),
    "promises_created": gettext_lazy("新建承诺"), "promises_unchanged": gettext_lazy("未变化的承诺"),
}


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.MANAGE_COMMITMENTS)
    from . import importer

    buffer = io.BytesIO()
    importer.write_template(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''" + quote("PPP项目与招商引资承诺-导入模板.xlsx")
    return response


@login_required
def import_report(request: HttpRequest, pk: int) -> FileResponse:
    """The rejected rows of a run as sent, with the column and the reason: fixed, the file uploads as it is."""
    run = get_object_or_404(visible_imports(request.user), pk=pk)
    from . import importer

    buffer = io.BytesIO()
    importer.write_report(run.rejected, buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"导入{run.pk}-错误报告.xlsx", content_type=XLSX)


# --- the investor's public page ----------------------------------------------------------------------

def follow(request: HttpRequest) -> HttpResponse:
    """An investor follows a promise by its number and query code (POST, so the code stays out of logs)."""
    form = FollowForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST":
        rate = rate_setting("GOVCREDIT_COMMITMENTS_RATE", "20/m")
        wait = None if rate is None else hit("commitments", client_address(request), rate)
        if wait is not None:
            response = render(request, "commitments/follow.html", {**context, "error": _(MSG_LIMITED)}, status=429)
            response["Retry-After"] = str(wait)
            return response
        if form.is_valid():
            promise = services.find_by_code(form.cleaned_data["number"], form.cleaned_data["code"])
            if promise is None:
                context["error"] = _(services.MSG_NOT_FOUND)
            else:
                context["shown"] = public.shown(promise, clock.today())
    return render(request, "commitments/follow.html", context)


