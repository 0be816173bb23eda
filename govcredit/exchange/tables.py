"""The shared-query log as a table (core/tables.py): the same columns on the page and in its XLSX export."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from govcredit.core.tables import Column, Table

from .models import ExchangeExport, SharedQueryLog


def _method(log: SharedQueryLog) -> str:
    return str(_("接口令牌") if log.auth_method == "token" else _("登录会话"))


def _params(log: SharedQueryLog) -> str:
    return " ".join(f"{k}={v}" for k, v in (log.params or {}).items())


QUERY_LOG: Table[SharedQueryLog] = Table([
    Column(_("时间"), lambda log: log.created_at, sort="time", order=("created_at",)),
    Column(_("用户"), lambda log: log.user.username, sort="user", order=("user__username",)),
    Column(_("单位"), lambda log: log.organization.name if log.organization else "—", sort="org",
           order=("organization__path",)),
    Column(_("角色"), lambda log: log.role, sort="role"),
    Column(_("方式"), _method),
    Column(_("事由"), lambda log: log.purpose),
    Column(_("查询条件"), _params),
    Column(_("结果条数"), lambda log: log.result_count, sort="results", order=("result_count",)),
    Column(_("来源地址"), lambda log: log.client_ip or ""),
], default="-time")


def _range(export: ExchangeExport) -> str:
    since = timezone.localtime(export.since).strftime("%Y-%m-%d %H:%M:%S") if export.since else gettext("（全量）")
    return f"{since} — {timezone.localtime(export.until):%Y-%m-%d %H:%M:%S}"


def _count(key: str) -> Callable[[ExchangeExport], int]:
    return lambda export: int((export.counts or {}).get(key, 0))


EXPORTS: Table[ExchangeExport] = Table([
    Column(_("批次"), lambda e: e.batch_code, sort="batch", order=("id",),
           link=lambda e: reverse("exchange:export_detail", args=[e.pk])),
    Column(_("状态"), lambda e: gettext(e.get_status_display()), sort="status"),
    Column(_("时间范围（记录更新时间）"), _range, sort="until", order=("until",)),
    Column(_("行政处罚"), _count("xzcf")),
    Column(_("行政许可"), _count("xzxk")),
    Column(_("撤回"), _count("withdrawn")),
    Column(_("证件号码"), lambda e: gettext(e.get_id_numbers_display())),
    Column(_("接收"), lambda e: int(getattr(e, "n_accepted", 0)), sort="accepted", order=("n_accepted",)),
    Column(_("拒绝"), lambda e: int(getattr(e, "n_rejected", 0)), sort="rejected", order=("n_rejected",),
           badge=lambda e: "bad" if getattr(e, "n_rejected", 0) else ""),
    Column(_("操作员"), lambda e: e.operator, sort="operator"),
], default="-batch")
