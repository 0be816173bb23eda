"""Archive pages: record lists and timelines, a record with its ledger history, entering records."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from govcredit.accounts import access
from govcredit.catalog.models import RecordType
from govcredit.core.errors import DomainError
from govcredit.core.paging import paginate
from govcredit.core.params import query_id, query_pk
from govcredit.ledger.services import history

from . import services
from .filters import filter_records
from .forms import RecordFilterForm, StatusForm, raw_values, record_form_class
from .parties import resolve_parties
from .selectors import visible_records


@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.READ_SUBJECTS)
    form = RecordFilterForm(request.GET)
    records = visible_records(request.user)
    if form.is_valid():
        rtype = form.cleaned_data["record_type"]
        records = filter_records(records, q=form.cleaned_data["q"], record_type=rtype.code if rtype else "",
                                 status=form.cleaned_data["status"])
    return render(request, "archive/record_list.html", {"form": form, **paginate(request, records)})


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, access.READ_SUBJECTS)
    record = get_object_or_404(visible_records(request.user), pk=pk)
    can_change = access.has(request.user, access.CHANGE_RECORD_STATUS)
    form = StatusForm(request.POST or None) if can_change else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("您无权变更记录状态")
        if form.is_valid():
            try:
                services.change_status(record, form.cleaned_data["status"], actor=request.user.get_username(),
                                       reason=form.cleaned_data["reason"])
            except ValidationError as e:
                form.add_error(None, e)
            else:
                messages.success(request, f"状态已变更为“{record.status}”，已留痕。")
                return redirect("archive:record_detail", pk=record.pk)
    labels = {spec["key"]: spec["label"] for spec in record.type_version.fields}
    extra = [(labels.get(k, k), v) for k, v in record.data.items()]
    return render(request, "archive/record_detail.html", {
        "record": record, "extra": extra, "history": history(record).order_by("seq"), "form": form,
    })


@login_required
def record_create(request: HttpRequest) -> HttpResponse:
    """Two steps on one page: pick the type (and subject), then fill the type's fields.

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
    context.update(version=version, form=form)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.record_decision(version, raw_values(version, form.cleaned_data),
                                              issuing_org=parties.issuing_org, subject_org=parties.subject_org,
                                              subject_person=parties.subject_person,
                                              actor=request.user.get_username())
        except ValidationError as e:
            # Services name a field by its Chinese label or its key; other errors belong to the form.
            by_label = {spec["label"]: spec["key"] for spec in version.fields}
            for name, errors in e.message_dict.items():
                key = name if name in form.fields else by_label.get(name)
                for msg in errors:
                    form.add_error(key if key in form.fields else None, msg)
        except DomainError as e:  # a duplicate: beside the decision number
            form.add_error(e.field if e.field in form.fields else None, str(e))
        else:
            messages.success(request, "记录已录入并留痕。")
            return redirect("archive:record_detail", pk=record.pk)
    return render(request, "archive/record_create.html", context)
