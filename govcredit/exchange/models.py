"""Exchange with the national platform and other departments (共享交换).

These rows describe exports, acknowledgements and queries; the records themselves stay in the archive.
They are plain models: an export's files carry their SHA-256 in the manifest and in :class:`ExchangeFile`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govcredit.archive.models import CreditRecord
from govcredit.subjects.models import Organization


class ExportStatus(models.TextChoices):
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


class IdNumbers(models.TextChoices):
    MASKED = "masked", _("脱敏")
    FULL = "full", _("完整（仅操作员在命令行导出）")


class ExchangeExport(models.Model):
    """One run of the national 双公示 export: the records changed in (since, until]."""

    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=ExportStatus.choices, default=ExportStatus.RUNNING)
    since = models.DateTimeField("起始水位（不含）", null=True, blank=True,
                                 help_text="上一次成功导出的截止水位；为空表示全量")
    until = models.DateTimeField("截止水位（含）", help_text="记录更新时间不晚于此时间")
    id_numbers = models.CharField("证件号码", max_length=6, choices=IdNumbers.choices, default=IdNumbers.MASKED)
    operator = models.CharField("操作员", max_length=150)
    counts = models.JSONField("条数", default=dict, blank=True)
    directory = models.CharField("目录（MEDIA_ROOT 下）", max_length=300, blank=True)
    manifest_sha256 = models.CharField("清单 SHA-256", max_length=64, blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "国家平台导出"
        verbose_name_plural = "国家平台导出"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"GC{self.pk:06d}"

    @property
    def batch_code(self) -> str:
        return f"GC{self.pk:06d}"

    @property
    def total_rows(self) -> int:
        return sum(int(v) for k, v in (self.counts or {}).items() if k != "withdrawn")


class ExchangeFile(models.Model):
    export = models.ForeignKey(ExchangeExport, verbose_name="导出批次", on_delete=models.PROTECT, related_name="files")
    kind = models.CharField("类别", max_length=20, help_text="xzcf、xzxk、withdrawals 或 manifest")
    name = models.CharField("文件名", max_length=120, unique=True)
    rows = models.PositiveIntegerField("数据行数", default=0)
    size = models.BigIntegerField("字节数", default=0)
    sha256 = models.CharField("SHA-256", max_length=64)

    class Meta:
        verbose_name = "导出文件"
        verbose_name_plural = "导出文件"
        ordering = ["export_id", "id"]

    def __str__(self) -> str:
        return self.name


class ItemAction(models.TextChoices):
    REPORT = "上报", _("上报")
    WITHDRAW = "撤回", _("撤回")


class ExchangeItem(models.Model):
    """One row of one export file: which record (in which state) went out, at which row."""

    export = models.ForeignKey(ExchangeExport, verbose_name="导出批次", on_delete=models.PROTECT, related_name="items")
    file = models.ForeignKey(ExchangeFile, verbose_name="文件", on_delete=models.PROTECT, related_name="items")
    row_number = models.PositiveIntegerField("行号（数据行，从 1 起）")
    record = models.ForeignKey(CreditRecord, verbose_name="信用记录", on_delete=models.PROTECT, related_name="+")
    record_updated_at = models.DateTimeField("记录更新时间（导出时）")
    decision_number = models.CharField("决定文书号", max_length=100)
    action = models.CharField("动作", max_length=2, choices=ItemAction.choices, default=ItemAction.REPORT)

    class Meta:
        verbose_name = "导出明细"
        verbose_name_plural = "导出明细"
        constraints = [models.UniqueConstraint(fields=["file", "row_number"], name="exchange_item_file_row")]
        indexes = [
            models.Index(fields=["record", "record_updated_at"], name="exchange_item_record_version"),
            models.Index(fields=["export", "decision_number"], name="exchange_item_export_number"),
        ]

    def __str__(self) -> str:
        return f"{self.file.name}#{self.row_number}"


class ExchangeAck(models.Model):
    """The national platform's answer for one exported row (the latest answer wins)."""

    item = models.OneToOneField(ExchangeItem, verbose_name="导出明细", on_delete=models.PROTECT, related_name="ack")
    export = models.ForeignKey(ExchangeExport, verbose_name="导出批次", on_delete=models.PROTECT, related_name="acks")
    record = models.ForeignKey(CreditRecord, verbose_name="信用记录", on_delete=models.PROTECT, related_name="+")
    accepted = models.BooleanField("已接收")
    reason = models.TextField("原因", blank=True)
    source = models.CharField("回执文件", max_length=200, blank=True)
    received_at = models.DateTimeField("回执导入时间", auto_now=True)
    imported_by = models.CharField("导入人", max_length=150)

    class Meta:
        verbose_name = "国家平台回执"
        verbose_name_plural = "国家平台回执"
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.item} {'接收' if self.accepted else '拒绝'}"


class SharedQueryLog(models.Model):
    """Every call of the shared query API: who asked what, why, and how many records it got."""

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, verbose_name="单位", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    role = models.CharField("角色", max_length=20)
    auth_method = models.CharField("认证方式", max_length=10, help_text="token 或 session")
    purpose = models.CharField("查询事由", max_length=200)
    params = models.JSONField("查询条件", default=dict)
    result_count = models.PositiveIntegerField("结果条数")
    client_ip = models.GenericIPAddressField("来源地址", null=True, blank=True)

    class Meta:
        verbose_name = "共享查询日志"
        verbose_name_plural = "共享查询日志"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user_id}"
