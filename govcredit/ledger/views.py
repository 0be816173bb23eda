import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from govcredit.accounts import access
from govcredit.core import jobs
from govcredit.core.paging import paginate

from .forms import LedgerSearchForm
from .hashing import micros
from .jobs import LEDGER_JOB, LEDGER_TASK
from .models import LedgerEntry
from .readable import about, describe


def _day_start(day: dt.date) -> int:
    return micros(timezone.make_aware(dt.datetime.combine(day, dt.time.min)))


def search(form: LedgerSearchForm) -> QuerySet[LedgerEntry]:
    """The entries the form's filters select, newest first (all of them for an empty or invalid form)."""
    entries = LedgerEntry.objects.order_by("-seq")
    if not form.is_valid():
        return entries
    data = form.cleaned_data
    if subject := data["subject"].strip():
        where = about(subject)
        entries = entries.filter(where) if where is not None else entries.none()
    if data["action"]:
        entries = entries.filter(action=data["action"])
    if actor := data["actor"].strip():
        entries = entries.filter(Q(actor__icontains=actor) | Q(actor_user__first_name__icontains=actor)
                                 | Q(actor_user__username__icontains=actor))
    if data["since"]:
        entries = entries.filter(ts__gte=_day_start(data["since"]))
    if data["until"]:
        entries = entries.filter(ts__lt=_day_start(data["until"] + dt.timedelta(days=1)))
    return entries


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The entries, searchable and paged, and the state of the whole-chain verification, which runs in the
    task queue. The page only reads; the credit office's POST enqueues a verification run (never runs it here).
    """
    access.require(request.user, access.VERIFY_LEDGER)
    if request.method == "POST":
        if jobs.request_run(LEDGER_JOB, LEDGER_TASK):
            messages.success(request, _("已提交核验任务，由后台执行；本页显示进度和结果。"))
        else:
            messages.info(request, _("核验任务已在排队或进行中，请稍后刷新本页查看结果。"))
        return redirect("ledger:overview")
    form = LedgerSearchForm(request.GET or None)
    context = paginate(request, search(form), per_page=50)
    context["entries"] = describe(context["page_obj"].object_list, request.user)
    return render(request, "ledger/overview.html", {**context, "form": form, "run": jobs.state_of(LEDGER_JOB)})
