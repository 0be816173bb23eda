"""Users, roles and API tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from govcredit.ledger.models import LedgeredModel, LedgeredQuerySet


class Role(models.TextChoices):
    CREDIT_OFFICE = "credit_office", _("信用管理部门")
    SUBMITTER = "submitter", _("数据报送单位")
    PERSONNEL = "personnel", _("组织人事部门")
    DISTRICT = "district", _("区政府")
    SUBJECT = "subject", _("信用主体")
    PUBLIC = "public", _("社会公众")
    THIRD_PARTY = "third_party", _("第三方评估机构")


class UserManager(DjangoUserManager.from_queryset(LedgeredQuerySet)):  # type: ignore[misc]
    """Django's user manager over the ledger's guarded query set; ``createsuperuser`` writes its ledger entry."""

    def _create_user(self, username: str, email: str | None, password: str | None, **extra_fields: Any) -> User:
        from govcredit.ledger.services import save_with_entry

        user: User = self._create_user_object(username, email, password, **extra_fields)
        save_with_entry(user, actor="system", action="account.create", reason="命令行创建用户")
        return user


class User(LedgeredModel, AbstractUser):
    """A user belongs to an organisation and acts in one role within its subtree.

    A ledgered model: creating a user and every change of role, organisation, password or activity goes
    through ``accounts.services`` with its ledger entry. The last-login time is left out of the ledger (a
    login is not a decision); the password hash is in the state digest (a hash swapped behind the
    application is found) but never in an entry's changed values.
    """

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.PUBLIC)
    organization = models.ForeignKey("subjects.Organization", verbose_name="所属单位", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="users")
    civil_servant = models.ForeignKey("subjects.CivilServant", verbose_name="本人档案", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    must_change_password = models.BooleanField("须在下次登录时修改密码", default=False)

    objects: ClassVar[UserManager] = UserManager()
    ledger_unhashed: ClassVar[frozenset[str]] = frozenset({"last_login"})
    ledger_hidden: ClassVar[frozenset[str]] = frozenset({"password"})

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if set(kwargs.get("update_fields") or ()) == {"last_login"}:  # Django's login signal: not ledgered
            super(LedgeredModel, self).save(*args, **kwargs)
            return
        super().save(*args, **kwargs)

    def check_password(self, raw_password: str | None) -> bool:
        """Django's check; a hash made with older parameters is renewed through the ledger."""
        def renew(raw: str) -> None:
            from govcredit.ledger.services import save_with_entry

            self.set_password(raw)
            self._password = None
            save_with_entry(self, actor="system", action="account.rehash", reason="按当前参数重新计算密码散列")

        return check_password(raw_password, self.password, renew)


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
