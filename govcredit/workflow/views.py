"""The inbox page: what waits for the signed-in user, with counts and the latest notifications."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from govcredit.core.paging import paginate

from . import kinds, services
from .sections import render_sections
from .selectors import notifications_of


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    box = services.inbox(request.user)
    labels = {k.code: k.label for k in kinds.all_kinds()}
    notes = notifications_of(request.user)[:20]
    paged = paginate(request, box.cases)
    rows = [(case, labels.get(case.kind, case.kind)) for case in paged["page_obj"]]
    return render(request, "workflow/inbox.html", {"box": box, "rows": rows, "notifications": notes,
                                                   "sections": render_sections(request), **paged})
