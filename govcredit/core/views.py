from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from govcredit.accounts import access
from govcredit.archive.models import RecordStatus
from govcredit.archive.selectors import visible_records


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
