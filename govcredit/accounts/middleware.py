"""After a password reset (or for a user created with a temporary password) nothing but the password
change, the logout and the language switch opens until the user has chosen their own password."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

#: What a user who must change their password may still open (URL names).
OPEN = {"accounts:password_change", "accounts:logout", "set_language"}


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            try:
                name = resolve(request.path_info).view_name
            except Resolver404:
                name = ""
            if name not in OPEN:
                message = _("请先修改密码（管理员重置或创建账号后须由本人设置新密码）。")
                if request.path_info.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=403)
                return redirect("accounts:password_change")
        return self.get_response(request)
