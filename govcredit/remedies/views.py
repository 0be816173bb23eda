"""Pages of objections and credit repairs: parse, authorise through ``accounts.access``, call one service.

Signed-in pages: the list (``index``), filing an objection or a repair about one's own record, the
credit commitment to print and sign, a case with its decision form, and its files. Pages without login:
a counterparty's objection from the portal, and following a case by its number and query code.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from govcredit.accounts import access
from govcredit.accounts.models import User
from govcredit.archive.api import _display_fields
from govcredit.archive.forms import raw_values, record_form_class
from govcredit.archive.models import CreditRecord
from govcredit.archive.selectors import visible_records
from govcredit.core import clock
from govcredit.disclosure.models import Publication
from govcredit.disclosure.rules import SHOWN_STATUSES
from govcredit.workflow import kinds
from govcredit.workflow import services as workflow

from . import commitment as commitment_doc
from . import limits, rules, services
from .forms import (
    ObjectionActionForm,
    ObjectionForm,
    PortalObjectionForm,
    RepairActionForm,
    RepairForm,
    TrackForm,
    uploads,
)
from .models import Objection, RemedyFile, Repair
from .selectors import open_first, visible_objections, visible_repairs


def _user(request: HttpRequest) -> User:
    """The signed-in user (every page that calls a service is behind ``login_required``)."""
    assert isinstance(request.user, User)
    return request.user


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The user's objections and repairs (a subject: about its records; a department: waiting for it)."""
    access.require(request.user, access.READ_REMEDIES)
    return render(request, "remedies/index.html", {
        "objections": open_first(visible_objections(request.user))[:200],
        "repairs": open_first(visible_repairs(request.user))[:200],
        "can_decide": access.can_decide_remedies(request.user), "today": clock.today(),
    })


def _own_record(request: HttpRequest, pk: int) -> CreditRecord:
    if not access.can_file_remedies(request.user):
        raise PermissionDenied(_("只有信用主体可以就本单位、本人的记录提出申请"))
    return get_object_or_404(visible_records(request.user), pk=pk)


def _refused(form: Any, error: ValidationError) -> None:
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def _filed(request: HttpRequest, filed: services.Filed, detail_url: str) -> HttpResponse:
    """The page after filing: the number and the query code, shown this once."""
    return render(request, "remedies/filed.html", {"filed": filed, "detail_url": detail_url})


@login_required
def objection_create(request: HttpRequest, pk: int) -> HttpResponse:
    record = _own_record(request, pk)
    form = ObjectionForm(request.POST or None, request.FILES or None)
    refusal = services.objection_refusal(record)
    if request.method == "POST" and form.is_valid():
        try:
            filed = services.file_objection(
                record, ground=form.cleaned_data["ground"], reasons=form.cleaned_data["reasons"],
                files=uploads(form.cleaned_data["attachments"], workflow.evidence_max_bytes()), user=_user(request))
        except ValidationError as e:
            _refused(form, e)
        else:
            assert filed.objection is not None
            return _filed(request, filed, filed.objection.get_absolute_url())
    return render(request, "remedies/objection_form.html", {"record": record, "form": form, "refusal": refusal,
                                                            "limits": rules.objection_limits(record)})


def _case_context(row: Objection | Repair) -> dict[str, Any]:
    kind = kinds.get(row.case.kind)
    return {"events": row.case.events.order_by("at", "pk"), "files": row.files.all(),
            "next_steps": [s.label for s in kind.steps if s.source == row.case.status]}


@login_required
def objection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(visible_objections(request.user), pk=pk)
    record = objection.record
    can_act = access.can_decide_remedies(request.user) and objection.case.closed_at is None
    form = ObjectionActionForm(request.POST or None) if can_act else None
    values_form = record_form_class(record.type_version)(request.POST or None, prefix="v",
                                                        initial=_initial(record)) if can_act else None
    if request.method == "POST":
        if form is None or values_form is None:
            raise PermissionDenied(_("您无权办理该异议，或异议已办结"))
        if form.is_valid():
            values = None
            if form.cleaned_data["action"] == "correct" and values_form.is_valid():
                values = raw_values(record.type_version, values_form.cleaned_data)
            try:
                services.act_on_objection(objection, form.cleaned_data["action"], _user(request),
                                          form.cleaned_data["reason"], values)
            except ValidationError as e:
                _refused(form, e)
            else:
                return redirect(objection)
    return render(request, "remedies/objection_detail.html", {
        "objection": objection, "record": record, "form": form, "values_form": values_form,
        "can_decide": access.can_decide_remedies(request.user), **_case_context(objection),
    })


def _initial(record: CreditRecord) -> dict[str, Any]:
    shown = _display_fields(record)
    out: dict[str, Any] = {}
    for spec in record.type_version.fields:
        value = shown.get(spec["label"], "")
        out[spec["key"]] = [v for v in str(value).split("、") if v] if spec["type"] == "multi_enum" else value
    return out


@login_required
def repair_create(request: HttpRequest, pk: int) -> HttpResponse:
    record = _own_record(request, pk)
    form = RepairForm(request.POST or None, request.FILES or None)
    refusal = rules.repair_refusal(record, clock.today())
    if refusal is None and services.open_repair(record) is not None:
        refusal = _("该记录已有办理中的信用修复申请")
    if request.method == "POST" and form.is_valid():
        limit = workflow.evidence_max_bytes()
        try:
            filed = services.apply_repair(
                record, user=_user(request), corrected=form.cleaned_data["corrected"],
                commitment=uploads([form.cleaned_data["commitment"]], limit)[0],
                files=uploads(form.cleaned_data["attachments"], limit))
        except ValidationError as e:
            _refused(form, e)
        else:
            assert filed.repair is not None
            return _filed(request, filed, filed.repair.get_absolute_url())
    return render(request, "remedies/repair_form.html", {
        "record": record, "form": form, "refusal": refusal, "earliest": rules.earliest_repair(record),
        "limits": rules.repair_limits(record)})


@login_required
def commitment(request: HttpRequest, pk: int) -> HttpResponse:
    """The 信用承诺书 of a record, to print (or save as PDF from the browser), sign and upload back."""
    record = _own_record(request, pk)
    return render(request, "remedies/commitment.html", {"record": record, "today": clock.today(),
                                                        "law": rules.REPAIR_LAW})


@login_required
def commitment_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The 信用承诺书 of a record as a PDF (Typst), to sign, seal and upload back with the repair application."""
    record = _own_record(request, pk)
    today = clock.today()
    response = HttpResponse(commitment_doc.render(record, today), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, commitment_doc.filename(record, today)) or ""
    return response


@login_required
def repair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    repair = get_object_or_404(visible_repairs(request.user), pk=pk)
    can_act = access.can_decide_remedies(request.user) and repair.case.closed_at is None
    form = RepairActionForm(request.POST or None) if can_act else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("您无权办理该申请，或申请已办结"))
        if form.is_valid():
            try:
                services.act_on_repair(repair, form.cleaned_data["action"], _user(request), form.cleaned_data["reason"],
                                       form.cleaned_data["rule"])
            except ValidationError as e:
                _refused(form, e)
            else:
                return redirect(repair)
    return render(request, "remedies/repair_detail.html", {
        "repair": repair, "record": repair.record, "form": form, "refusal_rules": services.REFUSAL_RULES,
        **_case_context(repair)})


@login_required
def file_download(request: HttpRequest, pk: int) -> FileResponse:
    """An attachment of an objection or a repair the user may see."""
    row = get_object_or_404(RemedyFile, pk=pk)
    if row.objection_id is not None:
        visible = visible_objections(request.user).filter(pk=row.objection_id).exists()
    else:
        visible = visible_repairs(request.user).filter(pk=row.repair_id or 0).exists()
    if not visible:
        raise Http404(_("未找到该文件，或不在您的查看范围内"))
    return FileResponse(default_storage.open(row.path, "rb"), content_type=row.content_type, as_attachment=True,
                        filename=row.name)


def _limited(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse | None:
    wait = limits.retry_after(request)
    if wait is None:
        return None
    response = render(request, template, {**context, "error": limits.MSG_LIMITED}, status=429)
    response["Retry-After"] = str(wait)
    return response


def portal_objection(request: HttpRequest, pk: int) -> HttpResponse:
    """A counterparty's objection to a decision on the portal, without login (verified by the number the
    record holds; a wrong one gets the same neutral answer as a record that holds none)."""
    publication = get_object_or_404(Publication.objects.select_related("record"), pk=pk, is_public=True,
                                    record__status__in=SHOWN_STATUSES)
    record = publication.record
    form = PortalObjectionForm(request.POST or None, request.FILES or None)
    context = {"publication": publication, "form": form, "refusal": services.objection_refusal(record)}
    if request.method == "POST":
        limited = _limited(request, "remedies/portal_objection.html", context)
        if limited is not None:
            return limited
        if form.is_valid():
            data = form.cleaned_data
            try:
                filed = services.file_objection(
                    record, ground=data["ground"], reasons=data["reasons"],
                    files=uploads(data["attachments"], workflow.evidence_max_bytes()), applicant_name=data["applicant_name"],
                    contact=data["contact"], verification=data["verification"])
            except ValidationError as e:
                _refused(form, e)
            else:
                return render(request, "remedies/portal_filed.html", {"filed": filed, "publication": publication})
    return render(request, "remedies/portal_objection.html", context)


def track(request: HttpRequest) -> HttpResponse:
    """Follow an objection or a repair by its number and query code (POST, so the code stays out of logs)."""
    form = TrackForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST":
        limited = _limited(request, "remedies/track.html", context)
        if limited is not None:
            return limited
        if form.is_valid():
            row = services.find_by_code(form.cleaned_data["number"], form.cleaned_data["code"])
            if row is None:
                context["error"] = _(services.MSG_NOT_FOUND)
            else:
                context.update(row=row, is_repair=isinstance(row, Repair), events=row.case.events.order_by("at", "pk"))
    return render(request, "remedies/track.html", context)
