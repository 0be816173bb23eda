"""The credit archive (政务信用档案): records about government subjects and decisions they issue."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govcredit.catalog.models import RecordType, RecordTypeVersion
from govcredit.core import crypto
from govcredit.ledger.models import LedgeredModel
from govcredit.subjects.identifiers import mask_id_number, mask_name
from govcredit.subjects.models import CivilServant, Organization


class RecordStatus(models.TextChoices):
    VALID = "有效", _("有效")
    OBJECTION = "异议中", _("异议中")
    REPAIRED = "已修复", _("已修复")
    REVOKED = "已撤销", _("已撤销")
    EXPIRED = "公示期满", _("公示期满")


class CounterpartyKind(models.TextChoices):
    LEGAL = "法人及非法人组织", _("法人及非法人组织")
    NATURAL = "自然人", _("自然人")
    INDIVIDUAL_BUSINESS = "个体工商户", _("个体工商户")


class CreditRecord(LedgeredModel):
    """A record in the archive.

    Either *about* a government subject (``subject_org`` or ``subject_person``), or a licensing or
    penalty decision *issued by* a department (``issuing_org``) about a counterparty (行政相对人):
    the 双公示 records sit beside the others in one table and one workflow.
    """

    # A copy of type_version.record_type kept for the (record_type, decision_number) index. Its foreign key
    # is not declared in the database: the version's is, and each declared key costs every bulk load a
    # trigger per row.
    record_type = models.ForeignKey(RecordType, verbose_name="信息类别", on_delete=models.PROTECT, related_name="+",
                                    db_index=False, db_constraint=False)
    type_version = models.ForeignKey(RecordTypeVersion, verbose_name="类别版本", on_delete=models.PROTECT, related_name="records",
                                     db_index=False)  # versions are never deleted; nothing looks records up by version
    # Indexed only where set (see Meta.indexes): 双公示 decisions, the bulk of the table, have neither.
    subject_org = models.ForeignKey(Organization, verbose_name="主体单位", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="records", db_index=False)
    subject_person = models.ForeignKey(CivilServant, verbose_name="主体公务员", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="records", db_index=False)
    issuing_org = models.ForeignKey(Organization, verbose_name="报送/决定单位", on_delete=models.PROTECT,
                                    related_name="issued_records")
    counterparty_name = models.CharField("行政相对人名称", max_length=200, blank=True)
    counterparty_kind = models.CharField("行政相对人类别", max_length=10, choices=CounterpartyKind.choices, blank=True)
    counterparty_code = models.CharField("行政相对人统一社会信用代码", max_length=18, blank=True)
    counterparty_id_cipher = models.TextField("证件号码（密文）", blank=True, editable=False)
    counterparty_id_index = models.CharField("证件号码索引", max_length=64, blank=True, editable=False)
    counterparty_id_masked = models.CharField("证件号码", max_length=18, blank=True, editable=False)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    # The legal representative's own ID document (法定代表人证件号码): another person's than the counterparty's,
    # kept the same way — encrypted, with a blind index for comparison, masked, never published.
    legal_rep_id_cipher = models.TextField("法定代表人证件号码（密文）", blank=True, editable=False)
    legal_rep_id_index = models.CharField("法定代表人证件号码索引", max_length=64, blank=True, editable=False)
    legal_rep_id_masked = models.CharField("法定代表人证件号码", max_length=18, blank=True, editable=False)
    decision_number = models.CharField("决定文书号", max_length=100)
    decision_date = models.DateField("决定日期", db_index=True)
    authority_name = models.CharField("决定机关", max_length=200)
    facts = models.TextField("事实/内容", blank=True)
    legal_basis = models.TextField("依据", blank=True)
    result = models.TextField("结果", blank=True)
    amount = models.DecimalField("金额（万元）", max_digits=16, decimal_places=6, null=True, blank=True)
    severity = models.CharField("严重程度", max_length=10, blank=True)
    data = models.JSONField("其他字段", default=dict, blank=True)
    status = models.CharField("状态", max_length=4, choices=RecordStatus.choices, default=RecordStatus.VALID)
    publicity_start = models.DateField("公示起始", null=True, blank=True)
    publicity_end = models.DateField("公示截止", null=True, blank=True)
    batch_id = models.BigIntegerField("归集批次", null=True, blank=True, db_index=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # History pages: blind indexes (and, registered in apps.py, the ciphers) are never shown; a private
    # individual's name is masked for readers who may not see personal data.
    ledger_hidden: ClassVar[frozenset[str]] = frozenset({"counterparty_id_index", "legal_rep_id_index"})
    ledger_person_names: ClassVar[frozenset[str]] = frozenset({"counterparty_name"})

    class Meta:
        verbose_name = "信用记录"
        verbose_name_plural = "信用记录"
        ordering = ["-decision_date", "-id"]
        # Plain B-tree indexes, and only those a query uses: every index costs each bulk intake
        # (db_index=True on a CharField would add a second, varchar_pattern_ops index on PostgreSQL).
        indexes = [
            models.Index(fields=["record_type", "decision_number"], name="record_type_number"),
            models.Index(fields=["counterparty_name"], name="record_counterparty_name"),
            models.Index(fields=["counterparty_code"], name="record_counterparty_code"),
            models.Index(fields=["counterparty_id_index"], name="record_counterparty_id"),
            models.Index(fields=["status", "publicity_end"], name="record_status_end"),
            models.Index(fields=["subject_org"], name="record_subject_org", condition=Q(subject_org__isnull=False)),
            models.Index(fields=["subject_person"], name="record_subject_person",
                         condition=Q(subject_person__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject_org__isnull=False) | Q(subject_person__isnull=False) | ~Q(counterparty_name=""),
                name="archive_record_has_subject",
                violation_error_message="信用记录必须有主体：单位、公务员或行政相对人。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_type_id}:{self.decision_number}"

    @property
    def subject_label(self) -> str:
        """The subject's name as anyone may see it: natural persons masked."""
        if self.subject_person is not None:
            return self.subject_person.name
        if self.subject_org is not None:
            return self.subject_org.name
        if self.counterparty_kind == CounterpartyKind.NATURAL:
            return mask_name(self.counterparty_name)
        return self.counterparty_name

    def set_counterparty_id(self, number: str) -> None:
        self.counterparty_id_cipher = crypto.encrypt(number) if number else ""
        self.counterparty_id_index = crypto.blind_index(number) if number else ""
        self.counterparty_id_masked = mask_id_number(number) if number else ""

    def set_legal_rep_id(self, number: str) -> None:
        self.legal_rep_id_cipher = crypto.encrypt(number) if number else ""
        self.legal_rep_id_index = crypto.blind_index(number) if number else ""
        self.legal_rep_id_masked = mask_id_number(number) if number else ""


class RecordRequest(models.Model):
    """A record creation that carried an idempotency key (``Idempotency-Key``): a retry of the same request
    with the same key gets the first record back instead of making another."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="请求人", on_delete=models.CASCADE, related_name="+")
    key = models.CharField("幂等键", max_length=100)
    body_digest = models.CharField("请求内容摘要", max_length=64)
    record = models.ForeignKey(CreditRecord, verbose_name="信用记录", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "录入请求"
        verbose_name_plural = "录入请求"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="archive_request_key_once")]

    def __str__(self) -> str:
        return f"{self.key} → {self.record_id}"
