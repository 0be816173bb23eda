"""The project and promise lists as tables (core/tables.py): the same columns on the page and in the XLSX
export. Only names of organisations, investors' names as registered and post holders' names appear;
investors' phone numbers never."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from govcredit.core.tables import Column, Table, display

from .models import PPPProject, Promise


def _project_url(p: PPPProject) -> str:
    return p.get_absolute_url()


def _promise_url(p: Promise) -> str:
    return p.get_absolute_url()


def _annotated(row: Any, name: str) -> str:
    value = getattr(row, name, None)
    return "—" if value is None else display(value)


PROJECTS: Table[PPPProject] = Table([
    Column(_("项目编号"), lambda p: p.number, sort="number", link=_project_url),
    Column(_("项目名称"), lambda p: p.name, sort="name"),
    Column(_("实施机构"), lambda p: p.org.name, sort="org", order=("org__path",)),
    Column(_("社会资本方"), lambda p: p.partner_name or "—"),
    Column(_("总投资（万元）"), lambda p: p.investment, sort="investment"),
    Column(_("当前阶段"), lambda p: p.get_stage_display(), sort="stage"),
    Column(_("未履行义务"), lambda p: _annotated(p, "n_open"), sort="open", order=("n_open",)),
    Column(_("逾期义务"), lambda p: _annotated(p, "n_overdue"), sort="overdue", order=("n_overdue",)),
], default="number")

PROMISES: Table[Promise] = Table([
    Column(_("承诺编号"), lambda p: p.number, sort="number", link=_promise_url),
    Column(_("承诺单位"), lambda p: p.org.name, sort="org", order=("org__path",)),
    Column(_("投资方"), lambda p: p.investor_name, sort="investor", order=("investor_name",)),
    Column(_("承诺类别"), lambda p: p.get_kind_display(), sort="kind"),
    Column(_("金额（万元）"), lambda p: p.amount if p.amount is not None else "—", sort="amount"),
    Column(_("承诺日期"), lambda p: p.promised_on, sort="promised_on"),
    Column(_("兑现期限"), lambda p: p.due_on, sort="due_on"),
    Column(_("状态"), lambda p: p.get_status_display(), sort="status"),
    Column(_("责任岗位"), lambda p: p.responsible_post),
    Column(_("承诺时在任"), lambda p: _annotated(p, "maker")),
    Column(_("现任"), lambda p: _annotated(p, "holder")),
], default="due_on")
