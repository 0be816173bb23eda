"""Archive pages: record lists and timelines, a record with its ledger history, entering records."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from govcredit.accounts import access
from govcredit.catalog import i18n as catalog_i18n
from govcredit.catalog.models import RecordType, RecordTypeVersion
from govcredit.core.errors import DomainError
from govcredit.core.params import query_id, query_pk
from govcredit.core.tables import table_page, wants_xlsx, xlsx_response
from govcredit.core.widgets import picker_context
from govcredit.ledger.readable import describe
from govcredit.ledger.services import history
from govcredit.subjects.forms import suggest_url

from . import services, tables
from .display import field_values, shown_text
from .filters import filter_records
from .forms import CorrectionReasonForm, RecordFilterForm, StatusForm, raw_values, record_form_class
from .models import CreditRecord
from .parties import Parties, resolve_parties
from .selectors import visible_records


@login_required
def record_list(request: HttpRequest) -> HttpResponse | FileResponse:
    access.require(request.user, access.READ_SUBJECTS)
    form = RecordFilterForm(request.GET)
    records = visible_records(request.user)
    if form.is_valid():
        rtype = form.cleaned_data["record_type"]
        records = filter_records(records, q=form.cleaned_data["q"], record_type=rtype.code if rtype else "",
                                 status=form.cleaned_data["status"])
    if wants_xlsx(request):
        return xlsx_response(request, tables.RECORDS, records, title=_("信用记录"), filename=_("信用记录"))
    return render(request, "archive/record_list.html", {"form": form, **table_page(request, tables.RECORDS, records)})


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, access.READ_SUBJECTS)
    record = get_object_or_404(visible_records(request.user), pk=pk)
    can_change = access.has(request.user, access.CHANGE_RECORD_STATUS)
    form = StatusForm(request.POST or None) if can_change else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("您无权变更记录状态"))
        if form.is_valid():
            try:
                services.change_status(record, form.cleaned_data["status"], actor=request.user,
                                       reason=form.cleaned_data["reason"])
            except ValidationError as e:
                form.add_error(None, e)
            else:
                messages.success(request, _("状态已变更为“%(status)s”，已留痕。") % {"status": record.get_status_display()})
                return redirect("archive:record_detail", pk=record.pk)
    labels = catalog_i18n.labels(record.record_type.code, record.type_version.fields)
    shown = field_values(record)  # ID numbers in the record's own fields masked, as everywhere staff read them
    extra = [(labels.get(k, k), "、".join(map(str, v)) if isinstance(v, list) else v)
             for k, v in ((k, shown.get(k, v)) for k, v in record.data.items())]
    return render(request, "archive/record_detail.html", {
        "record": record, "extra": extra, "form": form, "text": shown_text(record, request.user),
        "history": describe(history(record).order_by("seq"), request.user, data_labels=labels),
        "can_correct": _may_correct(request.user, record),
        "can_file_remedies": access.can_file_remedies(request.user),
    })


SUBJECT_PICKER = {frozenset({"organization", "civil_servant"}): "any", frozenset({"organization"}): "org",
                  frozenset({"civil_servant"}): "person"}


def _subject_kind(version: RecordTypeVersion) -> str:
    """Which subjects the type's picker offers: ``org``, ``person``, ``any``, or "" (counterparties only)."""
    kinds = frozenset(version.subject_kinds) & {"organization", "civil_servant"}
    return SUBJECT_PICKER.get(kinds, "")


def _party_pickers(version: RecordTypeVersion | None, parties: Parties) -> dict[str, Any]:
    """The subject and issuing-organisation pickers of the entry form (search as you type, in scope)."""
    subject = parties.subject_person or parties.subject_org
    kind = _subject_kind(version) if version is not None else "any"
    context: dict[str, Any] = {
        "issuing_picker": picker_context(input_id="id_issuing_org", url=suggest_url("org"),
                                         inputs=[("org", "issuing_org", parties.issuing_org.pk)],
                                         display=parties.issuing_org.name, required=True),
        "subject_kind": kind,
        "subject_optional": version is not None and "counterparty" in version.subject_kinds,
    }
    if kind:
        inputs: list[tuple[str, str, Any]] = []
        if kind in ("org", "any"):
            inputs.append(("org", "subject_org", parties.subject_org.pk if parties.subject_org else None))
        if kind in ("person", "any"):
            inputs.append(("person", "subject_person", parties.subject_person.pk if parties.subject_person else None))
        context["subject_picker"] = picker_context(
            input_id="id_subject", url=suggest_url(kind), inputs=inputs, display=subject.name if subject else "",
            required=not context["subject_optional"],
            placeholder=str({"org": _("输入单位名称或统一社会信用代码"), "person": _("输入公务员姓名"),
                             "any": _("输入单位名称或公务员姓名")}[kind]))
    return context


def _form_errors(form: forms.Form, version: RecordTypeVersion, error: ValidationError) -> dict[str, list[str]]:
    """Put a service's errors on the fields they name (by key or by Chinese label); the subject's and the
    issuing organisation's errors are returned for their pickers, the rest go to the form."""
    by_label = {spec["label"]: spec["key"] for spec in version.fields}
    parties: dict[str, list[str]] = {}
    for name, errors in error.message_dict.items():
        if name in ("subject", "issuing_org"):
            parties.setdefault(name, []).extend(errors)
            continue
        key = name if name in form.fields else by_label.get(name)
        for msg in errors:
            form.add_error(key if key in form.fields else None, msg)
    return parties


@login_required
def record_create(request: HttpRequest) -> HttpResponse:
    """Two steps on one page: pick the type, then the subject (search as you type), the issuing organisation
    and the type's fields.

    The issuing organisation and the subject are resolved as the API resolves them: one out of the
    user's scope is refused with the API's message (status 403), never replaced by the user's own.
    """
    access.require(request.user, access.WRITE_RECORDS)
    params = request.POST if request.method == "POST" else request.GET
    types = RecordType.objects.filter(is_active=True)
    rtype = types.filter(pk=query_pk(params, "record_type")).first()
    try:
        parties = resolve_parties(request.user, issuing_org=query_id(params, "issuing_org"),
                                  subject_org=query_id(params, "subject_org"),
                                  subject_person=query_id(params, "subject_person"))
    except PermissionDenied as refused:
        return render(request, "archive/record_create.html", {"types": types, "refused": str(refused)}, status=403)
    context: dict[str, Any] = {"types": types, "rtype": rtype, "subject_org": parties.subject_org,
                               "subject_person": parties.subject_person, "issuing_org": parties.issuing_org}
    if rtype is None:
        return render(request, "archive/record_create.html", context)
    version = rtype.current()
    form = record_form_class(version)(request.POST if request.method == "POST" else None)
    context.update(version=version, form=form, **_party_pickers(version, parties))
    if request.method == "POST" and form.is_valid():
        try:
            record = services.record_decision(version, raw_values(version, form.cleaned_data),
                                              issuing_org=parties.issuing_org, subject_org=parties.subject_org,
                                              subject_person=parties.subject_person,
                                              actor=request.user)
        except ValidationError as e:
            context["party_errors"] = _form_errors(form, version, e)
        except DomainError as e:  # a duplicate: beside the decision number
            form.add_error(e.field if e.field in form.fields else None, str(e))
        else:
            messages.success(request, _("记录已录入并留痕。"))
            return redirect("archive:record_detail", pk=record.pk)
    return render(request, "archive/record_create.html", context)


def _may_correct(user: Any, record: CreditRecord) -> bool:
    return (access.has(user, access.WRITE_RECORDS) and record.status not in services.FINAL_STATUSES
            and access.can_write_records_for(user, record.issuing_org))


@login_required
def record_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a record's values with a reason (``services.correct_record``): the issuing organisation or one
    above it. The form starts from the values as staff see them; masked values left as they are stay."""
    access.require(request.user, access.WRITE_RECORDS)
    record = get_object_or_404(visible_records(request.user), pk=pk)
    if not access.can_write_records_for(request.user, record.issuing_org):
        raise PermissionDenied(_("只有报送单位（或其上级）可以更正这条记录"))
    version = record.type_version
    initial = field_values(record)
    for spec in version.fields:  # a multi-choice is stored joined; the form shows its boxes ticked
        value = initial.get(spec["key"])
        if spec["type"] == "multi_enum" and isinstance(value, str):
            initial[spec["key"]] = [v for v in re.split(r"[、;；,，]", value) if v]
    data = request.POST if request.method == "POST" else None
    form = record_form_class(version)(data, initial=initial)
    reason = CorrectionReasonForm(data)
    if request.method == "POST" and form.is_valid() and reason.is_valid():
        try:
            services.correct_record(record, raw_values(version, form.cleaned_data), actor=request.user,
                                    reason=reason.cleaned_data["reason"])
        except ValidationError as e:
            for errors in _form_errors(form, version, e).values():
                for msg in errors:
                    form.add_error(None, msg)
        else:
            messages.success(request, _("记录已更正，原内容保留在留痕记录中。"))
            return redirect("archive:record_detail", pk=record.pk)
    return render(request, "archive/record_correct.html", {"record": record, "version": version, "form": form,
                                                          "reason_form": reason, "final": record.status in
                                                          services.FINAL_STATUSES})
