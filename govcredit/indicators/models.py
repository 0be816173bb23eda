"""Indicators and early warnings (K5 debt, V3 monitoring): definitions, values per subject and month, warning
rules with immutable versions, the warnings they raise, and the derived level table the dashboard reads.

Values, rules, rule versions and warnings are ledgered (every change is an entry). A correction of a value is
a new version (``version`` n+1, the old one keeps its row with ``is_current`` false), never an overwrite.
``Assessment`` is derived (rebuilt from the current values and rule versions at any time), so it is a plain
model, like the statistics' facts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govcredit.ledger.models import LedgeredModel


class Unit(models.TextChoices):
    PERCENT = "%", "%"
    COUNT = "个", _("个")
    AMOUNT = "万元", _("万元")
    PER_100 = "条/百人", _("条/百人")


class Origin(models.TextChoices):
    ENTERED = "填报", _("填报")  # entered on the form or imported from a file
    COMPUTED = "计算", _("计算")  # computed by the scheduled job from the system's own data


class Direction(models.TextChoices):
    UP = "越高越差", _("越高越差")  # value ≥ line → that level
    DOWN = "越低越差", _("越低越差")  # value < line → that level


class Source(models.TextChoices):
    FORM = "表单", _("表单")
    FILE = "文件", _("文件")
    COMPUTATION = "计算", _("计算")


class Level(models.IntegerChoices):
    GREEN = 0, _("绿色")
    YELLOW = 1, _("黄色")
    ORANGE = 2, _("橙色")
    RED = 3, _("红色")


NO_VALUE = -1  # Assessment.level of a period without a value (the reason is kept beside it)


class Indicator(LedgeredModel):
    code = models.CharField("指标代码", max_length=40, unique=True)
    name = models.CharField("指标名称", max_length=100)
    unit = models.CharField("单位", max_length=10, choices=Unit.choices)
    origin = models.CharField("来源方式", max_length=4, choices=Origin.choices)
    group = models.CharField("指标组", max_length=20, default="监测")
    description = models.TextField("说明", blank=True)
    public = models.BooleanField("可向社会公开", default=False)
    order = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        verbose_name = "监测指标"
        verbose_name_plural = verbose_name
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(LedgeredModel):
    """One version of one indicator's value for one subject and month."""

    indicator = models.ForeignKey(Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="values")
    subject = models.ForeignKey("subjects.Organization", verbose_name="主体", on_delete=models.PROTECT,
                                related_name="+")
    period = models.DateField("期间（月份1日）")
    version = models.PositiveIntegerField("版本", default=1)
    is_current = models.BooleanField("现行版本", default=True)
    value = models.DecimalField("数值", max_digits=20, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField("分子", max_digits=20, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField("分母", max_digits=20, decimal_places=4, null=True, blank=True)
    no_value_reason = models.CharField("无数值原因", max_length=200, blank=True)
    source = models.CharField("来源", max_length=4, choices=Source.choices)
    source_detail = models.JSONField("来源明细（文件与行号，或计算及其输入）", default=dict, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填报人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    entered_by_name = models.CharField("填报人/计算", max_length=150)
    note = models.TextField("说明或更正理由", blank=True)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "指标数值"
        verbose_name_plural = verbose_name
        ordering = ["indicator", "subject", "period", "version"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "subject", "period", "version"], name="ind_value_version"),
            models.UniqueConstraint(fields=["indicator", "subject", "period"], condition=models.Q(is_current=True),
                                    name="ind_value_one_current",
                                    violation_error_message="同一指标、主体和期间只能有一个现行数值"),
        ]
        indexes = [models.Index(fields=["period", "indicator"], name="ind_value_period")]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.subject_id}/{self.period:%Y-%m} v{self.version}"


class WarningRule(LedgeredModel):
    indicator = models.OneToOneField(Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="rule")
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "预警规则"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return str(self.indicator_id)

    def current(self) -> WarningRuleVersion:
        version: WarningRuleVersion = WarningRuleVersion.objects.filter(rule=self).order_by("-version")[0]
        return version


class WarningRuleVersion(LedgeredModel):
    """One immutable version of a rule: the lines per level and the document they come from."""

    rule = models.ForeignKey(WarningRule, verbose_name="预警规则", on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField("版本")
    direction = models.CharField("方向", max_length=4, choices=Direction.choices)
    yellow = models.DecimalField("黄色线", max_digits=20, decimal_places=4, null=True, blank=True)
    orange = models.DecimalField("橙色线", max_digits=20, decimal_places=4, null=True, blank=True)
    red = models.DecimalField("红色线", max_digits=20, decimal_places=4, null=True, blank=True)
    watch_line = models.DecimalField("警戒线（仅标示）", max_digits=20, decimal_places=4, null=True, blank=True)
    source_document = models.TextField("依据文件")
    secondary_source = models.BooleanField("依据为二手资料", default=False)
    published_by = models.CharField("发布人", max_length=150)
    published_at = models.DateTimeField("发布时间")

    class Meta:
        verbose_name = "预警规则版本"
        verbose_name_plural = verbose_name
        ordering = ["rule", "version"]
        constraints = [models.UniqueConstraint(fields=["rule", "version"], name="ind_rule_version")]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.version}"


class WarningStatus(models.TextChoices):
    OPEN = "预警中", _("预警中")
    CLOSED = "已解除", _("已解除")


class IndicatorWarning(LedgeredModel):
    """One warning episode of a subject on an indicator: from the first month at or beyond the yellow line
    until the value returns below it. Keeps the rule version and the explanation of its latest level."""

    subject = models.ForeignKey("subjects.Organization", verbose_name="主体", on_delete=models.PROTECT,
                                related_name="+")
    indicator = models.ForeignKey(Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="warnings")
    rule_version = models.ForeignKey(WarningRuleVersion, verbose_name="规则版本", on_delete=models.PROTECT,
                                     related_name="warnings")
    value = models.ForeignKey(IndicatorValue, verbose_name="触发数值", on_delete=models.PROTECT, related_name="+")
    level = models.SmallIntegerField("等级", choices=Level.choices)
    highest_level = models.SmallIntegerField("最高等级", choices=Level.choices)
    since = models.DateField("起始期间")
    last_period = models.DateField("最近期间")
    red_months = models.PositiveSmallIntegerField("连续红色月数", default=0)
    explanation = models.JSONField("说明")
    status = models.CharField("状态", max_length=4, choices=WarningStatus.choices, default=WarningStatus.OPEN)
    closed_period = models.DateField("解除期间", null=True, blank=True)
    case = models.ForeignKey("workflow.Case", verbose_name="办理事项", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = verbose_name
        ordering = ["-level", "subject", "indicator"]
        constraints = [models.UniqueConstraint(fields=["subject", "indicator"], condition=models.Q(status="预警中"),
                                               name="ind_warning_one_open")]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.subject_id} {self.level}"


class Assessment(models.Model):
    """The level of one current value under the rule version in force when it was assessed (derived).

    Rebuilt by the evaluation from the ledgered values and rules it points to, which are never deleted, so its
    references are kept by that code, not by database constraints: checking four foreign keys on each of the
    361,000 rows a full evaluation writes cost 5 s of the 7 s of writing them (PostgreSQL, deferred checks at
    commit). Only the indexes its readers use are kept (by month and level, by value, the unique triple)."""

    subject = models.ForeignKey("subjects.Organization", verbose_name="主体", on_delete=models.CASCADE,
                                related_name="+", db_constraint=False, db_index=False)
    indicator = models.ForeignKey(Indicator, verbose_name="指标", on_delete=models.CASCADE, related_name="+",
                                  db_constraint=False, db_index=False)
    period = models.DateField("期间")
    value = models.ForeignKey(IndicatorValue, verbose_name="数值", on_delete=models.CASCADE, related_name="+",
                              db_constraint=False)
    number = models.DecimalField("数值", max_digits=20, decimal_places=4, null=True, blank=True)
    rule_version = models.ForeignKey(WarningRuleVersion, verbose_name="规则版本", null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False)
    level = models.SmallIntegerField("等级")  # Level, or NO_VALUE

    class Meta:
        verbose_name = "指标评估"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["subject", "indicator", "period"], name="ind_assess_unique")]
        indexes = [models.Index(fields=["period", "level"], name="ind_assess_period_level")]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.subject_id}/{self.period:%Y-%m} {self.level}"
