"""Pages for subjects: search, view and edit organisations and civil servants within one's scope."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from govcredit.accounts import access
from govcredit.core import clock
from govcredit.core.paging import paginate
from govcredit.ledger.services import history

from . import services
from .filters import filter_orgs, filter_people
from .forms import (
    OrgCreateForm,
    OrgEditForm,
    OrgSearchForm,
    PersonCreateForm,
    PersonSearchForm,
    PostChangeForm,
)
from .panels import render_panels
from .selectors import visible_orgs, visible_people


def _need_read(request: HttpRequest) -> None:
    access.require(request.user, access.READ_SUBJECTS)


@login_required
def org_list(request: HttpRequest) -> HttpResponse:
    _need_read(request)
    form = OrgSearchForm(request.GET)
    orgs = visible_orgs(request.user).select_related("parent")
    if form.is_valid():
        orgs = filter_orgs(orgs, q=form.cleaned_data["q"], org_type=form.cleaned_data["org_type"])
    return render(request, "subjects/org_list.html", {"form": form, **paginate(request, orgs)})


@login_required
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _need_read(request)
    org = get_object_or_404(visible_orgs(request.user).select_related("parent"), pk=pk)
    context = {
        "org": org,
        "children": visible_orgs(request.user).filter(parent=org)[:200],
        "staff": visible_people(request.user).filter(employer=org)[:200],
        "panels": render_panels(request, subject_org=org),
        "can_edit": access.can_edit_org(request.user, org),
        "history": history(org).order_by("-seq")[:20],
    }
    return render(request, "subjects/org_detail.html", context)


@login_required
def org_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Register an organisation below ``pk`` (the credit office anywhere, a district in its subtree)."""
    parent = get_object_or_404(visible_orgs(request.user), pk=pk)
    if not access.can_edit_org(request.user, parent):
        raise PermissionDenied("您无权在该单位下登记下级单位")
    form = OrgCreateForm(request.POST or None, initial={"region_code": parent.region_code})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            org = services.register_organization(name=d["name"], credit_code=d["credit_code"], org_type=d["org_type"],
                                                 region_code=d["region_code"], parent=parent,
                                                 actor=request.user.get_username(), reason=d["reason"])
        except ValidationError as e:
            _add_errors(form, e)
        else:
            messages.success(request, f"已登记 {org.name}，已留痕。")
            return redirect("subjects:org_detail", pk=org.pk)
    return render(request, "subjects/create.html", {"form": form, "title": f"在“{parent.name}”下登记单位",
                                                    "back": parent.get_absolute_url()})


@login_required
def person_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a civil servant employed by organisation ``pk``."""
    employer = get_object_or_404(visible_orgs(request.user), pk=pk)
    if not access.can_edit_org(request.user, employer):
        raise PermissionDenied("您无权为该单位登记公务员")
    form = PersonCreateForm(request.POST or None, initial={"start_date": clock.today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            person = services.register_civil_servant(name=d["name"], id_number=d["id_number"], employer=employer,
                                                     post=d["post"], rank=d["rank"], start_date=d["start_date"],
                                                     actor=request.user.get_username(),
                                                     visible=visible_people(request.user))
        except ValidationError as e:
            _add_errors(form, e)
        else:
            messages.success(request, f"已登记 {person.name}，已留痕。")
            return redirect("subjects:person_detail", pk=person.pk)
    return render(request, "subjects/create.html", {"form": form, "title": f"为“{employer.name}”登记公务员",
                                                    "back": employer.get_absolute_url()})


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    """Attach a service's errors to the form fields they name, the rest to the form."""
    for name, messages_ in error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]:
        for msg in messages_:
            form.add_error(name if name in form.fields else None, msg)


@login_required
def org_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(visible_orgs(request.user), pk=pk)
    if not access.can_edit_org(request.user, org):
        raise PermissionDenied("您无权修改该单位")
    initial = {"name": org.name, "org_type": org.org_type, "region_code": org.region_code, "is_active": org.is_active}
    form = OrgEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            services.change_organization(org, data, actor=request.user.get_username(), reason=reason)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, "已保存，修改已留痕。")
            return redirect("subjects:org_detail", pk=org.pk)
    return render(request, "subjects/org_edit.html", {"org": org, "form": form})


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    _need_read(request)
    form = PersonSearchForm(request.GET)
    people = visible_people(request.user).select_related("employer")
    if form.is_valid():
        people = filter_people(people, q=form.cleaned_data["q"], status=form.cleaned_data["status"])
        number = form.cleaned_data["id_number"].strip().upper()
        if number:
            if not access.can_see_full_id(request.user):
                raise PermissionDenied("您的角色不能按身份证号查询")
            found = services.find_person_by_id_number(number)
            people = people.filter(pk=found.pk) if found else people.none()
    return render(request, "subjects/person_list.html", {"form": form, **paginate(request, people)})


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _need_read(request)
    person = get_object_or_404(visible_people(request.user).select_related("employer"), pk=pk)
    context = {
        "person": person,
        "id_number": person.id_masked,  # the full number only through the logged reveal (reports app)
        "can_reveal": access.can_see_full_id(request.user),
        "posts": person.posts.select_related("employer"),
        "panels": render_panels(request, subject_person=person),
        "can_edit": access.can_edit_org(request.user, person.employer),
    }
    return render(request, "subjects/person_detail.html", context)


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(visible_people(request.user).select_related("employer"), pk=pk)
    if not access.can_edit_org(request.user, person.employer):
        raise PermissionDenied("您无权修改该公务员信息")
    employers = visible_orgs(request.user)
    initial = {"employer": person.employer_id, "post": person.post, "rank": person.rank, "status": person.status,
               "effective": clock.today()}
    form = PostChangeForm(request.POST or None, initial=initial, employers=employers)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.change_post(person, employer=d["employer"], post=d["post"], rank=d["rank"], status=d["status"],
                                 effective=d["effective"], actor=request.user.get_username(), reason=d["reason"])
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, "任职变动已保存并留痕。")
            return redirect("subjects:person_detail", pk=person.pk)
    return render(request, "subjects/person_edit.html", {"person": person, "form": form})
