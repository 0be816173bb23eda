from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .home import home_context
from .params import BadParameter


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The home page: what each app registered in ``core.home`` (counts, then sections)."""
    return render(request, "core/home.html", home_context(request))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page (``handler400``): a parameter refused by ``core.params`` says why, in Chinese."""
    message = str(exception) if isinstance(exception, BadParameter) else "请求无法处理，请检查链接或输入。"
    return render(request, "400.html", {"message": message}, status=400)
