"""Credit subjects (信用主体): the organisation tree and civil servants."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from govcredit.core import crypto
from govcredit.ledger.models import LedgeredModel

from .identifiers import mask_id_number, validate_credit_code_field


class OrgType(models.TextChoices):
    GOVERNMENT = "机关", _("机关")
    INSTITUTION = "事业单位", _("事业单位")
    MASS_ORG = "群众团体", _("群众团体")
    ZONE = "功能区", _("功能区")
    STREET = "街道", _("街道")
    TOWN = "乡镇", _("乡镇")
    VILLAGE = "村民委员会", _("村民委员会")
    RESIDENTS = "居民委员会", _("居民委员会")
    OTHER = "其他", _("其他")


class OrgLevel(models.IntegerChoices):
    CITY = 0, "市"
    DEPARTMENT = 1, "市级部门/区"
    STREET = 2, "街道/乡镇"
    COMMUNITY = 3, "村/社区"


class Organization(LedgeredModel):
    """An organisation; ``path`` is the chain of credit codes from the root, for subtree scope."""

    name = models.CharField("名称", max_length=200, db_index=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code_field])
    org_type = models.CharField("类型", max_length=20, choices=OrgType.choices)
    region_code = models.CharField("行政区划代码", max_length=6)
    parent = models.ForeignKey("self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    path = models.CharField("层级路径", max_length=400, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField("层级", default=0, editable=False)
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("subjects:org_detail", args=[self.pk])

    def compute_path(self) -> None:
        prefix = self.parent.path if self.parent else ""
        self.path = f"{prefix}{self.credit_code}/"
        self.depth = self.parent.depth + 1 if self.parent else 0


class ServantStatus(models.TextChoices):
    ACTIVE = "在职", _("在职")
    TRANSFERRED = "调任", _("调任")
    RETIRED = "退休", _("退休")
    LEFT = "离职", _("离职")


class CivilServant(LedgeredModel):
    """A civil servant. The ID number is kept encrypted, with a blind index and a masked copy."""

    name = models.CharField("姓名", max_length=50, db_index=True)
    id_cipher = models.TextField("身份证号（密文）", editable=False)
    id_index = models.CharField("身份证号索引", max_length=64, unique=True, editable=False)
    id_masked = models.CharField("身份证号", max_length=18, editable=False)
    gender = models.CharField("性别", max_length=1, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    employer = models.ForeignKey(Organization, verbose_name="工作单位", on_delete=models.PROTECT, related_name="staff")
    post = models.CharField("职务", max_length=100)
    rank = models.CharField("职级", max_length=50, blank=True)
    status = models.CharField("状态", max_length=4, choices=ServantStatus.choices, default=ServantStatus.ACTIVE)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    ledger_hidden: ClassVar[frozenset[str]] = frozenset({"id_index"})  # history pages never show it

    class Meta:
        verbose_name = "公务员"
        verbose_name_plural = "公务员"
        ordering = ["employer_id", "name"]

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, number: str) -> None:
        self.id_cipher = crypto.encrypt(number)
        self.id_index = crypto.blind_index(number)
        self.id_masked = mask_id_number(number)

    def full_id_number(self) -> str:
        return crypto.decrypt(self.id_cipher)


class PostAssignment(LedgeredModel):
    """A period of a civil servant in one post: the history of posts."""

    person = models.ForeignKey(CivilServant, verbose_name="公务员", on_delete=models.PROTECT, related_name="posts")
    employer = models.ForeignKey(Organization, verbose_name="工作单位", on_delete=models.PROTECT, related_name="+")
    post = models.CharField("职务", max_length=100)
    rank = models.CharField("职级", max_length=50, blank=True)
    status = models.CharField("状态", max_length=4, choices=ServantStatus.choices)
    start_date = models.DateField("起始日期")
    end_date = models.DateField("终止日期", null=True, blank=True)

    class Meta:
        verbose_name = "任职经历"
        verbose_name_plural = "任职经历"
        ordering = ["person_id", "-start_date"]
