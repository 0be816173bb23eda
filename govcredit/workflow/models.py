"""Cases: who owes what to whom, by when; their history, evidence and the notifications they send.

Cases, their history rows and evidence are ledgered (every decision of a workflow is a ledger entry);
notifications and the record of reminders sent are delivery bookkeeping, not decisions.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from govcredit.ledger.models import LedgeredModel


class Case(LedgeredModel):
    kind = models.CharField("事项类型", max_length=60, db_index=True)
    debtor_org = models.ForeignKey("subjects.Organization", verbose_name="责任单位", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="workflow_cases")
    debtor_person = models.ForeignKey("subjects.CivilServant", verbose_name="责任人", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="workflow_cases")
    owed_to = models.CharField("履行对象", max_length=200)
    basis_type = models.ForeignKey(ContentType, verbose_name="依据对象类型", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    basis_id = models.BigIntegerField("依据对象编号", null=True, blank=True)
    basis_text = models.TextField("依据")
    status = models.CharField("状态", max_length=20)
    opened_on = models.DateField("立案日期")
    due_on = models.DateField("办理期限", db_index=True)
    overdue_at = models.DateTimeField("逾期时间", null=True, blank=True)
    escalated_at = models.DateTimeField("督办时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "办理事项"
        verbose_name_plural = verbose_name
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["basis_type", "basis_id"], name="workflow_case_basis_idx"),
                   models.Index(fields=["closed_at", "due_on"], name="workflow_case_open_idx")]
        constraints = [models.CheckConstraint(
            condition=models.Q(debtor_org__isnull=False) | models.Q(debtor_person__isnull=False),
            name="workflow_case_has_debtor", violation_error_message="办理事项必须有责任单位或责任人")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class CaseEvent(LedgeredModel):
    """One transition of a case: from which state to which, by whom, why."""

    case = models.ForeignKey(Case, verbose_name="办理事项", on_delete=models.PROTECT, related_name="events")
    from_state = models.CharField("原状态", max_length=20, blank=True)
    to_state = models.CharField("新状态", max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField("操作人名称", max_length=150)
    reason = models.TextField("理由")
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = verbose_name
        ordering = ["case", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state or '—'} → {self.to_state}"


class Evidence(LedgeredModel):
    case = models.ForeignKey(Case, verbose_name="办理事项", on_delete=models.PROTECT, related_name="evidence")
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    path = models.CharField("存储位置", max_length=300)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = verbose_name
        ordering = ["case", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """A message in a user's inbox: about a case, or about something that is no case (a measure that
    started for the user's subject), then with a link to its page."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE,
                             related_name="workflow_notifications")
    case = models.ForeignKey(Case, verbose_name="办理事项", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="notifications")
    text = models.CharField("内容", max_length=300)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="workflow_note_user_idx")]

    def __str__(self) -> str:
        return self.text


class Alert(models.Model):
    """A reminder already sent: one row per case and offset (days before the due date) makes the job idempotent.

    Overdue marking and escalation need no such row: they set the case's ``overdue_at`` / ``escalated_at``.
    """

    case = models.ForeignKey(Case, verbose_name="办理事项", on_delete=models.PROTECT, related_name="alerts")
    offset = models.IntegerField("提前天数")
    sent_at = models.DateTimeField("发送时间")

    class Meta:
        verbose_name = "已发提醒"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["case", "offset"], name="workflow_alert_once")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.offset}"
