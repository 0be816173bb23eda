"""What the public portal shows (公开 / 双公示): one publication per disclosed record."""

from __future__ import annotations

from django.db import models

from govcredit.archive.models import CreditRecord
from govcredit.ledger.models import LedgeredModel


class UnpublishReason(models.TextChoices):
    EXPIRED = "公示期满", "公示期满"
    REVOKED = "已撤销", "决定已撤销、变更或被确认无效"
    REPAIRED = "已修复", "信用修复"
    RULES = "不予公示", "按公示规则不予公示"


class Publication(LedgeredModel):
    """A record on the public portal, with the masked values the public may see.

    Public values are computed on the server when the record is published (natural persons'
    names masked, ID numbers never copied), so nothing personal can reach a page or a download.
    The record itself stays in the archive whatever happens to its publication.
    """

    record = models.OneToOneField(CreditRecord, verbose_name="信用记录", on_delete=models.PROTECT, related_name="publication")
    published_at = models.DateTimeField("公开时间", db_index=True)
    visible_until = models.DateField("公示截止", db_index=True)
    is_public = models.BooleanField("公示中", default=True, db_index=True)
    unpublished_at = models.DateTimeField("撤下时间", null=True, blank=True)
    unpublish_reason = models.CharField("撤下原因", max_length=10, choices=UnpublishReason.choices, blank=True)
    public_note = models.TextField("公开说明", blank=True)
    public_name = models.CharField("公开名称", max_length=200, db_index=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, db_index=True)
    decision_number = models.CharField("决定文书号", max_length=100, db_index=True)
    authority_name = models.CharField("决定机关", max_length=200, db_index=True)
    type_name = models.CharField("类别", max_length=50, db_index=True)
    decision_date = models.DateField("决定日期", db_index=True)

    class Meta:
        verbose_name = "公开信息"
        verbose_name_plural = "公开信息"
        ordering = ["-decision_date", "-id"]

    def __str__(self) -> str:
        return f"{self.type_name} {self.decision_number}"
