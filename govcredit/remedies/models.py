"""Objections (异议) and credit repairs (信用修复): who asked what about which record, and what was decided.

Each is a row beside its :class:`govcredit.workflow.models.Case` (the case holds the state, the due date and
the history; the row holds what the applicant asked and the outcome). Both are ledgered: filing, each
decision and each uploaded file is a ledger entry, so ``govcredit verify-ledger`` covers them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from govcredit.ledger.models import LedgeredModel


class Applicant(models.TextChoices):
    SUBJECT = "信用主体", _("信用主体")
    COUNTERPARTY = "行政相对人", _("行政相对人")


class Ground(models.TextChoices):
    """What an objection says is wrong; a second objection on grounds already decided is refused."""

    CONTENT = "记录内容有误", _("记录内容有误")
    SUBJECT = "主体有误", _("主体有误（不是本单位、本人）")
    CHANGED = "决定已撤销或变更", _("决定已被撤销或变更")
    PERIOD = "公示期限有误", _("公示期限有误")
    OTHER = "其他", _("其他")


class Objection(LedgeredModel):
    number = models.CharField("异议编号", max_length=20, unique=True)
    record = models.ForeignKey("archive.CreditRecord", verbose_name="信用记录", on_delete=models.PROTECT,
                               related_name="objections")
    case = models.OneToOneField("workflow.Case", verbose_name="办理事项", on_delete=models.PROTECT, related_name="objection")
    applicant_kind = models.CharField("申请人类别", max_length=10, choices=Applicant.choices)
    applicant_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请用户", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    applicant_name = models.CharField("申请人", max_length=200)
    contact = models.CharField("联系方式", max_length=100, blank=True)
    ground = models.CharField("异议理由类别", max_length=20, choices=Ground.choices)
    reasons = models.TextField("异议理由")
    previous_status = models.CharField("异议前记录状态", max_length=4)
    accept_due_on = models.DateField("受理期限")
    decide_due_on = models.DateField("办结期限", null=True, blank=True)
    extension_reason = models.TextField("延期理由", blank=True)
    outcome = models.CharField("处理结果", max_length=20, blank=True)
    outcome_reason = models.TextField("处理理由", blank=True)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    decided_by = models.CharField("办理人", max_length=150, blank=True)
    code_hash = models.CharField("查询码摘要", max_length=64)
    created_at = models.DateTimeField("提出时间")

    class Meta:
        verbose_name = "异议"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("remedies:objection_detail", args=[self.pk])


class Repair(LedgeredModel):
    number = models.CharField("修复申请编号", max_length=20, unique=True)
    record = models.ForeignKey("archive.CreditRecord", verbose_name="信用记录", on_delete=models.PROTECT,
                               related_name="repairs")
    case = models.OneToOneField("workflow.Case", verbose_name="办理事项", on_delete=models.PROTECT, related_name="repair")
    applicant_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请用户", on_delete=models.PROTECT,
                                       related_name="+")
    applicant_name = models.CharField("申请人", max_length=200)
    corrected = models.TextField("纠正失信行为、履行法定义务情况")
    decide_due_on = models.DateField("办结期限", null=True, blank=True)
    accept_due_on = models.DateField("受理期限")
    outcome = models.CharField("处理结果", max_length=20, blank=True)
    rule = models.CharField("不予修复的依据", max_length=200, blank=True)
    outcome_reason = models.TextField("处理理由", blank=True)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    decided_by = models.CharField("办理人", max_length=150, blank=True)
    code_hash = models.CharField("查询码摘要", max_length=64)
    created_at = models.DateTimeField("申请时间")

    class Meta:
        verbose_name = "信用修复申请"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("remedies:repair_detail", args=[self.pk])


class Purpose(models.TextChoices):
    EVIDENCE = "证明材料", _("证明材料")
    COMMITMENT = "信用承诺书", _("信用承诺书")


class RemedyFile(LedgeredModel):
    """An attachment, stored like workflow evidence: recognised by its first bytes, kept under its SHA-256."""

    objection = models.ForeignKey(Objection, verbose_name="异议", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="files")
    repair = models.ForeignKey(Repair, verbose_name="信用修复申请", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="files")
    purpose = models.CharField("用途", max_length=10, choices=Purpose.choices, default=Purpose.EVIDENCE)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    path = models.CharField("存储位置", max_length=300)
    uploaded_by = models.CharField("上传人", max_length=200)
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "异议与修复材料"
        verbose_name_plural = verbose_name
        ordering = ["uploaded_at", "pk"]
        constraints = [models.CheckConstraint(
            condition=models.Q(objection__isnull=False) | models.Q(repair__isnull=False),
            name="remedies_file_has_owner", violation_error_message="材料必须属于一项异议或信用修复申请")]

    def __str__(self) -> str:
        return self.name
