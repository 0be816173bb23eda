"""Pages of 查询与报告: find a subject, state the purpose, read its archive, reveal an ID number, issue and
read reports; the credit office's audit of every query; a subject's view of who looked; public verification."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcredit.accounts import access
from govcredit.accounts.models import Role, User
from govcredit.archive.selectors import archive_of
from govcredit.core import clock
from govcredit.core.paging import paginate
from govcredit.core.ratelimit import client_address, hit, rate_setting
from govcredit.subjects import services as subject_services
from govcredit.subjects.identifiers import is_valid_credit_code
from govcredit.subjects.models import CivilServant, Organization
from govcredit.subjects.selectors import visible_orgs, visible_people

from . import education as education_rules
from . import exports, review, roster, services
from .forms import (
    AuditFilterForm,
    EducationTargetForm,
    FindSubjectForm,
    PurposeForm,
    ResolveForm,
    ReviewForm,
    RosterForm,
    VerifyFileForm,
    VerifyForm,
)
from .models import ArchiveQuery, QueryAction, ReviewStatus, RosterFinding
from .selectors import audit_queries, queries_about_me, visible_checks, visible_reports, visible_reviews

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def parse_year(raw: str | None) -> int:
    """``?year=``: this year when missing; an impossible year is a bad request, not a crash."""
    if not raw:
        return clock.today().year
    if not raw.isdigit() or not 1900 <= int(raw) <= 2999:
        raise BadRequest(_("年度应为四位数字"))
    return int(raw)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # behind login_required
    return request.user


def _subject(request: HttpRequest, kind: str, pk: int) -> CivilServant | Organization:
    if kind == "person":
        return get_object_or_404(visible_people(request.user).select_related("employer"), pk=pk)
    if kind == "org":
        return get_object_or_404(visible_orgs(request.user).select_related("parent"), pk=pk)
    raise PermissionDenied


@login_required
def find(request: HttpRequest) -> HttpResponse:
    """Step 1: find the civil servant or department (within the user's scope)."""
    access.require(request.user, access.QUERY_ARCHIVES)
    form = FindSubjectForm(request.GET or None)
    people: Any = CivilServant.objects.none()
    orgs: Any = Organization.objects.none()
    if form.is_valid() and (q := form.cleaned_data["q"].strip()):
        people = visible_people(request.user).select_related("employer")
        orgs = visible_orgs(request.user)
        if len(q) == 18 and q[:17].isdigit():
            found = subject_services.find_person_by_id_number(q.upper())
            people, orgs = people.filter(pk=found.pk if found else 0), orgs.none()
        elif is_valid_credit_code(q):
            people, orgs = people.none(), orgs.filter(credit_code=q.upper())
        else:
            people, orgs = people.filter(name__contains=q), orgs.filter(Q(name__contains=q))
        people, orgs = people.order_by("name", "pk")[:50], orgs.order_by("name", "pk")[:50]
    return render(request, "reports/find.html", {"form": form, "people": people, "orgs": orgs})


@login_required
def purpose(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Step 2: the purpose and case reference; the query is logged before anything is shown."""
    access.require(request.user, access.QUERY_ARCHIVES)
    subject = _subject(request, kind, pk)
    form = PurposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            query = services.log_query(_user(request), subject, action=QueryAction.ARCHIVE, **form.cleaned_data)
        except ValidationError as e:
            for field, errors in e.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("reports:archive", pk=query.pk)
    return render(request, "reports/purpose.html", {"form": form, "subject": subject, "kind": kind})


def _own_query(request: HttpRequest, pk: int) -> ArchiveQuery:
    query: ArchiveQuery = get_object_or_404(
        ArchiveQuery.objects.select_related("subject_person__employer", "subject_org"),
        pk=pk, user_id=request.user.pk, action=QueryAction.ARCHIVE)
    return query


@login_required
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 3: the archive, as the logged query allows (ID numbers masked; revealing one is a further step)."""
    query = _own_query(request, pk)
    subject = query.subject_person or query.subject_org
    assert subject is not None
    if not (visible_people(request.user) if query.subject_person else visible_orgs(request.user)
            ).filter(pk=subject.pk).exists():
        raise PermissionDenied(_("该主体已不在您的查询范围内"))
    context = {
        "query": query, "subject": subject, "person": query.subject_person,
        "records": archive_of(request.user, **services.subject_filter(subject))[:200],
        "posts": query.subject_person.posts.select_related("employer") if query.subject_person else [],
        "can_reveal": query.subject_person is not None and access.can_see_full_id(request.user),
        "revealed": request.session.pop(f"reports:revealed:{query.pk}", None),
    }
    return render(request, "reports/archive.html", context)


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the full ID number once, after logging it as its own action with the query's purpose."""
    query = _own_query(request, pk)
    if query.subject_person is None:
        raise PermissionDenied
    number = services.reveal_id_number(_user(request), query.subject_person, purpose=query.purpose,
                                       purpose_text=query.purpose_text, case_reference=query.case_reference)
    request.session[f"reports:revealed:{query.pk}"] = number
    return redirect("reports:archive", pk=query.pk)


@login_required
@require_POST
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    query = _own_query(request, pk)
    subject = query.subject_person or query.subject_org
    assert subject is not None
    report, code = services.issue_report(_user(request), subject, purpose=query.purpose,
                                         purpose_text=query.purpose_text, case_reference=query.case_reference,
                                         verify_url=request.build_absolute_uri(reverse("reports:verify")))
    request.session[f"reports:code:{report.number}"] = code
    messages.success(request, _("信用报告 %(n)s 已出具并留痕。") % {"n": report.number})
    return redirect("reports:report", number=report.number)


@login_required
def report(request: HttpRequest, number: str) -> HttpResponse:
    found = get_object_or_404(visible_reports(request.user), number=number)
    code = request.session.get(f"reports:code:{number}")
    return render(request, "reports/report.html", {"report": found, "c": found.content, "code": code})


@login_required
def report_pdf(request: HttpRequest, number: str) -> FileResponse:
    found = get_object_or_404(visible_reports(request.user), number=number)
    return FileResponse(open(found.pdf_path, "rb"), as_attachment=True, filename=f"{found.number}.pdf",  # noqa: SIM115
                        content_type="application/pdf")


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    reports = visible_reports(request.user)
    if not access.has(request.user, access.ISSUE_REPORTS | {Role.SUBJECT}):
        raise PermissionDenied
    return render(request, "reports/report_list.html", paginate(request, reports))


@login_required
def audit(request: HttpRequest) -> HttpResponseBase:
    """The credit office's audit of every query; the same filters export to XLSX."""
    access.require(request.user, access.AUDIT_QUERIES)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = audit_queries(request.user, **{k: v for k, v in filters.items() if v})
    if request.GET.get("format") == "xlsx":
        return exports.queries_xlsx(rows)
    return render(request, "reports/audit.html", {"form": form, **paginate(request, rows)})


@login_required
def looked_at_me(request: HttpRequest) -> HttpResponse:
    """A subject sees who looked at its archive and why."""
    if not access.has(request.user, {Role.SUBJECT}):
        raise PermissionDenied
    return render(request, "reports/looked_at_me.html", paginate(request, queries_about_me(request.user)))


def verify(request: HttpRequest) -> HttpResponse:
    """Public: by number and code (typed, or from the QR code's link), or by uploading the PDF."""
    result = None
    form = VerifyForm(request.GET if request.method == "GET" and "number" in request.GET else None)
    file_form = VerifyFileForm(request.POST or None, request.FILES or None)
    asked = form.is_bound or request.method == "POST"
    rate = rate_setting("GOVCREDIT_VERIFY_RATE", "30/m")
    if asked and rate and hit("verify", client_address(request), rate):
        return render(request, "reports/verify.html", {"form": form, "file_form": file_form,
                                                       "limited": True}, status=429)
    if form.is_bound and form.is_valid():
        result = services.verify(form.cleaned_data["number"], form.cleaned_data["code"])
    elif request.method == "POST" and file_form.is_valid():
        upload = file_form.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            file_form.add_error("file", _("文件超过 20 MB，不是本平台出具的报告"))
        else:
            result = services.verify_pdf(upload.read())
    return render(request, "reports/verify.html", {"form": form, "file_form": file_form, "result": result})


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    """任前审查: upload a list of candidates with the purpose; the batch runs in the task queue."""
    access.require(request.user, access.ISSUE_REPORTS)
    form = ReviewForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        upload = d["file"]
        try:
            batch = review.submit(_user(request), upload.read(), upload.name, purpose=d["purpose"],
                                  purpose_text=d["purpose_text"], case_reference=d["case_reference"],
                                  verify_url=request.build_absolute_uri(reverse("reports:verify")))
        except ValidationError as e:
            form.add_error(None, e)
        else:
            review.enqueue(batch)
            return redirect("reports:review_detail", pk=batch.pk)
    return render(request, "reports/reviews.html", {"form": form, **paginate(request, visible_reviews(request.user))})


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(visible_reviews(request.user), pk=pk)
    return render(request, "reports/review_detail.html", {"batch": batch, "status": review.status_of(batch)})


@login_required
def review_status(request: HttpRequest, pk: int) -> JsonResponse:
    batch = get_object_or_404(visible_reviews(request.user), pk=pk)
    return JsonResponse(review.status_of(batch), json_dumps_params={"ensure_ascii": False})


@login_required
def review_file(request: HttpRequest, pk: int, what: str) -> FileResponse:
    batch = get_object_or_404(visible_reviews(request.user), pk=pk, status=ReviewStatus.DONE)
    if what == "zip":
        return FileResponse(open(batch.zip_path, "rb"), as_attachment=True,  # noqa: SIM115
                            filename=f"任前审查_{batch.pk}_报告.zip", content_type="application/zip")
    if what == "xlsx":
        return FileResponse(open(batch.summary_path, "rb"), as_attachment=True,  # noqa: SIM115
                            filename=f"任前审查_{batch.pk}_汇总.xlsx")
    raise Http404


@login_required
def education(request: HttpRequest) -> HttpResponse:
    """诚信教育: completion of the year's target per department in the user's scope; the credit office sets
    the target; the same table exports to XLSX."""
    access.require(request.user, access.READ_EDUCATION)
    year = parse_year(request.GET.get("year"))
    form = EducationTargetForm(request.POST or None, initial={"hours": education_rules.target_hours(year)})
    if request.method == "POST" and form.is_valid():
        education_rules.set_target(request.user, year, form.cleaned_data["hours"], form.cleaned_data["reason"])
        messages.success(request, _("年度目标已保存并留痕。"))
        return redirect(f"{reverse('reports:education')}?year={year}")
    rows = education_rules.completion(request.user, year)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(education_rules.completion_xlsx(rows, year), content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''education-{year}.xlsx"
        return response
    return render(request, "reports/education.html", {
        "year": year, "target": education_rules.target_hours(year), "rows": rows, "form": form,
        "can_set": access.has(request.user, access.AUDIT_QUERIES)})


@login_required
def rosters(request: HttpRequest) -> HttpResponse:
    """核查比对: upload a roster from the personnel database; the differences not reported before are listed."""
    access.require(request.user, access.RECONCILE_ROSTER)
    form = RosterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check = roster.compare(_user(request), upload.read(), upload.name)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, _("核查完成：新发现差异 %(n)d 条，此前未处理的仍有 %(o)d 条。")
                             % {"n": check.new_findings, "o": check.still_open})
            return redirect("reports:roster_detail", pk=check.pk)
    return render(request, "reports/rosters.html", {"form": form, **paginate(request, visible_checks(request.user))})


@login_required
def roster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(visible_checks(request.user), pk=pk)
    findings = check.findings.select_related("person__employer").order_by("status", "row", "pk")
    return render(request, "reports/roster_detail.html", {"check": check, "form": ResolveForm(),
                                                          **paginate(request, findings, per_page=50)})


@login_required
@require_POST
def roster_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, access.RECONCILE_ROSTER)
    finding = get_object_or_404(RosterFinding.objects.select_related("person__employer"), pk=pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            roster.resolve(_user(request), finding, **form.cleaned_data)
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        else:
            messages.success(request, _("已处理并留痕。"))
    else:
        messages.error(request, _("请选择处理方式并填写处理说明。"))
    return redirect("reports:roster_detail", pk=finding.check_run_id)
