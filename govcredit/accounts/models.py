"""Users, roles and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CREDIT_OFFICE = "credit_office", _("信用管理部门")
    SUBMITTER = "submitter", _("数据报送单位")
    PERSONNEL = "personnel", _("组织人事部门")
    DISTRICT = "district", _("区政府")
    SUBJECT = "subject", _("信用主体")
    PUBLIC = "public", _("社会公众")
    THIRD_PARTY = "third_party", _("第三方评估机构")


class User(AbstractUser):
    """A user belongs to an organisation and acts in one role within its subtree."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.PUBLIC)
    organization = models.ForeignKey("subjects.Organization", verbose_name="所属单位", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="users")
    civil_servant = models.ForeignKey("subjects.CivilServant", verbose_name="本人档案", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"


class ApiToken(models.Model):
    """A bearer token for machine clients; only its SHA-256 is stored."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=100)
    prefix = models.CharField("前缀", max_length=8)
    key_hash = models.CharField("摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked = models.BooleanField("已吊销", default=False)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
