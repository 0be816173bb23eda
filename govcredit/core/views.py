import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .home import home_context
from .params import BadParameter


def home(request: HttpRequest) -> HttpResponse:
    """The front door. A visitor who has not logged in lands on the public portal (where staff log in);
    a logged-in user gets their home page: what each app registered in ``core.home`` (counts, then
    sections). The portal's URL name is the one thing ``core`` knows of the pages above it."""
    if not request.user.is_authenticated:
        return redirect("portal:landing")
    return render(request, "core/home.html", home_context(request))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page (``handler400``): a parameter refused by ``core.params`` says why, in Chinese."""
    message = str(exception) if isinstance(exception, BadParameter) else _("请求无法处理，请检查链接或输入。")
    return render(request, "400.html", {"message": message}, status=400)


def _error_page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "error.html", {"title": title, "message": message}, status=status)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 403 page (``handler403``), in the site frame and the page's language, with a way back."""
    return _error_page(request, 403, _("无权访问"), _("您的角色无权查看此页面或进行此操作。"))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 404 page (``handler404``): nothing here, or nothing the user may see (the same answer)."""
    return _error_page(request, 404, _("页面不存在"), _("没有找到这个页面，或者它不在您的查看范围内。"))


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page (``handler500``); falls back to plain text if the frame itself cannot be drawn."""
    try:
        return _error_page(request, 500, _("系统出错"), _("处理请求时出错，已记录，请稍后再试。"))
    except Exception:
        logging.getLogger("govcredit").exception("500 页面无法生成")
        return HttpResponseServerError("系统出错，请稍后再试。 Server error.", content_type="text/plain; charset=utf-8")
