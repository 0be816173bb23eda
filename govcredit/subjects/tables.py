"""The subject lists as tables (core/tables.py): the same columns on the page, in its XLSX export and,
for the sort keys, in the API (``?sort=``). ID numbers appear only as their masked copy."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from govcredit.core.tables import Column, Table, yes_no

from .models import CivilServant, Organization


def _org_url(org: Organization) -> str:
    return org.get_absolute_url()


def _person_url(person: CivilServant) -> str:
    from django.urls import reverse

    return reverse("subjects:person_detail", args=[person.pk])


def _annotated(org: Organization, name: str) -> int:
    """A count that ``selectors.with_counts`` annotated on the row."""
    return int(getattr(org, name))


ORGS: Table[Organization] = Table([
    Column(_("名称"), lambda o: o.name, sort="name", link=_org_url, data=True),
    Column(_("统一社会信用代码"), lambda o: o.credit_code, sort="credit_code"),
    Column(_("类型"), lambda o: o.get_org_type_display(), sort="org_type"),
    Column(_("行政区划"), lambda o: o.region_code, sort="region_code"),
    Column(_("上级单位"), lambda o: o.parent.name if o.parent else "—", sort="parent", order=("parent__name",),
           data=True),
    Column(_("是否有效"), lambda o: yes_no(o.is_active)),
], default="path", extra_sorts={"path": ("path",)})

CHILDREN: Table[Organization] = Table([
    Column(_("名称"), lambda o: o.name, sort="name", link=_org_url, data=True),
    Column(_("类型"), lambda o: o.get_org_type_display(), sort="org_type"),
    Column(_("统一社会信用代码"), lambda o: o.credit_code, sort="credit_code"),
    Column(_("下级单位数"), lambda o: _annotated(o, "n_children"), sort="children", order=("n_children",)),
    Column(_("公务员数"), lambda o: _annotated(o, "n_staff"), sort="staff", order=("n_staff",)),
], default="path", extra_sorts={"path": ("path",)})

PEOPLE: Table[CivilServant] = Table([
    Column(_("姓名"), lambda p: p.name, sort="name", link=_person_url, data=True),
    Column(_("身份证号"), lambda p: p.id_masked),
    Column(_("工作单位"), lambda p: p.employer.name, sort="employer", order=("employer__path",), data=True),
    Column(_("职务"), lambda p: p.post, sort="post", data=True),
    Column(_("职级"), lambda p: p.rank, sort="rank", data=True),
    Column(_("状态"), lambda p: p.get_status_display(), sort="status"),
], default="employer", extra_sorts={})

STAFF: Table[CivilServant] = Table([
    Column(_("姓名"), lambda p: p.name, sort="name", link=_person_url, data=True),
    Column(_("身份证号"), lambda p: p.id_masked),
    Column(_("职务"), lambda p: p.post, sort="post", data=True),
    Column(_("职级"), lambda p: p.rank, sort="rank", data=True),
    Column(_("状态"), lambda p: p.get_status_display(), sort="status"),
], default="name")
