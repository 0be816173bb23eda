from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from govcredit.accounts import access

from .models import LedgerEntry
from .services import verify


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Recent entries; the credit office can verify the whole chain from here."""
    access.require(request.user, access.VERIFY_LEDGER)
    report = verify() if request.method == "POST" else None
    entries = LedgerEntry.objects.order_by("-seq")[:50]
    return render(request, "ledger/overview.html", {"entries": entries, "report": report})
