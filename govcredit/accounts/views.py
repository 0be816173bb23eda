"""The login page, throttled per client address before any password is hashed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from govcredit.core.ratelimit import client_address, hit, rate_setting

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
