"""The login page (throttled per client address before any password is hashed), the password change,
and the credit office's user management: list, create, assign role and organisation, reset a password,
deactivate and reactivate, each change a ledger entry (``accounts.services``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcredit.core.paging import paginate
from govcredit.core.ratelimit import client_address, hit, rate_setting
from govcredit.ledger.readable import describe
from govcredit.ledger.services import history

from . import access, services
from .forms import PasswordChangeForm, ReasonForm, UserCreateForm, UserEditForm, UserFilterForm
from .models import Role, User
from .selectors import manageable_users, organization_choices, search_users

LOGIN_RATE = ("GOVCREDIT_LOGIN_RATE", "10/m")


def login_retry_after(request: HttpRequest) -> int | None:
    """Count one login attempt of the client's address in the shared cache; the seconds to wait when it is
    over ``GOVCREDIT_LOGIN_RATE`` (default 10 a minute; ``0`` switches it off), else None."""
    rate = rate_setting(*LOGIN_RATE)
    return None if rate is None else hit("login", client_address(request), rate)


class LoginView(auth_views.LoginView):
    """Django's login view behind an attempt counter per address.

    The count comes first, so a flood of attempts from one address is answered from the cache (429) and
    costs no Argon2 hash; django-axes then locks a user name, and separately an address, after repeated
    failures (settings ``AXES_LOCKOUT_PARAMETERS``), also before any hash.
    """

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = login_retry_after(request)
        if wait is not None:
            response = render(request, "accounts/throttled.html", {"wait": wait}, status=429)
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)


def _add_errors(form: Form, error: ValidationError) -> None:
    for name, errors in error.message_dict.items():
        for message in errors:
            form.add_error(name if name in form.fields else None, message)


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Every user changes their own password here; after a reset it is the only page they may open."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        assert isinstance(user, User)
        try:
            changed = services.change_own_password(user, form.cleaned_data["old_password"],
                                                   form.cleaned_data["new_password"])
        except ValidationError as e:
            _add_errors(form, e)
        else:
            update_session_auth_hash(request, changed)  # stay logged in with the new password
            messages.success(request, _("密码已修改。"))
            return redirect("core:home")
    forced = bool(getattr(request.user, "must_change_password", False))
    return render(request, "accounts/password_change.html", {"form": form, "forced": forced})


def _managed(request: HttpRequest) -> QuerySet[User]:
    access.require(request.user, access.MANAGE_USERS)
    return manageable_users(request.user)


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    users = _managed(request)
    form = UserFilterForm(request.GET)
    if form.is_valid():
        if q := form.cleaned_data["q"].strip():
            users = search_users(users, q)
        if form.cleaned_data["role"]:
            users = users.filter(role=form.cleaned_data["role"])
        if form.cleaned_data["active"]:
            users = users.filter(is_active=form.cleaned_data["active"] == "1")
    return render(request, "accounts/user_list.html", {"form": form, **paginate(request, users)})


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    _managed(request)
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        password = services.temporary_password()
        try:
            user = services.create_user(d["username"], password, role=d["role"], organization=d["organization"],
                                        display_name=d["display_name"], actor=request.user, must_change_password=True)
        except ValidationError as e:
            _add_errors(form, e)
        else:
            messages.success(request, _("已创建用户 %(name)s，临时密码：%(password)s（只显示这一次，"
                                        "用户首次登录时须修改）。") % {"name": user.username, "password": password})
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_create.html", {"form": form, "selected_org": _selected_org(form)})


def _selected_org(form: Form) -> Any:
    """The organisation the form holds, to show its name beside the search field after a refused post."""
    if form.is_bound and form.is_valid():
        return form.cleaned_data.get("organization")
    return form.initial.get("organization")


def _detail(request: HttpRequest, user: User, status: int = 200, **forms: Form) -> HttpResponse:
    edit = forms.get("edit") or UserEditForm(actor=request.user, initial={
        "display_name": user.first_name, "role": user.role, "organization": user.organization})
    context = {
        "account": user, "edit_form": edit, "selected_org": _selected_org(edit),
        "reset_form": forms.get("reset") or ReasonForm(prefix="reset"),
        "active_form": forms.get("active") or ReasonForm(prefix="active"),
        "history": describe(history(user).order_by("-seq")[:50], request.user),
        "roles": Role,
    }
    return render(request, "accounts/user_detail.html", context, status=status)


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_object_or_404(_managed(request), pk=pk))


@login_required
@require_POST
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(_managed(request), pk=pk)
    form = UserEditForm(request.POST, actor=request.user)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.update_user(user, role=d["role"], organization=d["organization"], display_name=d["display_name"],
                                 actor=request.user, reason=d["reason"])
        except ValidationError as e:
            _add_errors(form, e)
        else:
            messages.success(request, _("用户信息已修改，已留痕。"))
            return redirect("accounts:user_detail", pk=user.pk)
    return _detail(request, user, edit=form)


@login_required
@require_POST
def user_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(_managed(request), pk=pk)
    form = ReasonForm(request.POST, prefix="reset")
    if form.is_valid():
        password = services.reset_password(user, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("密码已重置，临时密码：%(password)s（只显示这一次，用户下次登录时须修改）。")
                         % {"password": password})
        return redirect("accounts:user_detail", pk=user.pk)
    return _detail(request, user, reset=form)


@login_required
@require_POST
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate an active user, reactivate an inactive one."""
    user = get_object_or_404(_managed(request), pk=pk)
    form = ReasonForm(request.POST, prefix="active")
    if form.is_valid():
        try:
            services.set_active(user, not user.is_active, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as e:
            _add_errors(form, e)
        else:
            messages.success(request, _("用户已启用。") if not user.is_active else _("用户已停用。"))
            return redirect("accounts:user_detail", pk=user.pk)
    return _detail(request, user, active=form)


@login_required
def org_search(request: HttpRequest) -> JsonResponse:
    """The organisations a search text names, within the caller's scope (the search-as-you-type field)."""
    access.require(request.user, access.MANAGE_USERS)
    orgs = organization_choices(request.user, str(request.GET.get("q", ""))[:50])
    return JsonResponse({"results": [{"id": o.pk, "name": o.name, "credit_code": o.credit_code} for o in orgs]})
