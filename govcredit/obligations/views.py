"""Pages of the obligations register: lists per department and district with amounts and trends, an
obligation with its evidence and history, the credit office's ranking and its decisions on breach
candidates, last year's overdue lists, and the public follow-up page for a creditor."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from govcredit.accounts import access
from govcredit.core import clock
from govcredit.core.paging import paginate
from govcredit.core.tables import wants_xlsx, xlsx_response
from govcredit.ledger.readable import describe
from govcredit.ledger.services import history
from govcredit.remedies.limits import MSG_LIMITED, retry_after
from govcredit.workflow.models import Case

from . import procurement, reports, services, tables, workflow
from .forms import ConfirmForm, DismissForm, ObligationFilter, TrackForm
from .kinds import kind_label
from .models import OWED, BreachCandidate, CandidateStatus, Milestone, Obligation
from .selectors import visible_candidates, visible_obligations


def _filtered(request: HttpRequest) -> tuple[ObligationFilter, QuerySet[Obligation]]:
    form = ObligationFilter(request.GET or None)
    obligations = visible_obligations(request.user)
    show, q = "owed", ""
    if form.is_valid():
        show, q = form.cleaned_data["show"] or "owed", form.cleaned_data["q"].strip()
    if show == "owed":
        obligations = obligations.filter(status__in=OWED)
    elif show != "all":
        obligations = obligations.filter(status=show)
    if q:
        obligations = obligations.filter(Q(reference__icontains=q) | Q(title__icontains=q) | Q(creditor_name__icontains=q))
    return form, obligations


@login_required
def obligation_list(request: HttpRequest) -> HttpResponseBase:
    access.require(request.user, access.READ_OBLIGATIONS)
    form, obligations = _filtered(request)
    if wants_xlsx(request):
        return xlsx_response(request, tables.OBLIGATIONS, obligations, title=_("履约事项"), filename=_("履约事项"))
    today = clock.today()
    summary = reports.department_summary(visible_obligations(request.user), today)
    context = paginate(request, obligations.order_by("due_on", "pk"), per_page=25)
    export = request.GET.copy()
    export["format"] = "xlsx"
    return render(request, "obligations/list.html", {
        **context, "form": form, "summary": summary, "today": today, "export_query": export.urlencode(),
        "totals": {k: sum((getattr(s, k) for s in summary), Decimal(0)) for k in
                   ("open_amount", "soon_amount", "overdue_amount")}})


@login_required
def obligation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, access.READ_OBLIGATIONS)
    ob = get_object_or_404(visible_obligations(request.user), pk=pk)
    milestone = Milestone.objects.select_related("contract").filter(obligation=ob).first()
    payments = list(milestone.payments.all()) if milestone else []
    today = clock.today()
    interest = procurement.milestone_interest(milestone, today) if milestone else None
    cases = Case.objects.filter(basis_id=ob.pk, kind=workflow.COMPLAINT.code).order_by("pk")
    return render(request, "obligations/detail.html", {
        "ob": ob, "kind": _(kind_label(ob.kind)), "milestone": milestone, "payments": payments, "interest": interest,
        "rate": procurement.daily_rate(milestone.contract) if milestone else None,
        "responsible": services.responsible_for(ob), "candidates": ob.candidates.order_by("-pk"), "cases": cases,
        "history": describe(history(ob).order_by("seq"), request.user),
        "contract_interest": procurement.contract_interest(milestone.contract, today) if milestone else None})


@login_required
def candidate_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.DECIDE_BREACH_CANDIDATES)
    wanted = request.GET.get("status") or CandidateStatus.PENDING
    candidates = visible_candidates(request.user).select_related("obligation__debtor_org")
    if wanted in CandidateStatus.values:
        candidates = candidates.filter(status=wanted)
    context = paginate(request, candidates.order_by("created_on", "pk"), per_page=25)
    return render(request, "obligations/candidates.html", {**context, "status": wanted,
                                                           "statuses": CandidateStatus.choices})


@login_required
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, access.DECIDE_BREACH_CANDIDATES)
    candidate: BreachCandidate = get_object_or_404(visible_candidates(request.user), pk=pk)
    confirm = ConfirmForm(request.POST if request.POST.get("act") == "confirm" else None)
    dismiss = DismissForm(request.POST if request.POST.get("act") == "dismiss" else None)
    if request.method == "POST":
        if confirm.is_bound and confirm.is_valid():
            services.confirm_candidate(candidate, actor=request.user, severity=confirm.cleaned_data["severity"],  # type: ignore[arg-type]
                                       reason=confirm.cleaned_data["reason"],
                                       decision_number=confirm.cleaned_data["decision_number"],
                                       include_person=confirm.cleaned_data["include_person"])
            messages.success(request, _("已确认，失信记录已进入档案"))
            return redirect("obligations:candidate", pk=candidate.pk)
        if dismiss.is_bound and dismiss.is_valid():
            services.dismiss_candidate(candidate, actor=request.user, reason=dismiss.cleaned_data["reason"])  # type: ignore[arg-type]
            messages.success(request, _("已驳回"))
            return redirect("obligations:candidate", pk=candidate.pk)
    ob = candidate.obligation
    return render(request, "obligations/candidate.html", {
        "candidate": candidate, "ob": ob, "kind": _(kind_label(ob.kind)), "confirm": confirm, "dismiss": dismiss,
        "responsible": candidate.responsible_person or services.responsible_for(ob, candidate.due_on),
        "days_late": (candidate.created_on - candidate.due_on).days,
        "history": describe(history(candidate).order_by("seq"), request.user)})


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    """The credit office's city view: departments ranked by overdue amount, then by the age of the oldest."""
    access.require(request.user, access.RANK_OBLIGATIONS)
    today = clock.today()
    rows = [s for s in reports.department_summary(visible_obligations(request.user), today) if s.overdue_count]
    return render(request, "obligations/ranking.html", {
        "rows": [(i, s, reports.oldest_age(s, today)) for i, s in enumerate(rows, start=1)], "today": today})


@login_required
def overdue_lists(request: HttpRequest) -> HttpResponse:
    """Each department's list of last year's overdue SME payments, due for publication by 31 March."""
    access.require(request.user, access.READ_OBLIGATIONS)
    today = clock.today()
    try:
        year = int(request.GET.get("year") or today.year - 1)
    except ValueError:
        year = today.year - 1
    year = min(max(year, 2000), today.year)
    from govcredit.subjects.selectors import visible_orgs

    rows = reports.overdue_by_department(year, visible_orgs(request.user))
    return render(request, "obligations/overdue_lists.html", {
        "rows": rows, "year": year, "deadline": workflow.publication_deadline(year),
        "years": list(range(today.year, today.year - 5, -1))})


def track(request: HttpRequest) -> HttpResponse:
    """A creditor follows its own obligation by reference and query code (POST, so the code stays out of
    logs); masked as for the public. It may file a complaint about non-payment from here."""
    form = TrackForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST":
        wait = retry_after(request)
        if wait is not None:
            context["error"] = MSG_LIMITED
            response = render(request, "obligations/track.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
        if form.is_valid():
            ob = services.find_by_code(form.cleaned_data["reference"], form.cleaned_data["code"])
            if ob is None:
                context["error"] = _("编号或查询码不正确")
            else:
                if form.cleaned_data["complaint"].strip():
                    if ob.is_owed:
                        case = workflow.file_complaint(ob, text=form.cleaned_data["complaint"])
                        context["filed"] = case
                    else:
                        context["error"] = _("该事项已办结，不能投诉")
                context.update(ob=ob, kind=_(kind_label(ob.kind)), today=clock.today(),
                               cases=Case.objects.filter(basis_id=ob.pk, kind=workflow.COMPLAINT.code).order_by("pk"))
    return render(request, "obligations/track.html", context)


