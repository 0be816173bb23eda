from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from govcredit.accounts import access
from govcredit.core import jobs

from .jobs import LEDGER_JOB, LEDGER_TASK
from .models import LedgerEntry


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Recent entries and the state of the whole-chain verification, which runs in the task queue.

    The page only reads; the credit office's POST enqueues a verification run (never runs it here).
    """
    access.require(request.user, access.VERIFY_LEDGER)
    if request.method == "POST":
        if jobs.request_run(LEDGER_JOB, LEDGER_TASK):
            messages.success(request, _("已提交核验任务，由后台执行；本页显示进度和结果。"))
        else:
            messages.info(request, _("核验任务已在排队或进行中，请稍后刷新本页查看结果。"))
        return redirect("ledger:overview")
    entries = LedgerEntry.objects.order_by("-seq")[:50]
    return render(request, "ledger/overview.html", {"entries": entries, "run": jobs.state_of(LEDGER_JOB)})
