"""The shared-query log as a table (core/tables.py): the same columns on the page and in its XLSX export."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from govcredit.core.tables import Column, Table

from .models import SharedQueryLog


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
