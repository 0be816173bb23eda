"""Intake batches (归集批次) and the chunks they are committed in.

A batch is one submitted file (or API payload). It is processed in chunks; each chunk is one
transaction that writes its records, its ledger entry, its rejected rows and the batch's progress
together, so a killed process leaves whole chunks only and a re-run continues after the last one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govcredit.catalog.models import BatchMode, RecordType, RecordTypeVersion
from govcredit.subjects.models import Organization


class BatchStatus(models.TextChoices):
    PENDING = "待处理", _("待处理")
    RUNNING = "处理中", _("处理中")
    DONE = "已完成", _("已完成")
    FAILED = "失败", _("失败")
    RETURNED = "已退回", _("已退回")


class BatchSource(models.TextChoices):
    UPLOAD = "upload", _("页面上传")
    CLI = "cli", _("命令行")
    API = "api", _("接口")


class ImportBatch(models.Model):
    record_type = models.ForeignKey(RecordType, verbose_name="信息类别", on_delete=models.PROTECT, related_name="+")
    type_version = models.ForeignKey(RecordTypeVersion, verbose_name="类别版本", on_delete=models.PROTECT,
                                     related_name="+")
    org = models.ForeignKey(Organization, verbose_name="报送单位", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    actor = models.CharField("操作人", max_length=150)
    source = models.CharField("来源", max_length=10, choices=BatchSource.choices, default=BatchSource.UPLOAD)
    file_name = models.CharField("文件名", max_length=255)
    file_path = models.CharField("存储路径", max_length=500, blank=True)
    file_format = models.CharField("格式", max_length=10, blank=True)
    sheet = models.CharField("工作表", max_length=100, blank=True)
    sha256 = models.CharField("SHA-256 摘要", max_length=64, db_index=True)
    size = models.BigIntegerField("字节数", default=0)
    batch_mode = models.CharField("批量方式", max_length=20, choices=BatchMode.choices, default=BatchMode.ACCEPT_VALID)
    dry_run = models.BooleanField("试运行（不写入）", default=False)
    status = models.CharField("状态", max_length=4, choices=BatchStatus.choices, default=BatchStatus.PENDING,
                              db_index=True)
    header_row = models.PositiveIntegerField("表头所在行", null=True, blank=True)
    columns = models.JSONField("列名", default=list, blank=True)
    rows_done = models.BigIntegerField("已处理行数", default=0)
    last_row = models.BigIntegerField("已提交到的行号", default=0)
    rows_estimate = models.BigIntegerField("预计行数", null=True, blank=True)
    chunks_done = models.PositiveIntegerField("已提交块数", default=0)
    accepted = models.BigIntegerField("新增", default=0)
    updated = models.BigIntegerField("更正", default=0)
    unchanged = models.BigIntegerField("未变化", default=0)
    rejected = models.BigIntegerField("退回行数", default=0)
    message = models.TextField("说明", blank=True)
    error_report = models.CharField("错误报告文件", max_length=500, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True, db_index=True)
    started_at = models.DateTimeField("开始处理", null=True, blank=True)
    finished_at = models.DateTimeField("处理完成", null=True, blank=True)
    # The process working on the batch: its claim and its heartbeat (renewed with every chunk). A batch
    # 处理中 whose heartbeat stopped is taken up again by intake.services.resume_stalled.
    worker = models.CharField("处理进程标识", max_length=100, blank=True)
    heartbeat = models.DateTimeField("最近进展时间", null=True, blank=True)

    class Meta:
        verbose_name = "归集批次"
        verbose_name_plural = "归集批次"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["org", "created_at"], name="intake_batch_org_idx")]

    def __str__(self) -> str:
        return f"归集批次 #{self.pk} {self.file_name}"

    @property
    def finished(self) -> bool:
        return self.status in (BatchStatus.DONE, BatchStatus.FAILED, BatchStatus.RETURNED)

    @property
    def total_rows(self) -> int:
        return self.accepted + self.updated + self.unchanged + self.rejected


class IntakeChunk(models.Model):
    """One committed chunk of a batch.

    ``digests`` holds, for every record the chunk created, its id (8 bytes, big-endian) and the
    keyed ledger state digest (32 bytes), in id order; ``merkle_root`` is the root of the Merkle
    tree over those leaves and is the ``state_digest`` of the chunk's ledger entry (``ledger_seq``).
    ``rejected_rows`` keeps the rejected rows as sent, for the error report. ``outcomes`` notes, for every
    row that created a record or found one unchanged, the row number, the record id and its ``updated_at``
    (see :mod:`govcredit.intake.resubmission`).
    """

    batch = models.ForeignKey(ImportBatch, verbose_name="批次", on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField("块序号")
    first_row = models.BigIntegerField("起始行")
    last_row = models.BigIntegerField("结束行")
    rows = models.PositiveIntegerField("行数")
    accepted = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更正", default=0)
    unchanged = models.PositiveIntegerField("未变化", default=0)
    rejected = models.PositiveIntegerField("退回", default=0)
    rejected_rows = models.JSONField("退回的行", default=list, blank=True)
    digests = models.BinaryField("记录摘要", blank=True, default=b"")
    merkle_root = models.CharField("默克尔根", max_length=64, blank=True)
    outcomes = models.BinaryField("逐行结果", blank=True, default=b"")  # see intake.resubmission
    ledger_seq = models.BigIntegerField("留痕序号", null=True, blank=True, db_index=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "归集块"
        verbose_name_plural = "归集块"
        ordering = ["batch_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["batch", "seq"], name="intake_chunk_unique")]

    def __str__(self) -> str:
        return f"批次 #{self.batch_id} 第 {self.seq} 块"
