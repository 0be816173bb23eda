"""The workflow's part of the home page (registered in ``apps.py``): the user's to-dos — the cases waiting
for them, how many are overdue, unread notifications — each linking to the inbox, and, per kind, the
count of open cases."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from govcredit.core.home import Count, HomeTile

from . import services

KEY = "workflow"


def counts(request: HttpRequest) -> list[Count]:
    box = services.inbox(request.user)
    inbox = reverse("workflow:inbox")
    figures = [Count(_("待办事项"), box.total, "todo-total", inbox),
               Count(_("已逾期"), box.overdue, "todo-overdue", inbox),
               Count(_("未读通知"), box.unread, "todo-unread", f"{inbox}#notifications")]
    return figures + [Count(_(label), n, url=inbox) for label, n in box.by_kind]


HOME_TILE = HomeTile(order=5, counts=counts)
