"""What the government owes (K1, K2, K4): the generic register of obligations, breach candidates, and the
procurement contracts (K1) whose payment milestones are obligations.

An :class:`Obligation` is one duty of an organisation with a due date: a payment to a supplier, a PPP duty,
an investment promise. Higher apps (PPP projects, investment promises) register theirs through
``services.register_obligation`` and point at their own row with ``basis``. A day's job marks open
obligations due soon and overdue and, past the grace period, creates a :class:`BreachCandidate`: never a
record by itself; the credit office confirms it (a record in the archive, whose measures the sanctions
rules start) or dismisses it with a reason.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govcredit.ledger.models import LedgeredModel


class ObligationStatus(models.TextChoices):
    OPEN = "未到期", _("未到期")
    DUE_SOON = "即将到期", _("即将到期")
    OVERDUE = "已逾期", _("已逾期")
    FULFILLED = "已履行", _("已履行")
    CANCELLED = "已取消", _("已取消")


# The statuses of an obligation still owed (the daily job and the lists read only these).
OWED = (ObligationStatus.OPEN.value, ObligationStatus.DUE_SOON.value, ObligationStatus.OVERDUE.value)


class CandidateStatus(models.TextChoices):
    PENDING = "待确认", _("待确认")
    CONFIRMED = "已确认", _("已确认")
    DISMISSED = "已驳回", _("已驳回")


class Obligation(LedgeredModel):
    """One thing an organisation owes someone by a date. It stays with the organisation whoever leads it."""

    reference = models.CharField(_("编号"), max_length=60, unique=True)
    kind = models.CharField(_("类型"), max_length=40)  # a code of the kind registry (``kinds.py``)
    title = models.CharField(_("事项"), max_length=300)
    debtor_org = models.ForeignKey("subjects.Organization", verbose_name=_("履行单位"), on_delete=models.PROTECT,
                                   related_name="obligations")
    responsible_person = models.ForeignKey("subjects.CivilServant", verbose_name=_("责任人"), null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="obligations")
    # The post whose holder is responsible (e.g. 局长): when no person is named, the holder on the due date
    # is found from the post history (``services.responsible_on``).
    responsible_post = models.CharField(_("责任岗位"), max_length=100, blank=True)
    creditor_name = models.CharField(_("债权人"), max_length=200)
    creditor_code = models.CharField(_("债权人统一社会信用代码"), max_length=18, blank=True)
    creditor_is_person = models.BooleanField(_("债权人为自然人"), default=False)
    creditor_is_sme = models.BooleanField(_("中小企业"), default=False)
    amount = models.DecimalField(_("金额（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    due_on = models.DateField(_("履行期限"))
    grace_days = models.PositiveIntegerField(_("宽限期（日）"), default=0)
    # The first day a breach candidate may be created: due_on + grace_days + 1 (kept for the daily job's index).
    breach_on = models.DateField(_("认定失信候选起始日"))
    # The first day it counts as due soon: due_on - the kind's due_soon_days (kept for the daily job's index).
    soon_on = models.DateField(_("即将到期起始日"), null=True, blank=True)
    record_type = models.CharField(_("失信信息类别"), max_length=20)  # catalog code: tqzk 拖欠中小企业账款, wyhy 违约毁约
    status = models.CharField(_("状态"), max_length=4, choices=ObligationStatus.choices, default=ObligationStatus.OPEN)
    basis_text = models.TextField(_("依据"), blank=True)
    basis_type = models.ForeignKey(ContentType, verbose_name=_("依据对象类型"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    basis_id = models.BigIntegerField(_("依据对象编号"), null=True, blank=True)
    opened_on = models.DateField(_("登记日期"))
    overdue_since = models.DateField(_("逾期起始日"), null=True, blank=True)
    candidate_on = models.DateField(_("生成失信候选日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    query_digest = models.CharField(_("查询码摘要"), max_length=64, blank=True, editable=False)
    case_id = models.BigIntegerField(_("督办事项"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    ledger_hidden: ClassVar[frozenset[str]] = frozenset({"query_digest"})
    ledger_person_names: ClassVar[frozenset[str]] = frozenset({"creditor_name"})

    class Meta:
        verbose_name = "履约事项"
        verbose_name_plural = verbose_name
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="obligation_status_due"),
            models.Index(fields=["status", "soon_on"], name="obligation_status_soon"),
            models.Index(fields=["status", "breach_on"], name="obligation_status_breach",
                         condition=Q(candidate_on__isnull=True)),
            models.Index(fields=["debtor_org", "status"], name="obligation_org_status"),
            models.Index(fields=["basis_type", "basis_id"], name="obligation_basis"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0), name="obligation_amount_positive",
                                   violation_error_message="金额不能为负数"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def creditor_label(self) -> str:
        """The creditor as anyone may see it: a natural person's name masked."""
        from govcredit.subjects.identifiers import mask_name

        return mask_name(self.creditor_name) if self.creditor_is_person else self.creditor_name

    @property
    def is_owed(self) -> bool:
        return self.status in OWED


class BreachCandidate(LedgeredModel):
    """A candidate dishonesty record about an obligation past its grace period. Never a record by itself:
    the credit office confirms it (records in the archive) or dismisses it with a reason."""

    obligation = models.ForeignKey(Obligation, verbose_name=_("履约事项"), on_delete=models.PROTECT,
                                   related_name="candidates")
    due_on = models.DateField(_("履行期限"))  # the due date that was missed (an obligation may be extended later)
    record_type = models.CharField(_("失信信息类别"), max_length=20)
    subject_org = models.ForeignKey("subjects.Organization", verbose_name=_("失信单位"), on_delete=models.PROTECT,
                                    related_name="+")
    responsible_person = models.ForeignKey("subjects.CivilServant", verbose_name=_("责任人"), null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("金额（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=4, choices=CandidateStatus.choices, default=CandidateStatus.PENDING)
    created_on = models.DateField(_("生成日期"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    reason = models.TextField(_("处理理由"), blank=True)
    org_record = models.ForeignKey("archive.CreditRecord", verbose_name=_("单位失信记录"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    person_record = models.ForeignKey("archive.CreditRecord", verbose_name=_("责任人失信记录"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = "失信候选"
        verbose_name_plural = verbose_name
        ordering = ["-created_on", "-pk"]
        indexes = [models.Index(fields=["status", "created_on"], name="candidate_status_created")]
        constraints = [models.UniqueConstraint(fields=["obligation", "due_on"], name="candidate_once_per_due_date")]

    def __str__(self) -> str:
        return f"{self.obligation_id}:{self.due_on}"


class Contract(LedgeredModel):
    """A procurement contract (K1) of a department with a supplier; its payments are obligations."""

    number = models.CharField(_("合同编号"), max_length=60, unique=True)
    name = models.CharField(_("合同名称"), max_length=200)
    buyer = models.ForeignKey("subjects.Organization", verbose_name=_("采购单位"), on_delete=models.PROTECT,
                              related_name="contracts")
    responsible_person = models.ForeignKey("subjects.CivilServant", verbose_name=_("责任人"), null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    supplier_name = models.CharField(_("供应商名称"), max_length=200)
    supplier_code = models.CharField(_("供应商统一社会信用代码"), max_length=18, blank=True)
    supplier_is_person = models.BooleanField(_("供应商为自然人"), default=False)
    supplier_is_sme = models.BooleanField(_("中小企业（供应商声明）"), default=False)
    amount = models.DecimalField(_("合同金额（元）"), max_digits=16, decimal_places=2)
    signed_on = models.DateField(_("签订日期"))
    # Late-payment interest: the agreed daily rate (e.g. 0.0005); None: 0.05% a day (条例 第十八条).
    agreed_daily_rate = models.DecimalField(_("约定逾期利率（日）"), max_digits=10, decimal_places=8, null=True, blank=True)
    lpr_at_signing = models.DecimalField(_("签订时一年期LPR（年）"), max_digits=8, decimal_places=6, null=True, blank=True)
    payment_days = models.PositiveSmallIntegerField(_("付款期限（日）"), default=30)
    inspection_days = models.PositiveSmallIntegerField(_("约定检验验收期限（日）"), null=True, blank=True)
    delivered_on = models.DateField(_("交付日期"), null=True, blank=True)
    accepted_on = models.DateField(_("检验验收合格日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, default="履行中")
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    ledger_person_names: ClassVar[frozenset[str]] = frozenset({"supplier_name"})

    class Meta:
        verbose_name = "采购合同"
        verbose_name_plural = verbose_name
        ordering = ["-signed_on", "-pk"]

    def __str__(self) -> str:
        return self.number

    @property
    def supplier_label(self) -> str:
        from govcredit.subjects.identifiers import mask_name

        return mask_name(self.supplier_name) if self.supplier_is_person else self.supplier_name


class MilestoneRule(models.TextChoices):
    DELIVERY = "交付", _("自交付之日起")
    INSPECTION = "检验验收", _("自检验验收合格之日起")
    SETTLEMENT = "结算确认", _("自双方确认结算金额之日起")


class Milestone(LedgeredModel):
    """One payment of a contract: its amount, what its period counts from, and the obligation it became."""

    contract = models.ForeignKey(Contract, verbose_name=_("采购合同"), on_delete=models.PROTECT, related_name="milestones")
    seq = models.PositiveSmallIntegerField(_("期次"))
    label = models.CharField(_("款项"), max_length=100)
    amount = models.DecimalField(_("金额（元）"), max_digits=16, decimal_places=2)
    rule = models.CharField(_("起算"), max_length=10, choices=MilestoneRule.choices, default=MilestoneRule.DELIVERY)
    settled_on = models.DateField(_("结算金额确认日期"), null=True, blank=True)
    due_on = models.DateField(_("付款期限"), null=True, blank=True)
    paid_amount = models.DecimalField(_("已付金额（元）"), max_digits=16, decimal_places=2, default=0)
    paid_on = models.DateField(_("付清日期"), null=True, blank=True)
    obligation = models.OneToOneField(Obligation, verbose_name=_("履约事项"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="milestone")
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = "付款节点"
        verbose_name_plural = verbose_name
        ordering = ["contract", "seq"]
        constraints = [models.UniqueConstraint(fields=["contract", "seq"], name="milestone_seq_once")]

    def __str__(self) -> str:
        return f"{self.contract_id}#{self.seq}"


class Invoice(LedgeredModel):
    contract = models.ForeignKey(Contract, verbose_name=_("采购合同"), on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("发票号码"), max_length=40)
    amount = models.DecimalField(_("金额（元）"), max_digits=16, decimal_places=2)
    issued_on = models.DateField(_("开票日期"))
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = "发票"
        verbose_name_plural = verbose_name
        ordering = ["contract", "issued_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="invoice_number_once")]

    def __str__(self) -> str:
        return self.number


class Payment(LedgeredModel):
    milestone = models.ForeignKey(Milestone, verbose_name=_("付款节点"), on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("金额（元）"), max_digits=16, decimal_places=2)
    paid_on = models.DateField(_("支付日期"))
    voucher = models.CharField(_("凭证号"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = "付款"
        verbose_name_plural = verbose_name
        ordering = ["milestone", "paid_on", "pk"]

    def __str__(self) -> str:
        return f"{self.milestone_id}:{self.amount}"
