from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from govcredit.accounts import access
from govcredit.archive.models import RecordStatus
from govcredit.archive.selectors import visible_records

from .params import BadParameter


@login_required
def home(request: HttpRequest) -> HttpResponse:
    records = visible_records(request.user)
    context = {
        "org_count": access.visible_orgs(request.user).count(),
        "person_count": access.visible_people(request.user).count(),
        "record_count": records.count(),
        "objection_count": records.filter(status=RecordStatus.OBJECTION).count(),
        "recent": records.select_related("record_type", "subject_org", "subject_person")[:10],
    }
    return render(request, "core/home.html", context)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page (``handler400``): a parameter refused by ``core.params`` says why, in Chinese."""
    message = str(exception) if isinstance(exception, BadParameter) else "请求无法处理，请检查链接或输入。"
    return render(request, "400.html", {"message": message}, status=400)
