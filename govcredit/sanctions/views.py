"""Pages of joint rewards and punishments: the catalogue, measures, fault tolerance, rectification lists,
eligibility checks and the public criticism list. Views parse and authorise, then call one service."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from govcredit.accounts import access
from govcredit.archive.selectors import visible_records
from govcredit.core import clock
from govcredit.core.paging import paginate
from govcredit.core.params import query_pk
from govcredit.core.spreadsheet import workbook, write_cell
from govcredit.ledger.services import history
from govcredit.subjects.models import Organization
from govcredit.workflow import kinds
from govcredit.workflow import services as workflow
from govcredit.workflow.models import Case
from govcredit.workflow.selectors import visible_cases

from . import catalogue, eligibility, selectors
from . import workflow as procedures
from .forms import (
    BatchEligibilityForm,
    EligibilityForm,
    EvidenceForm,
    FaultToleranceForm,
    FindingForm,
    MeasureForm,
    RuleForm,
    TransitionForm,
)
from .models import MeasureStatus, MeasureType, Rule
from .templatetags import sanctions_i18n

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _errors(form: Any, exc: ValidationError) -> None:
    for name, msgs in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
        form.add_error(name if name in form.fields else None, msgs)


# --- catalogue --------------------------------------------------------------------------------------

@login_required
def catalogue_page(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.READ_MEASURES)
    measures = [(m, m.current()) for m in MeasureType.objects.prefetch_related("versions")]
    rules = [(r, r.current()) for r in Rule.objects.prefetch_related("versions")]
    names = {m.code: m for m, _ in measures}
    return render(request, "sanctions/catalogue.html", {
        "measures": measures, "rules": [(r, v, [names.get(c, c) for c in v.measures]) for r, v in rules],
        "can_manage": access.can_manage_measures(request.user)})


@login_required
def measure_edit(request: HttpRequest, code: str) -> HttpResponse:
    access.require(request.user, access.MANAGE_MEASURES)
    measure = get_object_or_404(MeasureType, code=code)
    current = measure.current()
    initial = {k: getattr(current, k) for k in catalogue.MEASURE_KEYS}
    form = MeasureForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in catalogue.MEASURE_KEYS}
        try:
            version = catalogue.publish_measure(measure, data, actor=request.user.get_username(),
                                                reason=form.cleaned_data["reason"])
        except ValidationError as e:
            _errors(form, e)
        else:
            messages.success(request, gettext("已发布第 %(n)s 版；已启动的措施保留原版本。") % {"n": version.version})
            return redirect("sanctions:catalogue")
    return render(request, "sanctions/edit.html", {"form": form, "name": sanctions_i18n.measure_name(measure),
                                                   "versions": measure.versions.order_by("-version")})


@login_required
def rule_edit(request: HttpRequest, code: str) -> HttpResponse:
    access.require(request.user, access.MANAGE_MEASURES)
    rule = get_object_or_404(Rule, code=code)
    current = rule.current()
    initial: dict[str, Any] = {k: getattr(current, k) for k in catalogue.RULE_KEYS}
    initial["severities"] = "、".join(current.severities)
    form = RuleForm(request.POST or None, initial=initial, record_types=catalogue.record_type_choices())
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in catalogue.RULE_KEYS}
        try:
            version = catalogue.publish_rule(rule, data, actor=request.user.get_username(),
                                             reason=form.cleaned_data["reason"])
        except ValidationError as e:
            _errors(form, e)
        else:
            messages.success(request, gettext("已发布第 %(n)s 版；仅适用于此后生效的记录。") % {"n": version.version})
            return redirect("sanctions:catalogue")
    return render(request, "sanctions/edit.html", {"form": form, "name": sanctions_i18n.rule_name(rule),
                                                   "versions": rule.versions.order_by("-version")})


# --- measures ---------------------------------------------------------------------------------------

@login_required
def measure_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.READ_MEASURES)
    measures = selectors.visible_measures(request.user)
    status = request.GET.get("status", "")
    if status in MeasureStatus.values:
        measures = measures.filter(status=status)
    return render(request, "sanctions/measure_list.html", {
        "statuses": MeasureStatus.values, "status": status,
        **paginate(request, measures.order_by("-start_on", "-pk"))})


@login_required
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, access.READ_MEASURES)
    measure = get_object_or_404(selectors.visible_measures(request.user), pk=pk)
    return render(request, "sanctions/measure_detail.html", {
        "m": measure, "history": history(measure).order_by("seq"),
        "applications": measure.record.fault_tolerance_applications.select_related("case", "finding"),
        "can_apply": access.can_apply_fault_tolerance(request.user) and measure.status != MeasureStatus.ENDED
        and measure.polarity == "惩戒"})


# --- fault tolerance --------------------------------------------------------------------------------

@login_required
def fault_tolerance_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.READ_MEASURES)
    apps = selectors.visible_applications(request.user).order_by("case__closed_at", "-created_at", "-pk")
    return render(request, "sanctions/fault_tolerance_list.html", paginate(request, apps))


@login_required
def fault_tolerance_apply(request: HttpRequest, record_id: int) -> HttpResponse:
    if not access.can_apply_fault_tolerance(request.user):
        raise PermissionDenied(gettext("您的角色无权申请容错纠错"))
    record = get_object_or_404(visible_records(request.user), pk=record_id)
    measure = None
    if request.GET.get("measure") or request.POST.get("measure"):
        measure = get_object_or_404(selectors.visible_measures(request.user).filter(record=record),
                                    pk=query_pk(request.POST if request.method == "POST" else request.GET, "measure"))
    form = FaultToleranceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = procedures.apply_fault_tolerance(record, actor=request.user, measure=measure,  # type: ignore[arg-type]
                                                           grounds=form.cleaned_data["grounds"],
                                                           statement=form.cleaned_data["statement"])
        except ValidationError as e:
            _errors(form, e)
        else:
            messages.success(request, gettext("容错纠错申请已提交，等待单位意见。"))
            return redirect("sanctions:case", pk=application.case_id)
    return render(request, "sanctions/fault_tolerance_apply.html", {"form": form, "record": record, "measure": measure})


# --- cases (rectification and fault tolerance) -----------------------------------------------------

OUR_KINDS = (procedures.RECTIFICATION.code, procedures.FAULT_TOLERANCE.code)


def _case(request: HttpRequest, pk: int) -> Case:
    return get_object_or_404(visible_cases(request.user).filter(kind__in=OUR_KINDS), pk=pk)


def _case_page(request: HttpRequest, case: Case, **forms: Any) -> HttpResponse:
    kind = kinds.get(case.kind)
    role = access.role_of(request.user)
    steps = [s for s in kind.steps if s.source == case.status and role in s.roles]
    application = procedures.application_of(case) if case.kind == procedures.FAULT_TOLERANCE.code else None
    can_decide = (application is not None and case.status == procedures.COLLECTIVE
                  and access.can_record_fault_tolerance_finding(request.user))
    can_upload = case.closed_at is None and role in ({r for s in kind.steps for r in s.roles} | set(kind.owner_roles))
    return render(request, "sanctions/case.html", {
        "case": case, "kind": kind, "application": application,
        "finding": getattr(application, "finding", None) if application else None,
        "events": case.events.order_by("at", "pk"), "evidence": case.evidence.order_by("uploaded_at", "pk"),
        "measure": procedures.measure_of(case) if case.kind == procedures.RECTIFICATION.code else None,
        "transition_form": forms.get("transition_form") or (
            TransitionForm(choices=[(s.target, gettext(s.label)) for s in steps]) if steps else None),
        "evidence_form": forms.get("evidence_form") or (EvidenceForm() if can_upload else None),
        "finding_form": forms.get("finding_form") or (FindingForm() if can_decide else None),
    })


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, _case(request, pk))


@require_POST
@login_required
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    kind = kinds.get(case.kind)
    form = TransitionForm(request.POST, choices=[(s.target, gettext(s.label)) for s in kind.steps
                                                if s.source == case.status])
    if not form.is_valid():
        return _case_page(request, case, transition_form=form)
    try:
        workflow.transition(case, form.cleaned_data["to_state"], request.user, form.cleaned_data["reason"])  # type: ignore[arg-type]
    except ValidationError as e:
        _errors(form, e)
        return _case_page(request, case, transition_form=form)
    messages.success(request, gettext("已办理：%(state)s，已留痕。") % {"state": gettext(case.status)})
    return redirect("sanctions:case", pk=case.pk)


@require_POST
@login_required
def case_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return _case_page(request, case, evidence_form=form)
    upload = form.cleaned_data["file"]
    try:
        workflow.attach_evidence(case, upload.name or "", upload.read(workflow.evidence_max_bytes() + 1),
                                 request.user)  # type: ignore[arg-type]
    except ValidationError as e:
        _errors(form, e)
        return _case_page(request, case, evidence_form=form)
    messages.success(request, gettext("佐证材料已上传，已留痕。"))
    return redirect("sanctions:case", pk=case.pk)


@require_POST
@login_required
def case_finding(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.can_record_fault_tolerance_finding(request.user):
        raise PermissionDenied(gettext("只有信用管理部门可以录入集体决策结果"))
    case = _case(request, pk)
    application = procedures.application_of(case)
    if application is None:
        raise Http404
    form = FindingForm(request.POST, request.FILES)
    if not form.is_valid():
        return _case_page(request, case, finding_form=form)
    upload = form.cleaned_data["minutes"]
    try:
        procedures.decide_with_minutes(application, actor=request.user, outcome=form.cleaned_data["outcome"],  # type: ignore[arg-type]
                                       meeting_on=form.cleaned_data["meeting_on"],
                                       deciders=form.cleaned_data["deciders"], minutes_name=upload.name or "",
                                       minutes_data=upload.read(workflow.evidence_max_bytes() + 1),
                                       reason=form.cleaned_data["reason"], lighten_to=form.cleaned_data["lighten_to"])
    except ValidationError as e:
        _errors(form, e)
        return _case_page(request, case, finding_form=form)
    messages.success(request, gettext("集体决策结果已录入，措施已按认定处理，已留痕。"))
    return redirect("sanctions:case", pk=case.pk)


# --- rectification lists ----------------------------------------------------------------------------

def _district_of(org: Organization | None, districts: dict[str, str]) -> str:
    if org is None:
        return ""
    parts = org.path.strip("/").split("/")
    return districts.get(parts[1], "") if len(parts) > 1 else districts.get(parts[0], "")


def _rectification_rows(request: HttpRequest) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if not access.can_read_rectification_lists(request.user):
        raise PermissionDenied(gettext("您的角色无权查看整改清单"))
    lists = selectors.rectification_lists(request.user, clock.today())
    cases = list(lists["open"][:2000])
    codes = {p for c in cases if c.debtor_org for p in c.debtor_org.path.strip("/").split("/")[:2]}
    districts = dict(Organization.objects.filter(credit_code__in=codes).values_list("credit_code", "name"))
    late = set(lists["overdue"].values_list("pk", flat=True))
    soon = set(lists["due_soon"].values_list("pk", flat=True))
    rows = [{"case": c, "org": c.debtor_org.name if c.debtor_org else "",
             "superior": c.debtor_org.parent.name if c.debtor_org and c.debtor_org.parent else "",
             "district": _district_of(c.debtor_org, districts),
             "state": "逾期" if c.pk in late else ("即将到期" if c.pk in soon else "办理中")}
            for c in cases]
    return lists, rows


@login_required
def rectification_list(request: HttpRequest) -> HttpResponse:
    lists, rows = _rectification_rows(request)
    by_org = Counter((r["org"], r["state"]) for r in rows)
    orgs = sorted({r["org"] for r in rows})
    by_district = Counter((r["district"], r["state"]) for r in rows)
    districts = sorted({r["district"] for r in rows})
    summary = [(o, by_org[(o, "办理中")] + by_org[(o, "即将到期")] + by_org[(o, "逾期")], by_org[(o, "即将到期")],
                by_org[(o, "逾期")]) for o in orgs]
    district_summary = [(d or "—", by_district[(d, "办理中")] + by_district[(d, "即将到期")] + by_district[(d, "逾期")],
                         by_district[(d, "即将到期")], by_district[(d, "逾期")]) for d in districts]
    wanted = request.GET.get("show", "open")
    shown = [r for r in rows if wanted == "open" or (wanted == "overdue" and r["state"] == "逾期")
             or (wanted == "due_soon" and r["state"] == "即将到期")]
    shown.sort(key=lambda r: (r["state"] != "逾期", r["case"].due_on, r["case"].pk))
    return render(request, "sanctions/rectification_list.html", {
        "counts": {k: q.count() for k, q in lists.items()}, "summary": summary, "district_summary": district_summary,
        "rows": shown, "show": wanted})


@login_required
def rectification_export(request: HttpRequest) -> HttpResponse:
    _, rows = _rectification_rows(request)
    buffer = io.BytesIO()
    book = workbook(buffer, in_memory=True)
    sheet = book.add_worksheet("整改清单")
    head = ["编号", "责任单位", "上级单位", "所属区", "状态", "办理期限", "逾期", "督办", "依据"]
    for col, title in enumerate(head):
        write_cell(sheet, 0, col, title)
    for i, r in enumerate(sorted(rows, key=lambda r: (r["state"] != "逾期", r["case"].due_on)), start=1):
        c = r["case"]
        for col, value in enumerate([c.pk, r["org"], r["superior"], r["district"], c.status, c.due_on, r["state"],
                                     "是" if c.escalated_at else "否", c.basis_text]):
            write_cell(sheet, i, col, value)
    book.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="rectifications-{clock.today():%Y%m%d}.xlsx"'
    return response


# --- eligibility ------------------------------------------------------------------------------------

@login_required
def eligibility_page(request: HttpRequest) -> HttpResponse:
    if not access.can_check_eligibility(request.user):
        raise PermissionDenied(gettext("您的角色无权进行参与资格核查"))
    form = EligibilityForm(request.POST or None, initial={"on_date": clock.today()})
    result, candidates = None, []
    if request.method == "POST" and form.is_valid():
        found = eligibility.find_subjects(request.user, form.cleaned_data["subject"])
        if len(found) != 1:
            candidates = found
            form.add_error("subject", gettext("未找到该主体，请核实") if not found
                           else gettext("匹配到多个主体，请改用统一社会信用代码或身份证号"))
        else:
            try:
                result = eligibility.check(request.user, found[0], form.cleaned_data["participation"],
                                           form.cleaned_data["on_date"], form.cleaned_data["purpose"])
            except ValidationError as e:
                _errors(form, e)
    return render(request, "sanctions/eligibility.html", {"form": form, "result": result, "candidates": candidates,
                                                          "batch_form": BatchEligibilityForm(
                                                              initial={"on_date": clock.today()})})


@login_required
def eligibility_batch(request: HttpRequest) -> HttpResponse:
    if not access.can_check_eligibility(request.user):
        raise PermissionDenied(gettext("您的角色无权进行参与资格核查"))
    form = BatchEligibilityForm(request.POST or None, request.FILES or None, initial={"on_date": clock.today()})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = eligibility.check_batch(request.user, upload.read(eligibility.MAX_BATCH_BYTES + 1),
                                           form.cleaned_data["participation"], form.cleaned_data["on_date"],
                                           form.cleaned_data["purpose"])
        except ValidationError as e:
            _errors(form, e)
        else:
            response = HttpResponse(eligibility.batch_xlsx(rows), content_type=XLSX)
            response["Content-Disposition"] = f'attachment; filename="eligibility-{clock.today():%Y%m%d}.xlsx"'
            return response
    return render(request, "sanctions/eligibility.html", {"form": EligibilityForm(initial={"on_date": clock.today()}),
                                                          "batch_form": form, "result": None, "candidates": []},
                  status=400 if request.method == "POST" else 200)


# --- public ----------------------------------------------------------------------------------------

def criticism(request: HttpRequest) -> HttpResponse:
    """通报批评: departments under public criticism today, with the reason and dates (no login)."""
    today: dt.date = clock.today()
    rows = selectors.criticism_list(today)[:500]
    return render(request, "sanctions/criticism.html", {"rows": rows, "today": today})
