"""Pages where a buying department's data officer enters procurement contracts and what follows them —
delivery and inspection (passed, or delayed by the buyer), confirmed settlements, invoices, payments — and
sees the due dates and interest recomputed; and the pages of a supplier's complaint about non-payment
(filed by the credit office on its behalf, forwarded, extended, answered). Each view parses, authorises
through ``accounts.access``, calls one service and renders; rows come from :mod:`.selectors` (404 outside)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Min, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcredit.accounts import access
from govcredit.core import clock
from govcredit.core.errors import DomainError
from govcredit.core.paging import paginate
from govcredit.ledger.hashing import entity_type_of
from govcredit.ledger.models import LedgerEntry
from govcredit.ledger.readable import describe
from govcredit.workflow import kinds as workflow_kinds
from govcredit.workflow.models import Case

from . import complaints, entry, procurement
from .forms import (
    ComplaintActForm,
    ComplaintFileForm,
    ContractFilter,
    ContractForm,
    DelayForm,
    DeliveryForm,
    InvoiceForm,
    PaymentForm,
    SettlementForm,
)
from .models import Contract, Invoice, Milestone, MilestoneRule, Obligation, Payment
from .selectors import managed_orgs, visible_complaints, visible_contracts, visible_obligations


@dataclass(frozen=True)
class MilestoneRow:
    m: Milestone
    interest: Decimal
    start: dt.date | None


FORMS = {"delivery": DeliveryForm, "delay": DelayForm, "settlement": SettlementForm, "invoice": InvoiceForm,
         "payment": PaymentForm}


def _form_error(form: Any, error: DomainError | ValidationError) -> None:
    if isinstance(error, ValidationError):
        for field, errs in (error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]):
            for message in errs:
                form.add_error(field if field in form.fields else None, message)
        return
    form.add_error(error.field if error.field in form.fields else None, str(error))


# --- contracts ---------------------------------------------------------------------------------------

@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.READ_OBLIGATIONS)
    form = ContractFilter(request.GET or None)
    contracts = visible_contracts(request.user).annotate(
        next_due=Min("milestones__due_on", filter=Q(milestones__paid_on__isnull=True)))
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if q:
        contracts = contracts.filter(Q(number__icontains=q) | Q(name__icontains=q) | Q(supplier_name__icontains=q))
    context = paginate(request, contracts.order_by("-signed_on", "-pk"), per_page=25)
    return render(request, "obligations/contract_list.html", {
        **context, "form": form, "can_create": access.has(request.user, access.MANAGE_OBLIGATIONS)})


@login_required
def contract_create(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.MANAGE_OBLIGATIONS)
    form = ContractForm(request.POST or None, orgs=managed_orgs(request.user), initial={"signed_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if not access.can_manage_obligations(request.user, d["buyer"]):
            raise PermissionDenied(_("您的角色无权进行此操作"))
        try:
            contract = procurement.register_contract(
                number=d["number"].strip(), name=d["name"].strip(), buyer=d["buyer"], supplier_name=d["supplier_name"].strip(),
                supplier_code=d["supplier_code"].strip(), supplier_is_sme=d["supplier_is_sme"],
                supplier_is_person=d["supplier_is_person"], amount=d["amount"], signed_on=d["signed_on"],
                payment_days=d["payment_days"], inspection_days=d["inspection_days"],
                agreed_daily_rate=d["agreed_daily_rate"], lpr_at_signing=d["lpr_at_signing"],
                milestones=[procurement.MilestoneSpec(label, amount, rule) for label, amount, rule in form.milestones()],
                actor=request.user)
        except DomainError as e:
            _form_error(form, e)
        else:
            messages.success(request, _("采购合同已登记"))
            return redirect("obligations:contract", pk=contract.pk)
    return render(request, "obligations/contract_form.html", {"form": form})


def _contract_context(request: HttpRequest, contract: Contract, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    today = clock.today()
    milestones = list(contract.milestones.select_related("obligation").prefetch_related("payments").order_by("seq"))
    for m in milestones:
        m.contract = contract  # the interest reads the contract's rate: no query per milestone
    rows = [MilestoneRow(m, procurement.milestone_interest(m, today), procurement.period_start(contract, m, today))
            for m in milestones]
    can_manage = access.can_manage_obligations(request.user, contract.buyer)
    forms: dict[str, Any] = {}
    if can_manage:
        unpaid = contract.milestones.filter(paid_on__isnull=True).order_by("seq")
        forms = {
            "delivery": DeliveryForm(initial={"delivered_on": contract.delivered_on or today}),
            "delay": DelayForm(),
            "settlement": SettlementForm(milestones=unpaid.filter(rule=MilestoneRule.SETTLEMENT),
                                         initial={"settled_on": today}),
            "invoice": InvoiceForm(initial={"issued_on": today}),
            "payment": PaymentForm(milestones=unpaid, initial={"paid_on": today}),
        }
        forms.update(bound or {})
    deadline = entry.inspection_deadline(contract)
    return {
        "contract": contract, "rows": rows, "today": today, "rate": procurement.daily_rate(contract),
        "total_interest": sum((r.interest for r in rows), Decimal("0.00")),
        "invoices": list(contract.invoices.order_by("issued_on", "pk")),
        "payments": [p for m in milestones for p in m.payments.all()],
        "inspection_deadline": deadline, "has_inspection": any(m.rule == MilestoneRule.INSPECTION for m in milestones),
        "can_manage": can_manage, "forms": forms,
        "history": describe(_contract_history(contract, milestones), request.user),
    }


def _contract_history(contract: Contract, milestones: list[Milestone]) -> Any:
    """The ledger entries of the contract, its milestones, invoices and payments, in the ledger's order."""
    rows: list[tuple[type[Any], list[int]]] = [
        (Contract, [contract.pk]), (Milestone, [m.pk for m in milestones]),
        (Invoice, list(contract.invoices.values_list("pk", flat=True))),
        (Payment, [p.pk for m in milestones for p in m.payments.all()])]
    q = Q(pk__in=[])
    for model, ids in rows:
        if ids:
            q |= Q(entity_type=entity_type_of(model), entity_id__in=ids)
    return LedgerEntry.objects.filter(q).order_by("seq")


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, access.READ_OBLIGATIONS)
    contract = get_object_or_404(visible_contracts(request.user), pk=pk)
    return render(request, "obligations/contract_detail.html", _contract_context(request, contract))


@login_required
@require_POST
def contract_step(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    """POST of one of the contract page's steps (``which``: delivery, delay, settlement, invoice, payment; the
    URL names it), through the same service as the API; a refused step shows the page with the form's error."""
    access.require(request.user, access.READ_OBLIGATIONS)
    contract: Contract = get_object_or_404(visible_contracts(request.user), pk=pk)
    if not access.can_manage_obligations(request.user, contract.buyer):
        raise PermissionDenied(_("您的角色无权进行此操作"))
    unpaid = contract.milestones.filter(paid_on__isnull=True).order_by("seq")
    kwargs: dict[str, Any] = {}
    if which == "settlement":
        kwargs["milestones"] = unpaid.filter(rule=MilestoneRule.SETTLEMENT)
    elif which == "payment":
        kwargs["milestones"] = unpaid
    form = FORMS[which](request.POST, **kwargs)
    if form.is_valid():
        d, user = form.cleaned_data, request.user
        try:
            if which == "delivery":
                procurement.record_delivery(contract, delivered_on=d["delivered_on"], accepted_on=d["accepted_on"],
                                            actor=user, reason=d["reason"])
                done = _("交付、验收已登记，付款期限已重新计算")
            elif which == "delay":
                entry.record_inspection_delay(contract, actor=user, reason=d["reason"])
                done = _("已按拖延检验验收重新计算付款期限")
            elif which == "settlement":
                procurement.confirm_settlement(d["milestone"], settled_on=d["settled_on"], amount=d["amount"],
                                               actor=user, reason=d["reason"])
                done = _("结算确认已登记，付款期限已重新计算")
            elif which == "invoice":
                procurement.record_invoice(contract, number=d["number"].strip(), amount=d["amount"],
                                           issued_on=d["issued_on"], actor=user)
                done = _("发票已登记")
            else:
                procurement.record_payment(d["milestone"], amount=d["amount"], paid_on=d["paid_on"],
                                           voucher=d["voucher"].strip(), actor=user)
                done = _("付款已登记")
        except DomainError as e:
            _form_error(form, e)
        else:
            messages.success(request, done)
            return redirect("obligations:contract", pk=contract.pk)
    return render(request, "obligations/contract_detail.html", _contract_context(request, contract, {which: form}))


# --- complaints about non-payment ----------------------------------------------------------------------

@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.READ_OBLIGATIONS)
    cases = visible_complaints(request.user).order_by("closed_at", "due_on", "pk")
    if request.GET.get("show") != "all":
        cases = cases.filter(closed_at__isnull=True)
    context = paginate(request, cases, per_page=25)
    obligations = {o.pk: o for o in Obligation.objects.filter(pk__in=[c.basis_id for c in context["page_obj"]])}
    rows = [(c, obligations.get(c.basis_id or 0)) for c in context["page_obj"]]
    return render(request, "obligations/complaint_list.html", {
        **context, "rows": rows, "show": request.GET.get("show") or "open", "today": clock.today(),
        "can_file": access.has(request.user, access.FILE_COMPLAINTS)})


@login_required
def complaint_create(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.FILE_COMPLAINTS)
    form = ComplaintFileForm(request.POST or None, initial={"reference": request.GET.get("reference", "")})
    if request.method == "POST" and form.is_valid():
        ob = visible_obligations(request.user).filter(reference=form.cleaned_data["reference"].strip()).first()
        if ob is None:
            form.add_error("reference", _("没有该编号的履约事项"))
        else:
            try:
                case = complaints.file_on_behalf(ob, text=form.cleaned_data["text"], actor=request.user)  # type: ignore[arg-type]
            except DomainError as e:
                _form_error(form, e)
            else:
                messages.success(request, _("投诉已登记，请在 10 个工作日内转交处理投诉部门"))
                return redirect("obligations:complaint", pk=case.pk)
    return render(request, "obligations/complaint_form.html", {"form": form})


@login_required
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, access.READ_OBLIGATIONS)
    case: Case = get_object_or_404(visible_complaints(request.user), pk=pk)
    actions = complaints.steps_for(case, request.user)  # type: ignore[arg-type]
    choices = [(a, _(complaints.ACTIONS[a][1])) for a in actions]
    form = ComplaintActForm(request.POST if request.method == "POST" else None, actions=choices)
    if request.method == "POST":
        if not actions:
            raise PermissionDenied(_("您的角色无权办理该投诉，或投诉已办结"))
        if form.is_valid():
            d = form.cleaned_data
            try:
                complaints.act(case, d["action"], actor=request.user, reason=d["reason"],  # type: ignore[arg-type]
                               extend_days=d["extend_days"] or 0)
            except (DomainError, ValidationError) as e:
                _form_error(form, e)
            else:
                messages.success(request, _("已办理"))
                return redirect("obligations:complaint", pk=case.pk)
    ob = Obligation.objects.select_related("debtor_org").filter(pk=case.basis_id or 0).first()
    return render(request, "obligations/complaint_detail.html", {
        "case": case, "ob": ob, "form": form if actions else None, "today": clock.today(),
        "kind_label": _(workflow_kinds.get(case.kind).label),
        "events": case.events.order_by("at", "pk"), "list_url": reverse("obligations:complaints")})
