"""Joint rewards and punishments (联合奖惩): the measures catalogue, its rules, the measures applied to
subjects, fault-tolerance applications and findings, and the log of eligibility checks.

Measure types and rules are versioned like the catalog's record types: a version is never changed, a
change publishes version n+1, and each applied measure keeps the measure version and the rule version
that created it (rules changed later apply to new records only). Every row but the check log is
ledgered: each start, suspension, resumption and end of a measure, and each finding, is a ledger entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govcredit.ledger.models import LedgeredModel


class Polarity(models.TextChoices):
    PUNISHMENT = "惩戒", _("惩戒")
    REWARD = "激励", _("激励")


class Purpose(models.TextChoices):
    """What an eligibility check asks about: may the subject take part in …"""

    HONOUR = "评先评优", _("评先评优")
    FUND = "专项资金", _("专项资金")
    PILOT = "改革试点", _("改革试点")
    INVESTMENT = "项目投资", _("项目投资")
    PROMOTION = "职务晋升", _("职务晋升")


class Effect(models.TextChoices):
    """What starting a measure does besides restricting eligibility."""

    NONE = "", _("无")
    RECTIFICATION = "rectification", _("启动限期整改")
    CRITICISM = "criticism", _("列入通报批评名单")


class MeasureType(LedgeredModel):
    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60, unique=True)
    polarity = models.CharField("类别", max_length=2, choices=Polarity.choices)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "奖惩措施"
        verbose_name_plural = verbose_name
        ordering = ["polarity", "id"]

    def __str__(self) -> str:
        return self.name

    def current(self) -> MeasureVersion:
        version: MeasureVersion | None = MeasureVersion.objects.filter(measure_type=self).order_by("-version").first()
        assert version is not None, f"{self.name} 没有任何版本"
        return version


class MeasureVersion(LedgeredModel):
    """One immutable version of a measure: its legal basis, duration, subjects and effects."""

    measure_type = models.ForeignKey(MeasureType, verbose_name="措施", on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField("版本")
    legal_basis = models.TextField("依据")
    duration_months = models.PositiveIntegerField("期限（月）", help_text="自措施开始之日起的月数")
    subject_kinds = models.JSONField("适用主体", default=list)
    restricts = models.JSONField("限制事项", default=list, blank=True, help_text="惩戒措施在期限内限制参加的事项")
    favours = models.JSONField("优先事项", default=list, blank=True, help_text="激励措施在期限内同等条件下优先的事项")
    effect = models.CharField("附带办理", max_length=20, choices=Effect.choices, blank=True, default="")
    # The rectification it opens (effect 启动限期整改): the written explanation and plan are due this many days
    # after the measure starts, working days (State Council calendar) or calendar days.
    rectification_days = models.PositiveIntegerField("整改期限", default=10, help_text="限期整改时：自措施启动之日起的天数")
    rectification_working_days = models.BooleanField("整改期限按工作日计算", default=True,
                                                     help_text="否：按自然日计算")
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间")
    created_by = models.CharField("创建人", max_length=150)

    class Meta:
        verbose_name = "奖惩措施版本"
        verbose_name_plural = verbose_name
        ordering = ["measure_type_id", "version"]
        constraints = [models.UniqueConstraint(fields=["measure_type", "version"], name="sanctions_measure_version_unique",
                                               violation_error_message="该措施已有同号版本。")]

    def __str__(self) -> str:
        return f"{self.measure_type.name} v{self.version}"


class Rule(LedgeredModel):
    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "奖惩规则"
        verbose_name_plural = verbose_name
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def current(self) -> RuleVersion:
        version: RuleVersion | None = RuleVersion.objects.filter(rule=self).order_by("-version").first()
        assert version is not None, f"{self.name} 没有任何版本"
        return version


class RuleVersion(LedgeredModel):
    """Which records trigger which measures: record types, severities, subject kinds, and how many such
    records (this one included) the subject must have had within the last ``within_years`` years."""

    rule = models.ForeignKey(Rule, verbose_name="规则", on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField("版本")
    record_types = models.JSONField("信息类别（代码）", default=list)
    severities = models.JSONField("严重程度（空为不限）", default=list, blank=True)
    subject_kinds = models.JSONField("适用主体", default=list)
    min_count = models.PositiveIntegerField("记录数不少于", default=1)
    within_years = models.PositiveIntegerField("统计年限（年）", default=3)
    measures = models.JSONField("触发的措施（代码）", default=list)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间")
    created_by = models.CharField("创建人", max_length=150)

    class Meta:
        verbose_name = "奖惩规则版本"
        verbose_name_plural = verbose_name
        ordering = ["rule_id", "version"]
        constraints = [models.UniqueConstraint(fields=["rule", "version"], name="sanctions_rule_version_unique",
                                               violation_error_message="该规则已有同号版本。")]

    def __str__(self) -> str:
        return f"{self.rule.name} v{self.version}"


class MeasureStatus(models.TextChoices):
    IN_FORCE = "执行中", _("执行中")
    SUSPENDED = "已暂停", _("已暂停")
    ENDED = "已结束", _("已结束")


class EndReason(models.TextChoices):
    EXPIRED = "期满", _("期满")
    REVOKED = "记录已撤销", _("记录已撤销")
    REPAIRED = "记录已修复", _("记录已修复")
    WAIVED = "容错免除", _("容错免除")
    LIGHTENED = "容错减轻", _("容错减轻")


class AppliedMeasure(LedgeredModel):
    """A measure applied to a subject because of a record, under the rule and measure versions of that day."""

    record = models.ForeignKey("archive.CreditRecord", verbose_name="信用记录", on_delete=models.PROTECT,
                               related_name="measures")
    measure_version = models.ForeignKey(MeasureVersion, verbose_name="措施版本", on_delete=models.PROTECT, related_name="+")
    rule_version = models.ForeignKey(RuleVersion, verbose_name="规则版本", on_delete=models.PROTECT, related_name="+")
    polarity = models.CharField("类别", max_length=2, choices=Polarity.choices)
    subject_org = models.ForeignKey("subjects.Organization", verbose_name="主体单位", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="measures")
    subject_person = models.ForeignKey("subjects.CivilServant", verbose_name="主体公务员", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="measures")
    status = models.CharField("状态", max_length=4, choices=MeasureStatus.choices, default=MeasureStatus.IN_FORCE)
    start_on = models.DateField("开始日期")
    end_on = models.DateField("截止日期")
    ended_on = models.DateField("实际结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=10, choices=EndReason.choices, blank=True)
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "奖惩措施执行"
        verbose_name_plural = verbose_name
        ordering = ["-start_on", "-id"]
        indexes = [models.Index(fields=["status", "end_on"], name="sanctions_measure_status_end")]
        constraints = [
            models.CheckConstraint(condition=Q(subject_org__isnull=False) | Q(subject_person__isnull=False),
                                   name="sanctions_measure_has_subject", violation_error_message="措施必须有主体"),
            models.UniqueConstraint(fields=["record", "measure_version", "rule_version"], name="sanctions_measure_once",
                                    violation_error_message="同一记录已按该规则启动该措施"),
        ]

    def __str__(self) -> str:
        return f"{self.measure_version.measure_type.name} #{self.pk}"

    @property
    def name(self) -> str:
        return self.measure_version.measure_type.name

    @property
    def subject_label(self) -> str:
        if self.subject_person is not None:
            return self.subject_person.name
        return self.subject_org.name if self.subject_org is not None else ""


class Ground(models.TextChoices):
    STOPPED = "及时止损", _("及时停止损害")
    RECOVERED = "挽回损失", _("主动挽回损失")
    CORRECTED = "纠正错误", _("主动纠正错误")


class FaultToleranceApplication(LedgeredModel):
    """A 容错纠错 application on a record (all its measures) or one pending measure; the procedure is the
    workflow case ``case`` (kind ``sanctions.fault_tolerance``)."""

    case = models.OneToOneField("workflow.Case", verbose_name="办理事项", on_delete=models.PROTECT,
                                related_name="fault_tolerance")
    record = models.ForeignKey("archive.CreditRecord", verbose_name="信用记录", on_delete=models.PROTECT,
                               related_name="fault_tolerance_applications")
    measure = models.ForeignKey(AppliedMeasure, verbose_name="措施", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="fault_tolerance_applications")
    grounds = models.JSONField("情形", default=list)
    statement = models.TextField("申请理由")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField("申请时间")

    class Meta:
        verbose_name = "容错纠错申请"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"容错纠错申请 #{self.pk}"


class Outcome(models.TextChoices):
    WAIVE = "免除", _("免除措施")
    LIGHTEN = "减轻", _("减轻措施（提前结束）")
    REFUSE = "不予认定", _("不予认定")


class FaultToleranceFinding(LedgeredModel):
    """The collective decision (集体决策) on an application: outcome, minutes and the people who decided."""

    application = models.OneToOneField(FaultToleranceApplication, verbose_name="申请", on_delete=models.PROTECT,
                                       related_name="finding")
    outcome = models.CharField("认定结果", max_length=4, choices=Outcome.choices)
    lighten_to = models.DateField("措施提前结束于", null=True, blank=True)
    meeting_on = models.DateField("会议日期")
    deciders = models.JSONField("参加决策人员")
    minutes = models.ForeignKey("workflow.Evidence", verbose_name="会议纪要", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("理由")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField("认定时间")

    class Meta:
        verbose_name = "容错纠错认定"
        verbose_name_plural = verbose_name
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.outcome} #{self.pk}"


class EligibilityCheck(models.Model):
    """Every eligibility check, with who asked, about whom, for what and why (a query log, not a decision)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="查询人", on_delete=models.PROTECT, related_name="+")
    subject_org = models.ForeignKey("subjects.Organization", verbose_name="主体单位", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    subject_person = models.ForeignKey("subjects.CivilServant", verbose_name="主体公务员", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    participation = models.CharField("参与事项", max_length=10, choices=Purpose.choices)
    on_date = models.DateField("日期")
    purpose = models.CharField("查询事由", max_length=200)
    eligible = models.BooleanField("结论：可以参与")
    basis = models.JSONField("依据（记录和措施）", default=list)
    created_at = models.DateTimeField("查询时间", db_index=True)

    class Meta:
        verbose_name = "参与资格核查日志"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.participation} {self.on_date}"
